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
MAX_NESTING = 64


def load_toml(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML with :mod:`tomllib`; errors carry the line number."""
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
        raise ParseError(origin, "invalid TOML: nesting too deep") from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid TOML: {exc}") from None


def load_json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(origin, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise ParseError(origin, "invalid JSON: nesting too deep") from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise ParseError(origin, f"invalid JSON: {exc}") from None


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML with ruamel.yaml's safe (C-backed when available) loader."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=False)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(origin, f"invalid YAML: {problem}", line=line) from None
    except YAMLError as exc:
        raise ParseError(origin, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(origin, "invalid YAML: nesting too deep") from None
    except (ValueError, TypeError) as exc:  # e.g. invalid timestamps from the C loader
        raise ParseError(origin, f"invalid YAML: {exc}") from None


def join_path(base: str, key: str | int) -> str:
    """``join_path("package", 3)`` -> ``package[3]``; ``join_path("a", "b")`` -> ``a.b``."""
    if isinstance(key, int):
        return f"{base}[{key}]"
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
