# os.path on purpose: pathlib's import alone costs a good part of the listing budget.
# ruff: noqa: PTH112, PTH118, PTH123
"""The package probe: ``*.dist-info`` / ``*.egg-info`` on ``sys.path``, read directly (no pip).

Finds what :func:`importlib.metadata.distributions` finds, in the same path order, and marks
a later copy of an already-seen name as *shadowed* (``import`` never reaches it).

The scan itself (:func:`list_distributions`) imports nothing but :mod:`os`: listing packages
must cost about as much as starting Python (DESIGN.md budget: <= 2x ``python -c pass``).
The frozen model, JSON and redaction are loaded only to build :class:`PackageScan`.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs more than the scan
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from envaudit.capture.model import DirectUrl, InstalledPackage, PackageScan

_HEADER_LIMIT = 16384

# (name, version, location, metadata entry, installer, requested, direct_url.json text)
Distribution = tuple[str, str, str, str, str | None, bool, str | None]


def normalize(name: str) -> str:
    """PEP 503 name, without :mod:`re` (``Foo.Bar__baz`` -> ``foo-bar-baz``)."""
    out: list[str] = []
    for char in name.lower():
        if char in "-_.":
            if not out or out[-1] != "-":
                out.append("-")
        else:
            out.append(char)
    return "".join(out)


def _read_head(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEADER_LIMIT).decode("utf-8", "replace")
    except OSError:
        return None


def parse_name_version(text: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from the header block of a METADATA/PKG-INFO text."""
    name = version = None
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key == "name" and name is None:
            name = value.strip() or None
        elif sep and key == "version" and version is None:
            version = value.strip() or None
    return name, version


def _listdir(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return [entry.name for entry in entries]
    except (OSError, ValueError):
        return []


def _read_distribution(
    host_dir: str, location: str, entry: str
) -> tuple[Distribution | None, str | None]:
    """One distribution from a metadata entry, or the problem that made it unreadable."""
    meta = os.path.join(host_dir, entry)
    is_dir = os.path.isdir(meta)
    if entry.lower().endswith(".dist-info"):
        metadata_file = os.path.join(meta, "METADATA")
    else:
        metadata_file = os.path.join(meta, "PKG-INFO") if is_dir else meta
    name, version = parse_name_version(_read_head(metadata_file) or "")
    if name is None or version is None:
        return None, f"{location.rstrip('/')}/{entry}: no Name/Version in its metadata"
    files = set(_listdir(meta)) if is_dir else set()
    installer = _read_head(os.path.join(meta, "INSTALLER")) if "INSTALLER" in files else None
    has_direct = "direct_url.json" in files
    direct = _read_head(os.path.join(meta, "direct_url.json")) if has_direct else None
    installer = (installer or "").strip() or None
    return (name, version, location, entry, installer, "REQUESTED" in files, direct), None


def _metadata_entries(host_dir: str, location: str) -> list[str]:
    names = _listdir(host_dir)
    found = [n for n in names if n.lower().endswith((".dist-info", ".egg-info"))]
    if location.lower().endswith(".egg"):
        found.extend(n for n in names if n.lower() == "egg-info")
    return sorted(found)


def list_distributions(
    root: str, sys_path: Sequence[str]
) -> tuple[list[str], list[Distribution], list[str]]:
    """(paths scanned, distributions in path order, problems) for machine paths under ``root``."""
    paths: list[str] = []
    found: list[Distribution] = []
    problems: list[str] = []
    for location in sys_path:
        if not location or location in paths:
            continue
        paths.append(location)
        host_dir = os.path.join(root, location.lstrip("/"))
        for entry in _metadata_entries(host_dir, location):
            distribution, problem = _read_distribution(host_dir, location, entry)
            if problem:
                problems.append(problem)
            if distribution is not None:
                found.append(distribution)
    return paths, found, problems


def parse_direct_url(text: str) -> DirectUrl | None:
    """PEP 610 data; None when it is not valid JSON of the expected shape."""
    import json

    from envaudit.capture.model import DirectUrl
    from envaudit.redact import redact_url

    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    vcs, archive, directory = data.get("vcs_info"), data.get("archive_info"), data.get("dir_info")
    subdirectory = _text(data.get("subdirectory"))
    url = redact_url(data["url"])
    if isinstance(vcs, dict):
        return DirectUrl(
            url=url,
            kind="vcs",
            vcs=_text(vcs.get("vcs")),
            commit=_text(vcs.get("commit_id")),
            requested_revision=_text(vcs.get("requested_revision")),
            subdirectory=subdirectory,
        )
    if isinstance(directory, dict):
        editable = directory.get("editable") is True
        return DirectUrl(url=url, kind="dir", editable=editable, subdirectory=subdirectory)
    archive_hash = None
    if isinstance(archive, dict):
        hashes = archive.get("hashes")
        if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
            archive_hash = "sha256=" + hashes["sha256"]
        else:
            archive_hash = _text(archive.get("hash"))
    return DirectUrl(url=url, kind="archive", archive_hash=archive_hash, subdirectory=subdirectory)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def scan_packages(root: Path, sys_path: Sequence[str]) -> PackageScan:
    """Every distribution on ``sys_path`` (machine paths under ``root``), path order kept."""
    from envaudit.capture.model import InstalledPackage, PackageScan

    paths, found, problems = list_distributions(str(root), sys_path)
    ordered = sorted(enumerate(found), key=lambda item: (normalize(item[1][0]), item[0]))
    installed: list[InstalledPackage] = []
    previous: str | None = None
    for _, (name, version, location, entry, installer, requested, direct) in ordered:
        key = normalize(name)
        installed.append(
            InstalledPackage(
                name=name,
                version=version,
                location=location,
                metadata=entry,
                installer=installer,
                requested=requested,
                direct_url=parse_direct_url(direct) if direct else None,
                shadowed=key == previous,
            )
        )
        previous = key
    return PackageScan(paths=tuple(paths), installed=tuple(installed), problems=tuple(problems))


def active_packages(scan: PackageScan) -> dict[str, InstalledPackage]:
    """Normalized name -> the copy ``import`` finds (shadowed copies left out)."""
    return {normalize(p.name): p for p in scan.installed if not p.shadowed}
