"""Reading ``envaudit check`` command lines without click, for the pre-commit hook's speed.

Importing click takes about as long as starting Python four times over on a small machine,
and the pre-commit hook runs ``envaudit check --fail-on warning FILE…`` on every commit.
This reads that command line, and the options a hook or CI job adds, exactly as click would;
anything else (``--help``, an unknown option, a missing value, a value click would refuse, a
directory) returns None and click reads it, with its own messages. ``tests/cli/`` checks the
table below against the click command and both paths' output against each other.
"""

from __future__ import annotations

import os
import stat

from envaudit.cli.common import FAIL_ON_LEVELS, INPUT_FORMATS, REPORT_FORMATS, CheckRequest
from envaudit.record import replace

# option -> (parameter, allowed values: a tuple of choices, "text", "int>=1" or "flag")
CHECK_OPTIONS: dict[str, tuple[str, tuple[str, ...] | str]] = {
    "--format": ("output_format", REPORT_FORMATS),
    "--fail-on": ("fail_on", FAIL_ON_LEVELS),
    "--select": ("select", "text"),
    "--ignore": ("ignore", "text"),
    "--from": ("input_format", INPUT_FORMATS),
    "--allow-outside": ("allow_outside", "flag"),
    "--max-size": ("max_size", "int>=1"),
}
_REPEATABLE = frozenset({"select", "ignore"})


def _value(kind: tuple[str, ...] | str, text: str) -> str | int | None:
    """``text`` converted as click would, or None where click would refuse it (or might)."""
    if kind == "text":
        return text
    if kind == "int>=1":
        # click's int() also takes signs, spaces and underscores: those go to click
        number = int(text) if text.isascii() and text.isdigit() else 0
        return number if number >= 1 else None
    return text if text in kind else None


def _plain_file(path: str) -> bool:
    """True unless click.Path(dir_okay=False) would refuse ``path`` (a directory, unreadable)."""
    try:
        mode = os.stat(path).st_mode  # noqa: PTH116 (pathlib costs ~8 ms to import)
    except (OSError, ValueError):
        return True  # click passes a missing path on; envaudit reports it
    return not stat.S_ISDIR(mode) and os.access(path, os.R_OK)


def parse_check(args: list[str]) -> CheckRequest | None:
    """``["check", "--fail-on", "warning", "a.txt"]`` -> its request; None: let click read it."""
    if not args or args[0] != "check":
        return None
    values: dict[str, object] = {}
    repeated: dict[str, tuple[str, ...]] = {}
    files: list[str] = []
    position, only_files = 1, False
    while position < len(args):
        token = args[position]
        position += 1
        if only_files or not token.startswith("-"):
            files.append(token)
            continue
        if token == "--":
            only_files = True
            continue
        name, equals, inline = token.partition("=")
        if name not in CHECK_OPTIONS:
            return None
        parameter, kind = CHECK_OPTIONS[name]
        if kind == "flag":
            if equals:
                return None
            values[parameter] = True
            continue
        if not equals:
            if position == len(args) or args[position].startswith("-"):
                return None
            inline, position = args[position], position + 1
        value = _value(kind, inline)
        if value is None:
            return None
        if parameter in _REPEATABLE:
            repeated[parameter] = (*repeated.get(parameter, ()), inline)
        else:
            values[parameter] = value
    if not files or not all(_plain_file(path) for path in files):
        return None
    return replace(CheckRequest(tuple(files)), **values, **repeated)
