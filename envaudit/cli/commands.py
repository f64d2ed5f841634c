"""The click application: ``run`` and the commands on lock and environment files.

Every command imports what it needs inside its body, so ``envaudit --help`` stays fast. Shared
pieces, and everything ``check`` needs, are in ``envaudit.cli.common``, which has no click.
The machine commands (capture, verify, pin, export) and the history commands (audit, fleet,
log) are in their own modules, registered on the same group when this module is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

# imported for their commands, which they register on ``cli``
from envaudit.cli import history_commands, machine_commands
from envaudit.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    INPUT_FORMATS,
    MANIFEST_FORMATS,
    CheckRequest,
    ShowRequest,
    emit,
    fail_on_level,
    handled_error,
    load_input,
    read_config,
    render_report,
    rule_selection,
    run_check,
    run_show,
)
from envaudit.cli.options import (
    allow_outside_option,
    cli,
    fail_on_option,
    from_option,
    ignore_option,
    max_size_option,
    platform_option,
    report_format_option,
    select_option,
)

__all__ = ["cli", "history_commands", "machine_commands", "run"]

if TYPE_CHECKING:
    from envaudit.analysis.report import Report
    from envaudit.gitrev import RevisionPair
    from envaudit.model import Manifest


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(MANIFEST_FORMATS), default="text")
@from_option
@platform_option
@allow_outside_option
@max_size_option
def show(
    file: str,
    output_format: str,
    input_format: str | None,
    platform: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Print the normalized manifest of FILE."""
    request = ShowRequest(file, output_format, input_format, platform, allow_outside, max_size)
    return run_show(request)


def _on_platform(manifest: Manifest, platform: str) -> Manifest:
    from envaudit.analysis.platforms import select_platform

    return select_platform(manifest, platform)


@cli.command()
@click.argument("files", nargs=-1, metavar="OLD NEW", type=click.Path())
@click.option(
    "--git",
    "git_rev",
    metavar="REV",
    help="Diff every supported file changed between REV and the work tree"
    " (only FILES when given), paired by path.",
)
@click.option(
    "--pre-commit",
    is_flag=True,
    help="Like --git, against $PRE_COMMIT_FROM_REF (set by pre-commit) or HEAD;"
    " what the envaudit-diff hook runs.",
)
@report_format_option
@click.option(
    "--exit-code", is_flag=True, help="Exit with 1 when there are differences (like git diff)."
)
@fail_on_option
@select_option
@ignore_option
@from_option
@click.option("--from-old", type=click.Choice(INPUT_FORMATS), help="Input format of OLD.")
@click.option("--from-new", type=click.Choice(INPUT_FORMATS), help="Input format of NEW.")
@platform_option
@allow_outside_option
@max_size_option
def diff(
    files: tuple[str, ...],
    git_rev: str | None,
    pre_commit: bool,
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

    OLD or NEW may be REV:PATH (main:poetry.lock) to read a file from git. With --git REV,
    every lock/env file changed since REV is diffed against its work-tree copy instead.
    Exit 1 when a drift finding is at or above --fail-on (default: error), or, with
    --exit-code, when anything differs.
    """
    from envaudit.api import diff_report

    since: str | None = None  # with --git: one document for every changed file
    if git_rev is not None or pre_commit:
        since, revision_pairs = _revision_pairs(
            git_rev, pre_commit, files, input_format, allow_outside, max_size
        )
        config = read_config()
        pairs = [(pair.old, pair.new) for pair in revision_pairs]
        if platform is not None:
            pairs = [
                (_on_platform(old, platform), _on_platform(new, platform)) for old, new in pairs
            ]
    else:
        if len(files) != 2:
            raise click.UsageError("expected OLD and NEW (or --git REV [FILES]...)")
        old, new = files
        config = read_config()
        left = load_input(old, from_old or input_format, allow_outside, max_size, platform)
        right = load_input(new, from_new or input_format, allow_outside, max_size, platform)
        pairs = [(left, right)]
    chosen, skipped = rule_selection(config, select, ignore)
    reports = [diff_report(old, new, select=chosen, ignore=skipped) for old, new in pairs]
    if since is None:
        emit(render_report(reports[0], output_format))
    else:
        emit(_render_reports(reports, output_format, since=since))
    if exit_code and any(report.diff and not report.diff.is_empty for report in reports):
        return EXIT_FINDINGS
    threshold = fail_on_level(config, fail_on)
    return EXIT_FINDINGS if any(report.fails(threshold) for report in reports) else EXIT_OK


def _revision_pairs(
    rev: str | None,
    pre_commit: bool,
    files: tuple[str, ...],
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
) -> tuple[str, list[RevisionPair]]:
    """``diff --git REV [FILES]...``: what REV is taken to be, and every changed file's pair."""
    import os

    from envaudit import gitrev

    if pre_commit and rev is None:
        environ = os.environ
        rev = gitrev.pre_commit_base(
            environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
        )
    options = gitrev.LoadOptions(input_format, allow_outside, max_size)
    return rev or "the first commit", gitrev.revision_pairs(rev, files, options)


def _render_reports(reports: Sequence[Report], output_format: str, *, since: str) -> str:
    """Several diffs as one document: a JSON list, one SARIF run, or texts under one cap."""
    if output_format == "json":
        import json

        from envaudit import pretty_json

        documents = [json.loads(render_report(report, "json")) for report in reports]
        return pretty_json.dumps(documents) + "\n"
    if output_format in {"sarif", "github"}:
        from envaudit.gitrev import merge_reports

        return render_report(merge_reports(reports), output_format)
    if not reports:
        heading = "### envaudit diff\n\n" if output_format == "markdown" else "diff: "
        return f"{heading}no lock or environment file changed since {since}\n"
    if output_format == "text":
        return "\n".join(render_report(report, output_format) for report in reports)
    if output_format != "markdown":  # a whole-page format: one document per command
        if len(reports) > 1:
            from envaudit.errors import UsageError

            raise UsageError(f"--format {output_format} shows one file; name it after --git REV")
        return render_report(reports[0], output_format)
    from envaudit.formats.markdown import MAX_CHARS

    budget = MAX_CHARS - 256  # room for a wrapper such as the Action's comment marker
    parts: list[str] = []
    for position, report in enumerate(reports):
        used, text = sum(len(part) for part in parts), render_report(report, "markdown")
        if used + len(text) > budget - 80:  # keep 80 for the closing "more files" line
            text = "\n".join(text.split("\n")[:4]) + "\n\n> Details left out (comment limit).\n"
        if used + len(text) > budget - 80:
            parts.append(f"\n… and {len(reports) - position} more changed file(s).\n")
            break
        parts.append(text + "\n")
    return "".join(parts)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@report_format_option
@fail_on_option
@select_option
@ignore_option
@from_option
@allow_outside_option
@max_size_option
@click.option(
    "--pre-commit",
    is_flag=True,
    help="The envaudit-check hook's default: fail on warnings too, unless --fail-on or"
    " [tool.envaudit] fail-on says otherwise.",
)
def check(
    files: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
    pre_commit: bool,
) -> int:
    """Check FILES for reproducibility risks (pinning, sources, GPU/CUDA).

    Exit 1 when a finding is at or above --fail-on (default: error). A requirements line
    ending in `# envaudit: ignore[EA101]` silences that rule there; `[tool.envaudit]` in
    pyproject.toml may set select, ignore and fail-on.
    """
    request = CheckRequest(
        files,
        output_format,
        fail_on,
        select,
        ignore,
        input_format,
        allow_outside,
        max_size,
        pre_commit,
    )
    return run_check(request)


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
    emit(render_rules(listing))
    return EXIT_OK


def run(args: list[str]) -> int:
    """Run one command line through click; returns the exit code (see ``envaudit.cli.main``)."""
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
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        code = handled_error(exc)
        if code is None:
            raise
        return code
    return int(result) if isinstance(result, int) else EXIT_OK
