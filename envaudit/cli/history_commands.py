"""Commands over a tree, a fleet of captures and a file's history: audit, fleet, log."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from envaudit.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    fail_on_level,
    read_config,
    render_report,
    rule_selection,
    write_output,
)
from envaudit.cli.options import (
    allow_outside_option,
    cli,
    fail_on_option,
    from_option,
    ignore_option,
    max_size_option,
    report_format_option,
    select_option,
)


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@report_format_option
@fail_on_option
@select_option
@ignore_option
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and directories matching GLOB (relative to DIRECTORY; repeatable).",
)
@max_size_option
def audit(
    directory: str,
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    max_size: int,
) -> int:
    """Cross-check every environment file of a repository (EA6xx): locks, requirements,
    environment.yml, Dockerfiles, pyproject.toml, .python-version and CI.

    Files ignored by git are skipped. Exit 1 when a finding is at or above --fail-on
    (default: error); `[tool.envaudit]` in DIRECTORY's pyproject.toml may set select,
    ignore and fail-on.
    """
    from pathlib import Path

    from envaudit.audit.runner import audit_directory
    from envaudit.config import find_config
    from envaudit.formats.audit_summary import render_audit

    config = find_config(Path(directory).resolve())
    chosen, skipped = rule_selection(config, select, ignore)
    result = audit_directory(
        directory,
        excludes=exclude + config.exclude,
        select=chosen,
        ignore=skipped,
        max_size=max_size,
    )
    report_text = render_report(result.report, output_format)
    emit(render_audit(result, output_format, report_text))
    return EXIT_FINDINGS if result.report.fails(fail_on_level(config, fail_on)) else EXIT_OK


class _DelayedProgress:
    """A progress bar on stderr, only on a terminal and only once the work has taken > 1 s."""

    def __init__(self, total: int, label: str) -> None:
        import time
        from contextlib import ExitStack

        self.total, self.label, self.done = total, label, 0
        self.started = time.monotonic()
        self.enabled = sys.stderr.isatty()
        self.stack = ExitStack()
        self.update: Callable[[int], None] | None = None

    def __call__(self, finished: int) -> None:
        import time

        self.done += finished
        if not self.enabled:
            return
        if self.update is None and time.monotonic() - self.started > 1.0:
            bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.update = self.stack.enter_context(bar).update
            self.update(self.done)
        elif self.update is not None:
            self.update(finished)

    def close(self) -> None:
        self.stack.close()


_VIEW_FORMATS = ("text", "json", "markdown", "html")


@cli.command()
@click.argument("captures", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(_VIEW_FORMATS), default="text")
@click.option("-o", "--output", default="-", help="Write to this file (atomically); - = stdout.")
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Machine names kept per value and per environment (counts are always exact).",
)
@click.option(
    "--ignore-field",
    multiple=True,
    metavar="GLOB",
    help="Leave these facts out (e.g. 'os.kernel', 'env.*'); repeatable.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when any machine differs from the baseline."
)
@fail_on_option
@select_option
@ignore_option
@max_size_option
@allow_outside_option
def fleet(
    captures: tuple[str, ...],
    output_format: str,
    output: str,
    examples: int,
    ignore_field: tuple[str, ...],
    jobs: int | None,
    exit_code: bool,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    max_size: int,
    allow_outside: bool,
) -> int:
    """Compare the captures of many machines (files, directories, globs, or - for JSON lines).

    Prints the majority value of every fact (Python, OS, glibc, driver, CUDA by source, cuDNN,
    NCCL, each package), the machines that differ, groups of identical environments and the
    EA4xx findings per machine. Collect captures with your scheduler, e.g.
    `srun --ntasks-per-node=1 envaudit capture -o caps/%N.json`. Exit 1 when an EA4xx finding
    is at or above --fail-on (default: error) or, with --exit-code, when any machine differs.
    """
    from envaudit.fleet.inputs import FleetOptions, analyse_fleet, default_jobs, expand_arguments

    config = read_config()
    chosen, skipped = rule_selection(config, select, ignore)
    options = FleetOptions(
        examples=examples,
        ignore_fields=ignore_field,
        rule_select=chosen or ("EA4",),
        rule_ignore=skipped,
        max_size=max_size,
        jobs=jobs or default_jobs(),
        allow_outside=allow_outside,
    )
    files = [path for path in expand_arguments(captures) if path != "-"]
    progress = _DelayedProgress(len(files), "captures")
    try:
        report = analyse_fleet(captures, options, stdin=sys.stdin, progress=progress)
    finally:
        progress.close()
    if output_format == "html":
        from envaudit.formats.html import render_fleet as render_html

        text = render_html(report)
    else:
        from envaudit.fleet import render

        text = getattr(render, f"render_{output_format}")(report)
    write_output(text, output)
    if exit_code and any(not cluster.is_baseline for cluster in report.clusters):
        return EXIT_FINDINGS
    return EXIT_FINDINGS if report.fails(fail_on_level(config, fail_on).value) else EXIT_OK


@cli.command(name="log")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--since", metavar="REV", help="Only commits after REV; the file at REV is the base.")
@click.option("-n", "--max-count", type=click.IntRange(min=1), help="Only the newest N commits.")
@click.option("--reverse", is_flag=True, help="Oldest first (default: newest first, as git log).")
@click.option("--format", "output_format", type=click.Choice(_VIEW_FORMATS), default="text")
@click.option("-o", "--output", default="-", help="Write to this file (atomically); - = stdout.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@select_option
@ignore_option
@from_option
@allow_outside_option
@max_size_option
def log_command(
    file: str,
    since: str | None,
    max_count: int | None,
    reverse: bool,
    output_format: str,
    output: str,
    jobs: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """One line per commit that touched FILE: package count, drift (added, removed, up, down,
    variant, rehashed...), environment changes and rules newly triggered.

    Follows renames along the first-parent history. Revisions that do not parse are
    reported and skipped.
    """
    from envaudit import gitrev, history
    from envaudit.fleet.inputs import default_jobs

    config = read_config()
    chosen, skipped = rule_selection(config, select, ignore)
    options = history.LogOptions(
        load=gitrev.LoadOptions(input_format, allow_outside, max_size),
        select=chosen,
        ignore=skipped,
        jobs=jobs or default_jobs(),
    )
    progress = _DelayedProgress(0, "revisions")  # the total is known once git log ran

    def sized(total: int) -> None:
        progress.total = total

    try:
        result = history.file_history(
            file, since=since, max_count=max_count, options=options, progress=progress,
            on_commits=sized,
        )  # fmt: skip
    finally:
        progress.close()
    newest_first = not reverse
    if output_format == "html":
        from envaudit.formats.html import render_log

        text = render_log(result, newest_first=newest_first)
    else:
        text = getattr(history, f"render_{output_format}")(result, newest_first=newest_first)
    write_output(text, output)
    return EXIT_OK
