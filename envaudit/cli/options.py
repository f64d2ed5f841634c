"""The click group and the options several commands share (the only click-aware modules
are this one and the ``*commands`` modules that register on the group)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from envaudit import __version__
from envaudit.cli.common import DEFAULT_MAX_SIZE, FAIL_ON_LEVELS, INPUT_FORMATS, REPORT_FORMATS

_F = TypeVar("_F", bound=Callable[..., object])

from_option = click.option(
    "--from",
    "input_format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Input format (default: detected from content and file name).",
)
allow_outside_option = click.option(
    "--allow-outside",
    is_flag=True,
    help="Allow -r/-c includes, and symlinked inputs, that resolve outside the top file's"
    " directory (and the working directory, for symlinks).",
)
platform_option = click.option(
    "--platform",
    default=None,
    help="Only the packages that install on this platform (conda subdir, e.g. linux-64).",
)
max_size_option = click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_SIZE,
    show_default=True,
    help="Refuse input files larger than this many bytes.",
)


report_format_option = click.option(
    "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text"
)
fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: error).",
)
select_option = click.option(
    "--select", multiple=True, help="Only these rules (ids or prefixes, comma-separated)."
)
ignore_option = click.option(
    "--ignore", multiple=True, help="Skip these rules (ids or prefixes, comma-separated)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="envaudit")
def cli() -> None:
    """Audit the reproducibility of Python/ML environments."""


def python_option(help_text: str) -> Callable[[_F], _F]:
    return click.option("--python", "python_path", type=click.Path(dir_okay=False), help=help_text)


def prefix_option(what: str) -> Callable[[_F], _F]:
    return click.option(
        "--prefix",
        type=click.Path(file_okay=False),
        help=f"{what} a conda environment or venv by its prefix, without running it.",
    )
