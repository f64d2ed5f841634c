"""The text rendering of captures."""

from __future__ import annotations

from typing import Any

from envaudit.capture.probe import capture
from envaudit.formats.capture_text import render_capture
from tests.capture.fakes import FakeMachine, fake_nvml
from tests.capture.machines import MACHINES


def test_gpu_node_text(machine: FakeMachine, install_nvml: Any) -> None:
    install_nvml(fake_nvml(driver="535.104.05", cuda=12020))
    interpreter, environ = MACHINES["gpu_node_cu121"](machine)
    text = render_capture(
        capture(machine.root, environ=environ, interpreter=interpreter, hostname="node7")
    )
    lines = text.splitlines()
    assert lines[0].startswith("capture of node7 at ")
    assert "python: cpython 3.11.9 (venv, made by uv 0.5.11) /opt/venv/bin/python" in lines
    assert (
        "gpu driver: 535.104.05 (from /proc/driver/nvidia/version, proprietary kernel module)"
        in lines
    )
    assert "  driver supports CUDA up to 12.2" in lines
    assert "torch: 2.1.2+cu121, built for CUDA 12.1" in lines
    assert any(
        line.startswith("  toolkit") and "[driver: minor-version-compatibility]" in line
        for line in lines
    )
    assert (
        "cuda toolkit: /usr/local/cuda-12.4 (also /usr/local/cuda): 12.4.1, nvcc on PATH" in lines
    )
    assert "  PIP_EXTRA_INDEX_URL=https://***@download.pytorch.org/whl/cu121" in lines
    assert "s3cret" not in text


def test_laptop_text_says_what_is_missing(machine: FakeMachine) -> None:
    interpreter, environ = MACHINES["cpu_laptop"](machine)
    text = render_capture(
        capture(machine.root, environ=environ, interpreter=interpreter, include_meta=False)
    )
    assert "torch: 2.3.1+cpu, built for CUDA none (CPU build)" in text
    assert "NCCL: none found" in text
    assert "  shadowed: numpy 2.0.0 at /opt/venv/lib/python3.11/site-packages" in text
    assert "  problem: " in text
    assert "conda: not a conda environment: /opt/venv/conda-meta absent" in text
    assert not text.startswith("capture of")
