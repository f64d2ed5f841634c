"""The collector is paused inside the block and restored after it, errors included."""

from __future__ import annotations

import gc

import pytest

from envaudit.gcpause import gc_paused
from envaudit.loader import load_text


def test_paused_inside_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not re-enable it early
        raise RuntimeError
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        load_text("numpy==1.26.4\n", origin="requirements.txt")
        assert not gc.isenabled()
    finally:
        gc.enable()
