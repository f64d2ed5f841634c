"""Streaming fleet aggregation whose memory grows with distinct environments, not captures.

Each machine's facts are hashed into an environment digest. Machines with a known digest
only bump that cluster's counter (and add their name while fewer than ``examples`` are kept).
A new cluster stores only its *delta*: the fields where it differs from the anchor (the
first machine seen). Per-field value counters are derived from the clusters at the end
(``count(field=value)`` = sum over clusters holding that value), so adding a machine costs
one digest and one dict lookup. Aggregators built over disjoint inputs (one per worker
process) merge exactly.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from envaudit.fleet.facts import MachineFacts, field_category
from envaudit.fleet.model import (
    ABSENT,
    Cluster,
    FieldSummary,
    FleetFinding,
    FleetReport,
    InputProblem,
    ValueGroup,
)

DEFAULT_EXAMPLES = 20
MAX_PROBLEMS_KEPT = 100
FindingKey = tuple[str, str]  # (rule id, message)
Delta = dict[str, str | None]  # field -> value where a cluster differs from the anchor
RuleRunner = Callable[[MachineFacts, Delta], tuple[FindingKey, ...]]


def environment_digest(fields: Mapping[str, str]) -> str:
    """``sha256:<hex>`` of the sorted facts: equal for identical environments, anywhere."""
    text = "\n".join(map("\t".join, sorted(fields.items())))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ClusterState:
    """The running state of one environment: counts, a few names, its delta, its findings."""

    digest: str
    delta: Delta
    findings: tuple[FindingKey, ...]
    count: int = 0
    machines: list[str] = field(default_factory=list)
    first_captured: str | None = None
    last_captured: str | None = None

    def absorb(
        self,
        names: Iterable[str],
        count: int,
        first: str | None,
        last: str | None,
        *,
        examples: int,
    ) -> None:
        self.count += count
        room = examples - len(self.machines)
        if room > 0:
            self.machines.extend(list(names)[:room])
        firsts = [value for value in (self.first_captured, first) if value]
        lasts = [value for value in (self.last_captured, last) if value]
        self.first_captured = min(firsts) if firsts else None
        self.last_captured = max(lasts) if lasts else None


def _delta(anchor: Mapping[str, str], fields: Mapping[str, str]) -> Delta:
    delta: Delta = dict(fields.items() - anchor.items())
    delta.update((key, None) for key in anchor.keys() - fields.keys())
    return delta


class FleetAggregator:
    """Feed it :class:`MachineFacts` (``add``), merge siblings (``merge``), then ``report()``."""

    def __init__(
        self,
        *,
        anchor: Mapping[str, str] | None = None,
        examples: int = DEFAULT_EXAMPLES,
        ignore: Sequence[str] = (),
        rules: RuleRunner | None = None,
    ) -> None:
        self.anchor: dict[str, str] | None = None if anchor is None else dict(anchor)
        self.examples = examples
        self.ignore = tuple(ignore)
        self.rules = rules
        self.machines = 0
        self.clusters: dict[str, ClusterState] = {}
        self.problems: list[InputProblem] = []
        self.problem_count = 0
        self._ignored: dict[str, bool] = {}

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["rules"] = None  # a callable need not travel between processes
        return state

    def _kept(self, fields: dict[str, str]) -> dict[str, str]:
        if not self.ignore:
            return fields
        ignored = self._ignored
        for key in fields.keys() - ignored.keys():
            ignored[key] = any(fnmatch.fnmatchcase(key, pattern) for pattern in self.ignore)
        return {key: value for key, value in fields.items() if not ignored[key]}

    def add(self, facts: MachineFacts) -> None:
        fields = self._kept(facts.fields)
        if self.anchor is None:
            self.anchor = dict(fields)
        digest = environment_digest(fields)
        cluster = self.clusters.get(digest)
        if cluster is None:
            delta = _delta(self.anchor, fields)
            findings = self.rules(facts, delta) if self.rules else ()
            cluster = ClusterState(digest, delta, findings)
            self.clusters[digest] = cluster
        self.machines += 1
        stamp = facts.captured_at
        cluster.absorb((facts.name,), 1, stamp, stamp, examples=self.examples)

    def add_problem(self, origin: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(InputProblem(origin, message))

    def merge(self, other: FleetAggregator) -> None:
        """Fold in an aggregator built over other captures (same ``ignore`` and ``examples``)."""
        self.machines += other.machines
        self.problem_count += other.problem_count
        room = MAX_PROBLEMS_KEPT - len(self.problems)
        self.problems.extend(other.problems[: max(room, 0)])
        if other.anchor is None:
            return
        if self.anchor is None:
            self.anchor = dict(other.anchor)
        same_anchor = other.anchor == self.anchor
        for digest, theirs in other.clusters.items():
            ours = self.clusters.get(digest)
            if ours is None:
                delta = (
                    theirs.delta
                    if same_anchor
                    else _rebase(theirs.delta, other.anchor, self.anchor)
                )
                ours = self.clusters[digest] = ClusterState(digest, delta, theirs.findings)
            ours.absorb(
                theirs.machines,
                theirs.count,
                theirs.first_captured,
                theirs.last_captured,
                examples=self.examples,
            )

    def report(self) -> FleetReport:
        return build_report(self)


def _rebase(delta: Delta, old_anchor: Mapping[str, str], new_anchor: Mapping[str, str]) -> Delta:
    fields = {key: value for key, value in old_anchor.items() if key not in delta}
    fields.update((key, value) for key, value in delta.items() if value is not None)
    return _delta(new_anchor, fields)


def _value_counts(
    anchor: Mapping[str, str], clusters: Iterable[ClusterState], total: int
) -> dict[str, dict[str | None, int]]:
    counts: dict[str, dict[str | None, int]] = {
        key: {value: total} for key, value in anchor.items()
    }
    for cluster in clusters:
        for key, value in cluster.delta.items():
            per_value = counts.setdefault(key, {None: total})
            original = anchor.get(key)
            per_value[original] -= cluster.count
            per_value[value] = per_value.get(value, 0) + cluster.count
    return {key: {v: n for v, n in values.items() if n} for key, values in counts.items()}


def _majority(values: Mapping[str | None, int]) -> str | None:
    return max(values, key=lambda value: (values[value], value is not None, value or ""))


def _cluster_value(cluster: ClusterState, anchor: Mapping[str, str], key: str) -> str | None:
    return cluster.delta[key] if key in cluster.delta else anchor.get(key)


def _outlier_examples(
    clusters: Sequence[ClusterState],
    anchor: Mapping[str, str],
    baseline: Mapping[str, str | None],
    limit: int,
) -> dict[tuple[str, str | None], list[str]]:
    """The first ``limit`` machine names of every non-baseline (field, value), in one pass."""
    anchor_off = [key for key, value in anchor.items() if baseline.get(key) != value]
    found: dict[tuple[str, str | None], list[str]] = {}
    for cluster in clusters:
        items = list(cluster.delta.items())
        items += [(key, anchor[key]) for key in anchor_off if key not in cluster.delta]
        for key, value in items:
            if value == baseline.get(key):
                continue
            names = found.setdefault((key, value), [])
            if len(names) < limit:
                names.extend(cluster.machines[: limit - len(names)])
    return found


def _shown(value: str | None) -> str:
    return ABSENT if value is None else value


def build_report(aggregator: FleetAggregator) -> FleetReport:
    anchor = aggregator.anchor or {}
    ordered = sorted(aggregator.clusters.values(), key=lambda c: (-c.count, c.digest))
    counts = _value_counts(anchor, ordered, aggregator.machines)
    baseline = {key: _majority(values) for key, values in counts.items()}
    examples = _outlier_examples(ordered, anchor, baseline, aggregator.examples)
    summaries = []
    for key in sorted(counts, key=lambda k: (field_category(k), k)):
        values, majority = counts[key], baseline[key]
        others = sorted(
            (value for value in values if value != majority),
            key=lambda v: (-values[v], v or ""),
        )
        outliers = tuple(
            ValueGroup(_shown(v), values[v], tuple(examples.get((key, v), ()))) for v in others
        )
        group = ValueGroup(_shown(majority), values[majority], ())
        summaries.append(FieldSummary(key, field_category(key), group, outliers))
    return FleetReport(
        machines=aggregator.machines,
        fields=tuple(summaries),
        clusters=tuple(_clusters(ordered, anchor, baseline)),
        findings=tuple(_findings(ordered, aggregator.examples)),
        problems=tuple(aggregator.problems),
        problem_count=aggregator.problem_count,
        examples_per_value=aggregator.examples,
    )


def _clusters(
    ordered: Sequence[ClusterState], anchor: Mapping[str, str], baseline: Mapping[str, str | None]
) -> Iterable[Cluster]:
    anchor_off = {key for key, value in anchor.items() if baseline.get(key) != value}
    for position, state in enumerate(ordered, start=1):
        deviations = []
        for key in sorted(anchor_off | state.delta.keys()):
            value = _cluster_value(state, anchor, key)
            if value != baseline.get(key):
                deviations.append((key, _shown(value)))
        yield Cluster(
            id=f"c{position}",
            digest=state.digest,
            count=state.count,
            machines=tuple(state.machines),
            deviations=tuple(deviations),
            first_captured=state.first_captured,
            last_captured=state.last_captured,
        )


def _findings(ordered: Sequence[ClusterState], examples: int) -> Iterable[FleetFinding]:
    from envaudit.analysis.rules.catalogue import RULES

    grouped: dict[FindingKey, tuple[int, list[str]]] = {}
    for cluster in ordered:
        for key in cluster.findings:
            count, names = grouped.get(key, (0, []))
            names.extend(cluster.machines[: max(examples - len(names), 0)])
            grouped[key] = (count + cluster.count, names)
    for (rule_id, message), (count, names) in sorted(
        grouped.items(), key=lambda item: (-RULES[item[0][0]].severity.rank, item[0])
    ):
        rule = RULES[rule_id]
        yield FleetFinding(rule_id, rule.name, rule.severity, message, count, tuple(names))
