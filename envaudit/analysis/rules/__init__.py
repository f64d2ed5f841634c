"""Rules with stable ids over manifests (EA1xx/EA3xx/EA4xx) and diffs (EA5xx).

Importing this package registers every rule module; ``run_manifest_rules`` and
``run_diff_rules`` apply the selected ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from envaudit.analysis.rules import drift, gpu, machine, pinning, sources
from envaudit.analysis.rules.base import Finding, RuleInfo, RuleRegistry, Severity, selected
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import DIFF_CHECKS, MANIFEST_CHECKS
from envaudit.model import Manifest

if TYPE_CHECKING:
    from envaudit.analysis.diff import ManifestDiff

__all__ = [
    "RULES",
    "Finding",
    "RuleInfo",
    "Severity",
    "all_rules",
    "run_diff_rules",
    "run_manifest_rules",
]
_MODULES = (drift, gpu, machine, pinning, sources)  # imported for their registrations


def all_rules() -> list[RuleInfo]:
    return sorted(RULES.values(), key=lambda info: info.id)


def _run(
    registry: RuleRegistry, subject: object, select: Iterable[str], ignore: Iterable[str]
) -> list[Finding]:
    select, ignore = list(select), list(ignore)
    findings: list[Finding] = []
    for rule_ids, check in registry.checks:
        if not any(selected(rule_id, select, ignore) for rule_id in rule_ids):
            continue
        findings.extend(
            finding for finding in check(subject) if selected(finding.rule.id, select, ignore)
        )
    return sorted(findings, key=Finding.sort_key)


def run_manifest_rules(
    manifest: Manifest, *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[Finding]:
    return _run(MANIFEST_CHECKS, manifest, select, ignore)


def run_diff_rules(
    diff: ManifestDiff, *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[Finding]:
    return _run(DIFF_CHECKS, diff, select, ignore)
