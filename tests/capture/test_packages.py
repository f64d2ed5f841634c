"""The dist-info scan: equal to importlib.metadata for this interpreter, and every variant."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from envaudit.capture import packages
from envaudit.capture.packages import parse_direct_url, scan_packages
from envaudit.capture.python import current_interpreter
from tests.capture.fakes import SITE, FakeMachine

ROOT = Path("/")


def test_listing_equals_importlib_metadata_for_the_running_interpreter() -> None:
    sys_path = current_interpreter().sys_path
    scan = scan_packages(ROOT, sys_path)
    expected = sorted(
        (dist.metadata["Name"], dist.version)
        for dist in importlib.metadata.distributions(path=list(sys_path))
        if dist.metadata["Name"]
    )
    assert sorted((p.name, p.version) for p in scan.installed) == expected
    assert len(expected) > 10  # pytest, syrupy, click... are there


def test_active_copies_match_importlib_version_lookup() -> None:
    scan = scan_packages(ROOT, current_interpreter().sys_path)
    for package in scan.installed:
        if not package.shadowed:
            assert importlib.metadata.version(package.name) == package.version


def test_installer_requested_and_location(machine: FakeMachine) -> None:
    machine.dist("requests", "2.32.3", installer="uv", requested=True)
    machine.dist("idna", "3.7", installer=None)
    scan = scan_packages(machine.root, [SITE])
    by_name = {p.name: p for p in scan.installed}
    assert by_name["requests"].installer == "uv"
    assert by_name["requests"].requested is True
    assert by_name["idna"].installer is None
    assert by_name["idna"].requested is False
    assert by_name["idna"].location == SITE
    assert scan.paths == (SITE,)


def test_shadowed_duplicate_is_the_later_path_entry(machine: FakeMachine) -> None:
    machine.dist("six", "1.16.0", "/first")
    machine.dist("six", "1.15.0", "/second")
    scan = scan_packages(machine.root, ["/first", "/second", "/first"])
    assert [(p.version, p.location, p.shadowed) for p in scan.installed] == [
        ("1.16.0", "/first", False),
        ("1.15.0", "/second", True),
    ]
    assert scan.paths == ("/first", "/second")


def test_egg_info_directory_file_and_egg(machine: FakeMachine) -> None:
    machine.write(
        f"{SITE}/dirpkg.egg-info/PKG-INFO", "Metadata-Version: 1.1\nName: dirpkg\nVersion: 1\n"
    )
    machine.write(f"{SITE}/filepkg-2.0-py3.11.egg-info", "Name: filepkg\nVersion: 2.0\n")
    machine.write("/eggs/eggpkg-3.0-py3.11.egg/EGG-INFO/PKG-INFO", "Name: eggpkg\nVersion: 3.0\n")
    scan = scan_packages(machine.root, [SITE, "/eggs/eggpkg-3.0-py3.11.egg"])
    assert sorted((p.name, p.version) for p in scan.installed) == [
        ("dirpkg", "1"),
        ("eggpkg", "3.0"),
        ("filepkg", "2.0"),
    ]


def test_metadata_header_stops_at_the_body(machine: FakeMachine) -> None:
    machine.write(
        f"{SITE}/x-1.dist-info/METADATA",
        "Name: x\nVersion: 1\nSummary: s\n\nName: not-me\nVersion: 9\n",
    )
    (package,) = scan_packages(machine.root, [SITE]).installed
    assert (package.name, package.version) == ("x", "1")


def test_unreadable_metadata_is_a_problem_not_a_crash(machine: FakeMachine) -> None:
    machine.write(f"{SITE}/nometa-1.0.dist-info/RECORD")
    machine.write(f"{SITE}/noversion-1.0.dist-info/METADATA", "Name: noversion\n")
    scan = scan_packages(machine.root, [SITE, "/does/not/exist", ""])
    assert scan.installed == ()
    assert scan.problems == (
        f"{SITE}/nometa-1.0.dist-info: no Name/Version in its metadata",
        f"{SITE}/noversion-1.0.dist-info: no Name/Version in its metadata",
    )


def test_direct_url_vcs_archive_dir_and_garbage() -> None:
    vcs = parse_direct_url(
        '{"url": "https://tok:x@github.com/o/r.git", "vcs_info": {"vcs": "git",'
        ' "commit_id": "' + "a" * 40 + '", "requested_revision": "main"}, "subdirectory": "py"}'
    )
    assert vcs is not None
    assert (vcs.kind, vcs.vcs, vcs.commit, vcs.requested_revision) == (
        "vcs",
        "git",
        "a" * 40,
        "main",
    )
    assert vcs.url == "https://***@github.com/o/r.git"
    assert vcs.subdirectory == "py"
    archive = parse_direct_url(
        '{"url": "https://x/a.whl", "archive_info": {"hashes": {"sha256": "ab"}}}'
    )
    assert archive is not None and archive.archive_hash == "sha256=ab"
    old_archive = parse_direct_url('{"url": "file:///a.whl", "archive_info": {"hash": "md5=cd"}}')
    assert old_archive is not None and old_archive.archive_hash == "md5=cd"
    editable = parse_direct_url('{"url": "file:///src", "dir_info": {"editable": true}}')
    assert editable is not None and (editable.kind, editable.editable) == ("dir", True)
    for garbage in ("", "[]", '{"url": 3}', "{" * 5000, '{"no": "url"}'):
        assert parse_direct_url(garbage) is None


def test_direct_url_is_read_from_the_dist_info(machine: FakeMachine) -> None:
    machine.dist("mylib", "0.1", direct_url={"url": "file:///src/mylib", "dir_info": {}})
    (package,) = scan_packages(machine.root, [SITE]).installed
    assert package.direct_url is not None
    assert (package.direct_url.kind, package.direct_url.editable) == ("dir", False)


def test_running_interpreter_sys_path_has_no_relative_entries() -> None:
    assert all(Path(entry).is_absolute() for entry in current_interpreter().sys_path)
    assert sys.prefix


def test_path_based_reads_where_dir_fd_is_missing(
    machine: FakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows cannot open relative to a directory: the scan joins paths instead, same result.
    machine.dist("requests", "2.32.3", installer="uv", requested=True)
    machine.dist("idna", "3.7", direct_url={"url": "file:///wheels/idna.whl", "archive_info": {}})
    relative = scan_packages(machine.root, [SITE])
    monkeypatch.setattr(packages, "_RELATIVE_OPENS", False)
    assert scan_packages(machine.root, [SITE]) == relative
    assert [p.name for p in relative.installed] == ["idna", "requests"]


def test_a_dangling_requested_symlink_still_marks_the_request(machine: FakeMachine) -> None:
    machine.dist("rich", "13.7.1")
    requested = machine.root / SITE.lstrip("/") / "rich-13.7.1.dist-info" / "REQUESTED"
    requested.symlink_to(machine.root / "nowhere")
    (installed,) = scan_packages(machine.root, [SITE]).installed
    assert installed.requested is True
