"""Driver <-> CUDA verdicts from the data table ``envaudit/data/cuda_drivers.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from envaudit.capture.model import DriverVerdict

TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "cuda_drivers.json"
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    release: str
    label: str
    linux: str | None
    windows: str | None


@dataclass(frozen=True, slots=True)
class DriverTable:
    releases: tuple[ReleaseRow, ...]
    minor_compat: dict[int, tuple[str | None, str | None]]  # major -> (linux, windows)
    source_url: str


@cache
def load_table(path: Path = TABLE_PATH) -> DriverTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    releases = tuple(
        ReleaseRow(row["release"], row["label"], row["linux"], row["windows"])
        for row in data["releases"]
    )
    minor = {
        int(row["major"]): (row["linux"], row["windows"])
        for row in data["minor_version_compatibility"]
    }
    return DriverTable(releases, minor, data["source"]["url"])


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _NUMBERS.findall(version))


def _release_minimum(
    table: DriverTable, cuda: str, exact: bool, windows: bool
) -> tuple[str, str] | None:
    """(minimum driver, label) for a CUDA version: the exact toolkit release when asked and
    listed, else the lowest minimum listed for its major.minor (its GA)."""
    column = [(row, row.windows if windows else row.linux) for row in table.releases]
    if exact:
        for row, minimum in column:
            if row.release == cuda and minimum:
                return minimum, row.label
    parts = version_tuple(cuda)
    if len(parts) < 2:
        return None
    candidates = [
        (version_tuple(minimum), minimum, row.label)
        for row, minimum in column
        if minimum and version_tuple(row.release)[:2] == parts[:2]
    ]
    if not candidates:
        return None
    _, minimum, label = min(candidates)
    return minimum, label


def driver_verdict(
    cuda: str,
    driver: str | None,
    *,
    exact_release: bool = False,
    windows: bool = False,
    table: DriverTable | None = None,
) -> tuple[DriverVerdict, str]:
    """Can ``driver`` run CUDA ``cuda`` fully, through minor version compatibility, or not?"""
    if driver is None:
        return DriverVerdict.UNKNOWN, "no NVIDIA driver found"
    table = table or load_table()
    installed = version_tuple(driver)
    parts = version_tuple(cuda)
    if not installed or not parts:
        return DriverVerdict.UNKNOWN, f"cannot compare driver {driver!r} with CUDA {cuda!r}"
    release = _release_minimum(table, cuda, exact_release, windows)
    if release is not None and installed >= version_tuple(release[0]):
        return DriverVerdict.FULL, f"driver {driver} >= {release[0]} ({release[1]})"
    compat = table.minor_compat.get(parts[0])
    compat_min = (compat[1] if windows else compat[0]) if compat else None
    if release is not None:
        needed = f"{release[1]} needs >= {release[0]}"
    elif len(parts) < 2:
        needed = f"only the major version is known ({cuda})"
    else:
        needed = f"CUDA {cuda} is not listed"
    if compat_min is not None and installed >= version_tuple(compat_min):
        return (
            DriverVerdict.MINOR_VERSION,
            f"driver {driver}: {needed}; >= {compat_min} allows CUDA {parts[0]}.x through "
            "minor version compatibility (no PTX JIT of newer code)",
        )
    if compat_min is None and release is None:
        return DriverVerdict.UNKNOWN, f"CUDA {cuda} is not in the driver table"
    floor = f"; CUDA {parts[0]}.x needs >= {compat_min} even with minor version compatibility"
    return DriverVerdict.NO, f"driver {driver} too old: {needed}" + (floor if compat_min else "")
