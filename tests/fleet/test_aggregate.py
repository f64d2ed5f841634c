"""Streaming aggregation: exact counts, bounded names, mergeable parts, stable digests."""

from __future__ import annotations

import pickle

import pytest

from envaudit.analysis.rules.registry import MANIFEST_CHECKS
from envaudit.fleet.aggregate import FleetAggregator, environment_digest
from envaudit.fleet.facts import MachineFacts
from envaudit.fleet.model import ABSENT
from envaudit.fleet.rules import RULE_IDS, MachineRuleRunner

BASE = {"gpu.driver": "550.54.15", "python.version": "3.11.9", "pypi:numpy": "1.26.4"}


def machine(name: str, captured_at: str | None = None, **changes: str | None) -> MachineFacts:
    fields = dict(BASE)
    for key, value in changes.items():
        field = key.replace("__", ":").replace("_", ".")
        if value is None:
            fields.pop(field, None)
        else:
            fields[field] = value
    return MachineFacts(name, f"caps/{name}.json", captured_at, fields)


def test_digest_is_stable_and_order_independent() -> None:
    forward = environment_digest({"a": "1", "b": "2"})
    assert forward == environment_digest({"b": "2", "a": "1"})
    assert forward != environment_digest({"a": "1", "b": "3"})
    assert forward.startswith("sha256:") and len(forward) == 71


def test_counts_are_exact_and_names_are_bounded() -> None:
    aggregator = FleetAggregator(examples=3)
    for index in range(10):
        aggregator.add(machine(f"old{index}", gpu_driver="535.104.05"))
    for index in range(30):
        aggregator.add(machine(f"n{index}"))
    report = aggregator.report()
    driver = next(s for s in report.fields if s.field == "gpu.driver")
    assert (driver.baseline.value, driver.baseline.count) == ("550.54.15", 30)
    (old,) = driver.outliers
    assert (old.value, old.count, old.machines, old.unnamed) == (
        "535.104.05",
        10,
        ("old0", "old1", "old2"),
        7,
    )
    assert [(c.count, c.machines) for c in report.clusters] == [
        (30, ("n0", "n1", "n2")),
        (10, ("old0", "old1", "old2")),
    ]


def test_the_anchor_may_itself_be_an_outlier() -> None:
    aggregator = FleetAggregator()
    aggregator.add(machine("first", python_version="3.12.1"))  # the anchor
    for index in range(4):
        aggregator.add(machine(f"n{index}"))
    report = aggregator.report()
    python = next(s for s in report.fields if s.field == "python.version")
    assert python.baseline.value == "3.11.9"
    assert [(g.value, g.machines) for g in python.outliers] == [("3.12.1", ("first",))]
    assert [dict(c.deviations) for c in report.clusters] == [{}, {"python.version": "3.12.1"}]


def test_absent_fields_are_values_too() -> None:
    aggregator = FleetAggregator()
    aggregator.add(machine("a"))
    aggregator.add(machine("b", pypi__torch="2.1.2+cu121"))
    aggregator.add(machine("c", pypi__numpy=None))
    report = aggregator.report()
    fields = {s.field: s for s in report.fields}
    assert fields["pypi:torch"].baseline.value == ABSENT
    assert [(g.value, g.machines) for g in fields["pypi:torch"].outliers] == [
        ("2.1.2+cu121", ("b",))
    ]
    assert [(g.value, g.machines) for g in fields["pypi:numpy"].outliers] == [(ABSENT, ("c",))]


def test_no_majority_is_flagged() -> None:
    aggregator = FleetAggregator()
    for name, version in (("a", "535"), ("b", "550"), ("c", "560"), ("d", "550")):
        aggregator.add(machine(name, gpu_driver=version))
    driver = next(s for s in aggregator.report().fields if s.field == "gpu.driver")
    assert driver.baseline.value == "550" and not driver.has_majority


def test_merging_parts_equals_one_pass() -> None:
    machines = [machine(f"m{i}", gpu_driver="535" if i % 7 == 0 else None) for i in range(40)]
    machines = [m if m.fields.get("gpu.driver") else machine(m.name) for m in machines]
    one = FleetAggregator()
    for facts in machines:
        one.add(facts)
    parts = [FleetAggregator(), FleetAggregator(), FleetAggregator()]
    for index, facts in enumerate(machines):
        parts[index % 3].add(facts)  # different anchors: merging re-bases the deltas
    merged = FleetAggregator()
    for part in parts:
        merged.merge(pickle.loads(pickle.dumps(part)))  # parts travel between processes
    expected, got = one.report(), merged.report()
    assert got.machines == expected.machines == 40
    assert [
        (s.field, s.baseline, [(g.value, g.count) for g in s.outliers]) for s in got.fields
    ] == [(s.field, s.baseline, [(g.value, g.count) for g in s.outliers]) for s in expected.fields]
    assert [(c.digest, c.count, c.deviations) for c in got.clusters] == [
        (c.digest, c.count, c.deviations) for c in expected.clusters
    ]


def test_ignored_fields_do_not_split_environments() -> None:
    aggregator = FleetAggregator(ignore=("os.kernel", "env.*"))
    aggregator.add(machine("a", os_kernel="6.1", env_HOME="/root"))
    aggregator.add(machine("b", os_kernel="6.5", env_HOME="/home/b"))
    report = aggregator.report()
    assert len(report.clusters) == 1
    assert {s.field for s in report.fields} == set(BASE)


def test_capture_times_bound_each_environment() -> None:
    aggregator = FleetAggregator()
    aggregator.add(machine("a", "2025-03-01T00:00:00+00:00", gpu_driver="535"))
    aggregator.add(machine("b", "2025-01-01T00:00:00+00:00", gpu_driver="535"))
    aggregator.add(machine("c", None, gpu_driver="535"))
    (cluster,) = aggregator.report().clusters
    assert (cluster.first_captured, cluster.last_captured) == (
        "2025-01-01T00:00:00+00:00",
        "2025-03-01T00:00:00+00:00",
    )


def test_problems_are_counted_and_kept_bounded() -> None:
    aggregator = FleetAggregator()
    for index in range(150):
        aggregator.add_problem(f"caps/{index}.json", "broken")
    report = aggregator.report()
    assert (report.machines, report.problem_count, len(report.problems)) == (0, 150, 100)
    assert report.fields == () and report.clusters == ()


def test_machine_rules_are_memoized_on_what_they_read() -> None:
    runner = MachineRuleRunner()
    calls = []
    original = runner._run

    def counting(facts: MachineFacts) -> tuple[tuple[str, str], ...]:
        calls.append(facts.name)
        return original(facts)

    runner._run = counting  # type: ignore[method-assign]
    aggregator = FleetAggregator(rules=runner)
    aggregator.add(machine("a"))
    aggregator.add(machine("b", pypi__numpy="2.0.0"))  # no rule reads numpy: memo hit
    aggregator.add(machine("c", pypi__nvidia_cudnn_cu11="8.6.0"))  # a CUDA-looking package
    aggregator.add(machine("d", env_PYTHONHASHSEED=""))  # set but empty is not absent
    aggregator.add(machine("e", env_PYTHONHASHSEED="0"))
    assert calls == ["a", "c", "d", "e"]


def test_every_ea4xx_rule_is_known_to_the_fleet_runner() -> None:
    """A new EA4xx rule may read facts the fleet runner does not pass: review fleet/rules.py."""
    registered = {rule for rule_ids, _ in MANIFEST_CHECKS.checks for rule in rule_ids}
    assert {rule for rule in registered if rule.startswith("EA4")} == set(RULE_IDS)


@pytest.mark.parametrize(
    ("threshold", "fails"), [("error", False), ("warning", True), ("note", True), ("never", False)]
)
def test_fails_on_threshold(threshold: str, fails: bool) -> None:
    aggregator = FleetAggregator(rules=MachineRuleRunner())
    # a CUDA torch without a driver (EA406, warning); determinism variables unset (EA408, note)
    aggregator.add(machine("a", torch_version="2.1.2+cu121", cuda_torch="12.1", gpu_driver=None))
    report = aggregator.report()
    assert [(f.rule_id, f.severity.value) for f in report.findings] == [
        ("EA406", "warning"),
        ("EA408", "note"),
    ]
    assert report.fails(threshold) is fails
