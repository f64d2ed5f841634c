"""The system probe: OS release, kernel, libc, CPU model and ISA flags, container hints."""

from __future__ import annotations

from pathlib import Path

from envaudit.capture import fs
from envaudit.capture.model import CpuInfo, OsRelease, SystemInfo, Unknown
from envaudit.capture.python import InterpreterFacts

# CPU flags that change numerics (FMA contraction, AVX-512/AMX kernels in oneDNN/MKL) or
# which wheels and kernels get picked (x86-64-v3 = avx2+fma+bmi2+f16c...).
ISA_FLAGS = frozenset(
    {
        "sse4_2",
        "avx",
        "avx2",
        "fma",
        "f16c",
        "bmi2",
        "avx_vnni",
        "avx512f",
        "avx512bw",
        "avx512cd",
        "avx512dq",
        "avx512vl",
        "avx512_vnni",
        "avx512_bf16",
        "avx512_fp16",
        "amx_bf16",
        "amx_int8",
        "amx_tile",
        "amx_fp16",
        # aarch64 (/proc/cpuinfo "Features")
        "asimd",
        "asimdhp",
        "sve",
        "sve2",
        "bf16",
        "i8mm",
    }
)
_CONTAINER_CGROUP_HINTS = ("docker", "kubepods", "containerd", "libpod", "lxc", "podman")


def parse_os_release(text: str) -> OsRelease:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("\"'")
    return OsRelease(
        id=values.get("ID"),
        version_id=values.get("VERSION_ID"),
        pretty_name=values.get("PRETTY_NAME") or values.get("NAME"),
    )


def _os_release(root: Path) -> OsRelease | Unknown:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        text = fs.read_text(root, path, limit=65536)
        if text is not None:
            return parse_os_release(text)
    return Unknown("no /etc/os-release or /usr/lib/os-release")


def _kernel(root: Path) -> str | Unknown:
    text = fs.read_text(root, "/proc/sys/kernel/osrelease", limit=4096)
    if text and text.strip():
        return text.strip()
    return Unknown("/proc/sys/kernel/osrelease unreadable")


def parse_cpuinfo(text: str, usable_cpus: int | None) -> CpuInfo:
    model: str | None = None
    processors = 0
    flags: set[str] = set()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "processor":
            processors += 1
        elif key in ("model name", "hardware", "cpu model") and model is None:
            model = value.strip() or None
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return CpuInfo(
        model=model,
        logical_cpus=processors or None,
        usable_cpus=usable_cpus,
        isa_flags=tuple(sorted(flags & ISA_FLAGS)),
    )


def _cpu(root: Path, usable_cpus: int | None) -> CpuInfo | Unknown:
    text = fs.read_text(root, "/proc/cpuinfo")
    if text is None:
        return Unknown("/proc/cpuinfo unreadable")
    return parse_cpuinfo(text, usable_cpus)


def _container(root: Path) -> str | None:
    if fs.exists(root, "/.dockerenv"):
        return "docker (/.dockerenv)"
    if fs.exists(root, "/run/.containerenv"):
        return "podman (/run/.containerenv)"
    for path in ("/proc/1/cgroup", "/proc/self/cgroup"):
        text = fs.read_text(root, path, limit=65536) or ""
        for hint in _CONTAINER_CGROUP_HINTS:
            if hint in text:
                return f"{hint} ({path})"
    return None


def probe_system(root: Path, facts: InterpreterFacts) -> SystemInfo:
    libc: str | Unknown = facts.libc or Unknown("the interpreter reports no C library version")
    return SystemInfo(
        platform=facts.platform,
        machine=facts.machine,
        os=_os_release(root),
        kernel=_kernel(root),
        libc=libc,
        cpu=_cpu(root, facts.usable_cpus),
        container=_container(root),
    )
