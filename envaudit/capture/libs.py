"""Shared by the CUDA, cuDNN and NCCL probes: loader directories, shared-library names, headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from envaudit.capture import fs
from envaudit.capture.model import RuntimeSource

LD_SO_CONF = "/etc/ld.so.conf"
# glibc's trusted directories, searched after those of ld.so.conf.
DEFAULT_LIBRARY_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64")
_MAX_INCLUDE_DEPTH = 8
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Z_][A-Z0-9_]*)\s+\(?(\d+)\)?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class LibraryFile:
    """A shared library found by name, e.g. ``libcudnn.so.9`` in ``/usr/lib/x86_64-linux-gnu``."""

    source: RuntimeSource
    path: str  # the most specific name found (libcudart.so.12.4.127 over libcudart.so.12)
    version: str  # what the file name says: 12.4.127, 13, 11.0


def _conf_dirs(root: Path, conf: str, depth: int, out: list[str]) -> None:
    text = fs.read_text(root, conf, limit=65536)
    if text is None or depth > _MAX_INCLUDE_DEPTH:
        return
    base = conf.rsplit("/", 1)[0] or "/"
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("hwcap"):
            continue
        if line.startswith("include"):
            pattern = line.split(None, 1)[1] if len(line.split(None, 1)) == 2 else ""
            pattern = pattern if pattern.startswith("/") else fs.join(base, pattern)
            host_pattern = fs.host_path(root, pattern)
            for match in sorted(host_pattern.parent.glob(host_pattern.name)):
                _conf_dirs(root, fs.machine_path(root, match), depth + 1, out)
            continue
        for directory in line.replace(",", " ").split():
            if directory.startswith("/") and directory not in out:
                out.append(directory)


def loader_dirs(root: Path, environ: Mapping[str, str]) -> list[tuple[RuntimeSource, str]]:
    """Directories the dynamic loader searches: LD_LIBRARY_PATH first, then ld.so.conf."""
    dirs: list[tuple[RuntimeSource, str]] = []
    seen: set[str] = set()
    for entry in environ.get("LD_LIBRARY_PATH", "").split(":"):
        if entry.startswith("/") and entry not in seen:
            seen.add(entry)
            dirs.append((RuntimeSource.LD_LIBRARY_PATH, entry.rstrip("/") or "/"))
    configured: list[str] = []
    _conf_dirs(root, LD_SO_CONF, 0, configured)
    for entry in [*configured, *DEFAULT_LIBRARY_DIRS]:
        if entry not in seen:
            seen.add(entry)
            dirs.append((RuntimeSource.LDCONFIG, entry.rstrip("/") or "/"))
    return dirs


def _version_of(name: str, stem: str) -> str | None:
    prefix = f"{stem}.so."
    if name.startswith(prefix):
        version = name[len(prefix) :]
        if version and all(part.isdigit() for part in version.split(".")):
            return version
    return None


def find_library(root: Path, directory: str, stem: str) -> str | None:
    """The most specific ``stem.so.X[.Y.Z]`` in a directory (following ``stem.so`` links)."""
    best: tuple[int, str] | None = None
    for name in fs.list_dir(root, directory):
        candidates = [name]
        if name == f"{stem}.so":
            candidates.append(fs.resolve(root, fs.join(directory, name)).rsplit("/", 1)[-1])
        for candidate in candidates:
            version = _version_of(candidate, stem)
            if version is not None and (best is None or len(version) > best[0]):
                best = (len(version), fs.join(directory, candidate))
    return best[1] if best else None


def find_on_loader_path(
    root: Path, dirs: list[tuple[RuntimeSource, str]], stem: str
) -> list[LibraryFile]:
    """Each directory's copy of a library, skipping directories that resolve to one seen."""
    found: list[LibraryFile] = []
    seen: set[str] = set()
    for source, directory in dirs:
        real = fs.resolve(root, directory)
        if real in seen:
            continue
        seen.add(real)
        path = find_library(root, directory, stem)
        if path is not None:
            version = _version_of(path.rsplit("/", 1)[-1], stem) or ""
            found.append(LibraryFile(source, path, version))
    return found


def read_defines(root: Path, path: str) -> dict[str, int]:
    """Integer ``#define NAME 123`` values of a C header (empty when unreadable)."""
    text = fs.read_text(root, path, limit=262144)
    if text is None:
        return {}
    return {match.group(1): int(match.group(2)) for match in _DEFINE.finditer(text)}


def major_minor(version: str) -> str:
    """``12.4.127`` -> ``12.4``; a lone major stays as it is."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else version


def soname_cuda(version: str) -> str:
    """The CUDA release a libcudart file name tells: ``12.4.127`` -> 12.4; ``12``/``11.0`` -> the
    major alone (``libcudart.so.11.0`` is the soname of every 11.x)."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 3 else parts[0]
