"""Run the long fuzz profile in parallel chunks: ``python -m tests.fuzz.run_long``.

Each fuzz test (one node id) runs in its own pytest process with ``ENVAUDIT_FUZZ=long``,
``--workers`` at a time, each stopped after ``--seconds`` (its input counts are saved
every 500 inputs, so a stopped test still reports what it ran). The summary of inputs per
parser is written to ``<out>/summary.json``; failures leave their log in ``<out>/``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _node_ids() -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/fuzz"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    skipped = ("test_every_format_has_seeds", "test_every_registered_format_is_fuzzed")
    return [
        line
        for line in listing.splitlines()
        if "::" in line and not any(name in line for name in skipped)
    ]


def _run(node: str, out: Path, seconds: int) -> tuple[str, str]:
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in node.split("::", 1)[1])
    env = {**os.environ, "ENVAUDIT_FUZZ": "long", "ENVAUDIT_FUZZ_REPORT": str(out / f"{name}.json")}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", node]
    with (out / f"{name}.log").open("w") as log:
        try:
            result = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=seconds, check=False
            )
        except subprocess.TimeoutExpired:
            return node, "stopped"
    return node, "passed" if result.returncode == 0 else f"FAILED ({result.returncode})"


def _summary(out: Path, outcomes: dict[str, str]) -> dict[str, object]:
    per_format: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for report in out.glob("*.json"):
        if report.name == "summary.json":
            continue
        for fmt, counts in json.loads(report.read_text())["inputs"].items():
            per_format[fmt].update({k: v for k, v in counts.items() if k != "total"})
    return {
        "inputs_per_parser": {
            fmt: {"total": sum(c.values()), **dict(sorted(c.items()))}
            for fmt, c in sorted(per_format.items())
        },
        "tests": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=60, help="time limit of one test")
    parser.add_argument("--out", type=Path, default=Path(".hypothesis") / "fuzz-long")
    parser.add_argument("-k", default="", help="only node ids containing one of these (a,b)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    nodes = [node for node in _node_ids() if any(part in node for part in args.k.split(","))]
    with ThreadPoolExecutor(args.workers) as pool:
        results = dict(pool.map(lambda node: _run(node, args.out, args.seconds), nodes))
    summary = _summary(args.out, results)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary["inputs_per_parser"], indent=1))
    failed = [node for node, outcome in results.items() if outcome.startswith("FAILED")]
    print(f"{len(nodes)} tests, {len(failed)} failed: {failed}")


if __name__ == "__main__":
    main()
