"""Whole captures of the fake machines: a snapshot each, plus the facts a user would check."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from envaudit.capture.model import Capture, DriverVerdict, RuntimeSource
from envaudit.capture.probe import capture
from envaudit.capture.python import InterpreterFacts
from tests.capture.fakes import FakeMachine, fake_nvml
from tests.capture.machines import MACHINES, gpu_node_cu121

Builder = Callable[[FakeMachine], tuple[InterpreterFacts, dict[str, str]]]


def run(machine: FakeMachine, builder: Builder) -> Capture:
    interpreter, environ = builder(machine)
    return capture(machine.root, environ=environ, include_meta=False, interpreter=interpreter)


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_machine_snapshot(
    name: str, machine: FakeMachine, install_nvml: Any, snapshot: SnapshotAssertion
) -> None:
    if name == "gpu_node_cu121":
        install_nvml(fake_nvml(driver="535.104.05", cuda=12020, devices=_two_a100()))
    result = run(machine, MACHINES[name])
    assert result.to_json() == snapshot
    assert Capture.from_json(result.to_json()) == result


def _two_a100() -> tuple[tuple[str, int, tuple[int, int], str], ...]:
    return (
        ("NVIDIA A100-SXM4-80GB", 81920, (8, 0), "GPU-aaaaaaaa-0000-1111-2222-333344445555"),
        ("NVIDIA A100-SXM4-80GB", 81920, (8, 0), "GPU-bbbbbbbb-0000-1111-2222-333344445555"),
    )


def test_gpu_node_reports_torch_runtime_and_toolkit_separately(
    machine: FakeMachine, install_nvml: Any
) -> None:
    install_nvml(fake_nvml(driver="535.104.05", cuda=12020, devices=_two_a100()))
    result = run(machine, gpu_node_cu121)
    runtimes = {(r.source, r.cuda): r for r in result.cuda.runtimes}
    assert runtimes[(RuntimeSource.TORCH, "12.1")].driver_verdict is DriverVerdict.FULL
    assert runtimes[(RuntimeSource.WHEEL, "12.1")].package == "nvidia-cuda-runtime-cu12"
    toolkit_runtime = runtimes[(RuntimeSource.TOOLKIT, "12.4")]
    assert toolkit_runtime.version == "12.4.1"
    # 12.4 Update 1 needs 550.54.15; 535 runs it only through minor version compatibility
    assert toolkit_runtime.driver_verdict is DriverVerdict.MINOR_VERSION
    assert runtimes[(RuntimeSource.LDCONFIG, "12.4")].version == "12.4.127"
    (toolkit,) = result.cuda.toolkits
    assert toolkit.path == "/usr/local/cuda-12.4"
    assert toolkit.aliases == ("/usr/local/cuda",)
    assert toolkit.on_path is True
    assert toolkit.bundled_driver == "550.54.15"  # shipped with the toolkit, not installed
    assert result.gpu.driver.version == "535.104.05"  # type: ignore[union-attr]
    assert [d.compute_capability for d in result.gpu.devices] == ["8.0", "8.0"]  # type: ignore[union-attr]
    assert result.system.container == "kubepods (/proc/1/cgroup)"


def test_gpu_node_env_is_allow_listed_and_redacted(machine: FakeMachine) -> None:
    result = run(machine, gpu_node_cu121)
    assert result.env == {
        "CUDA_VISIBLE_DEVICES": "0,1",
        "NCCL_IB_DISABLE": "1",
        "OMP_NUM_THREADS": "8",
        "PIP_EXTRA_INDEX_URL": "https://***@download.pytorch.org/whl/cu121",
    }
    text = result.to_json()
    assert "s3cret" not in text
    assert "hf_do_not_capture" not in text


def test_old_driver_cannot_run_cuda_13(machine: FakeMachine) -> None:
    result = run(machine, MACHINES["cu13_old_driver"])
    verdicts = {(r.source, r.version): r.driver_verdict for r in result.cuda.runtimes}
    assert verdicts == {
        (RuntimeSource.TORCH, "13.0"): DriverVerdict.NO,
        (RuntimeSource.WHEEL, "13.0.96"): DriverVerdict.NO,
    }
    reason = result.cuda.runtimes[0].verdict_reason
    assert "535.104.05 too old" in reason and "580.65.06" in reason
    wheel = result.cuda.runtimes[1]
    assert wheel.path == "/opt/venv/lib/python3.11/site-packages/nvidia/cu13/lib/libcudart.so.13"
    assert [(i.version, i.code) for i in result.cudnn] == [("9.13.0.50", 91300)]
    assert result.system.container == "docker (/.dockerenv)"


def test_cpu_laptop_has_no_driver_and_says_why(machine: FakeMachine) -> None:
    result = run(machine, MACHINES["cpu_laptop"])
    assert result.gpu.driver.reason == (  # type: ignore[union-attr]
        "no NVIDIA driver: /proc/driver/nvidia/version absent"
    )
    assert "pynvml is not installed" in result.gpu.devices.reason  # type: ignore[union-attr]
    assert result.cuda.torch.cuda is None  # type: ignore[union-attr]
    (runtime,) = result.cuda.runtimes
    assert (runtime.source, runtime.version) == (RuntimeSource.TOOLKIT, "10.2.89")
    assert runtime.driver_verdict is DriverVerdict.UNKNOWN
    assert [(i.source, i.version, i.code) for i in result.cudnn] == [
        (RuntimeSource.HEADER, "7.6.5", 7605)
    ]
    numpy = [(p.version, p.shadowed) for p in result.packages.installed if p.name == "numpy"]
    assert numpy == [("1.26.4", False), ("2.0.0", True)]
    assert result.packages.problems == (
        "/opt/venv/lib/python3.11/site-packages/broken-1.0.dist-info: no Name/Version in its"
        " metadata",
    )


def test_conda_machine_reads_conda_meta_and_bundled_cudnn(machine: FakeMachine) -> None:
    result = run(machine, MACHINES["conda_cuda11"])
    assert result.python.kind.value == "conda"  # type: ignore[union-attr]
    conda = result.conda
    names = [p.name for p in conda.packages]  # type: ignore[union-attr]
    assert names == ["cudatoolkit", "cudnn", "nccl", "numpy", "python"]
    cudnn = {(i.source, i.version) for i in result.cudnn}
    assert cudnn == {
        (RuntimeSource.TORCH, "8"),
        (RuntimeSource.HEADER, "8.9.2"),
        (RuntimeSource.CONDA, "8.9.2.26"),
    }
    verdicts = {r.source: (r.cuda, r.driver_verdict) for r in result.cuda.runtimes}
    assert verdicts[RuntimeSource.CONDA] == ("11.8", DriverVerdict.MINOR_VERSION)
    assert verdicts[RuntimeSource.TORCH] == ("11.7", DriverVerdict.MINOR_VERSION)
    assert verdicts[RuntimeSource.LD_LIBRARY_PATH] == ("11.8", DriverVerdict.MINOR_VERSION)
    assert verdicts[RuntimeSource.WHEEL] == ("11.7", DriverVerdict.MINOR_VERSION)


def test_snapshots_hold_no_host_paths(machine: FakeMachine) -> None:
    for builder in MACHINES.values():
        text = run(machine, builder).to_json()
        assert str(machine.root) not in text
        json.loads(text)
