"""JSON rendering of manifests and diffs (deterministic, schema'd)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from envaudit import pretty_json
from envaudit.model import Manifest, Package, SourceInfo
from envaudit.redact import redact_text

if TYPE_CHECKING:  # `show` only writes a manifest: the diff and rule machinery load on use
    from envaudit.analysis.diff import ManifestDiff, PackageChange
    from envaudit.analysis.report import Report
    from envaudit.analysis.rules.base import Finding, RuleInfo

DIFF_SCHEMA_VERSION = "1.0"


def _change_kinds() -> list[Any]:
    from envaudit.analysis.diff import ChangeKind

    return list(ChangeKind)


def _severities() -> list[Any]:
    from envaudit.analysis.rules.base import Severity

    return list(Severity)


def render_manifest(manifest: Manifest) -> str:
    return redact_text(manifest.to_json())


def _package(package: Package | None) -> dict[str, Any] | None:
    if package is None:
        return None
    data: dict[str, Any] = Manifest(source=SourceInfo("", "", ""), packages=(package,)).to_dict()[
        "packages"
    ][0]
    return data


def _change(change: PackageChange) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "ecosystem": change.ecosystem,
        "key": change.key,
        "name": change.name,
        "aspects": [aspect.value for aspect in change.aspects],
        "bump": change.bump.value if change.bump else None,
        "old": _package(change.old),
        "new": _package(change.new),
    }


def diff_to_dict(diff: ManifestDiff) -> dict[str, Any]:
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "left": {"path": diff.left.path, "format": diff.left.format, "digest": diff.left.digest},
        "right": {
            "path": diff.right.path,
            "format": diff.right.format,
            "digest": diff.right.digest,
        },
        "summary": {kind.value: diff.count(kind) for kind in _change_kinds()}
        | {"unchanged": diff.unchanged},
        "sections": [{"section": s.section, "old": s.old, "new": s.new} for s in diff.sections],
        "changes": [_change(change) for change in diff.changes],
        "no_pypi_equivalent": list(diff.no_pypi_equivalent),
    }


def render_diff(diff: ManifestDiff) -> str:
    text = pretty_json.dumps(diff_to_dict(diff))
    return redact_text(text) + "\n"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "package": finding.package,
        "location": {"path": location.path, "line": location.line, "key_path": location.key_path},
    }


def render_report(report: Report) -> str:
    data: dict[str, Any] = {
        "schema_version": DIFF_SCHEMA_VERSION,
        "command": report.command,
        "inputs": [{"path": s.path, "format": s.format, "digest": s.digest} for s in report.inputs],
        "summary": {severity.value: report.count(severity) for severity in _severities()},
        "findings": [finding_to_dict(finding) for finding in report.findings],
    }
    if report.diff is not None:
        data["diff"] = diff_to_dict(report.diff)
    text = pretty_json.dumps(data)
    return redact_text(text) + "\n"


def render_rules(rules: Sequence[RuleInfo]) -> str:
    data = [
        {
            "id": rule.id,
            "name": rule.name,
            "family": rule.family,
            "severity": rule.severity.value,
            "rationale": rule.rationale,
            "fix": rule.fix,
        }
        for rule in rules
    ]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
