"""Fake machines for the capture probes: a temp root with the files a real one would have."""

from __future__ import annotations

import json
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit.capture.python import InterpreterFacts

SITE = "/opt/venv/lib/python3.11/site-packages"
NVRM_535 = (
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
    "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"
)
NVRM_580_OPEN = (
    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build"
    "  (dvs-builder@U16-I2-C03-12-4)  Sun Jul 27 06:54:38 UTC 2025\n"
)
CPUINFO = (
    "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "flags\t\t: fpu sse4_2 avx avx2 fma f16c bmi2 avx512f avx512bw avx512_bf16 amx_bf16 "
    "amx_tile amx_int8 ht\n\n"
    "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "flags\t\t: fpu sse4_2 avx avx2 fma f16c bmi2 avx512f avx512bw avx512_bf16 amx_bf16 "
    "amx_tile amx_int8 ht\n"
)
OS_RELEASE = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n'


def facts(
    prefix: str = "/opt/venv", sys_path: tuple[str, ...] = (SITE,), **changes: Any
) -> InterpreterFacts:
    """The interpreter of a fake machine: fixed, so snapshots do not depend on this host."""
    values: dict[str, Any] = {
        "implementation": "cpython",
        "version": "3.11.9",
        "executable": f"{prefix}/bin/python",
        "prefix": prefix,
        "base_prefix": "/usr",
        "sys_path": sys_path,
        "platform": "linux",
        "machine": "x86_64",
        "abiflags": "",
        "soabi": "cpython-311-x86_64-linux-gnu",
        "cache_tag": "cpython-311",
        "pointer_bits": 64,
        "flags": {"hash_randomization": 1, "optimize": 0},
        "libc": "glibc 2.35",
        "usable_cpus": 2,
    }
    values.update(changes)
    return InterpreterFacts(**values)


@dataclass
class FakeMachine:
    """Writes machine files under ``root`` (paths are the machine's: ``/usr/local/...``)."""

    root: Path

    def write(self, machine_path: str, text: str = "") -> Path:
        path = self.root / machine_path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def link(self, machine_path: str, target: str) -> None:
        path = self.root / machine_path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        path.symlink_to(target)

    def mkdir(self, machine_path: str) -> None:
        (self.root / machine_path.lstrip("/")).mkdir(parents=True, exist_ok=True)

    def dist(
        self,
        name: str,
        version: str,
        site: str = SITE,
        *,
        installer: str | None = "pip",
        requested: bool = False,
        direct_url: dict[str, Any] | None = None,
        files: dict[str, str] | None = None,
    ) -> None:
        """A ``*.dist-info`` directory, plus package files relative to the site directory."""
        base = f"{site}/{name.replace('-', '_')}-{version}.dist-info"
        self.write(f"{base}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        if installer:
            self.write(f"{base}/INSTALLER", installer + "\n")
        if requested:
            self.write(f"{base}/REQUESTED")
        if direct_url is not None:
            self.write(f"{base}/direct_url.json", json.dumps(direct_url))
        for relative, text in (files or {}).items():
            self.write(f"{site}/{relative}", text)

    def base_system(self) -> None:
        self.write("/etc/os-release", OS_RELEASE)
        self.write("/proc/sys/kernel/osrelease", "5.15.0-105-generic\n")
        self.write("/proc/cpuinfo", CPUINFO)
        self.write("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")


def fake_nvml(
    *,
    driver: str = "550.54.15",
    cuda: int = 12040,
    devices: tuple[tuple[str, int, tuple[int, int], str], ...] = (
        ("NVIDIA A100-SXM4-80GB", 81920, (8, 0), "GPU-7b9d1c1e-0000-1111-2222-333344445555"),
    ),
    fail_init: str | None = None,
) -> types.ModuleType:
    """A stand-in for ``pynvml`` (the calls envaudit makes, with bytes names like old versions)."""
    module = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    def init() -> None:
        if fail_init is not None:
            raise NVMLError(fail_init)

    def memory(index: int) -> types.SimpleNamespace:
        return types.SimpleNamespace(total=devices[index][1] * 1024 * 1024, used=0, free=0)

    module.NVMLError = NVMLError  # type: ignore[attr-defined]
    module.nvmlInit = init  # type: ignore[attr-defined]
    module.nvmlShutdown = lambda: None  # type: ignore[attr-defined]
    module.nvmlSystemGetDriverVersion = driver.encode  # type: ignore[attr-defined]
    module.nvmlSystemGetCudaDriverVersion = lambda: cuda  # type: ignore[attr-defined]
    module.nvmlDeviceGetCount = lambda: len(devices)  # type: ignore[attr-defined]
    module.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    module.nvmlDeviceGetName = lambda i: devices[i][0].encode()  # type: ignore[attr-defined]
    module.nvmlDeviceGetMemoryInfo = memory  # type: ignore[attr-defined]
    module.nvmlDeviceGetCudaComputeCapability = lambda i: devices[i][2]  # type: ignore[attr-defined]
    module.nvmlDeviceGetUUID = lambda i: devices[i][3]  # type: ignore[attr-defined]
    return module
