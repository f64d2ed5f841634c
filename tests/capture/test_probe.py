"""The orchestrator on this very machine, the output-name template and import hygiene."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit.capture.model import DriverVerdict, RuntimeSource, Unknown
from envaudit.capture.probe import capture, capture_python, expand_output_template
from envaudit.formats.capture_text import render_capture
from tests.capture.fakes import FakeMachine
from tests.capture.machines import MACHINES

THIS_MACHINE = (
    Path("/usr/local/cuda-13.0").is_dir() and not Path("/proc/driver/nvidia/version").exists()
)


def test_capture_of_the_running_interpreter_lists_its_packages() -> None:
    result = capture(include_meta=False)
    names = {p.name.lower() for p in result.packages.installed}
    assert {"pytest", "click"} <= names
    assert result.python.version == sys.version.split()[0]  # type: ignore[union-attr]
    assert result.meta == {}


@pytest.mark.skipif(not THIS_MACHINE, reason="only on the project's machine (CUDA 13, no GPU)")
def test_this_machine_no_gpu_cuda_13_toolkit_no_cudnn() -> None:
    result = capture(include_meta=False)
    assert result.gpu.driver == Unknown("no NVIDIA driver: /proc/driver/nvidia/version absent")
    toolkits = [t for t in result.cuda.toolkits if t.path == "/usr/local/cuda-13.0"]
    assert toolkits and str(toolkits[0].version).startswith("13.0")
    assert "/usr/local/cuda" in toolkits[0].aliases
    toolkit_runtime = [r for r in result.cuda.runtimes if r.source is RuntimeSource.TOOLKIT]
    assert [r.cuda for r in toolkit_runtime] == ["13.0"]
    assert all(r.driver_verdict is DriverVerdict.UNKNOWN for r in result.cuda.runtimes)
    assert result.cudnn == ()
    text = render_capture(result)
    assert "gpu driver: unknown (no NVIDIA driver" in text
    assert "cuDNN: none found" in text


def test_capture_python_of_this_interpreter_matches_in_process() -> None:
    there = capture_python(sys.executable, include_meta=False)
    here = capture(include_meta=False)
    assert {(p.name, p.version) for p in there.packages.installed} >= {
        (p.name, p.version)
        for p in here.packages.installed
        if p.location.endswith(("site-packages", "dist-packages"))
    }


def test_prefix_capture_reads_a_conda_env_without_running_it(machine: FakeMachine) -> None:
    MACHINES["conda_cuda11"](machine)
    result = capture(machine.root, prefix="/opt/conda/envs/ml", environ={}, include_meta=False)
    assert result.python.version == "3.10.13"  # type: ignore[union-attr]
    assert result.python.kind.value == "conda"  # type: ignore[union-attr]
    assert any(p.name == "torch" for p in result.packages.installed)


def test_output_template() -> None:
    assert expand_output_template("env-%h.json", "gpu07.cluster.example") == "env-gpu07.json"
    assert expand_output_template("%N/%%h-%x", "gpu07.cluster.example") == (
        "gpu07.cluster.example/%h-%x"
    )
    assert expand_output_template("plain.json", "h") == "plain.json"


def test_meta_holds_time_host_and_generator() -> None:
    meta = capture(hostname="node1").meta
    assert meta["hostname"] == "node1"
    assert meta["generator"].startswith("envaudit ")
    assert meta["captured_at"].endswith("+00:00")


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return set(out.stdout.split())


def test_cli_import_does_not_load_capture_and_probes_do_not_load_torch_or_nvml() -> None:
    assert not {
        m for m in _modules_after("import envaudit.cli") if m.startswith("envaudit.capture")
    }
    loaded = _modules_after(
        "from envaudit.capture.probe import capture\ncapture(include_meta=False)"
    )
    assert not {m for m in loaded if m.split(".")[0] in ("torch", "pynvml", "packaging")}
    assert "importlib.metadata" not in loaded
