"""What the click commands and the click-free path share: loading, output, exit codes.

Nothing here imports click: plain ``envaudit check`` (the pre-commit hook) and ``envaudit
show`` command lines run without it (``envaudit/cli/fast_path.py``), and must behave
exactly as the click commands do.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from envaudit.record import record
from envaudit.sources.lazy_regex import LazyPattern

if TYPE_CHECKING:
    from envaudit.analysis.report import FailOn, Report
    from envaudit.config import Config
    from envaudit.model import Manifest

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

INPUT_FORMATS = (
    "requirements",
    "pip-freeze",
    "conda-env",
    "conda-explicit",
    "poetry-lock",
    "uv-lock",
    "pipfile-lock",
    "pdm-lock",
    "pylock",
    "conda-lock",
    "pixi-lock",
    "dockerfile",
    "capture",
    "manifest",
)
MANIFEST_FORMATS = ("text", "json")  # what `show` prints
REPORT_FORMATS = ("text", "json", "markdown", "sarif", "github", "html")
FAIL_ON_LEVELS = ("error", "warning", "note", "never")
DEFAULT_MAX_SIZE = 64 * 1024 * 1024


@record
class CheckRequest:
    """``envaudit check``'s parameters, as the click command receives them."""

    files: tuple[str, ...]
    output_format: str = "text"
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    input_format: str | None = None
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE
    pre_commit: bool = False  # the hook's default: fail on warnings unless configured


@record
class ShowRequest:
    """``envaudit show``'s parameters, as the click command receives them."""

    file: str
    output_format: str = "text"
    input_format: str | None = None
    platform: str | None = None
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE


# click.echo's rule: escape sequences are dropped when the stream is not a terminal
_ANSI = LazyPattern(r"\033\[[;?0-9]*[a-zA-Z]")


def emit(text: str, *, err: bool = False) -> None:
    """Write ``text`` as is to stdout (or stderr), as ``click.echo(text, nl=False)`` would."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pythonw: no console to write to (click.echo skips it too)
        return
    if "\033" in text and not stream.isatty():
        text = _ANSI.compiled.sub("", text)
    stream.write(text)
    stream.flush()


def load_input(
    path: str,
    fmt: str | None,
    allow_outside: bool,
    max_size: int,
    platform: str | None = None,
) -> Manifest:
    """A file, or ``REV:PATH`` read from git, as a manifest (one platform's, when asked)."""
    import os

    from envaudit.loader import load

    manifest: Manifest | None = None
    if ":" in path and not os.path.exists(path):  # noqa: PTH110 - REV:PATH reads from git
        from envaudit import gitrev

        if gitrev.split_revision_argument(path) is not None:
            options = gitrev.LoadOptions(fmt, allow_outside, max_size)
            manifest = gitrev.load_revision_argument(path, options)
    if manifest is None:
        manifest = load(path, fmt=fmt, allow_outside=allow_outside, max_size=max_size)
    if platform is not None:
        from envaudit.analysis.platforms import select_platform

        manifest = select_platform(manifest, platform)
    return manifest


def read_config() -> Config:
    """``[tool.envaudit]`` of the nearest pyproject.toml above the working directory."""
    import os

    from envaudit.config import find_config

    return find_config(os.getcwd())  # noqa: PTH109 (pathlib costs ~8 ms to import)


def rule_selection(
    config: Config, select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Command-line --select replaces the config's; --ignore adds to it."""
    from envaudit.config import split_rule_ids

    return split_rule_ids(select) or config.select, split_rule_ids(ignore) + config.ignore


# the envaudit-check hook's default, below --fail-on and [tool.envaudit] fail-on
PRE_COMMIT_FAIL_ON = "warning"


def fail_on_level(config: Config, fail_on: str | None, default: str = "error") -> FailOn:
    """--fail-on, else ``[tool.envaudit] fail-on``, else ``default``."""
    from envaudit.analysis.report import FailOn

    return FailOn(fail_on or config.fail_on or default)


def render_report(report: Report, output_format: str) -> str:
    if output_format == "text":
        import os

        from envaudit.formats.text import render_report as render_text

        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return render_text(report, color=color)
    import importlib

    module = importlib.import_module(f"envaudit.formats.{output_format}")
    rendered: str = module.render_report(report)
    return rendered


def write_output(text: str, output: str, *, encoding: str = "utf-8") -> None:
    """``-`` writes to stdout; a path is replaced atomically (temp file + rename)."""
    if output == "-":
        emit(text)
        return
    from envaudit.atomic import atomic_write

    atomic_write(output, text, encoding=encoding)


def run_check(request: CheckRequest) -> int:
    """``envaudit check``: print the report; exit 1 when a finding reaches --fail-on."""
    from envaudit.api import check_manifests

    config = read_config()
    manifests = [
        load_input(file, request.input_format, request.allow_outside, request.max_size)
        for file in request.files
    ]
    chosen, skipped = rule_selection(config, request.select, request.ignore)
    report = check_manifests(manifests, select=chosen, ignore=skipped)
    emit(render_report(report, request.output_format))
    default = PRE_COMMIT_FAIL_ON if request.pre_commit else "error"
    level = fail_on_level(config, request.fail_on, default)
    return EXIT_FINDINGS if report.fails(level) else EXIT_OK


def run_show(request: ShowRequest) -> int:
    """``envaudit show``: print the normalized manifest."""
    manifest = load_input(
        request.file,
        request.input_format,
        request.allow_outside,
        request.max_size,
        request.platform,
    )
    if request.output_format == "json":
        from envaudit.formats import json as renderer
    else:
        from envaudit.formats import text as renderer  # type: ignore[no-redef]
    emit(renderer.render_manifest(manifest))
    return EXIT_OK


# click wraps help to min(terminal columns, 80) - 2: from 80 columns up, the text is one
# (80 is also shutil's fallback when there is no terminal to ask)
HELP_COLUMNS = 80


def terminal_columns() -> int:
    """The columns click's help formatter sees (``shutil.get_terminal_size``'s rule)."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    try:
        return os.get_terminal_size(stdout.fileno()).columns or HELP_COLUMNS  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # None under pythonw, a pipe, a file
        return HELP_COLUMNS


def run_help() -> int:
    """``envaudit --help`` from ``envaudit/data/cli_help.txt``: click's own text at 80 columns
    and up, stored so that the most common first command needs no click (a test compares
    it with click's and says how to refresh it)."""
    import os

    # os.path, not pathlib: importing pathlib costs ~8 ms, a tenth of this command's time
    package = os.path.dirname(os.path.dirname(__file__))  # noqa: PTH120
    path = os.path.join(package, "data", "cli_help.txt")  # noqa: PTH118
    with open(path, encoding="utf-8") as stored:  # noqa: PTH123
        emit(stored.read())
    return EXIT_OK


def handled_error(exc: Exception) -> int | None:
    """The exit code for an error envaudit reports in one line; None for a bug (re-raise)."""
    # imported here, not at the top: `envaudit --help` never needs them, and any command
    # that raised an EnvauditError has loaded envaudit.errors already
    from envaudit.errors import EnvauditError
    from envaudit.redact import redact_text

    if not isinstance(exc, EnvauditError):
        return None
    emit(redact_text(str(exc)) + "\n", err=True)
    return EXIT_USAGE
