"""The I/O edge of ``fleet``: expand arguments, read captures, fan out over worker processes.

Unreadable captures are reported and skipped, never fatal. Files are split into chunks; each
worker process aggregates its chunks and sends back a small :class:`FleetAggregator` (its
size grows with distinct environments, not with captures), which the parent merges.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from envaudit.errors import EnvauditError, UsageError
from envaudit.fleet.aggregate import DEFAULT_EXAMPLES, FleetAggregator
from envaudit.fleet.facts import (
    MachineFacts,
    UnexpectedShapeError,
    facts_from_bytes,
    facts_from_data,
    facts_from_manifest,
)
from envaudit.fleet.model import FleetReport
from envaudit.fleet.rules import MachineRuleRunner
from envaudit.loader import DEFAULT_MAX_SIZE, check_symlink, decode

STDIN = "-"
PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves
Progress = Callable[[int], None]  # called with the number of captures just finished


@dataclass(frozen=True)
class FleetOptions:
    """What every worker needs to aggregate the same way."""

    examples: int = DEFAULT_EXAMPLES
    ignore_fields: tuple[str, ...] = ()
    rule_select: tuple[str, ...] = ("EA4",)
    rule_ignore: tuple[str, ...] = ()
    max_size: int = DEFAULT_MAX_SIZE
    jobs: int = 1
    allow_outside: bool = False

    def aggregator(self, anchor: dict[str, str] | None) -> FleetAggregator:
        runner = MachineRuleRunner(self.rule_select, self.rule_ignore)
        return FleetAggregator(
            anchor=anchor, examples=self.examples, ignore=self.ignore_fields, rules=runner
        )


def expand_arguments(arguments: Sequence[str]) -> list[str]:
    """Files as given, directories as their ``*.json`` files, unexpanded globs expanded."""
    paths: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if argument == STDIN:
            paths.append(STDIN)
        elif path.is_dir():
            paths.extend(sorted(str(p) for p in path.glob("*.json") if p.is_file()))
        elif not path.exists() and glob.has_magic(argument):
            # glob.glob, not Path.glob: the pattern may be absolute (/shared/caps/*.json)
            matches = sorted(glob.glob(argument, recursive=True))  # noqa: PTH207
            if not matches:
                raise UsageError(f"{argument}: no file matches")
            paths.extend(matches)
        else:
            paths.append(argument)
    return paths


def facts_from_text(data: bytes | str, origin: str) -> MachineFacts:
    """Facts of one capture document: the fast path, else the full parser (located errors)."""
    try:
        if isinstance(data, bytes):
            return facts_from_bytes(data, origin)
        return facts_from_data(json.loads(data), origin)
    except (ValueError, UnexpectedShapeError, RecursionError):
        pass
    from envaudit.sources.capture_json import parse

    text = data if isinstance(data, str) else decode(data, origin)
    return facts_from_manifest(parse(text, origin=origin))


def read_capture(
    path: str, max_size: int = DEFAULT_MAX_SIZE, allow_outside: bool = False
) -> MachineFacts:
    """One capture file; a symlink to a file outside its folder and the working directory is
    refused unless ``allow_outside`` (as for every file envaudit reads)."""
    if not allow_outside:
        check_symlink(Path(path), path)
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(max_size + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > max_size:
        raise UsageError(f"{path}: file is over the {max_size}-byte limit (--max-size)")
    return facts_from_text(data, path)


def _feed(aggregator: FleetAggregator, origin: str, read: Callable[[], MachineFacts]) -> None:
    try:
        aggregator.add(read())
    except EnvauditError as exc:
        aggregator.add_problem(origin, str(exc))


def _aggregate_files(
    paths: Sequence[str], options: FleetOptions, anchor: dict[str, str] | None
) -> FleetAggregator:
    aggregator = options.aggregator(anchor)
    for path in paths:
        _feed(
            aggregator, path, partial(read_capture, path, options.max_size, options.allow_outside)
        )
    return aggregator


def _stream_lines(stream: IO[str]) -> Iterator[tuple[str, str]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield f"{STDIN}:{number}", line


def _first_anchor(paths: Sequence[str], options: FleetOptions) -> dict[str, str] | None:
    """The facts of the first readable capture, shared by every worker as the delta base."""
    probe = options.aggregator(None)
    for path in paths[:50]:
        _feed(probe, path, partial(read_capture, path, options.max_size, options.allow_outside))
        if probe.anchor is not None:
            return probe.anchor
    return None


def _chunks(paths: Sequence[str], jobs: int) -> list[Sequence[str]]:
    size = min(max(len(paths) // (jobs * 8), 16), 500)
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def _aggregate_parallel(
    paths: Sequence[str], options: FleetOptions, progress: Progress | None
) -> Iterable[FleetAggregator]:
    anchor = _first_anchor(paths, options)
    chunks = _chunks(paths, options.jobs)
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        futures = [pool.submit(_aggregate_files, chunk, options, anchor) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            yield future.result()
            if progress:
                progress(len(chunk))


def analyse_fleet(
    arguments: Sequence[str],
    options: FleetOptions | None = None,
    *,
    stdin: IO[str] | None = None,
    progress: Progress | None = None,
) -> FleetReport:
    """Read every capture named by ``arguments`` (files, directories, globs, ``-``) and report."""
    options = options or FleetOptions()
    paths = expand_arguments(arguments)
    files = [path for path in paths if path != STDIN]
    total = options.aggregator(None)
    if options.jobs > 1 and len(files) >= PARALLEL_MIN_FILES:
        for part in _aggregate_parallel(files, options, progress):
            total.merge(part)
    else:
        for path in files:
            _feed(total, path, partial(read_capture, path, options.max_size, options.allow_outside))
            if progress:
                progress(1)
    if STDIN in paths:
        if stdin is None:
            raise UsageError("'-' given but no standard input is available")
        for origin, line in _stream_lines(stdin):
            _feed(total, origin, partial(facts_from_text, line, origin))
    return total.report()


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
