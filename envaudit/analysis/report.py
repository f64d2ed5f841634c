"""What ``check`` and ``diff`` hand to the renderers: findings, plus the diff when there is one."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from envaudit.analysis.rules.base import Finding, Severity
from envaudit.model import SourceInfo
from envaudit.record import record

if TYPE_CHECKING:
    from envaudit.analysis.diff import ManifestDiff


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    NEVER = "never"


@record
class Report:
    """The outcome of one ``check`` (several files) or one ``diff`` (two files)."""

    command: str
    inputs: tuple[SourceInfo, ...]
    findings: tuple[Finding, ...]
    diff: ManifestDiff | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    def fails(self, fail_on: FailOn) -> bool:
        """True when a finding is at or above the ``--fail-on`` threshold."""
        if fail_on is FailOn.NEVER:
            return False
        threshold = Severity(fail_on.value).rank
        return any(finding.severity.rank >= threshold for finding in self.findings)

    def summary(self) -> str:
        parts = [
            f"{self.count(severity)} {severity.value}{'s' if self.count(severity) != 1 else ''}"
            for severity in Severity
        ]
        return ", ".join(parts)


def make_report(
    command: str,
    inputs: Sequence[SourceInfo],
    findings: Sequence[Finding],
    diff: ManifestDiff | None = None,
) -> Report:
    return Report(
        command=command,
        inputs=tuple(inputs),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        diff=diff,
    )
