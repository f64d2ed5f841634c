"""Reading the TOML that lock writers emit, without tomllib.

uv, Poetry, PDM and pylock writers all emit a small, regular part of TOML: table and
array-of-tables headers, one ``key = value`` statement per line, basic and literal strings,
integers, booleans, UTC date-times, arrays (over several lines, with comments) and one-line
inline tables, with LF or CRLF line ends. :func:`read` parses exactly that part with one
regular expression per token, several times faster than tomllib's character-by-character
reader, and returns None for anything else: floats, other dates, multi-line strings, dotted
keys, a table defined twice, a duplicate key, any invalid TOML. tomllib then reads the
document and reports its errors.

The contract, held by differential and fuzz tests: whenever :func:`read` returns a
document, it equals ``tomllib.loads(text)``.
"""

from __future__ import annotations

import re
from typing import Any

# Deepest array/inline-table nesting read here; deeper documents go to tomllib, whose
# result the caller checks against its own limit.
MAX_DEPTH = 48

# One key: bare, basic-quoted (no escapes) or literal-quoted; in _KEY_GROUPS its text is in
# whichever group matched (the header pattern uses _KEY_PART, keeping its group numbers).
_KEY_GROUPS = r"""([A-Za-z0-9_-]+)|"([^"\\\n]*)"|'([^'\n]*)'"""
_KEY_PART = r"""[A-Za-z0-9_-]+|"[^"\\\n]*"|'[^'\n]*'"""
# Control characters TOML forbids everywhere (tab and LF aside; CR is read only before LF).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Blank and comment lines, then the next statement's indentation (and a last comment).
_BLANK = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*(?:#[^\n]*)?")
# What may follow a statement on its line.
_LINE_END = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
# Between array items: spaces, comments, line ends.
_ARRAY_GAP = re.compile(r"[ \t\n]*(?:#[^\n]*[ \t\n]*)*")
_SPACE = re.compile(r"[ \t]*")
_HEADER = re.compile(
    rf"\[(\[)?[ \t]*((?:{_KEY_PART})(?:[ \t]*\.[ \t]*(?:{_KEY_PART}))*)[ \t]*\](?(1)\])"
)
_HEADER_PART = re.compile(_KEY_GROUPS)
_KEY_EQUALS = re.compile(rf"(?:{_KEY_GROUPS})[ \t]*=[ \t]*")
_STRING = re.compile(r'"([^"\\\n]*)"')
_ESCAPED_STRING = re.compile(r'"((?:[^"\\\n]|\\[^\n])*)"')
_LITERAL_STRING = re.compile(r"'([^'\n]*)'")
# No underscores, bases or leading zeros, and few enough digits for any int: the rest
# (a longer literal, a float or a date starting with digits) fails at the next character.
_INTEGER = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,17})")
# An offset date-time in UTC as lock writers print it (pylock.toml's upload times);
# local times, other offsets and other spellings go to tomllib.
_UTC_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
# Most inline tables hold only bare keys, plain strings and integers (uv's wheels, Poetry's
# files): one match checks the whole table and one scan reads its pairs.
_FLAT_VALUE = r'(?:"[^"\\\n]*"|(?:0|[1-9][0-9]{0,17}))'
_FLAT_INLINE_TABLE = re.compile(
    rf"\{{[ \t]*(?:[A-Za-z0-9_-]+[ \t]*=[ \t]*{_FLAT_VALUE}[ \t]*,[ \t]*)*"
    rf"[A-Za-z0-9_-]+[ \t]*=[ \t]*{_FLAT_VALUE}[ \t]*\}}"
)
_FLAT_PAIR = re.compile(r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"([^"\\\n]*)"|([0-9]+))')
_ESCAPE = re.compile(r"\\(?:([btnfr\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|.)")
_ESCAPED_CHARS = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

_SCALAR_STARTS = frozenset("+-0123456789")


class _OutsideSubsetError(Exception):
    """The text leaves the subset read here (or is not valid TOML): tomllib decides."""


def read(text: str) -> dict[str, Any] | None:
    """``tomllib.loads(text)`` for lock-writer TOML, or None when tomllib must read it."""
    if "\r" in text:
        # CRLF line ends (git's autocrlf on Windows): no value read here spans a line, so
        # only the line ends change; a CR left over is not TOML's and goes to tomllib
        text = text.replace("\r\n", "\n")
    if _FORBIDDEN.search(text) is not None:
        return None
    try:
        return _read_document(text)
    except _OutsideSubsetError:
        return None


def _read_document(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    # Tables a header may extend (created by headers, explicitly or as parents) and the
    # arrays ``[[...]]`` may append to, by identity: inline tables and arrays are closed.
    open_tables = {id(root)}
    table_arrays: set[int] = set()
    table = root
    end = len(text)
    position = _BLANK.match(text).end()  # type: ignore[union-attr]
    while position < end:
        if text[position] == "[":
            header = _HEADER.match(text, position)
            if header is None:
                raise _OutsideSubsetError
            table = _open_header(root, header, open_tables, table_arrays)
            position = header.end()
        else:
            key_equals = _KEY_EQUALS.match(text, position)
            if key_equals is None:
                raise _OutsideSubsetError
            key = key_equals.group(key_equals.lastindex)  # type: ignore[arg-type]
            if key in table:
                raise _OutsideSubsetError
            table[key], position = _value(text, key_equals.end(), 0)
        line_end = _LINE_END.match(text, position)
        if line_end is None:
            raise _OutsideSubsetError
        position = _BLANK.match(text, line_end.end()).end()  # type: ignore[union-attr]
    return root


def _open_header(
    root: dict[str, Any], header: re.Match[str], open_tables: set[int], table_arrays: set[int]
) -> dict[str, Any]:
    """The table a ``[a.b]`` or ``[[a.b]]`` header starts, created in ``root``."""
    path = header.group(2)
    if '"' in path or "'" in path:
        parts = [match.group(match.lastindex) for match in _HEADER_PART.finditer(path)]  # type: ignore[arg-type]
    else:
        parts = [part.strip(" \t") for part in path.split(".")]
    table = root
    for part in parts[:-1]:
        child = table.get(part)
        if child is None:
            child = table[part] = {}
            open_tables.add(id(child))
        elif type(child) is list and id(child) in table_arrays:
            child = child[-1]
        elif type(child) is not dict or id(child) not in open_tables:
            raise _OutsideSubsetError
        table = child
    last = parts[-1]
    new: dict[str, Any] = {}
    if header.group(1) is None:  # [a.b]: a new table; one defined before goes to tomllib
        if last in table:
            raise _OutsideSubsetError
        table[last] = new
    else:  # [[a.b]]: a new element of an array of tables
        array = table.get(last)
        if array is None:
            array = table[last] = []
            table_arrays.add(id(array))
        elif type(array) is not list or id(array) not in table_arrays:
            raise _OutsideSubsetError
        array.append(new)
    open_tables.add(id(new))
    return new


def _value(text: str, position: int, depth: int) -> tuple[Any, int]:
    """The value starting at ``position`` and the position after it."""
    first = text[position : position + 1]
    if first == '"':
        match = _STRING.match(text, position)
        if match is not None:
            return match.group(1), match.end()
        match = _ESCAPED_STRING.match(text, position)
        if match is None:
            raise _OutsideSubsetError
        return _unescape(match.group(1)), match.end()
    if first == "{":
        return _inline_table(text, position, depth)
    if first == "[":
        return _array(text, position, depth)
    if first == "'":
        match = _LITERAL_STRING.match(text, position)
        if match is None:
            raise _OutsideSubsetError
        return match.group(1), match.end()
    if first == "t" and text.startswith("true", position):
        return True, position + 4
    if first == "f" and text.startswith("false", position):
        return False, position + 5
    if first in _SCALAR_STARTS and first:
        if text.startswith("-", position + 4):
            return _utc_datetime(text, position)
        match = _INTEGER.match(text, position)
        if match is not None:
            return int(match.group()), match.end()
    raise _OutsideSubsetError


def _inline_table(text: str, position: int, depth: int) -> tuple[dict[str, Any], int]:
    if depth >= MAX_DEPTH:
        raise _OutsideSubsetError
    flat = _FLAT_INLINE_TABLE.match(text, position)
    if flat is not None:
        pairs = _FLAT_PAIR.findall(text, position, flat.end())
        table = {key: int(number) if number else string for key, string, number in pairs}
        if len(table) < len(pairs):  # a duplicate key
            raise _OutsideSubsetError
        return table, flat.end()
    table = {}
    position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    if text.startswith("}", position):
        return table, position + 1
    while True:
        key_equals = _KEY_EQUALS.match(text, position)
        if key_equals is None:  # also a dotted key, or a trailing comma
            raise _OutsideSubsetError
        key = key_equals.group(key_equals.lastindex)  # type: ignore[arg-type]
        if key in table:
            raise _OutsideSubsetError
        table[key], position = _value(text, key_equals.end(), depth + 1)
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        separator = text[position : position + 1]
        if separator == "}":
            return table, position + 1
        if separator != ",":
            raise _OutsideSubsetError
        position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]


def _array(text: str, position: int, depth: int) -> tuple[list[Any], int]:
    if depth >= MAX_DEPTH:
        raise _OutsideSubsetError
    items: list[Any] = []
    position = _ARRAY_GAP.match(text, position + 1).end()  # type: ignore[union-attr]
    while not text.startswith("]", position):
        item, position = _value(text, position, depth + 1)
        items.append(item)
        position = _ARRAY_GAP.match(text, position).end()  # type: ignore[union-attr]
        separator = text[position : position + 1]
        if separator == ",":
            position = _ARRAY_GAP.match(text, position + 1).end()  # type: ignore[union-attr]
        elif separator != "]":
            raise _OutsideSubsetError
    return items, position + 1


def _utc_datetime(text: str, position: int) -> tuple[Any, int]:
    match = _UTC_DATETIME.match(text, position)
    if match is None:
        raise _OutsideSubsetError
    from datetime import UTC, datetime

    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=UTC,
        )
    except ValueError:  # no such day or time
        raise _OutsideSubsetError from None
    return value, match.end()


def _unescape(body: str) -> str:
    """A basic string's escapes, as TOML 1.0 defines them; any other goes to tomllib."""
    return _ESCAPE.sub(_escaped_char, body)


def _escaped_char(escape: re.Match[str]) -> str:
    simple, short, long = escape.groups()
    if simple is not None:
        return _ESCAPED_CHARS[simple]
    hex_digits = short or long
    if hex_digits is None:
        raise _OutsideSubsetError
    code = int(hex_digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:  # not a Unicode scalar value
        raise _OutsideSubsetError
    return chr(code)
