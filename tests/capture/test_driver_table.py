"""The CUDA <-> driver table (data, checked against NVIDIA's notes) and the verdicts."""

from __future__ import annotations

import json

import pytest

from envaudit.capture.driver_table import TABLE_PATH, driver_verdict, load_table, version_tuple
from envaudit.capture.model import DriverVerdict


def test_table_names_its_source_and_keeps_the_design_anchors() -> None:
    data = json.loads(TABLE_PATH.read_text())
    assert "docs.nvidia.com/cuda" in data["source"]["url"]
    assert "Table 3" in data["source"]["title"]
    linux = {row["release"]: row["linux"] for row in data["releases"]}
    assert linux["13.0.0"] == "580.65.06"
    assert linux["12.8.0"] == "570.26"
    assert linux["12.0.0"] == "525.60.13"
    assert linux["11.8.0"] == "520.61.05"
    compat = {row["major"]: row["linux"] for row in data["minor_version_compatibility"]}
    assert compat == {13: "580", 12: "525.60.13", 11: "450.80.02"}


def test_table_minimums_never_decrease_with_the_release() -> None:
    table = load_table()
    rows = sorted(table.releases, key=lambda row: version_tuple(row.release))
    minimums = [version_tuple(row.linux) for row in rows if row.linux]
    assert minimums == sorted(minimums)


@pytest.mark.parametrize(
    ("cuda", "driver", "exact", "verdict"),
    [
        ("12.1", "535.104.05", False, DriverVerdict.FULL),
        ("12.4.1", "550.54.14", True, DriverVerdict.MINOR_VERSION),  # Update 1 needs .15
        ("12.4", "550.54.14", False, DriverVerdict.FULL),
        ("12.8", "535.104.05", False, DriverVerdict.MINOR_VERSION),
        ("13.0", "535.104.05", False, DriverVerdict.NO),
        ("13.0", "580.65.06", False, DriverVerdict.FULL),
        ("13", "590.44.01", False, DriverVerdict.MINOR_VERSION),  # only the soname major known
        ("12.1", "470.82.01", False, DriverVerdict.NO),
        ("11.8", "470.82.01", False, DriverVerdict.MINOR_VERSION),
        ("11.0", "450.36.06", False, DriverVerdict.FULL),
        ("10.2", "440.33", False, DriverVerdict.FULL),
        ("10.2", "418.39", False, DriverVerdict.NO),
        ("14.0", "600.1", False, DriverVerdict.UNKNOWN),  # newer than the table knows
    ],
)
def test_verdicts(cuda: str, driver: str, exact: bool, verdict: DriverVerdict) -> None:
    assert driver_verdict(cuda, driver, exact_release=exact)[0] is verdict


def test_verdict_reasons_say_what_is_needed() -> None:
    verdict, reason = driver_verdict("13.0", "535.104.05")
    assert verdict is DriverVerdict.NO
    assert reason == (
        "driver 535.104.05 too old: CUDA 13.0 GA needs >= 580.65.06; CUDA 13.x needs >= 580"
        " even with minor version compatibility"
    )
    assert driver_verdict("12.1", None) == (DriverVerdict.UNKNOWN, "no NVIDIA driver found")
    assert driver_verdict("12.1", "535.104.05", windows=True)[0] is DriverVerdict.FULL
    assert driver_verdict("12.1", "530.00", windows=True)[0] is DriverVerdict.MINOR_VERSION
