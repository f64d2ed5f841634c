"""The fuzz property: a manifest or a located EnvauditError, never a crash or a hang."""

from __future__ import annotations

import collections
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from envaudit.errors import EnvauditError, IncludeError, ParseError
from envaudit.loader import decode, load_text
from envaudit.model import Manifest
from envaudit.redact import redact_text
from tests.fuzz.profile import HANG_SECONDS

# (format, strategy) -> inputs parsed; the long run reports these.
COUNTS: collections.Counter[tuple[str, str]] = collections.Counter()
OUTCOMES: collections.Counter[tuple[str, str]] = collections.Counter()
REPORT = os.environ.get("ENVAUDIT_FUZZ_REPORT")  # where input counts are saved
SECRET = "fuzzS3cr3tTOKEN"  # planted in credential positions by the structure-aware strategies


def count(fmt: str, strategy: str) -> None:
    """Count one input; the long run also saves the counts every 500 inputs."""
    COUNTS[fmt, strategy] += 1
    if REPORT and sum(COUNTS.values()) % 500 == 0:
        write_report(REPORT)


def write_report(path: str, exitstatus: int | None = None) -> None:
    per_format: dict[str, dict[str, int]] = {}
    for (fmt, strategy), number in sorted(COUNTS.items()):
        per_format.setdefault(fmt, {})[strategy] = number
    summary = {
        "inputs": {fmt: {"total": sum(c.values()), **c} for fmt, c in per_format.items()},
        "outcomes": {f"{fmt}:{kind}": n for (fmt, kind), n in sorted(OUTCOMES.items())},
        "exitstatus": exitstatus,
    }
    Path(path).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


class ParserHangError(AssertionError):
    """A single input took longer than HANG_SECONDS."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise ParserHangError(f"parsing one input took over {HANG_SECONDS} s")


@contextmanager
def time_limit(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail when the block runs longer than ``seconds`` (alarm, plus a check afterwards)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    if elapsed > seconds:
        raise ParserHangError(f"parsing one input took {elapsed:.1f} s (limit {seconds} s)")


class FuzzReader:
    """An include reader serving fuzzed texts: ``-r`` of anything returns one of them.

    Includes may name each other in any way (cycles, chains), which is the point.
    """

    MAX_READS = 64  # generated texts include each other freely; keep one input cheap

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts or [""]
        self.served: set[str] = set()
        self.reads = 0

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        self.reads += 1
        if target.startswith("missing") or self.reads > self.MAX_READS:
            raise IncludeError(including, f"cannot include {target!r}: no such file")
        index = sum(map(ord, target)) % len(self.texts)
        self.served.add(target)
        return target, self.texts[index]


def check_error(error: EnvauditError, origins: set[str]) -> None:
    """An error envaudit raises on purpose must say where: a file, and a line or key."""
    assert isinstance(error, ParseError), f"{type(error).__name__} without a location: {error}"
    shown = {redact_text(origin) for origin in origins}  # error paths are stored redacted
    assert error.path in shown, f"error names {error.path!r}, not one of {sorted(shown)}"
    assert str(error).startswith(error.path), str(error)


def check_manifest(manifest: Manifest, *, secret: str | None) -> None:
    assert isinstance(manifest, Manifest)
    stored = manifest.to_json()
    if secret is not None:
        assert secret not in stored, "a planted credential survived into the manifest"


def check_text(
    text: str,
    fmt: str,
    strategy: str,
    *,
    includes: list[str] | None = None,
    secret: str | None = None,
) -> Manifest | None:
    """Parse ``text`` as ``fmt``: a Manifest, or a located ParseError; anything else fails."""
    origin = f"fuzz/input.{fmt}"
    reader = FuzzReader(includes) if includes is not None else None
    count(fmt, strategy)
    try:
        with time_limit():
            manifest = load_text(text, origin=origin, fmt=fmt, reader=reader)
    except EnvauditError as error:
        OUTCOMES[fmt, "error"] += 1
        check_error(error, {origin} | (reader.served if reader is not None else set()))
        return None
    OUTCOMES[fmt, "manifest"] += 1
    check_manifest(manifest, secret=secret)
    return manifest


def check_bytes(data: bytes, fmt: str, strategy: str) -> None:
    """Bytes as they come from disk: decoded the way the loader does, then parsed."""
    origin = f"fuzz/input.{fmt}"
    try:
        text = decode(data, origin)
    except EnvauditError as error:
        count(fmt, strategy)
        check_error(error, {origin})
        return
    check_text(text, fmt, strategy)
