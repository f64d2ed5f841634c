"""Turning ``poetry.lock:package[3]``-style origins into line numbers for findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from envaudit.analysis.rules.base import Location, parse_origin
from envaudit.sources.lazy_regex import LazyPattern

_TOKEN = LazyPattern(r'(?:"(?P<quoted>[^"]*)"|(?P<name>[^.\[\]"]+))|\[(?P<index>\d+)\]')
_YAML_SUFFIXES = (".yml", ".yaml")
_YAML_KEY = LazyPattern(r"""(?:-\s+)?[\w"'.-]+\s*:(?:\s|$)""")


class Locator:
    """Locates origins in the texts the audit has read (key paths become lines when found)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._yaml: dict[str, Any] = {}
        self._lines: dict[str, list[str]] = {}
        self._is_yaml: dict[str, bool] = {}
        # (path, table name, first line) -> lines of its ``[[table]]`` headers from there
        self._headers: dict[tuple[str, str, int], list[int]] = {}

    def locate(self, origin: str | None, fallback: str) -> Location:
        location = parse_origin(origin, fallback)
        if location.line is not None or not location.key_path:
            return location
        text = self._texts.get(location.path)
        if text is None:
            return location
        try:
            line = self._line(location.path, text, location.key_path)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
            line = None
        return location if line is None else Location(location.path, line, location.key_path)

    def _line(self, path: str, text: str, key_path: str) -> int | None:
        tokens = _tokens(key_path)
        if path not in self._is_yaml:
            self._is_yaml[path] = (
                path.lower().endswith(_YAML_SUFFIXES)
                or _is_yaml_lock(path)
                or _looks_like_yaml(text)
            )
        if self._is_yaml[path]:
            return self._yaml_line(path, text, tokens)
        if path not in self._lines:
            self._lines[path] = text.splitlines()
        return self._scan_line(path, self._lines[path], tokens)

    def _yaml_line(self, path: str, text: str, tokens: list[str | int]) -> int | None:
        if path not in self._yaml:
            from envaudit.sources.yaml_read import compose_yaml

            self._yaml[path] = compose_yaml(text)  # None: no line numbers for this file
        node, line = self._yaml[path], None
        for token in tokens:
            child = _yaml_child(node, token)
            if child is None:
                break
            key_node, node = child
            line = key_node.start_mark.line + 1
        return line

    def _scan_line(self, path: str, lines: list[str], tokens: list[str | int]) -> int | None:
        """TOML/JSON: find each key (or the N-th ``[[table]]``) in order, going down the file.

        The headers of a table are found once per file: a diff with findings on 40 of 400
        ``[[package]]`` entries scans the file once, not 40 times.
        """
        position, found = 0, None
        previous: str | int | None = None
        for token in tokens:
            if isinstance(token, int):
                if not isinstance(previous, str):
                    break
                hits = self._table_headers(path, lines, previous, position)
                if token >= len(hits):
                    break
                position = found = hits[token]
            else:
                key = re.compile(
                    r'^\s*(?:"' + re.escape(token) + r'"|' + re.escape(token) + r")\s*[=:]"
                    r"|^\s*\[+\s*(?:[\w.-]+\.)?" + re.escape(token) + r"\s*\]"
                )
                hit = next((n for n in range(position, len(lines)) if key.match(lines[n])), None)
                if hit is None:
                    break
                position = found = hit
            previous = token
        return None if found is None else found + 1

    def _table_headers(self, path: str, lines: list[str], name: str, start: int) -> list[int]:
        cache_key = (path, name, start)
        if cache_key not in self._headers:
            header = re.compile(r"^\s*\[\[\s*(?:[\w.-]+\.)?" + re.escape(name) + r"\s*\]\]")
            self._headers[cache_key] = [
                n for n in range(start, len(lines)) if "[[" in lines[n] and header.match(lines[n])
            ]
        return self._headers[cache_key]


def _yaml_child(node: Any, token: str | int) -> tuple[Any, Any] | None:
    """(node that starts the entry, its value node) of ``token`` in a mapping or sequence."""
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return None
    if isinstance(token, int):
        if token < len(value) and not isinstance(value[token], tuple):
            return value[token], value[token]
        return None
    for pair in value:
        if isinstance(pair, tuple) and getattr(pair[0], "value", None) == token:
            return pair[0], pair[1]
    return None


def _looks_like_yaml(text: str) -> bool:
    """A lock with a YAML body under another name (``pixi-lock__v1.lock``): its first
    statement is ``key: value`` rather than ``key = value`` or a ``[table]``."""
    start = 0
    while start < len(text):  # the first statement only: no split of the whole file
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        stripped = text[start:end].strip()
        start = end + 1
        if stripped and not stripped.startswith("#"):
            return _YAML_KEY.match(stripped) is not None
    return False


def _is_yaml_lock(path: str) -> bool:
    return path.lower().endswith(("pixi.lock", "conda-lock.yml"))


def _tokens(key_path: str) -> list[str | int]:
    tokens: list[str | int] = []
    for match in _TOKEN.finditer(key_path):
        if match.group("index") is not None:
            tokens.append(int(match.group("index")))
        else:
            tokens.append(
                match.group("quoted") if match.group("quoted") is not None else match.group("name")
            )
    return tokens
