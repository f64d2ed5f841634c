"""Reading a machine's files under a root directory, the way the machine itself would see them.

Probes name files by their *machine path* (``/usr/local/cuda/version.json``); with a root
other than ``/`` (a fake machine in a test, a mounted image) those paths are looked up under
the root, and symbolic links are followed as if the root were ``/``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path("/")
MAX_TEXT = 1 << 20  # probes never need more than the first MiB of a file
_MAX_LINKS = 40


def host_path(root: Path, machine_path: str) -> Path:
    """Where ``machine_path`` (absolute, as the machine sees it) lives on this host."""
    return root / machine_path.lstrip("/")


def machine_path(root: Path, path: Path) -> str:
    """The machine's own spelling of a host path under ``root`` (``/`` + the relative part)."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return str(path)
    text = relative.as_posix()
    return "/" if text == "." else "/" + text


def resolve(root: Path, path: str) -> str:
    """``realpath`` of a machine path, following links inside ``root`` (absolute ones too)."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    resolved: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = host_path(root, "/".join([*resolved, part]))
        try:
            target = str(candidate.readlink())
        except OSError:
            resolved.append(part)
            continue
        hops += 1
        if hops > _MAX_LINKS:
            return "/" + "/".join([*resolved, part, *parts])
        if target.startswith("/"):
            resolved = []
        parts = [p for p in target.split("/") if p not in ("", ".")] + parts
    return "/" + "/".join(resolved)


def read_text(root: Path, path: str, limit: int = MAX_TEXT) -> str | None:
    """The start of a text file (undecodable bytes replaced), or None when it cannot be read."""
    try:
        with _inside(root, path).open("rb") as handle:
            data = handle.read(limit)
    except (OSError, ValueError):
        return None
    return data.decode("utf-8", "replace")


def list_dir(root: Path, path: str) -> list[str]:
    """Sorted entry names of a directory; empty when it is missing or unreadable."""
    try:
        with os.scandir(_inside(root, path)) as entries:
            return sorted(entry.name for entry in entries)
    except (OSError, ValueError):
        return []


def _inside(root: Path, path: str) -> Path:
    """The host path to open for a machine path: under a root other than ``/``, links are
    resolved inside the root first, so an absolute link in a fake or mounted tree never
    reaches this host's own files."""
    if root != ROOT:
        path = resolve(root, path)
    return host_path(root, path)


def is_dir(root: Path, path: str) -> bool:
    return _inside(root, path).is_dir()


def exists(root: Path, path: str) -> bool:
    return _inside(root, path).exists()


def join(base: str, *names: str) -> str:
    """Join machine paths with ``/`` whatever the host's separator."""
    text = base.rstrip("/")
    for name in names:
        text = f"{text}/{name.strip('/')}"
    return text or "/"
