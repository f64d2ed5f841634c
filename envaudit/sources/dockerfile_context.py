"""Where a Dockerfile's RUN finds a build-context file: COPY/ADD destinations and bind mounts."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable

from envaudit.record import record


@record
class CopiedFiles:
    """``COPY sources destination`` from the build context (or a RUN bind mount)."""

    sources: tuple[str, ...]
    destination: str  # absolute, normalised
    into_directory: bool


def bind_mounts(flags: list[tuple[str, str]], workdir: str) -> list[CopiedFiles]:
    """``--mount=type=bind,source=req.txt,target=/tmp/req.txt`` exposes a context file."""
    mounts: list[CopiedFiles] = []
    for name, value in flags:
        if name != "mount":
            continue
        options = dict(part.partition("=")[::2] for part in value.split(","))
        if options.get("type") != "bind" or "from" in options:
            continue
        target = options.get("target") or options.get("dst") or options.get("destination")
        if target:
            source = options.get("source") or options.get("src") or "."
            absolute = posixpath.normpath(posixpath.join(workdir, target))
            mounts.append(CopiedFiles((source,), absolute, into_directory=False))
    return mounts


def context_resolver(workdir: str, copies: list[CopiedFiles]) -> Callable[[str], str | None]:
    def resolve(target: str) -> str | None:
        if "$" in target:
            return None
        container = posixpath.normpath(posixpath.join(workdir, target))
        for copy in reversed(copies):
            for source in copy.sources:
                found = _copied_from(container, source, copy)
                if found is not None:
                    return found
        return None

    return resolve


def _copied_from(container: str, source: str, copy: CopiedFiles) -> str | None:
    """The build-context path that ``copy`` put at ``container``, if it did."""
    clean = posixpath.normpath(source.lstrip("/")) if source.strip("./") else "."
    base = posixpath.basename(clean)
    destination = copy.destination
    if any(char in base for char in "*?["):
        if posixpath.dirname(container) == destination and fnmatch.fnmatchcase(
            posixpath.basename(container), base
        ):
            return posixpath.join(posixpath.dirname(clean), posixpath.basename(container))
        return None
    looks_like_directory = clean == "." or source.endswith("/") or "." not in base
    if not looks_like_directory:
        if container == destination and not copy.into_directory:
            return clean
        if container == posixpath.join(destination, base):
            return clean
        return None
    inside = destination.rstrip("/") + "/"
    if container.startswith(inside):
        return posixpath.normpath(posixpath.join(clean, container[len(inside) :]))
    return None
