"""In-process measurements, run in a fresh worker process: ``python -m benchmarks.inprocess``.

Reads one JSON request on argv (task and arguments), prints one JSON answer: for every
measured function the list of seconds per call. The functions compared in one ratio are
called alternately, so background load hits them alike.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

Timings = dict[str, list[float]]


def interleave(functions: Mapping[str, Callable[[], object]], repeats: int) -> Timings:
    """Call every function once per round, rotating the order; seconds per call."""
    names = list(functions)
    timings: Timings = {name: [] for name in names}
    for name in names:
        functions[name]()  # warm-up: lazy imports, caches
    for round_index in range(repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            start = time.perf_counter()
            functions[name]()
            timings[name].append(time.perf_counter() - start)
    return timings


def _package_fields(package: Any) -> tuple[object, ...]:
    return (
        package.version,
        package.spec,
        package.build,
        package.hashes,
        package.source,
        package.index,
        package.channel,
        package.markers,
        package.extras,
        package.groups,
        package.optional,
    )


def _by_key(
    old: Iterable[Any], new: Iterable[Any]
) -> tuple[dict[Any, Any], dict[Any, Any], list[Any], list[Any]]:
    """Both sides keyed by (ecosystem, name), and the keys only one side has."""
    left = {(p.ecosystem, p.key): p for p in old}
    right = {(p.ecosystem, p.key): p for p in new}
    added = [key for key in right if key not in left]
    removed = [key for key in left if key not in right]
    return left, right, added, removed


def hand_diff(old: Iterable[Any], new: Iterable[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The baseline of T5: a hand-written dict diff of two package maps."""
    left, right, added, removed = _by_key(old, new)
    changed = [
        key
        for key in sorted(left.keys() & right.keys())
        if _package_fields(left[key]) != _package_fields(right[key])
    ]
    return added, removed, changed


def linear_dict_diff(old: Iterable[Any], new: Iterable[Any]) -> tuple[list[Any], ...]:
    """The scaling reference: one dict pass each way, no sorting, so strictly O(n)."""
    left, right, added, removed = _by_key(old, new)
    changed = [
        key
        for key, package in left.items()
        if key in right and _package_fields(package) != _package_fields(right[key])
    ]
    return added, removed, changed


def _load(path: str) -> Any:
    from envaudit.loader import load

    return load(path)


def task_diff(old: str, new: str, repeats: int) -> Timings:
    """T5: envaudit's diff core against a hand-written dict diff, on parsed manifests."""
    from envaudit.analysis.diff import diff_manifests

    left, right = _load(old), _load(new)
    return interleave(
        {
            "envaudit": lambda: diff_manifests(left, right),
            "hand": lambda: hand_diff(left.packages, right.packages),
        },
        repeats,
    )


def task_yaml(path: str, peers_site: str | None, repeats: int) -> Timings:
    """T6: envaudit's YAML read (and whole conda-lock parse) against PyYAML's C loader."""
    from envaudit.loader import load_text
    from envaudit.sources.structured import load_yaml

    text = Path(path).read_text(encoding="utf-8")
    functions: dict[str, Callable[[], object]] = {
        "envaudit": lambda: load_yaml(text, path),
        "envaudit-parse": lambda: load_text(text, origin=path),
    }
    yaml = _import_pyyaml(peers_site)
    if yaml is not None:
        loader = yaml.CSafeLoader
        functions["pyyaml-c"] = lambda: yaml.load(text, Loader=loader)
    return interleave(functions, repeats)


def _import_pyyaml(peers_site: str | None) -> Any:
    """PyYAML from the peers venv (appended, so it never shadows envaudit's packages)."""
    if peers_site:
        sys.path.append(peers_site)
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        return None
    return yaml if getattr(yaml, "__with_libyaml__", False) else None


def task_scaling(
    files: Mapping[str, Mapping[str, str]], rounds: int, per_round: Mapping[str, int]
) -> Timings:
    """Parse time per format and size, then diff time per size: ``{"SERIES@SIZE": [s...]}``.

    Sizes are interleaved too (every round times every size), so that a burst of background
    load cannot make one size look slower than the others; parse and diff are separate
    phases, so that parsed manifests kept for the diff do not weigh on the parse timings.
    """
    from envaudit.analysis.diff import diff_manifests
    from envaudit.loader import load_text
    from envaudit.sources.hashes import forget_seen_hashes

    parsers: dict[str, Callable[[], object]] = {}
    counts: dict[str, int] = {}
    for size, by_kind in files.items():
        for kind, path in by_kind.items():
            if kind != "uv-lock-new":
                text = Path(path).read_text(encoding="utf-8")
                parsers[f"parse {kind}@{size}"] = _parser(load_text, text, path)
                counts[f"parse {kind}@{size}"] = per_round[size]
    # every timed parse is a first one: the hashes shared by earlier parses are forgotten
    timings = _rounds(parsers, counts, rounds, before_each=forget_seen_hashes)
    parsers.clear()
    differs: dict[str, Callable[[], object]] = {}
    for size, by_kind in files.items():
        old, new = by_kind["uv-lock"], by_kind["uv-lock-new"]
        forget_seen_hashes()  # as in a fresh `envaudit diff`: the pair shares its hashes
        left = load_text(Path(old).read_text(encoding="utf-8"), origin=old)
        right = load_text(Path(new).read_text(encoding="utf-8"), origin=new)
        differs[f"diff uv-lock@{size}"] = _differ(diff_manifests, left, right)
        differs[f"linear dict diff uv-lock@{size}"] = _differ(
            linear_dict_diff, left.packages, right.packages
        )
        counts[f"diff uv-lock@{size}"] = per_round[size]
        counts[f"linear dict diff uv-lock@{size}"] = per_round[size]
    timings.update(_rounds(differs, counts, rounds, before_each=_cache_evictor()))
    return timings


_EVICT_BYTES = 64 << 20  # more than this machine's caches hold


def _cache_evictor() -> Callable[[], None]:
    """A function that overwrites a buffer larger than the CPU caches: the next call starts cold."""
    buffer = bytearray(_EVICT_BYTES)
    pattern = bytes(range(256)) * (_EVICT_BYTES // 256)

    def evict() -> None:
        buffer[:] = pattern

    return evict


def _round_order(names: list[str], round_index: int) -> list[str]:
    """The order of one round: each series' sizes back to back, so that the samples paired
    in a growth ratio are seconds closer than with the series interleaved; both the series
    and the sizes within each rotate from round to round."""
    by_series: dict[str, list[str]] = {}
    for name in names:
        by_series.setdefault(name.rsplit("@", 1)[0], []).append(name)
    groups = list(by_series.values())
    shift = round_index % len(groups)
    order: list[str] = []
    for group in groups[shift:] + groups[:shift]:
        start = round_index % len(group)
        order.extend(group[start:] + group[:start])
    return order


def _rounds(
    functions: Mapping[str, Callable[[], object]],
    counts: Mapping[str, int],
    rounds: int,
    *,
    before_each: Callable[[], None] | None = None,
) -> Timings:
    """Like :func:`interleave`, calling each function ``counts[name]`` times per round and
    recording their mean: one sample per function and round, whatever its count, so that
    the minimum of a small size is not taken over more samples than that of a large one.

    CPU seconds (``process_time``), not wall time: a 3,200-package parse takes seconds, long
    enough for a burst of other load on a 2-core machine to land in it, and CPU time does
    not count the time this process waited for a core.

    ``before_each`` runs before every call, untimed. The diffs use it to flush the CPU
    caches: a diff reads objects made earlier, and called again and again on a 200-package
    pair it runs from a warm cache, which a command that diffs each pair once never does,
    while a 3,200-package pair does not fit the cache at all. The parses use it to forget
    the shared hashes, so that each is a first parse.
    """
    names = list(functions)
    timings: Timings = {name: [] for name in names}
    smallest = min(int(name.rsplit("@", 1)[1]) for name in names)
    for name in names:
        if name.endswith(f"@{smallest}"):
            functions[name]()  # warm-up at the smallest size: lazy imports, caches
    for round_index in range(rounds):
        for name in _round_order(names, round_index):
            function, count = functions[name], counts[name]
            gc.collect()
            spent = 0.0
            for _ in range(count):
                if before_each is not None:
                    before_each()
                start = time.process_time()
                function()
                spent += time.process_time() - start
            timings[name].append(spent / count)
    return timings


def _differ(diff: Callable[[Any, Any], object], left: Any, right: Any) -> Callable[[], object]:
    return lambda: diff(left, right)


def _parser(load_text: Callable[..., object], text: str, origin: str) -> Callable[[], object]:
    return lambda: load_text(text, origin=origin)


def main(argv: list[str] | None = None) -> int:
    request: dict[str, Any] = json.loads((argv or sys.argv[1:])[0])
    task = request.pop("task")
    handlers: dict[str, Callable[..., Timings]] = {
        "diff": task_diff,
        "yaml": task_yaml,
        "scaling": task_scaling,
    }
    result = handlers[task](**request)
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
