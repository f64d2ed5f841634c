"""Replacing single-line YAML scalars in place, so every other byte of the file stays as it was."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from envaudit.record import record

# The line breaks ruamel.yaml counts when it reports a node's line.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_FLOW_INDICATORS = frozenset(",[]{}")


@record
class ScalarEdit:
    """Put ``new`` where the scalar ``old`` starts (0-based ``line`` and ``column``)."""

    line: int
    column: int
    old: str
    new: str
    in_flow: bool = False


class SpliceError(ValueError):
    """A scalar could not be found where the YAML loader said it starts (multi-line, tagged...)."""


def split_lines(text: str) -> list[str]:
    """Lines with their own line breaks, numbered the way ruamel.yaml numbers them."""
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def apply_edits(text: str, edits: Sequence[ScalarEdit]) -> str:
    """``text`` with each edit applied; raises :class:`SpliceError` when one cannot be placed."""
    lines = split_lines(text)
    # Right to left, so earlier columns on a shared (flow-style) line stay valid.
    for edit in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        if edit.line >= len(lines):
            raise SpliceError(f"line {edit.line + 1} is past the end of the document")
        lines[edit.line] = replace_scalar(lines[edit.line], edit)
    return "".join(lines)


def replace_scalar(line: str, edit: ScalarEdit) -> str:
    """One line with the scalar at ``edit.column`` rewritten in the same quoting style."""
    end, style = scalar_extent(line, edit.column, in_flow=edit.in_flow)
    written = line[edit.column : end]
    if read_scalar(written) != edit.old:
        raise SpliceError(f"expected {edit.old!r} at column {edit.column + 1}, found {written!r}")
    return line[: edit.column] + render_scalar(edit.new, style, in_flow=edit.in_flow) + line[end:]


def scalar_extent(line: str, column: int, *, in_flow: bool) -> tuple[int, str]:
    """``(end column, quote style)`` of the scalar starting at ``column``; style is '', ' or "."""
    if column >= len(line):
        raise SpliceError(f"no scalar at column {column + 1}")
    quote = line[column]
    if quote == "'":
        return _single_quoted_end(line, column), quote
    if quote == '"':
        return _double_quoted_end(line, column), quote
    end = column
    while end < len(line) and not _plain_scalar_ends(line, end, in_flow=in_flow):
        end += 1
    while end > column and line[end - 1] in " \t":
        end -= 1
    return end, ""


def _plain_scalar_ends(line: str, position: int, *, in_flow: bool) -> bool:
    char = line[position]
    if _LINE_BREAK.match(char):
        return True
    if char == "#" and position > 0 and line[position - 1] in " \t":
        return True
    return in_flow and char in _FLOW_INDICATORS


def _single_quoted_end(line: str, column: int) -> int:
    position = column + 1
    while position < len(line):
        if line[position] == "'":
            if line[position + 1 : position + 2] == "'":
                position += 2
                continue
            return position + 1
        position += 1
    raise SpliceError("a single-quoted scalar continues on the next line")


def _double_quoted_end(line: str, column: int) -> int:
    position = column + 1
    while position < len(line):
        if line[position] == "\\":
            position += 2
            continue
        if line[position] == '"':
            return position + 1
        position += 1
    raise SpliceError("a double-quoted scalar continues on the next line")


def read_scalar(written: str) -> Any:
    """The value YAML reads from one scalar as written (safe loader)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(written)
    except YAMLError as exc:
        raise SpliceError(f"cannot read {written!r} back: {exc}") from None


def render_scalar(value: str, style: str, *, in_flow: bool) -> str:
    """``value`` quoted like the scalar it replaces; plain only when it reads back unchanged."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and _plain_is_safe(value, in_flow=in_flow):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _plain_is_safe(value: str, *, in_flow: bool) -> bool:
    if not value or value != value.strip() or " #" in value or ": " in value:
        return False
    if in_flow and any(char in _FLOW_INDICATORS for char in value):
        return False
    try:
        return bool(read_scalar(value) == value)
    except SpliceError:
        return False
