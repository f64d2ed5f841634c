"""The GPU probe: the NVIDIA driver from /proc, then devices through NVML when pynvml is there.

``pynvml`` (the ``nvidia-ml-py`` distribution, envaudit's ``gpu`` extra) is imported here and
only here, lazily, so that nothing else pays for it or depends on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path
from typing import Any

from envaudit.capture import fs
from envaudit.capture.model import DriverInfo, GpuDevice, GpuInfo, Unknown

PROC_DRIVER_VERSION = "/proc/driver/nvidia/version"
_NVRM = re.compile(r"NVRM version:.*?\b(\d+\.\d+(?:\.\d+)*)\b")


def parse_proc_driver_version(text: str) -> DriverInfo | None:
    """``NVRM version: NVIDIA UNIX [Open ]Kernel Module [for x86_64]  550.54.15  ...``."""
    for line in text.splitlines():
        match = _NVRM.search(line)
        if match:
            module = "open" if "Open Kernel Module" in line else "proprietary"
            return DriverInfo(match.group(1), PROC_DRIVER_VERSION, module)
    return None


def _proc_driver(root: Path) -> DriverInfo | Unknown:
    text = fs.read_text(root, PROC_DRIVER_VERSION, limit=65536)
    if text is None:
        return Unknown(f"no NVIDIA driver: {PROC_DRIVER_VERSION} absent")
    parsed = parse_proc_driver_version(text)
    if parsed is None:
        return Unknown(f"{PROC_DRIVER_VERSION}: no 'NVRM version' line")
    return parsed


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def hash_uuid(uuid: str) -> str:
    return hashlib.sha256(uuid.encode("utf-8")).hexdigest()[:16]


def _cuda_version(code: int) -> str:
    return f"{code // 1000}.{code % 1000 // 10}"


def _device(nvml: Any, index: int) -> GpuDevice:
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    memory = nvml.nvmlDeviceGetMemoryInfo(handle)
    major, minor = nvml.nvmlDeviceGetCudaComputeCapability(handle)
    return GpuDevice(
        index=index,
        name=_text(nvml.nvmlDeviceGetName(handle)),
        memory_mib=int(memory.total) // (1024 * 1024),
        compute_capability=f"{int(major)}.{int(minor)}",
        uuid_sha256=hash_uuid(_text(nvml.nvmlDeviceGetUUID(handle))),
    )


def _query_nvml() -> tuple[str, str, tuple[GpuDevice, ...]] | Unknown:
    """(driver, CUDA driver API version, devices) from NVML, or why NVML could not tell."""
    try:
        import pynvml
    except ImportError:
        return Unknown("NVML unavailable: pynvml is not installed (pip install 'envaudit[gpu]')")
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError_LibraryNotFound, _DriverNotLoaded, OSError...
        return Unknown(f"NVML unavailable: {_text(exc) or type(exc).__name__}")
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        cuda = _cuda_version(int(pynvml.nvmlSystemGetCudaDriverVersion()))
        count = int(pynvml.nvmlDeviceGetCount())
        devices = tuple(_device(pynvml, index) for index in range(count))
    except Exception as exc:
        return Unknown(f"NVML query failed: {_text(exc) or type(exc).__name__}")
    finally:
        with contextlib.suppress(Exception):  # shutting down is best effort
            pynvml.nvmlShutdown()
    return driver, cuda, devices


def probe_gpu(root: Path) -> GpuInfo:
    driver = _proc_driver(root)
    nvml = _query_nvml()
    if isinstance(nvml, Unknown):
        return GpuInfo(driver=driver, cuda_driver_api=nvml, devices=nvml)
    nvml_driver, cuda_api, devices = nvml
    if isinstance(driver, Unknown):
        driver = DriverInfo(nvml_driver, "nvml")
    return GpuInfo(driver=driver, cuda_driver_api=cuda_api, devices=devices)
