"""A CPU-time bound for the resource-limit tests (wall time lies on a shared CI box)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

BOUND_SECONDS = 5.0  # generous: linear work takes well under a second; exponential never ends


@contextmanager
def cpu_bound(seconds: float = BOUND_SECONDS) -> Iterator[None]:
    """Fail when the block used more than ``seconds`` of this process's CPU time."""
    started = time.process_time()
    yield
    used = time.process_time() - started
    assert used < seconds, f"took {used:.2f} s of CPU time (bound {seconds} s)"
