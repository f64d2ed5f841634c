"""Timing whole processes (wall time and peak RSS), interleaved, and summarising samples."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class BenchmarkError(RuntimeError):
    """A benchmarked command failed: the numbers would be meaningless."""


@dataclass(frozen=True)
class Command:
    """One process to time; ``ok_codes`` are the exit statuses that count as success."""

    name: str
    argv: tuple[str, ...]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    ok_codes: frozenset[int] = frozenset({0})
    max_rounds: int | None = None  # slow peers whose verdict has a wide margin run fewer


@dataclass(frozen=True)
class Sample:
    wall_s: float
    max_rss_kb: int


@dataclass
class Samples:
    """Every sample of one command."""

    command: Command
    values: list[Sample] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(sample.wall_s for sample in self.values)

    @property
    def median_rss_kb(self) -> float:
        return statistics.median(sample.max_rss_kb for sample in self.values)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of benchmarked processes.

    ``PYTHONDONTWRITEBYTECODE`` is dropped: an installed package has its bytecode cached
    (pip compiles on install), so timing imports that recompile every module would
    measure the compiler, not envaudit.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


def run_once(command: Command) -> Sample:
    """Run the command to completion; output is discarded, a failure raises."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        rss_kb = 0
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            rss_kb = int(usage.ru_maxrss)
        else:  # pragma: no cover - Windows has no wait4, so no peak RSS either
            process.wait()
            elapsed = time.perf_counter() - start
        if process.returncode not in command.ok_codes:
            errors.seek(0)
            tail = errors.read()[-2000:].decode("utf-8", "replace")
            raise BenchmarkError(
                f"{command.name}: exit {process.returncode}: {' '.join(command.argv)}\n{tail}"
            )
    return Sample(elapsed, rss_kb)


def run_interleaved(
    commands: Sequence[Command], repeats: int, *, warmup: int = 1, progress: bool = False
) -> dict[str, Samples]:
    """``repeats`` rounds; each round runs every command once, in an order rotated by round.

    Interleaving spreads background load evenly over the commands compared in one ratio.
    """
    unique = list({command.name: command for command in commands}.values())
    results = {command.name: Samples(command) for command in unique}
    for command in unique:
        for _ in range(warmup):
            run_once(command)  # fills the page cache and writes bytecode caches
    for round_index in range(repeats):
        shift = round_index % len(unique) if unique else 0
        for command in unique[shift:] + unique[:shift]:
            if command.max_rounds is None or round_index < command.max_rounds:
                results[command.name].values.append(run_once(command))
        if progress:
            print(f"  round {round_index + 1}/{repeats}", file=sys.stderr, flush=True)
    return results
