"""The benchmark suite's smoke mode (one round, tiny inputs, no peers) keeps it from rotting.

Only that every case runs and the tables print is checked: timings on a shared CI machine
mean nothing, so no ratio or verdict is asserted here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks import inputs, run
from benchmarks.harness import Command, Sample, Samples
from benchmarks.report import Row
from envaudit.loader import load_text

REPO = Path(__file__).parents[1]


def test_smoke_run_prints_every_case_and_the_scaling_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--work", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "| case | what" in out
    for case in ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"):
        assert f"| {case} " in out, f"{case} missing from:\n{out}"
    assert "cpu:" in out and "python:" in out  # the machine is named
    assert "Scaling (in-process" in out
    assert "| growth " in out
    for series in ("parse poetry-lock", "parse uv-lock", "parse requirements", "diff uv-lock"):
        assert series in out


def test_generators_are_deterministic_and_parse_to_the_requested_size() -> None:
    assert inputs.poetry_lock(25) == inputs.poetry_lock(25)
    poetry = load_text(inputs.poetry_lock(25), origin="poetry.lock")
    assert poetry.source.format == "poetry-lock"
    assert len(poetry.packages) == 25
    assert all(package.hashes for package in poetry.packages)

    old, new = inputs.uv_lock_pair(40, 8)
    left = load_text(old, origin="old/uv.lock")
    right = load_text(new, origin="new/uv.lock")
    assert len(left.packages) == 40
    assert {p.key for p in left.packages} != {p.key for p in right.packages}

    requirements = load_text(inputs.requirements_hashed(30), origin="requirements.txt")
    assert len(requirements.packages) == 30
    assert all(len(package.hashes) >= 2 for package in requirements.packages)

    conda = load_text(inputs.conda_lock(60), origin="conda-lock.yml")
    assert conda.source.format == "conda-lock"
    assert len(conda.packages) == 60


def test_fake_site_packages_has_one_dist_info_per_package(tmp_path: Path) -> None:
    site = inputs.fake_site_packages(tmp_path / "site", 12)
    dist_infos = sorted(site.glob("*.dist-info"))
    assert len(dist_infos) == 12
    assert all(
        (info / "METADATA").read_text().startswith("Metadata-Version") for info in dist_infos
    )


def _results(**medians_ms: float) -> dict[str, Samples]:
    return {
        name.replace("_", "-"): Samples(Command(name, ("x",)), [Sample(ms / 1000, 0)])
        for name, ms in medians_ms.items()
    }


def test_a_miss_is_explained_only_when_the_required_stack_alone_takes_the_budget() -> None:
    """The floor rule of run.explain: 95% of the budget, measured in the same run."""
    cli = Row("T1", "envaudit --help", "ms", 120.0, "F", 22.0, 5.0)  # no floor: no click
    library = Row("T3", "library load().to_json(), x", "ms", 230.0, "tomllib+json", 180.0, 1.25)
    rows = [cli, library]
    tight = _results(F=22, import_base=40, import_base_model=84)
    explained, notes = run.explain(rows, tight)
    assert [row.note for row in explained] == ["", "explained: (1)"]
    assert "(44 ms) is already 1.24× the baseline" in notes[0]
    roomy = _results(F=22, import_base=40, import_base_model=60)
    plain, none = run.explain(rows, roomy)
    assert [row.note for row in plain] == ["", ""] and none == []


def test_scaling_growth_pairs_the_sizes_of_each_round() -> None:
    """A slow phase that hits the big size's fastest round cannot fake (or hide) growth."""
    from benchmarks.scaling import Scaling

    # per package: 200 pkgs at 1 ms / 2 ms (fast / slow phase); 3200 pkgs the same, but
    # the big size never ran in a fast phase: minima say 2.0×, the paired rounds 1.0×
    small = [0.2, 0.4, 0.4]
    big = [6.4, 6.4, 6.4]
    rounds = {"parse x": {200: small, 3200: big}}
    minima = {"parse x": {200: min(small), 3200: min(big)}}
    paired = Scaling((200, 3200), minima, rounds)
    assert paired.growth("parse x") == 1.0
    assert Scaling((200, 3200), minima).growth("parse x") == 2.0
    grows = Scaling((200, 3200), minima, {"parse x": {200: small, 3200: [12.8, 12.8, 12.8]}})
    assert grows.growth("parse x") == 2.0


def test_diff_growth_is_explained_only_by_a_reference_that_grows_as_much() -> None:
    from benchmarks.scaling import Scaling, _growth_cell

    def scaling(diff_big: float, hand_big: float) -> Scaling:
        seconds = {
            "diff uv-lock": {200: 0.2, 3200: diff_big},
            "linear dict diff uv-lock": {200: 0.1, 3200: hand_big},
        }
        return Scaling((200, 3200), seconds)

    assert _growth_cell(scaling(3.2, 1.6), "diff uv-lock").endswith("1.00× per pkg, pass")
    assert "explained: the reference grows 1.60×" in _growth_cell(
        scaling(4.8, 2.56), "diff uv-lock"
    )
    assert _growth_cell(scaling(4.8, 1.6), "diff uv-lock") == "1.50× per pkg, FAIL"
    assert _growth_cell(scaling(4.8, 2.56), "linear dict diff uv-lock").endswith("reference")


def test_the_linear_reference_finds_what_the_hand_diff_finds() -> None:
    from benchmarks.inprocess import hand_diff, linear_dict_diff

    old_text, new_text = inputs.uv_lock_pair(60, 9)
    old = load_text(old_text, origin="old/uv.lock").packages
    new = load_text(new_text, origin="new/uv.lock").packages
    by_hand = hand_diff(old, new)
    linear = linear_dict_diff(old, new)
    assert [sorted(part) for part in linear] == [sorted(part) for part in by_hand]
    assert any(by_hand)


def test_a_scaling_round_times_each_series_sizes_back_to_back() -> None:
    from benchmarks.inprocess import _round_order

    names = [f"{series}@{size}" for size in (50, 200, 3200) for series in ("parse a", "parse b")]
    firsts = set()
    for round_index in range(6):
        order = _round_order(names, round_index)
        assert sorted(order) == sorted(names)
        series = [name.rsplit("@", 1)[0] for name in order]
        assert series in (["parse a"] * 3 + ["parse b"] * 3, ["parse b"] * 3 + ["parse a"] * 3)
        firsts.add(order[0])
    assert len(firsts) == 6  # every size of every series leads some round
