"""The public library surface of envaudit: load, diff and check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from envaudit.analysis.kinds import ChangeKind
from envaudit.analysis.report import FailOn, Report, make_report
from envaudit.analysis.rules.base import Finding
from envaudit.errors import EnvauditError, IncludeError, ParseError, UsageError
from envaudit.loader import load, load_text
from envaudit.model import Manifest, Package

if TYPE_CHECKING:  # `check` never needs the diff code; `diff` imports it when called
    from pathlib import Path

    from envaudit.analysis.diff import ManifestDiff, PackageChange


def __getattr__(name: str) -> Any:
    """``envaudit.api.ManifestDiff`` and ``PackageChange``, imported on first use."""
    if name in ("ManifestDiff", "PackageChange"):
        from envaudit.analysis import diff as diff_module

        return getattr(diff_module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from envaudit.analysis.diff import diff_manifests

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
    findings = _with_lines(findings)
    if honour_inline:
        findings = drop_suppressed(findings)
    return make_report("check", [m.source for m in manifests], findings)


def _with_lines(findings: list[Finding]) -> list[Finding]:
    """Give key-path locations (``environment.yml:dependencies[3]``) their line numbers.

    SARIF viewers and GitHub annotations place a finding by line; the files are read
    once each, and a file that cannot be read (a git revision) keeps its key paths.
    """
    texts: dict[str, str] = {}
    for finding in findings:
        path = finding.location.path
        if finding.location.key_path and path not in texts:
            try:
                with open(path, encoding="utf-8-sig") as handle:  # noqa: PTH123
                    texts[path] = handle.read()
            except (OSError, UnicodeDecodeError):
                texts[path] = ""
    if not texts:
        return findings
    from envaudit import record
    from envaudit.audit.lines import Locator

    locator = Locator({path: text for path, text in texts.items() if text})
    located = []
    for finding in findings:
        location = finding.location
        if location.key_path and location.line is None:
            origin = f"{location.path}:{location.key_path}"
            location = record.replace(
                locator.locate(origin, location.path), key_path=location.key_path
            )
        located.append(record.replace(finding, location=location))
    return located


def check(
    paths: Sequence[str | Path], *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Report:
    """Load each file and run the single-file rules on it."""
    return check_manifests([load(path) for path in paths], select=select, ignore=ignore)


def diff_report(
    old: Manifest, new: Manifest, *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Report:
    """The diff of two manifests with its drift findings (EA5xx)."""
    from envaudit.analysis.diff import diff_manifests
    from envaudit.analysis.rules import run_diff_rules
    from envaudit.config import drop_suppressed

    result = diff_manifests(old, new)
    findings = drop_suppressed(_with_lines(run_diff_rules(result, select=select, ignore=ignore)))
    return make_report("diff", [old.source, new.source], findings, diff=result)
