"""Generated fleets: captures of GPU nodes built from the real Capture model, fast to write.

Each distinct :class:`NodeProfile` is serialised once with ``Capture.to_json`` (so the files
are exactly what ``envaudit capture`` writes); machines of one profile differ only in host name
and capture time, substituted into that text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from envaudit.capture.model import (
    Capture,
    CpuInfo,
    CudaInfo,
    CudaRuntime,
    DriverInfo,
    DriverVerdict,
    GpuInfo,
    InstalledPackage,
    LibraryInstall,
    OsRelease,
    PackageScan,
    PythonInfo,
    PythonKind,
    RuntimeSource,
    SystemInfo,
    TorchBuild,
    Unknown,
)

SITE = "/opt/venv/lib/python3.11/site-packages"
HOST = "@@HOST@@"
TIME = "@@TIME@@"
UNIQUE = "@@UNIQUE@@"  # a package version substituted per machine (one cluster per machine)
NO_NVML = Unknown("NVML unavailable: pynvml is not installed")


@dataclass(frozen=True)
class NodeProfile:
    """What one kind of node has installed; ``replace()`` it to plant a difference."""

    driver: str = "550.54.15"
    cudnn: str = "8.9.2.26"
    torch: str = "2.1.2+cu121"
    xformers: str = "0.0.23.post1+cu121"
    python: str = "3.11.9"
    libc: str = "glibc 2.35"
    filler: int = 294  # packages besides the six above: 300 in all by default
    overrides: tuple[tuple[str, str], ...] = field(default=())  # (package, version)

    def packages(self) -> list[tuple[str, str]]:
        listed = {
            "torch": self.torch,
            "nvidia-cuda-runtime-cu12": "12.1.105",
            "nvidia-cudnn-cu12": self.cudnn,
            "nvidia-nccl-cu12": "2.18.1",
            "numpy": "1.26.4",
            "xformers": self.xformers,
        }
        listed |= {
            f"lib{index:03d}-tools": f"1.{index % 17}.{index % 5}" for index in range(self.filler)
        }
        listed |= dict(self.overrides)
        return sorted(listed.items())


BASELINE = NodeProfile()


def _installed(name: str, version: str) -> InstalledPackage:
    return InstalledPackage(
        name=name,
        version=version,
        location=SITE,
        metadata=f"{name.replace('-', '_')}-{version}.dist-info",
        installer="uv",
        requested=name in {"torch", "numpy", "xformers"},
        direct_url=None,
        shadowed=False,
    )


def _runtime(source: RuntimeSource, version: str, path: str, package: str) -> CudaRuntime:
    return CudaRuntime(
        source,
        version,
        "12.1",
        path,
        package,
        DriverVerdict.FULL,
        "driver >= 530.30.02 (CUDA 12.1 GA)",
    )


def build_capture(
    profile: NodeProfile, *, hostname: str = HOST, captured_at: str = TIME
) -> Capture:
    python = PythonInfo(
        "cpython",
        profile.python,
        "/opt/venv/bin/python",
        "/opt/venv",
        "/usr",
        PythonKind.VENV,
        "uv 0.5.11",
        "cpython-311-x86_64-linux-gnu",
        "",
        "cpython-311",
        False,
        64,
        {"optimize": 0},
    )
    system = SystemInfo(
        "linux",
        "x86_64",
        OsRelease("ubuntu", "22.04", "Ubuntu 22.04.4 LTS"),
        "5.15.0-105-generic",
        profile.libc,
        CpuInfo("AMD EPYC 7763", 128, 128, ("avx2", "fma")),
        None,
    )
    cuda = CudaInfo(
        torch=TorchBuild(profile.torch, "12.1", None, "5c48869085", f"{SITE}/torch/version.py"),
        runtimes=(
            _runtime(RuntimeSource.TORCH, "12.1", f"{SITE}/torch/version.py", "torch"),
            _runtime(
                RuntimeSource.WHEEL,
                "12.1.105",
                f"{SITE}/nvidia/cuda_runtime/lib",
                "nvidia-cuda-runtime-cu12",
            ),
        ),
        toolkits=(),
        nvcc_on_path=None,
    )
    major, minor, patch = (int(part) for part in profile.cudnn.split(".")[:3])
    cudnn = LibraryInstall(
        RuntimeSource.WHEEL,
        profile.cudnn,
        major * 1000 + minor * 100 + patch,
        f"{SITE}/nvidia/cudnn/lib/libcudnn.so.8",
        "dist-info",
        "nvidia-cudnn-cu12",
    )
    nccl = LibraryInstall(
        RuntimeSource.WHEEL,
        "2.18.1",
        21801,
        f"{SITE}/nvidia/nccl/lib",
        "dist-info",
        "nvidia-nccl-cu12",
    )
    return Capture(
        python=python,
        system=system,
        packages=PackageScan((SITE,), tuple(_installed(n, v) for n, v in profile.packages()), ()),
        gpu=GpuInfo(DriverInfo(profile.driver, "/proc/driver/nvidia/version"), NO_NVML, NO_NVML),
        cuda=cuda,
        cudnn=(cudnn,),
        nccl=(nccl,),
        conda=Unknown("not a conda environment: /opt/venv/conda-meta absent"),
        env={"CUBLAS_WORKSPACE_CONFIG": ":4096:8", "PYTHONHASHSEED": "0"},
        meta={"captured_at": captured_at, "generator": "envaudit 0.1.0", "hostname": hostname},
    )


class FleetWriter:
    """Writes ``<dir>/<host>.json`` captures, serialising each distinct profile once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._templates: dict[NodeProfile, str] = {}
        directory.mkdir(parents=True, exist_ok=True)

    def text(self, profile: NodeProfile, hostname: str, captured_at: str, unique: str = "") -> str:
        template = self._templates.get(profile)
        if template is None:
            template = self._templates[profile] = build_capture(profile).to_json()
        text = template.replace(HOST, hostname).replace(TIME, captured_at)
        return text.replace(UNIQUE, unique) if unique else text

    def write(
        self,
        profile: NodeProfile,
        hostname: str,
        captured_at: str = "2025-06-01T00:00:00+00:00",
        unique: str = "",
    ) -> Path:
        path = self.directory / f"{hostname}.json"
        path.write_text(self.text(profile, hostname, captured_at, unique), encoding="utf-8")
        return path


PLANTED = {
    "node-07": replace(BASELINE, driver="535.104.05"),
    "node-23": replace(BASELINE, cudnn="8.9.7.29"),
    "node-41": replace(BASELINE, xformers="0.0.23.post1+cu118"),
}
PLANTED_FIELDS = {
    "node-07": {"gpu.driver": "535.104.05"},
    "node-23": {"cudnn.wheel": "8.9.7.29", "pypi:nvidia-cudnn-cu12": "8.9.7.29"},
    "node-41": {"pypi:xformers": "0.0.23.post1+cu118"},
}


def node_names(count: int) -> list[str]:
    return [f"node-{index:02d}" for index in range(1, count + 1)]


def write_planted_fleet(directory: Path, count: int = 50) -> list[Path]:
    """``count`` nodes, all baseline but the three of :data:`PLANTED`."""
    writer = FleetWriter(directory)
    return [writer.write(PLANTED.get(name, BASELINE), name) for name in node_names(count)]


def profiles_for(
    names: Sequence[str], planted: dict[str, NodeProfile]
) -> Iterable[tuple[str, NodeProfile]]:
    for name in names:
        yield name, planted.get(name, BASELINE)
