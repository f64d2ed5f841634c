"""Reading TOML/YAML/JSON documents into plain values, with located, typed access.

Every structured parser (poetry.lock, uv.lock, environment.yml...) goes through here, so
that malformed documents always become a :class:`ParseError` naming the key path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from envaudit.errors import ParseError

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
MAX_NESTING = 64  # deepest list/table nesting accepted in any TOML/YAML/JSON document
MAX_KEY_PARTS = 32  # most parts in one dotted TOML key (tomllib is quadratic in them)
MAX_ALIAS_NODES = 100_000  # most nodes YAML aliases may add ("billion laughs" guard)

TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"
_BRACKETS = re.compile(r"[\[\]{}]")
# Possessive quantifiers and the look-behind keep this linear on any line (no backtracking
# into a part); it only runs on lines with enough dots to hold such a key.
_TOML_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_TOML_LONG_KEY = re.compile(
    rf"(?<![A-Za-z0-9_\"'-])(?:{_TOML_KEY_PART}[ \t]*+\.[ \t]*+){{{MAX_KEY_PARTS}}}"
)
# An anchor can only start a node: at a line start, or after blanks or an indicator.
_YAML_ANCHOR_START = " \t\r\n[]{},:?-"
_YAML_ANCHOR = re.compile(r"&[^\s\[\]{},]")
# The leading blanks and block indicators of each line bound its block nesting.
_YAML_LEADING = re.compile(r"\n[ \t?:-]*")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def flow_depth_bound(text: str) -> int:
    """An upper bound of the ``[``/``{`` nesting in ``text`` (brackets in strings count too)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def _too_deep_line(text: str) -> int | None:
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


def _check_toml_keys(text: str, origin: str) -> None:
    if text.count(".") < MAX_KEY_PARTS:
        return
    message = f"invalid TOML: a dotted key with more than {MAX_KEY_PARTS} parts"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(".") >= MAX_KEY_PARTS and _TOML_LONG_KEY.search(line):
            raise ParseError(origin, message, line=number)


def load_toml(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML with :mod:`tomllib`; errors carry the line number.

    Dotted keys over :data:`MAX_KEY_PARTS` parts and documents nested deeper than
    :data:`MAX_NESTING` are refused (both would otherwise cost time or stack).
    """
    import tomllib

    _check_toml_keys(text, origin)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in message:
            line = text.count("\n") + 1  # tomllib gives no position for truncated files
        message = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
        raise ParseError(origin, f"invalid TOML: {message}", line=line) from None
    except RecursionError:
        raise ParseError(origin, f"invalid TOML: {TOO_DEEP}", line=_too_deep_line(text)) from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid TOML: {exc}") from None
    if flow_depth_bound(text) > MAX_NESTING - MAX_KEY_PARTS:
        check_nesting(document, origin, "TOML")
    return document


def load_json(text: str, origin: str) -> Any:
    """Parse JSON; documents nested deeper than :data:`MAX_NESTING` are refused."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(origin, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise ParseError(origin, f"invalid JSON: {TOO_DEEP}", line=_too_deep_line(text)) from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid JSON: {exc}") from None
    if flow_depth_bound(text) > MAX_NESTING:
        check_nesting(document, origin, "JSON")
    return document


def _may_hold_anchor(text: str) -> bool:
    for match in _YAML_ANCHOR.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1] in _YAML_ANCHOR_START:
            return True
    return False


def _yaml_needs_scan(text: str) -> bool:
    """Cheap test: could this document hold anchors or nest deeper than MAX_NESTING?"""
    if "&" in text and _may_hold_anchor(text):
        return True
    block = max(map(len, _YAML_LEADING.findall("\n" + text)), default=1) - 1
    return block + 2 + flow_depth_bound(text) > MAX_NESTING


class _YamlShape:
    """Walks YAML parse events: nesting depth, and how many nodes aliases add."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.open: list[list[Any]] = []  # [anchor, node count] of each open collection
        self.sizes: dict[str, int] = {}  # anchor -> node count of what it names
        self.added = 0  # nodes added by aliases so far

    def _fail(self, event: Any, message: str) -> ParseError:
        mark = getattr(event, "start_mark", None)
        line = mark.line + 1 if mark is not None else None
        return ParseError(self.origin, f"invalid YAML: {message}", line=line)

    def _count(self, size: int) -> None:
        if self.open:
            self.open[-1][1] += size

    def feed(self, event: Any) -> None:
        from ruamel.yaml import events

        if isinstance(event, events.CollectionStartEvent):
            if len(self.open) >= MAX_NESTING:
                raise self._fail(event, TOO_DEEP)
            self.open.append([event.anchor, 1])
        elif isinstance(event, events.CollectionEndEvent):
            anchor, size = self.open.pop()
            if anchor:
                self.sizes[anchor] = size
            self._count(size)
        elif isinstance(event, events.ScalarEvent):
            if event.anchor:
                self.sizes[event.anchor] = 1
            self._count(1)
        elif isinstance(event, events.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in self.open):
                raise self._fail(event, f"recursive alias *{event.anchor}")
            size = self.sizes.get(event.anchor, 1)
            self.added += size
            if self.added > MAX_ALIAS_NODES:
                raise self._fail(
                    event, f"aliases expand to over {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                )
            self._count(size)


def _scan_yaml(yaml: Any, text: str, origin: str) -> None:
    shape = _YamlShape(origin)
    for event in yaml.parse(text):
        shape.feed(event)


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML with ruamel.yaml's safe (C-backed when available) loader.

    Documents that may nest deeper than :data:`MAX_NESTING` or that use anchors are first
    checked event by event (the C composer recurses without limit; aliases can expand
    exponentially): too deep, recursive aliases and alias bombs are refused.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=False)
    try:
        if _yaml_needs_scan(text):
            _scan_yaml(YAML(typ="safe", pure=False), text, origin)
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(origin, f"invalid YAML: {problem}", line=line) from None
    except YAMLError as exc:
        raise ParseError(origin, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(origin, f"invalid YAML: {TOO_DEEP}", line=_too_deep_line(text)) from None
    except (ValueError, TypeError) as exc:  # e.g. invalid timestamps from the C loader
        raise ParseError(origin, f"invalid YAML: {exc}") from None


def join_path(base: str, key: object) -> str:
    """``join_path("package", 3)`` -> ``package[3]``; ``join_path("a", "b")`` -> ``a.b``.

    Keys that are neither strings nor list indices (YAML allows numbers, dates, null as
    mapping keys) are written as their text.
    """
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{base}[{key}]"
    key = key if isinstance(key, str) else str(key)
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", key):
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
    if not isinstance(value, Mapping):
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
    if key not in table or table[key] is None:
        return None
    return expect_str(table[key], origin, join_path(key_path, key))


def required_str(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> str:
    if key not in table:
        raise ParseError(origin, f"missing required key {key!r}", key_path=key_path)
    return expect_str(table[key], origin, join_path(key_path, key))
