"""The issue's acceptance case: 50 generated captures with 3 planted outliers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.cli import main
from envaudit.fleet import FleetOptions, analyse_fleet
from tests.fleet.synthetic import PLANTED_FIELDS, write_planted_fleet


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("caps")
    write_planted_fleet(directory)
    return directory


def test_exactly_the_three_planted_machines_and_fields(fleet_dir: Path) -> None:
    report = analyse_fleet([str(fleet_dir)])
    assert report.machines == 50
    off = {machine: dict(cluster.deviations) for machine, cluster in report.outlier_machines()}
    assert off == PLANTED_FIELDS
    assert [summary.field for summary in report.varying] == [
        "cudnn.wheel",
        "gpu.driver",
        "pypi:nvidia-cudnn-cu12",
        "pypi:xformers",
    ]
    driver = next(s for s in report.varying if s.field == "gpu.driver")
    assert (driver.baseline.value, driver.baseline.count) == ("550.54.15", 49)
    assert [(g.value, g.count, g.machines) for g in driver.outliers] == [
        ("535.104.05", 1, ("node-07",))
    ]
    assert [(c.count, c.is_baseline) for c in report.clusters] == [
        (47, True),
        (1, False),
        (1, False),
        (1, False),
    ]


def test_ea4xx_runs_per_machine(fleet_dir: Path) -> None:
    report = analyse_fleet([str(fleet_dir)])
    assert [(f.rule_id, f.count, f.machines) for f in report.findings] == [
        ("EA403", 1, ("node-41",))
    ]
    assert "CUDA 11: xformers" in report.findings[0].message


def test_text_output_names_machines_and_fails_on_the_error(
    fleet_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", str(fleet_dir)]) == 1  # EA403 is an error
    out = capsys.readouterr().out
    assert out.startswith("envaudit fleet: 50 machines, 4 environments")
    assert "gpu.driver              550.54.15 ×49" in out
    assert "535.104.05 ×1: node-07" in out
    assert "node-23  c" in out and "cudnn.wheel=8.9.7.29, pypi:nvidia-cudnn-cu12=8.9.7.29" in out
    assert main(["fleet", str(fleet_dir), "--fail-on", "never"]) == 0
    assert main(["fleet", str(fleet_dir), "--ignore", "EA403"]) == 0
    assert main(["fleet", str(fleet_dir), "--ignore", "EA403", "--exit-code"]) == 1


def test_json_output(fleet_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["fleet", str(fleet_dir), "--format", "json", "--fail-on", "never"])
    document = json.loads(capsys.readouterr().out)
    assert document["machines"] == 50
    varying = {f["field"]: f for f in document["fields"] if f["outliers"]}
    assert varying["pypi:xformers"]["outliers"] == [
        {"value": "0.0.23.post1+cu118", "count": 1, "machines": ["node-41"]}
    ]
    assert varying["pypi:xformers"]["baseline"]["count"] == 49
    assert document["clusters"][0]["count"] == 47
    assert document["clusters"][0]["deviations"] == {}
    assert document["findings"][0]["rule"] == "EA403"


def test_markdown_output(fleet_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["fleet", str(fleet_dir), "--format", "markdown", "--fail-on", "never"])
    out = capsys.readouterr().out
    assert out.startswith("### envaudit fleet\n\n50 machines")
    assert "| `gpu.driver` | 550.54.15 ×49 | 535.104.05 ×1: node-07 |" in out
    assert "| error | `EA403` mixed-cuda-majors | node-41 |" in out


def test_parallel_workers_give_the_same_report(fleet_dir: Path) -> None:
    files = sorted(str(p) for p in fleet_dir.glob("*.json"))
    sequential = analyse_fleet(files, FleetOptions(jobs=1))
    parallel = analyse_fleet(files * 2, FleetOptions(jobs=2))  # 100 files: over the threshold
    assert parallel.machines == 100
    assert [(s.field, s.baseline.count) for s in parallel.varying] == [
        (s.field, s.baseline.count * 2) for s in sequential.varying
    ]
    assert [c.digest for c in parallel.clusters] == [c.digest for c in sequential.clusters]
    assert parallel.findings[0].count == 2
