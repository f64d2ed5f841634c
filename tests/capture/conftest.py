"""Fixtures of the capture tests: fake machine roots, and no real NVML unless faked."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.capture.fakes import FakeMachine


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    fake = FakeMachine(tmp_path / "root")
    fake.root.mkdir()
    return fake


@pytest.fixture(autouse=True)
def no_nvml(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the real NVML: ``import pynvml`` fails unless a test installs a fake."""
    monkeypatch.setitem(sys.modules, "pynvml", None)
    yield


@pytest.fixture
def install_nvml(monkeypatch: pytest.MonkeyPatch) -> Callable[[types.ModuleType], None]:
    def install(module: types.ModuleType) -> None:
        monkeypatch.setitem(sys.modules, "pynvml", module)

    return install
