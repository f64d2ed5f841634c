"""Splitting a conda package URL into channel, subdir, name, version and build."""

from __future__ import annotations

import functools
from urllib.parse import unquote, urlsplit

from envaudit.record import record
from envaudit.redact import redact_url

_EXTENSIONS = (".conda", ".tar.bz2")
KNOWN_SUBDIRS = frozenset(
    {
        "noarch",
        "linux-64",
        "linux-32",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64le",
        "linux-ppc64",
        "linux-s390x",
        "linux-riscv64",
        "osx-64",
        "osx-arm64",
        "win-64",
        "win-32",
        "win-arm64",
        "emscripten-wasm32",
        "wasi-wasm32",
        "zos-z",
    }
)


@record
class CondaArtifact:
    """The parts of ``<channel>/<subdir>/<name>-<version>-<build>.<ext>``."""

    channel: str  # redacted channel URL, e.g. https://conda.anaconda.org/conda-forge
    subdir: str
    name: str
    version: str
    build: str
    filename: str


@functools.lru_cache(maxsize=512)  # a lock names a handful of channels thousands of times
def channel_name(channel_url: str) -> str:
    """A short channel name: ``https://conda.anaconda.org/conda-forge`` -> ``conda-forge``.

    ``repo.anaconda.com/pkgs/main`` and friends are the ``defaults`` channels and keep
    their ``pkgs/<name>`` form; other URLs are returned (redacted) as written.
    """
    try:
        parts = urlsplit(channel_url)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket: keep the channel as written
        return redact_url(channel_url.rstrip("/"))
    path = parts.path.strip("/")
    if host in ("conda.anaconda.org", "anaconda.org") and path:
        return path.split("/")[0]
    if host == "repo.anaconda.com" and path:
        return path
    return redact_url(channel_url.rstrip("/"))


def split_conda_url(url: str) -> CondaArtifact | None:
    """Split a package URL; None when it is not ``.../<subdir>/<n>-<v>-<b>.conda|.tar.bz2``."""
    base = url.split("#", 1)[0].strip()
    filename = unquote(base.rsplit("/", 1)[-1])
    ext = next((e for e in _EXTENSIONS if filename.endswith(e)), None)
    if ext is None or "/" not in base:
        return None
    stem = filename[: -len(ext)]
    pieces = stem.rsplit("-", 2)
    if len(pieces) != 3 or not all(pieces):
        return None
    name, version, build = pieces
    directory = base.rsplit("/", 1)[0]
    if "/" not in directory:
        return None
    channel, subdir = directory.rsplit("/", 1)
    if not channel or not subdir:
        return None
    return CondaArtifact(
        channel=redact_url(channel),
        subdir=subdir,
        name=name,
        version=version,
        build=build,
        filename=filename,
    )
