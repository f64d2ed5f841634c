"""The click application: every command, its options and its help text.

Every command imports what it needs inside its body, so ``envaudit --help`` stays fast. Shared
pieces, and everything ``check`` needs, are in ``envaudit.cli.common``, which has no click.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import click

from envaudit import __version__
from envaudit.cli.common import (
    DEFAULT_MAX_SIZE,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    FAIL_ON_LEVELS,
    INPUT_FORMATS,
    REPORT_FORMATS,
    CheckRequest,
    emit,
    fail_on_level,
    handled_error,
    load_input,
    read_config,
    render_report,
    rule_selection,
    run_check,
)

if TYPE_CHECKING:
    from envaudit.analysis.report import Report
    from envaudit.model import Manifest

_F = TypeVar("_F", bound=Callable[..., object])

_FORMATS = ("text", "json")


_from_option = click.option(
    "--from",
    "input_format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Input format (default: detected from content and file name).",
)
_allow_outside_option = click.option(
    "--allow-outside",
    is_flag=True,
    help="Allow -r/-c includes, and symlinked inputs, that resolve outside the top file's"
    " directory (and the working directory, for symlinks).",
)
_platform_option = click.option(
    "--platform",
    default=None,
    help="Only the packages that install on this platform (conda subdir, e.g. linux-64).",
)
_max_size_option = click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_SIZE,
    show_default=True,
    help="Refuse input files larger than this many bytes.",
)


_report_format_option = click.option(
    "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text"
)
_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: error).",
)
_select_option = click.option(
    "--select", multiple=True, help="Only these rules (ids or prefixes, comma-separated)."
)
_ignore_option = click.option(
    "--ignore", multiple=True, help="Skip these rules (ids or prefixes, comma-separated)."
)


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
    manifest = load_input(file, input_format, allow_outside, max_size, platform)
    if output_format == "json":
        from envaudit.formats import json as renderer
    else:
        from envaudit.formats import text as renderer  # type: ignore[no-redef]
    emit(renderer.render_manifest(manifest))
    return EXIT_OK


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
@_report_format_option
@click.option(
    "--exit-code", is_flag=True, help="Exit with 1 when there are differences (like git diff)."
)
@_fail_on_option
@_select_option
@_ignore_option
@_from_option
@click.option("--from-old", type=click.Choice(INPUT_FORMATS), help="Input format of OLD.")
@click.option("--from-new", type=click.Choice(INPUT_FORMATS), help="Input format of NEW.")
@_platform_option
@_allow_outside_option
@_max_size_option
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

    if git_rev is not None or pre_commit:
        return _diff_git(git_rev, pre_commit, files, output_format, exit_code, fail_on, select,
                         ignore, input_format, platform, allow_outside, max_size)  # fmt: skip
    if len(files) != 2:
        raise click.UsageError("expected OLD and NEW (or --git REV [FILES]...)")
    old, new = files
    config = read_config()
    left = load_input(old, from_old or input_format, allow_outside, max_size, platform)
    right = load_input(new, from_new or input_format, allow_outside, max_size, platform)
    chosen, skipped = rule_selection(config, select, ignore)
    report = diff_report(left, right, select=chosen, ignore=skipped)
    emit(render_report(report, output_format))
    assert report.diff is not None
    if exit_code and not report.diff.is_empty:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if report.fails(fail_on_level(config, fail_on)) else EXIT_OK


def _diff_git(
    rev: str | None,
    pre_commit: bool,
    files: tuple[str, ...],
    output_format: str,
    exit_code: bool,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    platform: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """``diff --git REV [FILES]...``: one diff per changed file, rendered as one document."""
    import os

    from envaudit import gitrev
    from envaudit.api import diff_report

    if pre_commit and rev is None:
        environ = os.environ
        rev = gitrev.pre_commit_base(
            environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
        )
    options = gitrev.LoadOptions(input_format, allow_outside, max_size)
    pairs = gitrev.revision_pairs(rev, files, options)
    config = read_config()
    chosen, skipped = rule_selection(config, select, ignore)
    reports = []
    for pair in pairs:
        old, new = pair.old, pair.new
        if platform is not None:
            old, new = _on_platform(old, platform), _on_platform(new, platform)
        reports.append(diff_report(old, new, select=chosen, ignore=skipped))
    emit(_render_reports(reports, output_format, since=rev or "the first commit"))
    if exit_code and any(report.diff and not report.diff.is_empty for report in reports):
        return EXIT_FINDINGS
    threshold = fail_on_level(config, fail_on)
    return EXIT_FINDINGS if any(report.fails(threshold) for report in reports) else EXIT_OK


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
    request = CheckRequest(
        files, output_format, fail_on, select, ignore, input_format, allow_outside, max_size
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


def _python_option(help_text: str) -> Callable[[_F], _F]:
    return click.option("--python", "python_path", type=click.Path(dir_okay=False), help=help_text)


def _prefix_option(what: str) -> Callable[[_F], _F]:
    return click.option(
        "--prefix",
        type=click.Path(file_okay=False),
        help=f"{what} a conda environment or venv by its prefix, without running it.",
    )


@cli.command()
@_python_option("Capture another interpreter (runs a stdlib-only probe in it; Python 3.8+).")
@_prefix_option("Capture")
@click.option("--format", "output_format", type=click.Choice(("json", "text")), default="json")
@click.option("--no-meta", is_flag=True, help="Leave out captured_at and the host name.")
@click.option(
    "-o",
    "--output",
    default="-",
    help="Write to this file instead of stdout; %h/%N expand to the short/full host name.",
)
def capture(
    python_path: str | None,
    prefix: str | None,
    output_format: str,
    no_meta: bool,
    output: str,
) -> int:
    """Fingerprint this machine: Python, OS, CPU, GPU driver, CUDA, cuDNN, NCCL, packages."""
    from envaudit.capture.probe import capture as capture_machine
    from envaudit.capture.probe import capture_python, expand_output_template
    from envaudit.errors import UsageError

    if python_path and prefix:
        raise UsageError("--python and --prefix are mutually exclusive")
    if python_path:
        result = capture_python(python_path, include_meta=not no_meta)
    else:
        result = capture_machine(prefix=prefix, include_meta=not no_meta)
    if output_format == "text":
        from envaudit.formats.capture_text import render_capture

        text = render_capture(result)
    else:
        text = result.to_json()
    _write_output(text, output if output == "-" else expand_output_template(output))
    return EXIT_OK


@cli.command()
@click.argument("lock", type=click.Path(dir_okay=False))
@_python_option("The interpreter whose environment is verified (default: `python` on PATH).")
@_prefix_option("Verify")
@click.option("--allow-extra", is_flag=True, help="Do not fail on packages the lock lacks.")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text")
@_from_option
@_allow_outside_option
@_max_size_option
def verify(
    lock: str,
    python_path: str | None,
    prefix: str | None,
    allow_extra: bool,
    output_format: str,
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Check that a live environment is what LOCK says (any lock or env file).

    Reports missing, extra, wrong version, wrong build/variant (+cu121 vs +cpu) and wrong
    source (editable or local where the lock says an index); conda locks are checked
    against conda-meta. Exit 1 on any mismatch.
    """
    import shutil

    from envaudit.analysis.verify import verify_environment
    from envaudit.capture.probe import capture as capture_machine
    from envaudit.capture.probe import capture_python
    from envaudit.errors import UsageError
    from envaudit.formats.verify import render_json, render_text
    from envaudit.sources.capture_json import capture_to_manifest

    if python_path and prefix:
        raise UsageError("--python and --prefix are mutually exclusive")
    manifest = load_input(lock, input_format, allow_outside, max_size)
    if prefix:
        target, live_capture = prefix, capture_machine(prefix=prefix, include_meta=False)
    else:
        target = python_path or shutil.which("python") or shutil.which("python3") or sys.executable
        live_capture = capture_python(target, include_meta=False)
    live = capture_to_manifest(live_capture, text="", origin=target)
    result = verify_environment(manifest, live_capture, live, target=target,
                                allow_extra=allow_extra)  # fmt: skip
    emit(render_json(result) if output_format == "json" else render_text(result))
    return EXIT_OK if result.ok else EXIT_FINDINGS


_EXPORT_TARGETS = ("requirements", "pylock", "environment", "explicit")


def _write_output(text: str, output: str, *, encoding: str = "utf-8") -> None:
    """``-`` writes to stdout; a path is replaced atomically (temp file + rename)."""
    if output == "-":
        emit(text)
        return
    from envaudit.atomic import atomic_write

    atomic_write(output, text, encoding=encoding)


@cli.command()
@click.argument("env_file", metavar="ENV_YML", type=click.Path(dir_okay=False))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(dir_okay=False),
    help="What to pin from: conda-lock.yml, pixi.lock, an explicit spec or a capture env.json.",
)
@click.option("--check", is_flag=True, help="Only list what would change; exit 1 if anything.")
@_platform_option
@click.option("-o", "--output", default=None, help="Write here instead of in place (- = stdout).")
@_max_size_option
def pin(
    env_file: str,
    source: str,
    check: bool,
    platform: str | None,
    output: str | None,
    max_size: int,
) -> int:
    """Pin ENV_YML's loose conda specs to name=version=build (pip: entries to ==) from SOURCE.

    Only the changed entries are rewritten; comments, order, quoting and line endings stay.
    """
    from pathlib import Path

    from envaudit.loader import read_file
    from envaudit.writers.pin import file_encoding, pin_environment

    text = read_file(Path(env_file), env_file, max_size=max_size)
    locked = load_input(source, None, False, max_size)
    result = pin_environment(text, locked, origin=env_file, platform=platform)
    for note in result.notes:
        click.echo(note, err=True)
    if check:
        for change in result.changes:
            click.echo(change.describe(env_file))
        return EXIT_FINDINGS if result.changes else EXIT_OK
    for change in result.changes:
        click.echo(change.describe(env_file), err=True)
    target = output or env_file
    if target == "-":
        emit(result.text)
    elif result.changes or target != env_file:
        with Path(env_file).open("rb") as stream:
            encoding, bom = file_encoding(stream.read(4))
        _write_output(bom + result.text, target, encoding=encoding)
    return EXIT_OK


@cli.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--to", "target", required=True, type=click.Choice(_EXPORT_TARGETS))
@_from_option
@_platform_option
@click.option("-o", "--output", default="-", help="Write to this file (atomically); - = stdout.")
@_allow_outside_option
@_max_size_option
def export(
    source: str,
    target: str,
    input_format: str | None,
    platform: str | None,
    output: str,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Write SOURCE as requirements, pylock.toml, environment.yml or a conda explicit spec.

    What the target cannot hold is listed on stderr, one 'dropped: ...' line per kind.
    """
    from pathlib import Path

    from envaudit.loader import read_file
    from envaudit.writers.interface import export_manifest

    manifest = load_input(source, input_format, allow_outside, max_size)
    source_text = None
    if target == "pylock" and Path(source).is_file():  # per-file URLs the manifest omits
        source_text = read_file(Path(source), source, max_size=max_size)
    text, notes = export_manifest(manifest, target, platform=platform, source_text=source_text)
    for note in notes:
        click.echo(note, err=True)
    _write_output(text, output)
    return EXIT_OK


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@_report_format_option
@_fail_on_option
@_select_option
@_ignore_option
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and directories matching GLOB (relative to DIRECTORY; repeatable).",
)
@_max_size_option
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
@_fail_on_option
@_select_option
@_ignore_option
@_max_size_option
@_allow_outside_option
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
    _write_output(text, output)
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
@_select_option
@_ignore_option
@_from_option
@_allow_outside_option
@_max_size_option
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
    _write_output(text, output)
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
