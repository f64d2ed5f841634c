"""The terminal rendering of a capture (``envaudit capture --format text``)."""

from __future__ import annotations

from collections.abc import Iterable

from envaudit.capture.model import (
    Capture,
    CondaInfo,
    CudaInfo,
    DriverInfo,
    GpuInfo,
    LibraryInstall,
    PythonInfo,
    SystemInfo,
    TorchBuild,
    Unknown,
)
from envaudit.redact import redact_text

_NOT_FOUND = {
    "cuDNN": "none found (no nvidia-cudnn wheel, no cudnn_version.h/cudnn.h, no libcudnn.so*)",
    "NCCL": "none found (no nvidia-nccl wheel, no nccl.h, no libnccl.so*)",
}


def _value(value: object) -> str:
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    return str(value)


def _python(python: PythonInfo | Unknown) -> list[str]:
    if isinstance(python, Unknown):
        return [f"python: {_value(python)}"]
    creator = f", made by {python.venv_creator}" if python.venv_creator else ""
    threading = ", free-threaded" if python.free_threaded else ""
    return [
        f"python: {python.implementation} {python.version} ({python.kind.value}{creator}"
        f"{threading}) {python.executable}",
        f"  prefix: {python.prefix}"
        + (f" (base {python.base_prefix})" if python.base_prefix != python.prefix else ""),
        f"  abi: {python.abi or '-'}{python.abiflags and ' flags ' + python.abiflags}",
    ]


def _system(system: SystemInfo) -> list[str]:
    os_name = system.os if isinstance(system.os, Unknown) else system.os.pretty_name
    lines = [
        f"os: {_value(os_name)}, kernel {_value(system.kernel)}, {_value(system.libc)}, "
        f"{system.machine}",
    ]
    cpu = system.cpu
    if isinstance(cpu, Unknown):
        lines.append(f"cpu: {_value(cpu)}")
    else:
        lines.append(
            f"cpu: {cpu.model or '?'}, {cpu.usable_cpus or '?'}/{cpu.logical_cpus or '?'} usable,"
            f" {' '.join(cpu.isa_flags) or 'no notable ISA flags'}"
        )
    if system.container:
        lines.append(f"container: {system.container}")
    return lines


def _gpu(gpu: GpuInfo) -> list[str]:
    driver = gpu.driver
    if isinstance(driver, DriverInfo):
        module = f", {driver.kernel_module} kernel module" if driver.kernel_module else ""
        lines = [f"gpu driver: {driver.version} (from {driver.source}{module})"]
    else:
        lines = [f"gpu driver: {_value(driver)}"]
    if isinstance(gpu.cuda_driver_api, str):
        lines.append(f"  driver supports CUDA up to {gpu.cuda_driver_api}")
    if isinstance(gpu.devices, Unknown):
        lines.append(f"  devices: {_value(gpu.devices)}")
    else:
        lines.extend(
            f"  gpu {d.index}: {d.name}, {d.memory_mib or '?'} MiB, "
            f"compute capability {d.compute_capability or '?'}"
            for d in gpu.devices
        )
    return lines


def _cuda(cuda: CudaInfo) -> list[str]:
    torch = cuda.torch
    if torch is None:
        lines = ["torch: not installed"]
    elif isinstance(torch, TorchBuild):
        lines = [f"torch: {torch.version}, built for CUDA {torch.cuda or 'none (CPU build)'}"]
    else:
        lines = [f"torch: {_value(torch)}"]
    if not cuda.runtimes:
        lines.append("cuda runtimes: none found")
    else:
        lines.append("cuda runtimes:")
        lines.extend(
            f"  {r.source.value:<16} CUDA {r.cuda:<6} {r.version:<10} {r.path or ''}"
            f"  [driver: {r.driver_verdict.value}]"
            for r in cuda.runtimes
        )
    for toolkit in cuda.toolkits:
        aliases = f" (also {', '.join(toolkit.aliases)})" if toolkit.aliases else ""
        on_path = ", nvcc on PATH" if toolkit.on_path else ""
        lines.append(f"cuda toolkit: {toolkit.path}{aliases}: {_value(toolkit.version)}{on_path}")
    if cuda.nvcc_on_path and not any(t.on_path for t in cuda.toolkits):
        lines.append(f"nvcc on PATH: {cuda.nvcc_on_path} (toolkit not identified)")
    return lines


def _libraries(title: str, installs: Iterable[LibraryInstall]) -> list[str]:
    rows = list(installs)
    if not rows:
        return [f"{title}: {_NOT_FOUND[title]}"]
    lines = [f"{title}:"]
    lines.extend(
        f"  {i.source.value:<16} {i.version or '?':<12} {i.path}  ({i.evidence})" for i in rows
    )
    return lines


def _packages(capture: Capture) -> list[str]:
    scan = capture.packages
    shadowed = [p for p in scan.installed if p.shadowed]
    lines = [f"packages: {len(scan.installed) - len(shadowed)} installed"]
    lines.extend(f"  shadowed: {p.name} {p.version} at {p.location}" for p in shadowed)
    lines.extend(f"  problem: {problem}" for problem in scan.problems)
    return lines


def _conda(conda: CondaInfo | Unknown) -> list[str]:
    if isinstance(conda, Unknown):
        return [f"conda: {conda.reason}"]
    return [f"conda: {conda.prefix}, {len(conda.packages)} packages"]


def render_capture(capture: Capture) -> str:
    """A short, human summary; ``--format json`` has everything."""
    lines: list[str] = []
    if capture.meta:
        lines.append(
            f"capture of {capture.meta.get('hostname', '?')} at "
            f"{capture.meta.get('captured_at', '?')}"
        )
    lines += _python(capture.python) + _system(capture.system) + _gpu(capture.gpu)
    lines += _cuda(capture.cuda)
    lines += _libraries("cuDNN", capture.cudnn) + _libraries("NCCL", capture.nccl)
    lines += _packages(capture) + _conda(capture.conda)
    if capture.env:
        lines.append("env:")
        lines.extend(f"  {name}={value}" for name, value in capture.env.items())
    return redact_text("\n".join(lines)) + "\n"
