# os.path on purpose: pathlib's import alone costs a good part of the listing budget.
# ruff: noqa: PTH118
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
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
# Opening relative to an open directory (POSIX) walks two path components per file, not all.
_RELATIVE_OPENS = (
    os.open in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
    and os.access in os.supports_dir_fd
    and os.scandir in os.supports_fd
)

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


def _read_head(path: str, folder: int | None = None) -> str | None:
    """The first ``_HEADER_LIMIT`` bytes of a file as text (os-level: no buffered file object).

    ``folder`` is an open directory descriptor that ``path`` is relative to: each open then
    walks two path components instead of the whole absolute path.
    """
    try:
        fd = os.open(path, os.O_RDONLY, dir_fd=folder)
    except OSError:
        return None
    try:
        data = os.read(fd, _HEADER_LIMIT)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace")


def parse_name_version(text: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from the header block of a METADATA/PKG-INFO text."""
    name = version = None
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        line = text[start:end]
        start = end + 1
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "name" and name is None:
            name = value.strip() or None
        elif key == "version" and version is None:
            version = value.strip() or None
        if name is not None and version is not None:
            break
    return name, version


def _read_distribution(
    folder: int | str, location: str, entry: str, is_dir: bool
) -> tuple[Distribution | None, str | None]:
    """One distribution from a metadata entry of the open directory ``folder``, or the
    problem that made it unreadable."""
    if entry.lower().endswith(".dist-info"):
        metadata_file = f"{entry}/METADATA"  # not os.path.join: it was most of the time here
    else:
        metadata_file = f"{entry}/PKG-INFO" if is_dir else entry
    name, version = parse_name_version(_read_head(*_place(folder, metadata_file)) or "")
    if name is None or version is None:
        return None, f"{location.rstrip('/')}/{entry}: no Name/Version in its metadata"
    installer = direct = None
    requested = False
    if is_dir:  # three direct look-ups are cheaper than listing the folder
        installer = (_read_head(*_place(folder, f"{entry}/INSTALLER")) or "").strip() or None
        requested = _exists(*_place(folder, f"{entry}/REQUESTED"))
        direct_url = _place(folder, f"{entry}/direct_url.json")
        # os.access answers "absent" without raising (most entries have no direct_url.json)
        if os.access(direct_url[0], os.F_OK, dir_fd=direct_url[1]):
            direct = _read_head(*direct_url)
    return (name, version, location, entry, installer, requested, direct), None


def _place(folder: int | str, name: str) -> tuple[str, int | None]:
    """(path, dir_fd) of ``name`` in ``folder``: an open directory, or its path where the
    platform cannot open relative to a directory (Windows)."""
    if isinstance(folder, int):
        return name, folder
    return f"{folder}/{name}", None


def _exists(path: str, folder: int | None) -> bool:
    """Like ``os.path.lexists``: a dangling ``REQUESTED`` symlink still marks the request."""
    try:
        os.stat(path, dir_fd=folder, follow_symlinks=False)
    except (OSError, NotImplementedError):
        return False
    return True


def _metadata_entries(folder: int | str, location: str) -> list[tuple[str, bool]]:
    """(name, is a folder) of the metadata entries in the open directory, sorted by name."""
    egg = location.lower().endswith(".egg")
    found: list[tuple[str, bool]] = []
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                lower = item.name.lower()
                if lower.endswith((".dist-info", ".egg-info")) or (egg and lower == "egg-info"):
                    found.append((item.name, item.is_dir()))
    except (OSError, ValueError):
        return []
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
        folder: int | str = host_dir
        if _RELATIVE_OPENS:
            try:
                folder = os.open(host_dir, _DIRECTORY)
            except (OSError, ValueError):
                continue  # missing, not a folder (a zip), or an unreadable path entry
        try:
            for entry, is_dir in _metadata_entries(folder, location):
                distribution, problem = _read_distribution(folder, location, entry, is_dir)
                if problem:
                    problems.append(problem)
                if distribution is not None:
                    found.append(distribution)
        finally:
            if isinstance(folder, int):
                os.close(folder)
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
