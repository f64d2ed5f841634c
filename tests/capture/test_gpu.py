"""The GPU probe: /proc driver version, NVML through a fake pynvml, and its failures."""

from __future__ import annotations

from typing import Any

from envaudit.capture.gpu import hash_uuid, parse_proc_driver_version, probe_gpu
from envaudit.capture.model import DriverInfo, Unknown
from tests.capture.fakes import NVRM_535, NVRM_580_OPEN, FakeMachine, fake_nvml


def test_proc_driver_version_proprietary_and_open_modules() -> None:
    assert parse_proc_driver_version(NVRM_535) == DriverInfo(
        "535.104.05", "/proc/driver/nvidia/version", "proprietary"
    )
    parsed = parse_proc_driver_version(NVRM_580_OPEN)
    assert parsed is not None and (parsed.version, parsed.kernel_module) == ("580.65.06", "open")
    aarch64 = (
        "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  570.124.06  Release Build\n"
    )
    assert parse_proc_driver_version(aarch64) == DriverInfo(
        "570.124.06", "/proc/driver/nvidia/version", "open"
    )
    assert parse_proc_driver_version("garbage\n") is None


def test_no_driver_and_no_nvml(machine: FakeMachine) -> None:
    gpu = probe_gpu(machine.root)
    assert gpu.driver == Unknown("no NVIDIA driver: /proc/driver/nvidia/version absent")
    assert isinstance(gpu.devices, Unknown)
    assert gpu.devices.reason.startswith("NVML unavailable: pynvml is not installed")
    assert gpu.cuda_driver_api == gpu.devices


def test_driver_file_without_version_line(machine: FakeMachine) -> None:
    machine.write("/proc/driver/nvidia/version", "something else\n")
    assert probe_gpu(machine.root).driver == Unknown(
        "/proc/driver/nvidia/version: no 'NVRM version' line"
    )


def test_nvml_devices_with_hashed_uuids(machine: FakeMachine, install_nvml: Any) -> None:
    machine.write("/proc/driver/nvidia/version", NVRM_580_OPEN)
    install_nvml(fake_nvml(driver="580.65.06", cuda=13000))
    gpu = probe_gpu(machine.root)
    assert isinstance(gpu.driver, DriverInfo) and gpu.driver.source == "/proc/driver/nvidia/version"
    assert gpu.cuda_driver_api == "13.0"
    assert not isinstance(gpu.devices, Unknown)
    (device,) = gpu.devices
    assert (device.name, device.memory_mib, device.compute_capability) == (
        "NVIDIA A100-SXM4-80GB",
        81920,
        "8.0",
    )
    raw_uuid = "GPU-7b9d1c1e-0000-1111-2222-333344445555"
    assert device.uuid_sha256 == hash_uuid(raw_uuid)
    assert raw_uuid not in repr(gpu)


def test_nvml_alone_gives_the_driver_when_proc_is_absent(
    machine: FakeMachine, install_nvml: Any
) -> None:
    install_nvml(fake_nvml(driver="551.61", cuda=12040))  # e.g. WSL: no /proc/driver/nvidia
    gpu = probe_gpu(machine.root)
    assert gpu.driver == DriverInfo("551.61", "nvml")


def test_nvml_init_failure_is_explained(machine: FakeMachine, install_nvml: Any) -> None:
    install_nvml(fake_nvml(fail_init="Driver Not Loaded"))
    gpu = probe_gpu(machine.root)
    assert gpu.devices == Unknown("NVML unavailable: Driver Not Loaded")
