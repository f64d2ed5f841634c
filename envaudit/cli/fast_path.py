"""Reading ``envaudit check`` and ``show`` command lines (and ``--help``) without click.

Importing click takes about as long as starting Python four times over on a small machine,
and the pre-commit hook runs ``envaudit check --pre-commit FILE…`` on every commit
(scripts run ``envaudit show --format json FILE`` as often). This reads those command
lines, and the options a hook, CI job or script adds, exactly as click would; anything
else (an unknown option, a missing value, a value click would refuse, a directory, a wrong
number of files, a command's own ``--help``) returns None and click reads it, with its own
messages. ``tests/cli/`` checks the tables below against the click commands and both
paths' output against each other.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from envaudit.cli.common import (
    FAIL_ON_LEVELS,
    HELP_COLUMNS,
    INPUT_FORMATS,
    MANIFEST_FORMATS,
    REPORT_FORMATS,
    CheckRequest,
    ShowRequest,
    run_check,
    run_help,
    run_show,
    terminal_columns,
)
from envaudit.record import replace

# option -> (parameter, allowed values: a tuple of choices, "text", "int>=1" or "flag")
Options = dict[str, tuple[str, tuple[str, ...] | str]]

CHECK_OPTIONS: Options = {
    "--format": ("output_format", REPORT_FORMATS),
    "--fail-on": ("fail_on", FAIL_ON_LEVELS),
    "--select": ("select", "text"),
    "--ignore": ("ignore", "text"),
    "--from": ("input_format", INPUT_FORMATS),
    "--allow-outside": ("allow_outside", "flag"),
    "--max-size": ("max_size", "int>=1"),
    "--pre-commit": ("pre_commit", "flag"),
}
SHOW_OPTIONS: Options = {
    "--format": ("output_format", MANIFEST_FORMATS),
    "--from": ("input_format", INPUT_FORMATS),
    "--platform": ("platform", "text"),
    "--allow-outside": ("allow_outside", "flag"),
    "--max-size": ("max_size", "int>=1"),
}
REPEATABLE = frozenset({"select", "ignore"})  # given as often as wanted, collected in order


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


def _read(args: list[str], options: Options) -> tuple[dict[str, object], list[str]] | None:
    """The option values (by parameter) and files of ``args`` (after the command name)."""
    values: dict[str, object] = {}
    repeated: dict[str, tuple[str, ...]] = {}
    files: list[str] = []
    position, only_files = 0, False
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
        if name not in options:
            return None
        parameter, kind = options[name]
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
        if parameter in REPEATABLE:
            repeated[parameter] = (*repeated.get(parameter, ()), inline)
        else:
            values[parameter] = value
    if not all(_plain_file(path) for path in files):
        return None
    return {**values, **repeated}, files


def parse_check(args: list[str]) -> CheckRequest | None:
    """``["check", "--fail-on", "warning", "a.txt"]`` -> its request; None: let click read it."""
    if not args or args[0] != "check":
        return None
    read = _read(args[1:], CHECK_OPTIONS)
    if read is None or not read[1]:
        return None
    values, files = read
    return replace(CheckRequest(tuple(files)), **values)


def parse_show(args: list[str]) -> ShowRequest | None:
    """``["show", "--format", "json", "a.lock"]`` -> its request; None: let click read it."""
    if not args or args[0] != "show":
        return None
    read = _read(args[1:], SHOW_OPTIONS)
    if read is None or len(read[1]) != 1:
        return None
    values, (file,) = read
    return replace(ShowRequest(file), **values)


def plain_job(args: list[str]) -> Callable[[], int] | None:
    """What a plain ``--help``, ``check`` or ``show`` command line runs; None: click's."""
    if args in (["--help"], ["-h"]):
        return run_help if terminal_columns() >= HELP_COLUMNS else None
    check = parse_check(args)
    if check is not None:
        return lambda: run_check(check)
    show = parse_show(args)
    if show is not None:
        return lambda: run_show(show)
    return None
