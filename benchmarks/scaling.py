"""Time against input size: parse (per format) and diff, to show growth stays linear."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import inputs
from benchmarks.cases import run_inprocess
from benchmarks.report import FAIL, PASS, format_table

SIZES = (50, 200, 800, 3200)
SMOKE_SIZES = (20, 40)
ROUNDS = 7  # one sample per size and round (see inprocess._rounds)
# calls per round, timed together: every size's sample covers 3,200 packages, so a burst of
# other load is as likely to land in a small size's sample as in the largest one's
PER_ROUND = {50: 64, 200: 16, 800: 4, 3200: 1}
SERIES = (
    "parse poetry-lock",
    "parse uv-lock",
    "parse requirements",
    "parse conda-lock",
    "diff uv-lock",
    "linear dict diff uv-lock",  # the reference: one dict pass each way, the same pairs
)
# series -> a strictly linear pass over the same objects: what this machine's caches do to
# the per-package cost of any code that touches that many objects
REFERENCES = {"diff uv-lock": "linear dict diff uv-lock"}
MAX_GROWTH = 1.2  # per-package cost at the largest size / at 200 packages


@dataclass(frozen=True)
class Scaling:
    sizes: tuple[int, ...]
    seconds: dict[str, dict[int, float]]  # series -> size -> best (minimum) seconds
    # series -> size -> one sample per round, in round order (empty: growth from the minima)
    rounds: dict[str, dict[int, list[float]]] = field(default_factory=dict)

    def per_package_us(self, series: str, size: int) -> float:
        return self.seconds[series][size] / size * 1e6

    def growth(self, series: str) -> float | None:
        """Per-package cost at the largest size over that at 200 (or the smallest) packages.

        Paired by round: the median over rounds of that round's ratio. Both sizes of a round
        ran within seconds of each other, so a slow phase of the machine (they last longer
        than one parse) slows both; the minima of the two sizes may come from different
        phases, which made growth swing between 0.7× and 1.5× from run to run.
        """
        reference = 200 if 200 in self.sizes else self.sizes[0]
        largest = self.sizes[-1]
        if largest == reference:
            return None
        samples = self.rounds.get(series, {})
        big, small = samples.get(largest, []), samples.get(reference, [])
        if big and len(big) == len(small):
            ratios = [b / largest / (s / reference) for b, s in zip(big, small, strict=True)]
            return statistics.median(ratios)
        return self.per_package_us(series, largest) / self.per_package_us(series, reference)

    def as_json(self) -> dict[str, object]:
        return {
            "sizes": list(self.sizes),
            "best_seconds": {s: {str(k): v for k, v in d.items()} for s, d in self.seconds.items()},
            "growth": {series: self.growth(series) for series in self.seconds},
        }


def _write(root: Path, size: int) -> dict[str, str]:
    folder = root / f"n{size}"
    folder.mkdir(parents=True, exist_ok=True)
    old, new = inputs.uv_lock_pair(size, max(2, size // 10), seed=20)
    files = {
        "poetry-lock": ("poetry.lock", inputs.poetry_lock(size, seed=21)),
        "uv-lock": ("old-uv.lock", old),
        "uv-lock-new": ("new-uv.lock", new),
        "requirements": ("requirements.txt", inputs.requirements_hashed(size, seed=22)),
        "conda-lock": ("conda-lock.yml", inputs.conda_lock(size, seed=23)),
    }
    paths = {}
    for kind, (name, text) in files.items():
        path = folder / name
        path.write_text(text)
        paths[kind] = str(path)
    return paths


def measure(root: Path, *, smoke: bool) -> Scaling:
    sizes = SMOKE_SIZES if smoke else SIZES
    files = {str(size): _write(root, size) for size in sizes}
    per_round = {str(size): 1 if smoke else PER_ROUND.get(size, 1) for size in sizes}
    request = {"task": "scaling", "files": files, "rounds": 1 if smoke else ROUNDS}
    timings = run_inprocess({**request, "per_round": per_round})
    seconds: dict[str, dict[int, float]] = {}
    rounds: dict[str, dict[int, list[float]]] = {}
    for key, values in timings.items():
        series, size = key.rsplit("@", 1)
        # the minimum: the cost of the code itself, least disturbed by other load
        seconds.setdefault(series, {})[int(size)] = min(values)
        rounds.setdefault(series, {})[int(size)] = list(values)
    kept = [s for s in SERIES if s in seconds]
    return Scaling(sizes, {s: seconds[s] for s in kept}, {s: rounds[s] for s in kept})


def _growth_cell(result: Scaling, series: str) -> str:
    growth = result.growth(series)
    if growth is None:
        return "-"
    if series in REFERENCES.values():
        return f"{growth:.2f}× per pkg, reference"
    reference = REFERENCES.get(series)
    baseline = result.growth(reference) if reference in result.seconds else None
    if growth <= MAX_GROWTH:
        verdict = PASS
    elif baseline is not None and baseline >= growth:
        # a linear dict pass over the same objects grows as much: caches, not the algorithm
        verdict = f"{FAIL} (explained: the reference grows {baseline:.2f}×)"
    else:
        verdict = FAIL
    return f"{growth:.2f}× per pkg, {verdict}"


def scaling_table(result: Scaling) -> str:
    headers = ["packages", *result.seconds]
    rows = [
        [
            str(size),
            *(
                f"{result.seconds[s][size] * 1000:.1f} ms"
                f" ({result.per_package_us(s, size):.0f} µs/pkg)"
                for s in result.seconds
            ),
        ]
        for size in result.sizes
    ]
    growth_row = ["growth"]
    for series in result.seconds:
        growth_row.append(_growth_cell(result, series))
    rows.append(growth_row)
    reference = 200 if 200 in result.sizes else result.sizes[0]
    note = (
        f"growth = per-package cost at {result.sizes[-1]} packages / at {reference}, the median"
        f" of the rounds' ratios (each round times every size); target ≤ {MAX_GROWTH}×"
    )
    return format_table(headers, rows) + "\n" + note
