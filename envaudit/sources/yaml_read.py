"""Reading untrusted YAML into plain values: fast, safe, YAML 1.2 core schema, located errors.

PyYAML's libyaml-backed ``CSafeLoader`` reads a large lock file about twice as fast as
ruamel.yaml's C loader (DESIGN.md "Performance budget"), so read-only documents
(environment.yml, conda-lock.yml, pixi.lock) go through it; ruamel.yaml stays the reader
for round-trip edits (``pin``) and is the fallback when PyYAML has no libyaml.

PyYAML resolves plain scalars by YAML 1.1 (``yes`` is true, ``0755`` octal, ``1:20`` is
80) and keeps the last of duplicate keys; ruamel.yaml follows YAML 1.2 and refuses
duplicates. The loader here is given the 1.2 core schema and the duplicate-key check, so
both readers give the same values, and a lock that names ``version`` twice is refused
rather than read as whichever copy comes last.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from envaudit.errors import ParseError
from envaudit.sources.structured import (
    MAX_ALIAS_NODES,
    MAX_NESTING,
    TOO_DEEP,
    flow_depth_bound,
    too_deep_line,
)

# An anchor can only start a node: at a line start, or after blanks or an indicator.
_ANCHOR_START = " \t\r\n\x85\u2028\u2029[]{},:?-"
# libyaml also breaks lines at NEL, LS and PS; the line-based bounds below do not see those.
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")
_ANCHOR = re.compile(r"&[^\s\[\]{},]")

# YAML 1.2 core schema: (tag, pattern, possible first characters).
_CORE_SCHEMA = (
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", "~nN"),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    (
        "tag:yaml.org,2002:timestamp",
        r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
        r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?",
        "0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"<<", "<"),
)


def _may_hold_anchor(text: str) -> bool:
    for match in _ANCHOR.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1] in _ANCHOR_START:
            return True
    return False


def needs_scan(text: str) -> bool:
    """Cheap test: could this document hold anchors or nest deeper than MAX_NESTING?

    Block nesting is bounded by a line's leading blanks and indicators, flow nesting by
    its brackets; only lines that lead with more than the remaining budget are looked for.
    """
    if any(brk in text for brk in _UNICODE_BREAKS):  # rare: always scan event by event
        return True
    if "&" in text and _may_hold_anchor(text):
        return True
    flow = flow_depth_bound(text) if ("[" in text or "{" in text) else 0
    budget = MAX_NESTING - 2 - flow
    if budget < 1:
        return True
    return re.search(rf"(?:^|\n)[ \t?:-]{{{budget},}}", text) is not None


class _Shape:
    """Walks YAML parse events: nesting depth, and how many nodes aliases add."""

    def __init__(self, origin: str, events: Any) -> None:
        self.origin = origin
        self.events = events
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
        events = self.events
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


def _construct_bool(loader: Any, node: Any) -> bool:
    """``true``/``false`` in any case (an explicit ``!!bool`` too); anything else is refused."""
    text: str = str(loader.construct_scalar(node)).lower()
    if text not in ("true", "false"):
        raise _constructor_error(node, f"expected true or false for !!bool, got {text!r}")
    return text == "true"


def _construct_timestamp(loader: Any, node: Any) -> Any:
    """PyYAML's timestamp, after checking the form (its constructor crashes on others)."""
    if loader.timestamp_regexp.match(loader.construct_scalar(node)) is None:
        raise _constructor_error(node, f"invalid timestamp {node.value!r}")
    return loader.construct_yaml_timestamp(node)


def _constructor_error(node: Any, problem: str) -> Exception:
    """A located constructor error (only PyYAML's loader calls the constructors above)."""
    reader = _pyyaml()
    if reader is None:  # pragma: no cover - without libyaml only
        return ValueError(problem)
    error: Exception = reader[0].constructor.ConstructorError(None, None, problem, node.start_mark)
    return error


def _construct_int(loader: Any, node: Any) -> int:
    """A YAML 1.2 integer: decimal (leading zeros too), ``0o`` octal or ``0x`` hex."""
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits[:2] == "0o":
        return sign * int(digits[2:], 8)
    if digits[:2] == "0x":
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MERGE, _SEQ, _MAP = (
    _TAG + name for name in ("str", "int", "float", "bool", "null", "merge", "seq", "map")
)


class _Exotic(Exception):  # noqa: N818 - a signal, not an error
    """A node with a tag outside the core schema: the loader's own constructor takes over."""


class _Plain:
    """Composed nodes -> plain values, for the YAML 1.2 core tags only.

    Lock files are tens of thousands of plain scalars in maps and lists; turning their nodes
    into values here costs a fraction of PyYAML's general constructor (no per-node state
    machine). Any other tag raises :class:`_Exotic`, and the document is then built by the
    loader's constructor instead, with the same values. Nesting is already bounded (at most
    :data:`MAX_NESTING`, checked before loading), so recursion here is shallow.
    """

    def __init__(self, yaml: Any, loader: Any) -> None:
        self.yaml = yaml
        self.loader = loader
        self.scalar_node = yaml.ScalarNode
        self.mapping_node = yaml.MappingNode
        self.built: dict[int, Any] = {}  # id(node) -> value: an alias shares its anchor's value

    def value(self, node: Any) -> Any:
        if type(node) is self.scalar_node:
            tag = node.tag
            if tag == _STR:
                return node.value
            return self.scalar(tag, node)
        built = self.built.get(id(node))
        if built is not None:
            return built
        if type(node) is self.mapping_node:
            if node.tag != _MAP:
                raise _Exotic(node.tag)
            return self.mapping(node)
        if node.tag != _SEQ:
            raise _Exotic(node.tag)
        items: list[Any] = []
        self.built[id(node)] = items
        items.extend(self.value(item) for item in node.value)
        return items

    def scalar(self, tag: str, node: Any) -> Any:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _construct_bool(self.loader, node)
        if tag == _INT:
            return _construct_int(self.loader, node)
        if tag == _FLOAT:
            return self.loader.construct_yaml_float(node)
        if tag == _TAG + "timestamp":
            return _construct_timestamp(self.loader, node)
        raise _Exotic(tag)

    def mapping(self, node: Any) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        self.built[id(node)] = result
        merged: list[dict[Any, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            key = self.value(key_node)
            try:
                duplicate = key in result
            except TypeError:
                raise self.error(node, key_node, "found an unhashable key") from None
            if duplicate:
                raise self.error(node, key_node, f"found duplicate key {key_node.value!r}")
            result[key] = self.value(value_node)
        if merged:  # merged keys come first; explicit keys, then earlier merges, win
            combined: dict[Any, Any] = {}
            for source in reversed(merged):
                combined.update(source)
            combined.update(result)
            result.clear()
            result.update(combined)
        return result

    def merge_sources(self, node: Any) -> list[dict[Any, Any]]:
        nodes = node.value if node.tag == _SEQ else [node]
        sources = []
        for item in nodes:
            if type(item) is not self.mapping_node:
                raise self.error(node, item, "expected a mapping to merge")
            sources.append(self.value(item))
        return sources

    def error(self, node: Any, at: Any, problem: str) -> Exception:
        error: Exception = self.yaml.constructor.ConstructorError(
            "while constructing a mapping", node.start_mark, problem, at.start_mark
        )
        return error


@functools.cache
def _pyyaml() -> tuple[Any, Any] | None:
    """(PyYAML module, core-schema loader class), or None without PyYAML's libyaml."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - PyYAML is a dependency; ruamel.yaml then reads
        return None
    if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - pure-Python build
        return None
    resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, first in _CORE_SCHEMA:
        compiled = re.compile(rf"(?:{pattern})\Z")
        for char in first:
            resolvers.setdefault(char, []).append((tag, compiled))
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode

    class CoreLoader(yaml.CSafeLoader):  # type: ignore[misc]
        """libyaml parsing; YAML 1.2 core schema resolution; duplicate keys refused."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_node:
                if implicit[0]:
                    if not value:
                        return _NULL
                    for tag, pattern in resolvers.get(value[0], ()):
                        if pattern.match(value):
                            return tag
                return _STR
            return _SEQ if kind is sequence_node else _MAP

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: list[Any] = []  # constructed keys: `1` and `01` are one key, as in _Plain
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise _Plain(yaml, self).error(
                        node, key_node, f"found duplicate key {key_node.value!r}"
                    )
                seen.append(key)
            return super().construct_mapping(node, deep)

    CoreLoader.add_constructor(_INT, _construct_int)
    CoreLoader.add_constructor(_BOOL, _construct_bool)
    CoreLoader.add_constructor(_TAG + "timestamp", _construct_timestamp)
    return yaml, CoreLoader


def _compose_checked(yaml: Any, loader_class: type, text: str, origin: str) -> tuple[Any, Any]:
    """(loader, root node) after the shape check (aliases, nesting); the caller disposes."""
    if needs_scan(text):
        shape = _Shape(origin, yaml.events)
        for event in yaml.parse(text, Loader=loader_class):
            shape.feed(event)
    loader = loader_class(text)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def _load_pyyaml(yaml: Any, loader_class: type, text: str, origin: str) -> Any:
    try:
        loader, node = _compose_checked(yaml, loader_class, text, origin)
        try:
            if node is None:
                return None
            try:
                return _Plain(yaml, loader).value(node)
            except _Exotic:
                return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _located(exc, origin) from None
    except yaml.YAMLError as exc:
        raise ParseError(origin, f"invalid YAML: {exc}") from None


def _load_ruamel(text: str, origin: str) -> Any:  # pragma: no cover - without libyaml only
    from ruamel.yaml import YAML, events
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        if needs_scan(text):
            shape = _Shape(origin, events)
            for event in YAML(typ="safe", pure=False).parse(text):
                shape.feed(event)
        return YAML(typ="safe", pure=False).load(text)
    except MarkedYAMLError as exc:
        raise _located(exc, origin) from None
    except YAMLError as exc:
        raise ParseError(origin, f"invalid YAML: {exc}") from None


def _located(exc: Any, origin: str) -> ParseError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or exc.context or "invalid YAML"
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000), hit while scanning ahead
        problem = TOO_DEEP
    return ParseError(origin, f"invalid YAML: {problem}", line=line)


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML (1.2 core schema, safe types only) into plain dicts, lists and scalars.

    Documents that may nest deeper than :data:`MAX_NESTING` or that use anchors are first
    checked event by event (the C composer recurses without limit; aliases can expand
    exponentially): too deep, recursive aliases and alias bombs are refused.
    """
    reader = _pyyaml()
    try:
        if reader is None:  # pragma: no cover - without libyaml only
            return _load_ruamel(text, origin)
        return _load_pyyaml(reader[0], reader[1], text, origin)
    except RecursionError:
        raise ParseError(origin, f"invalid YAML: {TOO_DEEP}", line=too_deep_line(text)) from None
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError) as exc:
        # what PyYAML's own constructors raise on odd values (an unknown !!bool, a bad date)
        raise ParseError(origin, f"invalid YAML: {exc}") from None


def compose_yaml(text: str) -> Any:
    """The node tree of a YAML document (keys and items keep their line in ``start_mark``),
    or None when it cannot be read safely. For locating findings, not for values."""
    reader = _pyyaml()
    if reader is None:  # pragma: no cover - without libyaml only
        return None
    yaml, loader_class = reader
    try:
        loader, node = _compose_checked(yaml, loader_class, text, "")
    except (yaml.YAMLError, ParseError, RecursionError, ValueError):
        return None
    loader.dispose()
    return node
