"""Turning ``poetry.lock:package[3]``-style origins into line numbers for findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from envaudit.analysis.rules.base import Location, parse_origin

_TOKEN = re.compile(r'(?:"(?P<quoted>[^"]*)"|(?P<name>[^.\[\]"]+))|\[(?P<index>\d+)\]')
_YAML_SUFFIXES = (".yml", ".yaml")


class Locator:
    """Locates origins in the texts the audit has read (key paths become lines when found)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._yaml: dict[str, Any] = {}

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
        if path.lower().endswith(_YAML_SUFFIXES) or _is_yaml_lock(path):
            return self._yaml_line(path, text, tokens)
        return _scan_line(text, tokens)

    def _yaml_line(self, path: str, text: str, tokens: list[str | int]) -> int | None:
        if path not in self._yaml:
            from ruamel.yaml import YAML

            try:
                self._yaml[path] = YAML(typ="rt").load(text)
            except Exception:  # any YAML problem just means no line number
                self._yaml[path] = None
        node, line = self._yaml[path], None
        for token in tokens:
            if node is None or not hasattr(node, "lc"):
                break
            position = node.lc.item(token) if isinstance(token, int) else node.lc.key(token)
            line = position[0] + 1
            node = node[token]
        return line


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


def _scan_line(text: str, tokens: list[str | int]) -> int | None:
    """TOML/JSON: find each key (or the N-th ``[[table]]``) in order, going down the file."""
    lines = text.splitlines()
    position, found = 0, None
    previous: str | int | None = None
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(previous, str):
                break
            header = re.compile(r"^\s*\[\[\s*(?:[\w.-]+\.)?" + re.escape(previous) + r"\s*\]\]")
            hits = [n for n in range(position, len(lines)) if header.match(lines[n])]
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
