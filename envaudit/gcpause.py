"""Pausing CPython's cyclic garbage collector around bulk work that makes no cycles.

Parsing a lock, diffing two manifests and writing JSON allocate tens of thousands of
containers and free almost none; every collection CPython triggers meanwhile walks the
whole, growing heap for nothing, so their cost per package grew with the input's size.
Reference counting still frees everything as usual; only the cycle search waits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (nested uses are fine)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
