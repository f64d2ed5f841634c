"""The contract every source parser implements, and the include-reader they are given."""

from __future__ import annotations

from typing import Protocol

from envaudit.model import Manifest


class IncludeReader(Protocol):
    """Reads a file referenced from another one (``-r other.txt``), at the I/O edge.

    ``target`` is written as in the including file; ``including`` is the origin of the
    including file. Returns ``(origin, text)`` of the included file; raises
    :class:`envaudit.errors.IncludeError` when it is missing, outside the project, or
    cannot be decoded. Cycle and depth guards are the parser's job.
    """

    def __call__(self, target: str, *, including: str) -> tuple[str, str]: ...


class Parser(Protocol):
    """``parse(text, *, origin, reader=None) -> Manifest``; pure, no I/O of its own.

    Raises :class:`envaudit.errors.ParseError` (with a line or key path) on malformed input.
    An empty but valid document gives an empty manifest.
    """

    def __call__(
        self, text: str, *, origin: str, reader: IncludeReader | None = None
    ) -> Manifest: ...
