"""Writing plain data trees back out as TOML, YAML or JSON text, and shrinking them."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else json.dumps(text)


def toml_value(value: Any) -> str:
    """One TOML value, inline (tables as ``{...}``, lists as ``[...]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if value is None:
        return '""'  # TOML has no null; the nearest harmless value
    return json.dumps(str(value))


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(lines: list[str], table: dict[str, Any], header: str) -> None:
    """Scalars first, then sub-tables and arrays of tables, the way lock writers do it."""
    nested = []
    for key, value in table.items():
        if isinstance(value, dict) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in nested:
        name = f"{header}.{toml_key(key)}" if header else toml_key(key)
        if isinstance(value, dict):
            lines.extend(["", f"[{name}]"])
            _toml_table(lines, value, name)
            continue
        for item in value:
            lines.extend(["", f"[[{name}]]"])
            _toml_table(lines, item, name)


def to_toml(document: dict[str, Any]) -> str:
    lines: list[str] = []
    _toml_table(lines, document, "")
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/+\-]*")
_RESERVED = re.compile(r"(?i)null|true|false|yes|no|on|off|y|n|~")


def _yaml_float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and not _RESERVED.fullmatch(text):
        return text  # a plain scalar, as conda and pixi write most values
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def _yaml_lines(value: Any, indent: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_yaml_scalar(key)}:"
            if isinstance(item, dict | list) and item:
                lines.append(head)
                _yaml_lines(item, indent + ("" if isinstance(item, list) else "  "), lines)
            else:
                lines.append(f"{head} {_yaml_block_or_flow(item)}")
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                nested: list[str] = []
                _yaml_lines(item, indent + "  ", nested)
                first = nested[0].removeprefix(indent + "  ")
                lines.append(f"{indent}- {first}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{indent}- {_yaml_block_or_flow(item)}")


def _yaml_block_or_flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _yaml_scalar(value)


def to_yaml(document: Any) -> str:
    """Block-style YAML, as conda and pixi write it (a small emitter: fast and predictable)."""
    if not isinstance(document, dict | list) or not document:
        return _yaml_block_or_flow(document) + "\n"
    lines: list[str] = []
    _yaml_lines(document, "", lines)
    return "\n".join(lines) + "\n"


def to_json(document: Any) -> str:
    return json.dumps(document, indent=4, default=str) + "\n"


def truncate(value: Any, keep: int) -> Any:
    """Every list cut to its first ``keep`` items, recursively (a small, similar document)."""
    if isinstance(value, dict):
        return {k: truncate(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [truncate(v, keep) for v in value[:keep]]
    return value


def truncate_wide_tables(value: Any, keep: int) -> Any:
    """Like :func:`truncate`, and tables with many entries (Pipfile.lock) cut too."""
    if isinstance(value, dict):
        items = list(value.items())
        if len(items) > 3 * keep:
            items = items[: 3 * keep]
        return {k: truncate_wide_tables(v, keep) for k, v in items}
    if isinstance(value, list):
        return [truncate_wide_tables(v, keep) for v in value[:keep]]
    return value
