"""The command line: the only module that prints, exits or knows about click.

Every command imports what it needs inside its body, so ``envaudit --help`` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from envaudit import __version__
from envaudit.errors import EnvauditError
from envaudit.redact import redact_text

if TYPE_CHECKING:
    from envaudit.analysis.report import FailOn, Report
    from envaudit.config import Config
    from envaudit.model import Manifest

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

_FORMATS = ("text", "json")
_INPUT_FORMATS = (
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
    "manifest",
)


def _load(
    path: str,
    fmt: str | None,
    allow_outside: bool,
    max_size: int,
    platform: str | None = None,
) -> Manifest:
    from envaudit.loader import load

    manifest = load(path, fmt=fmt, allow_outside=allow_outside, max_size=max_size)
    if platform is not None:
        from envaudit.analysis.platforms import select_platform

        manifest = select_platform(manifest, platform)
    return manifest


def _emit(text: str) -> None:
    click.echo(text, nl=False)


_from_option = click.option(
    "--from",
    "input_format",
    type=click.Choice(_INPUT_FORMATS),
    default=None,
    help="Input format (default: detected from content and file name).",
)
_allow_outside_option = click.option(
    "--allow-outside",
    is_flag=True,
    help="Allow -r/-c includes that resolve outside the top file's directory.",
)
_platform_option = click.option(
    "--platform",
    default=None,
    help="Only the packages that install on this platform (conda subdir, e.g. linux-64).",
)
_max_size_option = click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=64 * 1024 * 1024,
    show_default=True,
    help="Refuse input files larger than this many bytes.",
)


_REPORT_FORMATS = ("text", "json", "markdown", "sarif", "github")
_report_format_option = click.option(
    "--format", "output_format", type=click.Choice(_REPORT_FORMATS), default="text"
)
_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(("error", "warning", "note", "never")),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: error).",
)
_select_option = click.option(
    "--select", multiple=True, help="Only these rules (ids or prefixes, comma-separated)."
)
_ignore_option = click.option(
    "--ignore", multiple=True, help="Skip these rules (ids or prefixes, comma-separated)."
)


def _config() -> Config:
    from pathlib import Path

    from envaudit.config import find_config

    return find_config(Path.cwd())


def _selection(
    config: Config, select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Command-line --select replaces the config's; --ignore adds to it."""
    from envaudit.config import split_rule_ids

    return split_rule_ids(select) or config.select, split_rule_ids(ignore) + config.ignore


def _fail_on(config: Config, fail_on: str | None) -> FailOn:
    from envaudit.analysis.report import FailOn

    return FailOn(fail_on or config.fail_on or "error")


def _color() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render_report(report: Report, output_format: str) -> str:
    if output_format == "text":
        from envaudit.formats.text import render_report

        return render_report(report, color=_color())
    module = importlib.import_module(f"envaudit.formats.{output_format}")
    rendered: str = module.render_report(report)
    return rendered


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="envaudit")
def cli() -> None:
    """Audit the reproducibility of Python/ML environments."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(_FORMATS), default="text")
@_from_option
@_platform_option
@_allow_outside_option
@_max_size_option
def show(
    file: str,
    output_format: str,
    input_format: str | None,
    platform: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Print the normalized manifest of FILE."""
    manifest = _load(file, input_format, allow_outside, max_size, platform)
    if output_format == "json":
        from envaudit.formats import json as renderer
    else:
        from envaudit.formats import text as renderer  # type: ignore[no-redef]
    _emit(renderer.render_manifest(manifest))
    return EXIT_OK


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@_report_format_option
@click.option(
    "--exit-code", is_flag=True, help="Exit with 1 when there are differences (like git diff)."
)
@_fail_on_option
@_select_option
@_ignore_option
@_from_option
@click.option("--from-old", type=click.Choice(_INPUT_FORMATS), help="Input format of OLD.")
@click.option("--from-new", type=click.Choice(_INPUT_FORMATS), help="Input format of NEW.")
@_platform_option
@_allow_outside_option
@_max_size_option
def diff(
    old: str,
    new: str,
    output_format: str,
    exit_code: bool,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    from_old: str | None,
    from_new: str | None,
    platform: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Report what changed from OLD to NEW (any two formats) and the risks it brings.

    Exit 1 when a drift finding is at or above --fail-on (default: error), or, with
    --exit-code, when anything differs.
    """
    from envaudit.api import diff_report

    config = _config()
    left = _load(old, from_old or input_format, allow_outside, max_size, platform)
    right = _load(new, from_new or input_format, allow_outside, max_size, platform)
    chosen, skipped = _selection(config, select, ignore)
    report = diff_report(left, right, select=chosen, ignore=skipped)
    _emit(_render_report(report, output_format))
    assert report.diff is not None
    if exit_code and not report.diff.is_empty:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if report.fails(_fail_on(config, fail_on)) else EXIT_OK


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_report_format_option
@_fail_on_option
@_select_option
@_ignore_option
@_from_option
@_allow_outside_option
@_max_size_option
def check(
    files: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Check FILES for reproducibility risks (pinning, sources, GPU/CUDA).

    Exit 1 when a finding is at or above --fail-on (default: error). A requirements line
    ending in `# envaudit: ignore[EA101]` silences that rule there; `[tool.envaudit]` in
    pyproject.toml may set select, ignore and fail-on.
    """
    from envaudit.api import check_manifests

    config = _config()
    manifests = [_load(file, input_format, allow_outside, max_size) for file in files]
    chosen, skipped = _selection(config, select, ignore)
    report = check_manifests(manifests, select=chosen, ignore=skipped)
    _emit(_render_report(report, output_format))
    return EXIT_FINDINGS if report.fails(_fail_on(config, fail_on)) else EXIT_OK


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json", "markdown")), default="text"
)
def rules(output_format: str) -> int:
    """List every rule: id, severity, why it matters and how to fix it."""
    from envaudit.analysis.rules import all_rules

    listing = all_rules()
    if output_format == "json":
        from envaudit.formats.json import render_rules
    elif output_format == "markdown":
        from envaudit.formats.markdown import render_rules
    else:
        from envaudit.formats.text import render_rules
    _emit(render_rules(listing))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 findings/differences, 2 usage/parse error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="envaudit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FINDINGS
    except EnvauditError as exc:
        click.echo(redact_text(str(exc)), err=True)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    return int(result) if isinstance(result, int) else EXIT_OK
