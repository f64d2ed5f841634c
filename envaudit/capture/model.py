"""The typed, frozen capture of one machine, with a deterministic JSON round-trip.

Every section a probe could not determine is an explicit :class:`Unknown` carrying the
reason, never a silent ``None``. ``meta`` (time, host name, generator) is the only part that
changes between two captures of an unchanged machine; ``--no-meta`` leaves it empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from envaudit import pretty_json

CAPTURE_VERSION = "1.0"
CAPTURE_VERSION_KEY = "capture_version"


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact a probe could not determine, and why (``no NVIDIA driver: ... absent``)."""

    reason: str


class PythonKind(StrEnum):
    """Where the interpreter's prefix comes from."""

    VENV = "venv"
    CONDA = "conda"
    SYSTEM = "system"
    UV_MANAGED = "uv-managed"


class RuntimeSource(StrEnum):
    """Where a CUDA runtime (or cuDNN / NCCL library) was found."""

    TORCH = "torch"  # torch/version.py, or a library bundled in torch/lib
    WHEEL = "wheel"  # an nvidia-* wheel's dist-info
    TOOLKIT = "toolkit"  # /usr/local/cuda*, CUDA_HOME
    HEADER = "header"  # cudnn_version.h / nccl.h in an include directory
    CONDA = "conda"  # a conda-meta record
    LD_LIBRARY_PATH = "ld_library_path"
    LDCONFIG = "ldconfig"  # a directory of /etc/ld.so.conf or the loader's defaults


class DriverVerdict(StrEnum):
    """Whether the installed driver can run a CUDA runtime."""

    FULL = "full"
    MINOR_VERSION = "minor-version-compatibility"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PythonInfo:
    implementation: str
    version: str
    executable: str
    prefix: str
    base_prefix: str
    kind: PythonKind
    venv_creator: str | None  # "uv 0.5.1", "virtualenv 20.26.0", "venv"
    abi: str | None  # SOABI, e.g. cpython-311-x86_64-linux-gnu
    abiflags: str
    cache_tag: str | None
    free_threaded: bool
    pointer_bits: int
    flags: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class OsRelease:
    id: str | None
    version_id: str | None
    pretty_name: str | None


@dataclass(frozen=True, slots=True)
class CpuInfo:
    model: str | None
    logical_cpus: int | None  # processors listed in /proc/cpuinfo
    usable_cpus: int | None  # the interpreter's affinity mask
    isa_flags: tuple[str, ...]  # only the flags that change numerics or wheel selection


@dataclass(frozen=True, slots=True)
class SystemInfo:
    platform: str  # sys.platform
    machine: str
    os: OsRelease | Unknown
    kernel: str | Unknown
    libc: str | Unknown  # "glibc 2.36"
    cpu: CpuInfo | Unknown
    container: str | None  # "docker (/.dockerenv)", None when no hint


@dataclass(frozen=True, slots=True)
class DirectUrl:
    """PEP 610 ``direct_url.json``: how a distribution was installed from a URL or path."""

    url: str
    kind: str  # vcs | archive | dir
    vcs: str | None = None
    commit: str | None = None
    requested_revision: str | None = None
    editable: bool = False
    archive_hash: str | None = None
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    name: str
    version: str
    location: str  # the sys.path entry holding the metadata directory
    metadata: str  # foo-1.0.dist-info / foo.egg-info
    installer: str | None
    requested: bool
    direct_url: DirectUrl | None
    shadowed: bool  # an earlier sys.path entry has the same name: this copy is not imported


@dataclass(frozen=True, slots=True)
class PackageScan:
    paths: tuple[str, ...]  # the sys.path entries scanned, in order
    installed: tuple[InstalledPackage, ...]
    problems: tuple[str, ...]  # metadata directories that could not be read


@dataclass(frozen=True, slots=True)
class DriverInfo:
    version: str
    source: str  # /proc/driver/nvidia/version or nvml
    kernel_module: str | None = None  # open | proprietary


@dataclass(frozen=True, slots=True)
class GpuDevice:
    index: int
    name: str
    memory_mib: int | None
    compute_capability: str | None
    uuid_sha256: str | None  # first 16 hex digits of sha256(UUID): stable, not the raw UUID


@dataclass(frozen=True, slots=True)
class GpuInfo:
    driver: DriverInfo | Unknown
    cuda_driver_api: str | Unknown  # the newest CUDA the driver supports (NVML), e.g. 12.4
    devices: tuple[GpuDevice, ...] | Unknown


@dataclass(frozen=True, slots=True)
class TorchBuild:
    version: str
    cuda: str | None
    hip: str | None
    git_version: str | None
    path: str


@dataclass(frozen=True, slots=True)
class CudaRuntime:
    source: RuntimeSource
    version: str  # as found: 12.1 (torch), 12.4.127 (wheel), 12.4.1 (toolkit), 13 (soname)
    cuda: str  # the CUDA release it belongs to: major.minor, or the major alone
    path: str | None
    package: str | None
    driver_verdict: DriverVerdict
    verdict_reason: str


@dataclass(frozen=True, slots=True)
class CudaToolkit:
    path: str
    version: str | Unknown
    version_source: str | None  # version.json | version.txt | dist-info | cuda_runtime_api.h
    aliases: tuple[str, ...]  # other names for the same directory (/usr/local/cuda)
    nvcc: str | None
    on_path: bool  # its bin/ is on PATH: what `nvcc` and extension builds use
    bundled_driver: str | None  # version.json's nvidia_driver: shipped, not installed


@dataclass(frozen=True, slots=True)
class CudaInfo:
    torch: TorchBuild | Unknown | None  # None: torch is not installed
    runtimes: tuple[CudaRuntime, ...]
    toolkits: tuple[CudaToolkit, ...]
    nvcc_on_path: str | None  # the nvcc a build would run; on_path marks its toolkit


@dataclass(frozen=True, slots=True)
class LibraryInstall:
    """One copy of cuDNN or NCCL and what it says its version is."""

    source: RuntimeSource
    version: str | None
    code: int | None  # CUDNN_VERSION / NCCL_VERSION_CODE as the library reports it
    path: str
    evidence: str  # dist-info, cudnn_version.h, libcudnn.so.9, conda-meta
    package: str | None = None


@dataclass(frozen=True, slots=True)
class CondaPackage:
    name: str
    version: str
    build: str | None
    channel: str | None
    subdir: str | None
    md5: str | None
    sha256: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class CondaInfo:
    prefix: str
    packages: tuple[CondaPackage, ...]


@dataclass(frozen=True)
class Capture:
    """Everything ``envaudit capture`` knows about one machine and one interpreter."""

    python: PythonInfo | Unknown
    system: SystemInfo
    packages: PackageScan
    gpu: GpuInfo
    cuda: CudaInfo
    cudnn: tuple[LibraryInstall, ...]
    nccl: tuple[LibraryInstall, ...]
    conda: CondaInfo | Unknown
    env: Mapping[str, str]
    meta: Mapping[str, str] = field(default_factory=dict)
    capture_version: str = CAPTURE_VERSION

    def to_dict(self) -> dict[str, Any]:
        from envaudit.capture.serialize import dump_capture

        return dump_capture(self)

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, lists in probe order; ``meta`` only when present."""

        return pretty_json.dumps(self.to_dict()) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Capture:
        """Raises :class:`envaudit.capture.serialize.CaptureDataError` naming the bad key."""
        from envaudit.capture.serialize import load_capture

        return load_capture(data)

    @classmethod
    def from_json(cls, text: str) -> Capture:
        import json

        return cls.from_dict(json.loads(text))
