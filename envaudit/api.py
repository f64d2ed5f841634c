"""The public library surface of envaudit: load, diff and check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from envaudit.analysis.diff import ChangeKind, ManifestDiff, PackageChange, diff_manifests
from envaudit.analysis.report import FailOn, Report, make_report
from envaudit.errors import EnvauditError, IncludeError, ParseError, UsageError
from envaudit.loader import load, load_text
from envaudit.model import Manifest, Package

__all__ = [
    "ChangeKind",
    "EnvauditError",
    "FailOn",
    "IncludeError",
    "Manifest",
    "ManifestDiff",
    "Package",
    "PackageChange",
    "ParseError",
    "Report",
    "UsageError",
    "check",
    "check_manifests",
    "diff",
    "diff_report",
    "load",
    "load_text",
]


def _manifest(item: str | Path | Manifest) -> Manifest:
    return item if isinstance(item, Manifest) else load(item)


def diff(old: str | Path | Manifest, new: str | Path | Manifest) -> ManifestDiff:
    """Diff two manifests, loading paths first."""
    return diff_manifests(_manifest(old), _manifest(new))


def check_manifests(
    manifests: Sequence[Manifest],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    honour_inline: bool = True,
) -> Report:
    """Run the single-file rules (EA1xx/EA3xx/EA4xx) on already-loaded manifests."""
    from envaudit.analysis.rules import run_manifest_rules
    from envaudit.config import drop_suppressed

    select, ignore = list(select), list(ignore)
    findings = [
        finding
        for manifest in manifests
        for finding in run_manifest_rules(manifest, select=select, ignore=ignore)
    ]
    if honour_inline:
        findings = drop_suppressed(findings)
    return make_report("check", [m.source for m in manifests], findings)


def check(
    paths: Sequence[str | Path], *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Report:
    """Load each file and run the single-file rules on it."""
    return check_manifests([load(path) for path in paths], select=select, ignore=ignore)


def diff_report(
    old: Manifest, new: Manifest, *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Report:
    """The diff of two manifests with its drift findings (EA5xx)."""
    from envaudit.analysis.rules import run_diff_rules
    from envaudit.config import drop_suppressed

    result = diff_manifests(old, new)
    findings = drop_suppressed(run_diff_rules(result, select=select, ignore=ignore))
    return make_report("diff", [old.source, new.source], findings, diff=result)
