"""Project configuration (``[tool.envaudit]`` in pyproject.toml) and inline suppressions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from envaudit.analysis.rules.base import Finding
from envaudit.errors import ParseError
from envaudit.record import record

_INLINE = re.compile(r"#\s*envaudit:\s*ignore(?:\[(?P<ids>[A-Za-z0-9_, ]*)\])?")
_FAIL_ON = ("error", "warning", "note", "never")


@record
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    exclude: tuple[str, ...] = ()  # globs `audit` skips (test data, vendored trees)


def _rule_list(value: object, origin: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ParseError(origin, "expected a list of rule ids or prefixes", key_path=key)
    return tuple(item.strip().upper() for item in value)


def parse_config(text: str, origin: str) -> Config:
    """Read ``[tool.envaudit]`` from pyproject.toml text; unknown keys are errors."""
    from envaudit.sources.structured import load_toml

    table = load_toml(text, origin).get("tool", {}).get("envaudit", {})
    if not isinstance(table, dict):
        raise ParseError(origin, "expected a table", key_path="tool.envaudit")
    unknown = set(table) - {"select", "ignore", "fail-on", "exclude"}
    if unknown:
        raise ParseError(
            origin,
            f"unknown key(s) {', '.join(sorted(unknown))};"
            " expected select, ignore, fail-on, exclude",
            key_path="tool.envaudit",
        )
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in _FAIL_ON:
        raise ParseError(
            origin, f"expected one of {', '.join(_FAIL_ON)}", key_path="tool.envaudit.fail-on"
        )
    return Config(
        select=_rule_list(table.get("select", []), origin, "tool.envaudit.select"),
        ignore=_rule_list(table.get("ignore", []), origin, "tool.envaudit.ignore"),
        fail_on=fail_on,
        exclude=_string_list(table.get("exclude", []), origin, "tool.envaudit.exclude"),
    )


def _string_list(value: object, origin: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ParseError(origin, "expected a list of strings", key_path=key)
    return tuple(value)


def find_config(start: str | os.PathLike[str]) -> Config:
    """The config of the nearest pyproject.toml at or above ``start`` (empty when none)."""
    directory = os.path.abspath(start)  # noqa: PTH100
    while True:
        candidate = os.path.join(directory, "pyproject.toml")  # noqa: PTH118 (no pathlib: ~8 ms)
        if os.path.isfile(candidate):  # noqa: PTH113
            with open(candidate, encoding="utf-8") as handle:  # noqa: PTH123
                text = handle.read()
            if "[tool.envaudit]" in text:
                return parse_config(text, candidate)
            return Config()
        parent = os.path.dirname(directory)  # noqa: PTH120
        if parent == directory:
            return Config()
        directory = parent


def split_rule_ids(values: Sequence[str]) -> tuple[str, ...]:
    """``("EA101,EA3", "EA5")`` -> ``("EA101", "EA3", "EA5")``."""
    return tuple(
        part.strip().upper() for value in values for part in value.split(",") if part.strip()
    )


def inline_suppressions(line: str) -> tuple[str, ...] | None:
    """Rule prefixes ignored on a line; ``()`` means all; None when no marker."""
    match = _INLINE.search(line)
    if match is None:
        return None
    ids = match.group("ids")
    return split_rule_ids([ids]) if ids else ()


def drop_suppressed(findings: Iterable[Finding]) -> list[Finding]:
    """Remove findings whose source line carries ``# envaudit: ignore[...]``."""
    cache: dict[str, list[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        line_no = finding.location.line
        if line_no is None:
            kept.append(finding)
            continue
        path = finding.location.path
        if path not in cache:
            try:
                with open(path, encoding="utf-8") as handle:  # noqa: PTH123
                    cache[path] = handle.read().splitlines()
            except (OSError, UnicodeDecodeError):
                cache[path] = []
        lines = cache[path]
        ids = inline_suppressions(lines[line_no - 1]) if 0 < line_no <= len(lines) else None
        if ids is None or (ids and not any(finding.rule.id.startswith(i) for i in ids)):
            kept.append(finding)
    return kept
