"""The terminal rendering of manifests and diffs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from envaudit.analysis.kinds import ChangeKind
from envaudit.analysis.rules.base import Finding, RuleInfo, Severity
from envaudit.formats.table import render_table
from envaudit.model import Manifest, Package, SourceKind
from envaudit.redact import redact_text

if TYPE_CHECKING:  # the report and diff types only annotate: `check` never loads the diff code
    from envaudit.analysis.diff import ManifestDiff, PackageChange
    from envaudit.analysis.report import Report

_SYMBOLS = {
    ChangeKind.ADDED: "+",
    ChangeKind.REMOVED: "-",
    ChangeKind.UPGRADED: "↑",
    ChangeKind.DOWNGRADED: "↓",
}


def _describe_source(package: Package) -> str:
    source = package.source
    if source.kind is SourceKind.REGISTRY:
        where = package.channel or package.index or ""
    elif source.kind is SourceKind.VCS:
        where = f"{source.url or ''}@{source.commit or source.ref or '?'}"
    else:
        where = f"{source.kind.value} {source.url or ''}".strip()
    return ("editable " if source.editable else "") + where


def _version_text(package: Package | None) -> str:
    if package is None:
        return ""
    return package.version or package.spec or "*"


def render_manifest(manifest: Manifest) -> str:
    source = manifest.source
    version = f" {source.format_version}" if source.format_version else ""
    lines = [f"{source.path}: {source.format}{version}, {len(manifest.packages)} packages"]
    if manifest.python.version or manifest.python.requires:
        lines.append(f"python: {manifest.python.version or manifest.python.requires}")
    if manifest.platforms:
        lines.append(f"platforms: {', '.join(manifest.platforms)}")
    if manifest.channels:
        lines.append(f"channels: {', '.join(manifest.channels)}")
    lines.extend(f"{index.kind.value}: {index.url}" for index in manifest.indexes)
    lines.extend(
        f"{include.kind.value}: {include.target}"
        + ("" if include.resolved else f" (not followed: {include.reason})")
        for include in manifest.includes
    )
    rows = [
        (
            package.name,
            _version_text(package),
            package.build or "",
            package.platform or "",
            ",".join(package.groups),
            _describe_source(package),
            f"{len(package.hashes)} hashes" if package.hashes else "",
        )
        for package in manifest.packages
    ]
    lines.extend(render_table(rows))
    if manifest.constraints:
        lines.append(f"constraints: {len(manifest.constraints)}")
        lines.extend(
            render_table([(c.name, _version_text(c), c.origin or "") for c in manifest.constraints])
        )
    return redact_text("\n".join(lines)) + "\n"


def _change_detail(change: PackageChange) -> str:
    old, new = change.old, change.new
    if change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED):
        package = new or old
        assert package is not None
        build = f" ({package.build})" if package.build else ""
        return f"{_version_text(package)}{build}"
    assert old is not None and new is not None
    if _version_text(old) == _version_text(new):
        detail = _version_text(new)
    else:
        detail = f"{_version_text(old)} → {_version_text(new)}"
    if change.bump is not None:
        detail += f" ({change.bump.value})"
    extra = [aspect.value for aspect in change.aspects if aspect.value not in ("version", "spec")]
    if extra:
        detail += f" [{', '.join(extra)} changed]"
    if change.kind is ChangeKind.SOURCE_CHANGED:
        detail = f"{_version_text(new)}: {_describe_source(old)} → {_describe_source(new)}"
    if change.kind is ChangeKind.BUILD_CHANGED:
        detail = f"{_version_text(old)} → {_version_text(new)}"
        detail += f" (build {old.build or '(none)'} → {new.build or '(none)'})"
    return detail


def _qualifier(change: PackageChange) -> str:
    """`` [conda, osx-arm64]``: the ecosystem when not PyPI, and the platform bucket."""
    package = change.new or change.old
    parts = [change.ecosystem] if change.ecosystem != "pypi" else []
    if package is not None and package.platform:
        parts.append(package.platform)
    return f" [{', '.join(parts)}]" if parts else ""


def summary_line(diff: ManifestDiff) -> str:
    counts = [f"{diff.count(kind)} {kind.value}" for kind in ChangeKind if diff.count(kind)]
    if diff.sections:
        counts.append(f"{len(diff.sections)} environment setting(s) changed")
    if not counts:
        return f"no differences ({diff.unchanged} packages identical)"
    return ", ".join(counts) + f"; {diff.unchanged} unchanged"


def render_diff(diff: ManifestDiff) -> str:
    lines = [
        f"--- {diff.left.path} ({diff.left.format})",
        f"+++ {diff.right.path} ({diff.right.format})",
    ]
    lines.extend(
        f"  ~ {section.section}: {section.old or '(none)'} → {section.new or '(none)'}"
        for section in diff.sections
    )
    rows = [
        (
            _SYMBOLS.get(change.kind, "~"),
            change.kind.value,
            change.name + _qualifier(change),
            _change_detail(change),
        )
        for change in diff.changes
    ]
    lines.extend(render_table(rows))
    if diff.no_pypi_equivalent:
        lines.append(f"no PyPI equivalent (conda only): {', '.join(diff.no_pypi_equivalent)}")
    lines.append(summary_line(diff))
    return redact_text("\n".join(lines)) + "\n"


_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"


def render_finding(finding: Finding, *, color: bool = False) -> str:
    severity = finding.severity.value
    label = f"{_COLOURS[severity]}{severity}{_RESET}" if color else severity
    return f"{finding.location}: {label} {finding.rule.id} {finding.rule.name}: {finding.message}"


def render_report(report: Report, *, color: bool = False) -> str:
    lines: list[str] = []
    findings = list(report.findings)
    if report.diff is not None:
        lines.append(render_diff(report.diff).rstrip("\n"))
        findings = [f for f in findings if f.severity is not Severity.NOTE]
        if findings:
            lines.append("")
            lines.append("risks:")
    lines.extend(render_finding(finding, color=color) for finding in findings)
    checked = ", ".join(source.path for source in report.inputs)
    lines.append(f"{report.command}: {report.summary()} ({checked})")
    return redact_text("\n".join(lines)) + "\n"


def render_rules(rules: Sequence[RuleInfo]) -> str:
    rows = [(rule.id, rule.severity.value, rule.name, rule.rationale) for rule in rules]
    return "\n".join(render_table(rows, indent="")) + "\n"
