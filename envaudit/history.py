"""``envaudit log``: how one lock/env file drifted through its git history, commit by commit.

The commits come from ``git log --first-parent --follow`` (fixed argument vector, no shell),
so consecutive entries are ancestors and renames are followed. Each revision is read and
parsed once (in worker processes when there are many) and diffed against the previous
parseable one; a revision that does not parse is reported and skipped, never fatal.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from envaudit import gitrev, pretty_json
from envaudit.analysis.diff import ChangeKind, ManifestDiff, diff_manifests
from envaudit.errors import EnvauditError, UsageError
from envaudit.model import Manifest, source_info
from envaudit.record import field, record

PARALLEL_MIN_REVISIONS = 24
_RECORD = "\x1e"
FindingId = tuple[str, str]  # rule id, package ("" for a file-level finding)
Progress = Callable[[int], None]


@record
class Commit:
    commit: str
    timestamp: int  # committer date, seconds since the epoch
    subject: str
    path: str  # the file's path in this commit (renames are followed)


@record
class LogEntry:
    """One commit that touched the file, and what it changed."""

    commit: Commit
    packages: int | None  # None when the revision could not be parsed
    drift: dict[str, int] = field(default_factory=dict)  # ChangeKind value -> count (non-zero)
    sections: tuple[str, ...] = ()  # environment-level changes: python.version, channels...
    # rule ids of findings that appeared / went away (a new unpinned package shows EA101
    # again, a removed one resolves its findings)
    new_rules: tuple[str, ...] = ()
    resolved_rules: tuple[str, ...] = ()
    drift_rules: tuple[str, ...] = ()  # EA5xx rules the change itself triggers
    deleted: bool = False
    error: str | None = None


@record
class History:
    path: str
    base: str | None  # the commit the oldest entry is compared with (None: an empty file)
    entries: tuple[LogEntry, ...]  # oldest first


@record
class ParsedRevision:
    manifest: Manifest | None
    findings: frozenset[FindingId]
    error: str | None = None


@record
class LogOptions:
    load: gitrev.LoadOptions = field(default_factory=gitrev.LoadOptions)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    jobs: int = 1


def _git_log(repo: gitrev.GitRepo, path: str, revisions: Sequence[str], limit: int | None) -> str:
    args = [
        "git",
        "-c",
        "core.quotePath=false",
        "log",
        "--first-parent",
        "--follow",
        "-z",
        "--name-only",
        f"--format={_RECORD}%H%x00%ct%x00%s",
        "--no-ext-diff",
        "--no-textconv",
    ]
    if limit is not None:
        args.append(f"--max-count={limit}")
    args += [*revisions, "--", path]
    try:
        result = subprocess.run(
            args, cwd=repo.root, capture_output=True, check=False, timeout=gitrev.GIT_TIMEOUT_S
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git log did not finish within {gitrev.GIT_TIMEOUT_S} s") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"]
        raise UsageError(f"git log: {reason[0].removeprefix('fatal: ')}")
    return result.stdout.decode("utf-8", "surrogateescape")


def parse_log(output: str, path: str) -> list[Commit]:
    """``git log`` records (newest first) -> commits; a merge without a file list keeps the
    path of the newer commit."""
    commits: list[Commit] = []
    current = path
    for entry in output.split(_RECORD)[1:]:
        parts = entry.split("\0")
        if len(parts) < 3:
            continue
        names = [name.strip("\n") for name in parts[3:] if name.strip("\n")]
        current = names[0] if names else current
        commits.append(Commit(parts[0], int(parts[1] or 0), parts[2], current))
    return commits


def list_commits(
    repo: gitrev.GitRepo, path: str, *, since: str | None, limit: int | None
) -> list[Commit]:
    """Commits that touched ``path`` (oldest first), after ``since`` when given."""
    revisions = [f"{gitrev.require_commit(repo, since)}..HEAD"] if since else []
    return list(reversed(parse_log(_git_log(repo, path, revisions, limit), path)))


def _finding_ids(
    manifest: Manifest, select: Sequence[str], ignore: Sequence[str]
) -> frozenset[FindingId]:
    from envaudit.analysis.rules import run_manifest_rules

    findings = run_manifest_rules(manifest, select=select, ignore=ignore)
    return frozenset((f.rule.id, f.package or "") for f in findings)


def parse_revision(
    repo: gitrev.GitRepo, commit: str, path: str, options: LogOptions
) -> ParsedRevision:
    """Read and parse ``path`` at ``commit``: a manifest (empty when the file is absent)."""
    label = commit[:12]
    revision = gitrev.Revision(repo, commit, label)
    try:
        data = revision.read(path, options.load)
        if data is None:
            return ParsedRevision(None, frozenset())
        manifest = revision.parse(path, data, options.load)
        return ParsedRevision(manifest, _finding_ids(manifest, options.select, options.ignore))
    except EnvauditError as exc:
        return ParsedRevision(None, frozenset(), error=str(exc))


def _parse_all(
    repo: gitrev.GitRepo, commits: Sequence[Commit], options: LogOptions, progress: Progress | None
) -> Iterable[ParsedRevision]:
    if options.jobs > 1 and len(commits) >= PARALLEL_MIN_REVISIONS:
        with ProcessPoolExecutor(max_workers=options.jobs) as pool:
            args = (
                [repo] * len(commits),
                [c.commit for c in commits],
                [c.path for c in commits],
                [options] * len(commits),
            )
            for parsed in pool.map(parse_revision, *args, chunksize=4):
                yield parsed
                if progress:
                    progress(1)
        return
    for commit in commits:
        yield parse_revision(repo, commit.commit, commit.path, options)
        if progress:
            progress(1)


def _drift_counts(diff: ManifestDiff) -> dict[str, int]:
    return {kind.value: diff.count(kind) for kind in ChangeKind if diff.count(kind)}


def _entry(
    commit: Commit,
    parsed: ParsedRevision,
    previous: ParsedRevision,
    options: LogOptions,
) -> LogEntry:
    from envaudit.analysis.rules import run_diff_rules

    if parsed.error is not None:
        return LogEntry(commit, None, error=parsed.error)
    old = previous.manifest or _empty_like(parsed.manifest, commit)
    new = parsed.manifest or _empty_like(previous.manifest, commit)
    diff = diff_manifests(old, new)
    drift_rules = run_diff_rules(diff, select=options.select, ignore=options.ignore)
    new_rules = {rule for rule, _ in parsed.findings - previous.findings}
    resolved_rules = {rule for rule, _ in previous.findings - parsed.findings}
    return LogEntry(
        commit,
        len(new.packages),
        drift=_drift_counts(diff),
        sections=tuple(change.section for change in diff.sections),
        new_rules=tuple(sorted(new_rules)),
        resolved_rules=tuple(sorted(resolved_rules)),
        drift_rules=tuple(sorted({finding.rule.id for finding in drift_rules})),
        deleted=parsed.manifest is None,
    )


def _empty_like(manifest: Manifest | None, commit: Commit) -> Manifest:
    fmt = manifest.source.format if manifest is not None else "requirements"
    return Manifest(source=source_info(fmt, f"{commit.commit[:12]}:{commit.path}", ""))


def file_history(
    path: str,
    *,
    since: str | None = None,
    max_count: int | None = None,
    options: LogOptions | None = None,
    cwd: Path | None = None,
    progress: Progress | None = None,
    on_commits: Callable[[int], None] | None = None,
) -> History:
    """The drift of ``path`` (relative to ``cwd``) through the commits that touched it.

    With ``max_count``, the newest N commits are shown and the one before them is read as
    the base; with ``since``, only commits after that revision, and the file there is the
    base when no shown commit has a predecessor in range. Otherwise the oldest commit is
    compared with an empty file.
    """
    options = options or LogOptions()
    repo = gitrev.repo_of_file(path, cwd)
    repo_path = repo.relative(path)
    limit = None if max_count is None else max_count + 1
    commits = list_commits(repo, repo_path, since=since, limit=limit)
    base: Commit | None = None
    if max_count is not None and len(commits) > max_count:
        base, commits = commits[0], commits[1:]
    elif since:
        oldest_path = commits[0].path if commits else repo_path
        base = Commit(gitrev.require_commit(repo, since), 0, "", oldest_path)
    if on_commits:
        on_commits(len(commits) + (base is not None))
    parsed = iter(_parse_all(repo, ([base] if base else []) + commits, options, progress))
    previous = ParsedRevision(None, frozenset())
    if base is not None:
        first = next(parsed)
        previous = first if first.error is None else previous
    entries = []
    for commit, revision in zip(commits, parsed, strict=True):  # streamed: one manifest kept
        entries.append(_entry(commit, revision, previous, options))
        if revision.error is None:
            previous = revision
    return History(repo.display(repo_path), base.commit if base else None, tuple(entries))


# --- rendering (text, json, markdown; HTML is in envaudit.formats.html) ---------------------

_DRIFT_LABELS = (
    (ChangeKind.ADDED, "+{}"),
    (ChangeKind.REMOVED, "-{}"),
    (ChangeKind.UPGRADED, "↑{}"),
    (ChangeKind.DOWNGRADED, "↓{}"),
    (ChangeKind.VERSION_CHANGED, "{} respecified"),
    (ChangeKind.BUILD_CHANGED, "{} variant"),
    (ChangeKind.HASHES_CHANGED, "{} rehashed"),
    (ChangeKind.SOURCE_CHANGED, "{} moved"),
    (ChangeKind.METADATA_CHANGED, "{} metadata"),
)


def commit_date(commit: Commit) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(commit.timestamp, UTC).strftime("%Y-%m-%d")


def drift_text(entry: LogEntry) -> str:
    """``+2 -1 ↑3 1 variant; python.version; new EA402``: one commit's change in a line."""
    if entry.error is not None:
        return f"unparseable, skipped: {entry.error}"
    parts = [
        label.format(entry.drift[kind.value])
        for kind, label in _DRIFT_LABELS
        if entry.drift.get(kind.value)
    ]
    text = " ".join(parts) or "no package change"
    if entry.deleted:
        text = "file deleted; " + text
    extras = [", ".join(entry.sections)] if entry.sections else []
    extras += [f"new {', '.join(entry.new_rules)}"] if entry.new_rules else []
    extras += [f"resolved {', '.join(entry.resolved_rules)}"] if entry.resolved_rules else []
    extras += [f"drift {', '.join(entry.drift_rules)}"] if entry.drift_rules else []
    return "; ".join([text, *extras])


def ordered(history: History, *, newest_first: bool) -> list[LogEntry]:
    return list(reversed(history.entries)) if newest_first else list(history.entries)


def render_text(history: History, *, newest_first: bool = True) -> str:
    from envaudit.redact import redact_text

    lines = []
    for entry in ordered(history, newest_first=newest_first):
        count = "   ?" if entry.packages is None else f"{entry.packages:>4}"
        lines.append(
            f"{entry.commit.commit[:10]} {commit_date(entry.commit)} {count} pkgs  "
            f"{drift_text(entry)}  | {entry.commit.subject}"
        )
    if not lines:
        lines.append(f"{history.path}: no commit touches this file")
    return redact_text("\n".join(lines)) + "\n"


def entry_to_dict(entry: LogEntry) -> dict[str, object]:
    commit = entry.commit
    return {
        "commit": commit.commit,
        "timestamp": commit.timestamp,
        "subject": commit.subject,
        "path": commit.path,
        "packages": entry.packages,
        "drift": dict(sorted(entry.drift.items())),
        "sections": list(entry.sections),
        "new_rules": list(entry.new_rules),
        "resolved_rules": list(entry.resolved_rules),
        "drift_rules": list(entry.drift_rules),
        "deleted": entry.deleted,
        "error": entry.error,
    }


def render_json(history: History, *, newest_first: bool = True) -> str:

    from envaudit.redact import redact_text

    document = {
        "schema_version": "1.0",
        "path": history.path,
        "base": history.base,
        "order": "newest-first" if newest_first else "oldest-first",
        "commits": [entry_to_dict(e) for e in ordered(history, newest_first=newest_first)],
    }
    return redact_text(pretty_json.dumps(document)) + "\n"


def render_markdown(history: History, *, newest_first: bool = True) -> str:
    from envaudit.redact import redact_text

    rows = ["| commit | date | packages | drift | subject |", "|---|---|---|---|---|"]
    for entry in ordered(history, newest_first=newest_first)[:500]:
        cells = [
            f"`{entry.commit.commit[:10]}`",
            commit_date(entry.commit),
            "?" if entry.packages is None else str(entry.packages),
            drift_text(entry),
            entry.commit.subject,
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return redact_text(f"### envaudit log `{history.path}`\n\n" + "\n".join(rows)) + "\n"
