"""Reading TOML/YAML/JSON documents into plain values, with located, typed access.

Every structured parser (poetry.lock, uv.lock, environment.yml...) goes through here, so
that malformed documents always become a :class:`ParseError` naming the key path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from envaudit.errors import ParseError
from envaudit.sources.lazy_regex import LazyPattern

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
MAX_NESTING = 64  # deepest list/table nesting accepted in any TOML/YAML/JSON document
MAX_KEY_PARTS = 32  # most parts in one dotted TOML key (tomllib is quadratic in them)
MAX_ALIAS_NODES = 100_000  # most nodes YAML aliases may add ("billion laughs" guard)

TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"
_BRACKETS = re.compile(r"[\[\]{}]")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+").fullmatch
# Possessive quantifiers and the look-behind keep this linear on any line (no backtracking
# into a part); it only runs on lines with enough dots to hold such a key.
_TOML_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""


# Compiled on first use: few documents have a line with enough dots to need it.
_TOML_LONG_KEY = LazyPattern(
    rf"(?<![A-Za-z0-9_\"'-])(?:{_TOML_KEY_PART}[ \t]*+\.[ \t]*+){{{MAX_KEY_PARTS}}}"
)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# Every byte but the four brackets (they are ASCII, never part of a multi-byte character).
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_INNERMOST_PAIR = re.compile(rb"[\[{][\]}]")


def flow_depth_bound(text: str | bytes) -> int:
    """An upper bound of the ``[``/``{`` nesting in ``text`` (brackets in strings count too),
    or some value over :data:`MAX_NESTING` when the nesting is deeper than that. ``text``
    may be given already encoded as UTF-8.

    Each pass removes the innermost opener-closer pairs, one level, in C; what is left is
    stray closers then unclosed openers, which count as open. (A loop over each bracket
    found by a regex took ~4 ms on a 380 KB uv.lock; this takes ~1 ms.)
    """
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    brackets = data.translate(None, _NOT_BRACKETS)
    levels = 0
    while levels <= MAX_NESTING:
        inner = _INNERMOST_PAIR.sub(b"", brackets)
        if len(inner) == len(brackets):
            break
        levels += 1
        brackets = inner
    return levels + brackets.count(b"[") + brackets.count(b"{")


def too_deep_line(text: str) -> int | None:
    """The line where ``[``/``{`` nesting first exceeds MAX_NESTING (brackets in strings count)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return _line_of(text, match.start())
        elif depth:
            depth -= 1
    return None


def _deepest_path(value: Any, limit: int) -> str | None:
    """The key path of the first node nested deeper than ``limit``, or None."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth >= limit:
            return path or "$"
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((child, join_path(path, key), depth + 1) for key, child in items)
    return None


def check_nesting(value: Any, origin: str, kind: str) -> None:
    """Refuse a loaded document nested deeper than :data:`MAX_NESTING`."""
    path = _deepest_path(value, MAX_NESTING)
    if path is not None:
        raise ParseError(origin, f"invalid {kind}: {TOO_DEEP}", key_path=path)


_NOT_DOTS_OR_NEWLINES = bytes(byte for byte in range(256) if byte not in b".\n")


def _check_toml_keys(text: str, data: bytes, origin: str) -> None:
    """``data`` is ``text`` as UTF-8 (encoded once for this and the nesting bound)."""
    if text.count(".") < MAX_KEY_PARTS:
        return
    dots = data.translate(None, _NOT_DOTS_OR_NEWLINES)
    if max(map(len, dots.split(b"\n"))) < MAX_KEY_PARTS:  # no line has that many dots
        return
    message = f"invalid TOML: a dotted key with more than {MAX_KEY_PARTS} parts"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(".") >= MAX_KEY_PARTS and _TOML_LONG_KEY.search(line):
            raise ParseError(origin, message, line=number)


def load_toml(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML; errors carry the line number.

    Lock-writer TOML is read by :mod:`envaudit.sources.lock_toml` (same result, several
    times faster), anything else by :mod:`tomllib`. Dotted keys over
    :data:`MAX_KEY_PARTS` parts and documents nested deeper than :data:`MAX_NESTING` are
    refused (both would otherwise cost time or stack).
    """
    from envaudit.sources import lock_toml

    data = text.encode("utf-8", "surrogatepass")
    _check_toml_keys(text, data, origin)
    document = lock_toml.read(text)
    if document is None:
        document = _tomllib_loads(text, origin)
    if flow_depth_bound(data) > MAX_NESTING - MAX_KEY_PARTS:
        check_nesting(document, origin, "TOML")
    return document


def _tomllib_loads(text: str, origin: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in message:
            line = text.count("\n") + 1  # tomllib gives no position for truncated files
        message = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
        raise ParseError(origin, f"invalid TOML: {message}", line=line) from None
    except RecursionError:
        raise ParseError(origin, f"invalid TOML: {TOO_DEEP}", line=too_deep_line(text)) from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid TOML: {exc}") from None


def load_json(text: str, origin: str) -> Any:
    """Parse JSON; documents nested deeper than :data:`MAX_NESTING` are refused."""
    import json

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(origin, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise ParseError(origin, f"invalid JSON: {TOO_DEEP}", line=too_deep_line(text)) from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid JSON: {exc}") from None
    if flow_depth_bound(text) > MAX_NESTING:
        check_nesting(document, origin, "JSON")
    return document


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML safely into plain values (see :mod:`envaudit.sources.yaml_read`)."""
    from envaudit.sources.yaml_read import load_yaml as read

    return read(text, origin)


def join_path(base: str, key: object) -> str:
    """``join_path("package", 3)`` -> ``package[3]``; ``join_path("a", "b")`` -> ``a.b``.

    Keys that are neither strings nor list indices (YAML allows numbers, dates, null as
    mapping keys) are written as their text.
    """
    if type(key) is int:
        return f"{base}[{key}]"
    key = key if type(key) is str else str(key)
    if not _PLAIN_KEY(key):
        import json  # quoting a key that is not plain: rare

        key = json.dumps(key)
    return f"{base}.{key}" if base else key


def _type_name(value: object) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def expect_table(value: Any, origin: str, key_path: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):  # dict: skip the ABC check
        raise ParseError(origin, f"expected a table, got {_type_name(value)}", key_path=key_path)
    return value


def expect_list(value: Any, origin: str, key_path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(origin, f"expected a list, got {_type_name(value)}", key_path=key_path)
    return value


def expect_str(value: Any, origin: str, key_path: str) -> str:
    if not isinstance(value, str):
        raise ParseError(origin, f"expected a string, got {_type_name(value)}", key_path=key_path)
    return value


def optional_str(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> str | None:
    """``table[key]`` as a string, or None when absent; any other type is an error."""
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    return expect_str(value, origin, join_path(key_path, key))  # raises, naming the path


def required_str(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> str:
    if key not in table:
        raise ParseError(origin, f"missing required key {key!r}", key_path=key_path)
    value = table[key]
    if isinstance(value, str):
        return value
    return expect_str(value, origin, join_path(key_path, key))  # raises, naming the path
