"""The line grammar of Dockerfiles: directives, continuations, comments, heredocs, flags."""

from __future__ import annotations

import re

from envaudit.errors import ParseError
from envaudit.record import record
from envaudit.sources.dockerfile_shell import LineMap

_DIRECTIVE = re.compile(r"#\s*(?P<name>[A-Za-z]+)\s*=\s*(?P<value>\S+)\s*$")
_KEYWORD = re.compile(r"\s*(?P<keyword>\S+)\s*")
_HEREDOC = re.compile(
    r"(?<!<)<<(?P<strip>-?)(?P<quote>[\"']?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P=quote)"
)
_FLAG = re.compile(r"\s*--(?P<name>[a-z][a-z-]*)(?:=(?P<value>\S*))?(?=\s|$)")
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})


@record
class Heredoc:
    """The body of one ``<<NAME`` … ``NAME`` here-document."""

    name: str
    body: str
    lines: LineMap


@record
class Instruction:
    """One logical instruction: continuations joined, comments inside them dropped."""

    keyword: str
    arguments: str
    line: int
    lines: LineMap  # offsets into ``arguments``
    heredocs: tuple[Heredoc, ...] = ()


def instructions(text: str, origin: str) -> list[Instruction]:
    """Split a Dockerfile into instructions, honouring the ``# escape=`` parser directive."""
    lines = text.removeprefix("\ufeff").splitlines()
    escape = _escape_character(lines)
    continuation = re.compile(re.escape(escape) + r"[ \t]*$")
    found: list[Instruction] = []
    number = 0
    while number < len(lines):
        if not lines[number].strip() or lines[number].lstrip().startswith("#"):
            number += 1
            continue
        first = number + 1
        joined, starts, number = _logical_line(lines, number, continuation)
        match = _KEYWORD.match(joined)
        if match is None:
            continue  # only continuation characters: nothing to read
        shift = match.end()
        line_map = LineMap([(max(0, offset - shift), line) for offset, line in starts])
        keyword = match.group("keyword").upper()
        arguments = joined[shift:]
        heredocs: tuple[Heredoc, ...] = ()
        if keyword in HEREDOC_INSTRUCTIONS and "<<" in arguments:
            heredocs, number = _heredocs(arguments, lines, number, origin, first)
        found.append(Instruction(keyword, arguments, first, line_map, heredocs))
    return found


def _escape_character(lines: list[str]) -> str:
    """Parser directives sit at the very top; ``# escape=`` picks ``\\`` or a backtick."""
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            break
        if match.group("name").lower() == "escape" and match.group("value") in ("\\", "`"):
            return match.group("value")
    return "\\"


def _logical_line(
    lines: list[str], number: int, continuation: re.Pattern[str]
) -> tuple[str, list[tuple[int, int]], int]:
    """Join one instruction's physical lines; comment and blank lines inside it are skipped."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    while number < len(lines):
        current = lines[number]
        number += 1
        if parts and (not current.strip() or current.lstrip().startswith("#")):
            continue
        match = continuation.search(current)
        piece = current[: match.start()] if match else current
        starts.append((offset, number))
        parts.append(piece)
        offset += len(piece)
        if match is None:
            break
    return "".join(parts), starts, number


def _heredocs(
    arguments: str, lines: list[str], number: int, origin: str, first: int
) -> tuple[tuple[Heredoc, ...], int]:
    bodies: list[Heredoc] = []
    for match in _HEREDOC.finditer(arguments):
        name, strip_tabs = match.group("name"), bool(match.group("strip"))
        body: list[str] = []
        starts: list[tuple[int, int]] = []
        offset = 0
        while True:
            if number >= len(lines):
                raise ParseError(
                    origin, f"here-document <<{name} is not terminated by a {name} line", line=first
                )
            current = lines[number].lstrip("\t") if strip_tabs else lines[number]
            number += 1
            if current == name:
                break
            starts.append((offset, number))
            body.append(current)
            offset += len(current) + 1
        bodies.append(Heredoc(name, "\n".join(body) + "\n", LineMap(starts or [(0, number)])))
    return tuple(bodies), number


def split_flags(arguments: str) -> tuple[list[tuple[str, str]], str]:
    """Leading ``--name=value`` flags of FROM/RUN/COPY/ADD, and the text with them blanked."""
    flags: list[tuple[str, str]] = []
    position = 0
    while True:
        match = _FLAG.match(arguments, position)
        if match is None:
            break
        flags.append((match.group("name"), match.group("value") or ""))
        position = match.end()
    return flags, " " * position + arguments[position:]  # same offsets as ``arguments``


def strip_heredoc_markers(arguments: str) -> str:
    """The command text without its ``<<NAME`` markers (their bodies are read separately)."""
    return _HEREDOC.sub(lambda match: " " * len(match.group()), arguments)
