"""Project configuration (``[tool.envaudit]`` in pyproject.toml) and inline suppressions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from envaudit.analysis.rules.base import Finding
from envaudit.errors import ParseError
from envaudit.record import record
from envaudit.sources.lazy_regex import LazyPattern

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


# The plain way to write the table, read without a TOML parser (tomllib and what it imports
# cost a hook run ~10 ms): one `[tool.envaudit]` header, then `key = "string"` or
# `key = ["string", ...]` lines, each on one line, with comments and blank lines between.
_STRING = r"""(?:"[^"\\\x00-\x08\x0a-\x1f\x7f]*"|'[^'\x00-\x08\x0a-\x1f\x7f]*')"""
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_NOTHING = LazyPattern(rf"[ \t]*{_COMMENT}")
_HEADER = LazyPattern(rf"[ \t]*\[tool\.envaudit\][ \t]*{_COMMENT}")
_ENTRY = LazyPattern(
    rf"[ \t]*(?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    rf"(?P<value>{_STRING}|\[[ \t]*(?:{_STRING}[ \t]*,[ \t]*)*(?:{_STRING}[ \t]*,?[ \t]*)?\])"
    rf"[ \t]*{_COMMENT}"
)
_ARRAY_ITEM = LazyPattern(rf"[ \t]*{_STRING}[ \t]*,?[ \t]*{_COMMENT}")
_STRINGS = LazyPattern(_STRING)
_TABLE_HEADER = LazyPattern(rf"[ \t]*\[\[?(?P<name>[^\[\]#]*)\]\]?[ \t]*{_COMMENT}")


def _names_envaudit_only_in_values(line: str) -> bool:
    """True when ``envaudit`` on this line cannot start a key (or a header)."""
    if _NOTHING.fullmatch(line) or _ARRAY_ITEM.fullmatch(line):
        return True  # a comment, or a string in a multi-line array (`"envaudit>=1",`)
    key, equals, value = line.partition("=")
    bare_key = key.strip().replace(".", "").replace("-", "").replace("_", "")
    return (
        bool(equals)
        and bare_key.isalnum()
        and "envaudit" not in key
        and ("{" not in value.split("envaudit")[0])
    )


def _cannot_define_the_table(lines: list[str]) -> bool:
    """No line here could add to ``tool.envaudit``: lines under any table other than the root
    and ``[tool]`` cannot, and there ``envaudit`` may only appear in values and comments."""
    table = ""
    for line in lines:
        header = _TABLE_HEADER.fullmatch(line)
        if header is not None:
            if "envaudit" in line:
                return False
            table = "".join(char for char in header["name"] if char not in " \t\"'")
        elif (
            table in {"", "tool"}
            and "envaudit" in line
            and not _names_envaudit_only_in_values(line)
        ):
            return False
    return True


def plain_table(text: str) -> dict[str, object] | None:
    """``tool.envaudit`` of a pyproject.toml written the plain way; None for any other text.

    For valid TOML the result is what tomllib gives. None (read it with tomllib) whenever the
    file has a multi-line string, a second or spaced header, a sub-table, a quoted or dotted
    key, a value over several lines or of another type, or ``envaudit`` where a key could be.
    """
    if '"""' in text or "'''" in text:
        return None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    headers = [row for row, line in enumerate(lines) if _HEADER.fullmatch(line)]
    if len(headers) > 1:
        return None
    start = headers[0] if headers else len(lines)
    end = next(
        (row for row in range(start + 1, len(lines)) if lines[row].lstrip().startswith("[")),
        len(lines),
    )
    table: dict[str, object] = {}
    for line in lines[start + 1 : end]:
        if _NOTHING.fullmatch(line):
            continue
        entry = _ENTRY.fullmatch(line)
        if entry is None or entry["key"] in table:
            return None
        value = entry["value"]
        strings = [item[1:-1] for item in _STRINGS.compiled.findall(value)]
        table[entry["key"]] = strings if value.startswith("[") else strings[0]
    if not _cannot_define_the_table(lines[:start] + lines[end:]):
        return None
    return table


def parse_config(text: str, origin: str) -> Config:
    """Read ``[tool.envaudit]`` from pyproject.toml text; unknown keys are errors."""
    table = plain_table(text)
    if table is None:
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
            if "envaudit" in text:
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
