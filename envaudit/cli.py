"""The command line: the only module that prints, exits or knows about click.

Every command imports what it needs inside its body, so ``envaudit --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from envaudit import __version__
from envaudit.errors import EnvauditError
from envaudit.redact import redact_text

if TYPE_CHECKING:
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


def _load(path: str, fmt: str | None, allow_outside: bool, max_size: int) -> Manifest:
    from envaudit.loader import load

    return load(path, fmt=fmt, allow_outside=allow_outside, max_size=max_size)


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
_max_size_option = click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=64 * 1024 * 1024,
    show_default=True,
    help="Refuse input files larger than this many bytes.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="envaudit")
def cli() -> None:
    """Audit the reproducibility of Python/ML environments."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(_FORMATS), default="text")
@_from_option
@_allow_outside_option
@_max_size_option
def show(
    file: str, output_format: str, input_format: str | None, allow_outside: bool, max_size: int
) -> int:
    """Print the normalized manifest of FILE."""
    manifest = _load(file, input_format, allow_outside, max_size)
    if output_format == "json":
        from envaudit.formats import json as renderer
    else:
        from envaudit.formats import text as renderer  # type: ignore[no-redef]
    _emit(renderer.render_manifest(manifest))
    return EXIT_OK


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(_FORMATS), default="text")
@click.option(
    "--exit-code", is_flag=True, help="Exit with 1 when there are differences (like git diff)."
)
@_from_option
@click.option("--from-old", type=click.Choice(_INPUT_FORMATS), help="Input format of OLD.")
@click.option("--from-new", type=click.Choice(_INPUT_FORMATS), help="Input format of NEW.")
@_allow_outside_option
@_max_size_option
def diff(
    old: str,
    new: str,
    output_format: str,
    exit_code: bool,
    input_format: str | None,
    from_old: str | None,
    from_new: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Report packages added, removed and changed from OLD to NEW (any two formats)."""
    from envaudit.analysis.diff import diff_manifests

    left = _load(old, from_old or input_format, allow_outside, max_size)
    right = _load(new, from_new or input_format, allow_outside, max_size)
    result = diff_manifests(left, right)
    if output_format == "json":
        from envaudit.formats import json as renderer
    else:
        from envaudit.formats import text as renderer  # type: ignore[no-redef]
    _emit(renderer.render_diff(result))
    return EXIT_FINDINGS if exit_code and not result.is_empty else EXIT_OK


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
