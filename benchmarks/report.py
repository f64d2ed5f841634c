"""Result rows, the printed tables and the machine description."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

PASS = "pass"
FAIL = "FAIL"
INFO = "info"
SKIPPED = "skipped"
PENDING = "pending"


@dataclass(frozen=True)
class Row:
    """One line of the budget table: envaudit's number, the baseline's, and the target ratio.

    ``verdict`` overrides the ratio test (import guard, pending or skipped cases).
    """

    case: str
    title: str
    unit: str
    value: float | None
    baseline_name: str
    baseline: float | None
    target: float | None
    verdict: str | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    @property
    def status(self) -> str:
        if self.verdict is not None:
            return self.verdict
        ratio = self.ratio
        if ratio is None:
            return SKIPPED
        if self.target is None:
            return INFO
        return PASS if ratio <= self.target else FAIL

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio, "status": self.status}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.1f} MB"
    if value >= 1000 and unit == "ms":
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-markdown table (readable in a terminal, pasteable into the README)."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines.extend(
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    )
    return "\n".join(lines)


def budget_table(rows: list[Row]) -> str:
    headers = ["case", "what", "envaudit", "baseline", "baseline time", "ratio", "target", "result"]
    body = [
        [
            row.case,
            row.title,
            _number(row.value, row.unit),
            row.baseline_name,
            _number(row.baseline, row.unit),
            "-" if row.ratio is None else f"{row.ratio:.2f}×",
            "-" if row.target is None else f"≤ {row.target:g}×",
            row.status + (f" ({row.note})" if row.note else ""),
        ]
        for row in rows
    ]
    return format_table(headers, body)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "?"


def _commit(repo: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "?"
    return result.stdout.strip() or "?"


def _versions(names: tuple[str, ...]) -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (OSError, AttributeError):
        return "?"


def machine(repo: Path, peer_versions: dict[str, str], python: str) -> dict[str, str]:
    """What the numbers were measured on."""
    from envaudit import __version__

    ours = _versions(("click", "packaging", "tomlkit", "ruamel.yaml", "ruamel.yaml.clib"))
    return {
        "cpu": f"{_cpu_model()} ({os.cpu_count()} cores)",
        "memory": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_version()} ({python}, deps from {sys.prefix})",
        "envaudit": f"{__version__} @ {_commit(repo)}",
        "envaudit deps": ", ".join(f"{k} {v}" for k, v in ours.items()),
        "peers": ", ".join(f"{k} {v}" for k, v in peer_versions.items()) or "none",
    }
