"""What ``envaudit fleet`` reports: the baseline per field, outliers, clusters and findings."""

from __future__ import annotations

from dataclasses import dataclass

from envaudit.analysis.rules.base import Severity

ABSENT = "(absent)"  # how a machine that lacks a field (package not installed) is shown


@dataclass(frozen=True, slots=True)
class ValueGroup:
    """The machines holding one value of one field: a count and the first few names."""

    value: str
    count: int
    machines: tuple[str, ...]

    @property
    def unnamed(self) -> int:
        """Machines counted but not named (only the first few names of a group are kept)."""
        return self.count - len(self.machines)


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """One fact across the fleet: the majority value and every other value seen."""

    field: str
    category: str
    baseline: ValueGroup
    outliers: tuple[ValueGroup, ...]

    @property
    def has_majority(self) -> bool:
        total = self.baseline.count + sum(group.count for group in self.outliers)
        return self.baseline.count * 2 > total


@dataclass(frozen=True, slots=True)
class Cluster:
    """Machines whose environments are identical (same digest of every fact)."""

    id: str  # c1, c2... by size
    digest: str  # sha256:<hex> of the sorted facts
    count: int
    machines: tuple[str, ...]  # the first few names
    deviations: tuple[tuple[str, str], ...]  # (field, value) where it differs from baseline
    first_captured: str | None
    last_captured: str | None

    @property
    def is_baseline(self) -> bool:
        return not self.deviations


@dataclass(frozen=True, slots=True)
class FleetFinding:
    """An EA4xx finding and the machines it fires on."""

    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    count: int
    machines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A capture that could not be read; it is reported and left out, never fatal."""

    origin: str
    message: str


@dataclass(frozen=True)
class FleetReport:
    machines: int
    fields: tuple[FieldSummary, ...]  # every field, sorted by category then name
    clusters: tuple[Cluster, ...]  # largest first
    findings: tuple[FleetFinding, ...]
    problems: tuple[InputProblem, ...]
    problem_count: int  # problems may be more than the ones kept
    examples_per_value: int

    @property
    def varying(self) -> tuple[FieldSummary, ...]:
        return tuple(summary for summary in self.fields if summary.outliers)

    def outlier_machines(self) -> list[tuple[str, Cluster]]:
        """Every named machine outside the baseline, with its cluster (largest cluster first)."""
        return [
            (machine, cluster)
            for cluster in self.clusters
            if not cluster.is_baseline
            for machine in cluster.machines
        ]

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at or above ``fail_on`` (error, warning, note; never)."""
        if fail_on == "never":
            return False
        rank = Severity(fail_on).rank
        return any(finding.severity.rank >= rank for finding in self.findings)
