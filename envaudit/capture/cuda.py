"""The CUDA probe: every CUDA runtime on the machine, each labelled with where it was found.

torch's build (``torch/version.py`` read as text), ``nvidia-cuda-runtime*`` wheels, toolkits
(``/usr/local/cuda*``, ``CUDA_HOME``), conda packages and ``libcudart.so*`` on the loader path
are reported side by side: the toolkit on PATH is not the runtime torch uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from envaudit.capture import fs
from envaudit.capture.driver_table import driver_verdict
from envaudit.capture.libs import (
    find_library,
    find_on_loader_path,
    major_minor,
    read_defines,
    soname_cuda,
)
from envaudit.capture.model import (
    CondaInfo,
    CudaInfo,
    CudaRuntime,
    CudaToolkit,
    InstalledPackage,
    RuntimeSource,
    TorchBuild,
    Unknown,
)
from envaudit.capture.packages import normalize

# wheel name -> directories (relative to the wheel's location) that hold libcudart
RUNTIME_WHEELS = {
    "nvidia-cuda-runtime-cu11": ("nvidia/cuda_runtime/lib",),
    "nvidia-cuda-runtime-cu12": ("nvidia/cuda_runtime/lib",),
    "nvidia-cuda-runtime": ("nvidia/cu13/lib", "nvidia/cuda_runtime/lib"),
}
CONDA_RUNTIMES = ("cuda-cudart", "cudatoolkit")
_TOOLKIT_DIR = re.compile(r"^cuda(?:-\d+(?:\.\d+)*)?$")
_ASSIGNMENT = re.compile(
    r"^(__version__|cuda|hip|git_version)\s*(?::[^=]*)?=\s*(?:(['\"])(.*?)\2|None)\s*$", re.M
)


@dataclass(frozen=True, slots=True)
class DriverContext:
    """The installed driver (None when there is none) and which column of the table applies."""

    version: str | None
    windows: bool = False


def parse_torch_version_py(text: str, path: str) -> TorchBuild | Unknown:
    values: dict[str, str | None] = {}
    for match in _ASSIGNMENT.finditer(text):
        values.setdefault(match.group(1), match.group(3))
    version = values.get("__version__")
    if not version:
        return Unknown(f"{path}: no __version__ assignment")
    return TorchBuild(
        version=version,
        cuda=values.get("cuda"),
        hip=values.get("hip"),
        git_version=values.get("git_version"),
        path=path,
    )


def probe_torch(
    root: Path, packages: Mapping[str, InstalledPackage]
) -> TorchBuild | Unknown | None:
    torch = packages.get("torch")
    if torch is None:
        return None
    path = fs.join(torch.location, "torch", "version.py")
    text = fs.read_text(root, path, limit=65536)
    if text is None:
        return Unknown(f"torch {torch.version} is installed but {path} is unreadable")
    return parse_torch_version_py(text, path)


def _runtime(
    source: RuntimeSource,
    version: str,
    cuda: str,
    path: str | None,
    driver: DriverContext,
    *,
    package: str | None = None,
    exact_release: bool = False,
) -> CudaRuntime:
    verdict, reason = driver_verdict(
        cuda if not exact_release else version,
        driver.version,
        exact_release=exact_release,
        windows=driver.windows,
    )
    return CudaRuntime(source, version, cuda, path, package, verdict, reason)


def _wheel_runtimes(
    root: Path, packages: Mapping[str, InstalledPackage], driver: DriverContext
) -> list[CudaRuntime]:
    runtimes = []
    for key, lib_dirs in RUNTIME_WHEELS.items():
        package = packages.get(key)
        if package is None:
            continue
        path = None
        for lib_dir in lib_dirs:
            path = find_library(root, fs.join(package.location, lib_dir), "libcudart")
            if path:
                break
        runtimes.append(
            _runtime(
                RuntimeSource.WHEEL,
                package.version,
                major_minor(package.version),
                path,
                driver,
                package=package.name,
            )
        )
    return runtimes


def toolkit_version(root: Path, path: str) -> tuple[str, str] | Unknown:
    """(version, where it was read) for a toolkit directory, best source first."""
    text = fs.read_text(root, fs.join(path, "version.json"), limit=262144)
    if text is not None:
        try:
            data = json.loads(text)
            version = data["cuda"]["version"]
            if isinstance(version, str) and version:
                return version, "version.json"
        except (ValueError, KeyError, TypeError, RecursionError):
            pass
    text = fs.read_text(root, fs.join(path, "version.txt"), limit=4096)
    match = re.search(r"CUDA Version\s+(\d+(?:\.\d+)*)", text or "")
    if match:
        return match.group(1), "version.txt"
    for name in fs.list_dir(root, fs.join(path, "dist-info")):
        wheel = re.match(r"^nvidia_cuda_runtime(?:_cu\d+)?-(\d+(?:\.\d+)*)\.dist-info$", name)
        if wheel:
            return wheel.group(1), "dist-info"
    for header in ("include/cuda_runtime_api.h", "targets/x86_64-linux/include/cuda_runtime_api.h"):
        code = read_defines(root, fs.join(path, header)).get("CUDART_VERSION")
        if code:
            return f"{code // 1000}.{code % 1000 // 10}", "cuda_runtime_api.h"
    return Unknown(f"{path}: no version.json, version.txt, dist-info or cuda_runtime_api.h")


_WRAPPED_NVCC = re.compile(r"(/[^\s'\"]+)/bin/nvcc\b")


def looks_like_toolkit(root: Path, path: str) -> bool:
    markers = ("version.json", "version.txt", "include/cuda_runtime_api.h", "include/cuda.h")
    return any(fs.exists(root, fs.join(path, marker)) for marker in markers)


def nvcc_on_path(root: Path, environ: Mapping[str, str]) -> tuple[str, str | None] | None:
    """(the ``nvcc`` that PATH finds, the toolkit directory it belongs to), or None.

    Follows links, and wrapper scripts such as ``exec /usr/local/cuda-13.0/bin/nvcc "$@"``.
    """
    for entry in environ.get("PATH", "").split(":"):
        if not entry.startswith("/"):
            continue
        nvcc = fs.join(entry, "nvcc")
        if not fs.exists(root, nvcc):
            continue
        real = fs.resolve(root, nvcc)
        bin_dir, _, _ = real.rpartition("/")
        toolkit = bin_dir.rpartition("/")[0] or "/"
        if bin_dir.endswith("/bin") and looks_like_toolkit(root, toolkit):
            return nvcc, toolkit
        head = fs.read_text(root, real, limit=4096) or ""
        match = _WRAPPED_NVCC.search(head) if head.startswith("#!") else None
        return nvcc, fs.resolve(root, match.group(1)) if match else None
    return None


def _toolkit_candidates(
    root: Path, environ: Mapping[str, str], path_nvcc: tuple[str, str | None] | None
) -> list[str]:
    candidates = [
        fs.join("/usr/local", name)
        for name in fs.list_dir(root, "/usr/local")
        if _TOOLKIT_DIR.match(name)
    ]
    candidates.append("/opt/cuda")
    for variable in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"):
        value = environ.get(variable, "")
        if value.startswith("/"):
            candidates.append(value.rstrip("/"))
    if path_nvcc is not None and path_nvcc[1] is not None:
        candidates.append(path_nvcc[1])
    return [c for c in candidates if looks_like_toolkit(root, c)]


def probe_toolkits(
    root: Path, environ: Mapping[str, str], path_nvcc: tuple[str, str | None] | None
) -> list[CudaToolkit]:
    grouped: dict[str, list[str]] = {}
    for candidate in _toolkit_candidates(root, environ, path_nvcc):
        names = grouped.setdefault(fs.resolve(root, candidate), [])
        if candidate not in names:
            names.append(candidate)
    on_path = fs.resolve(root, path_nvcc[1]) if path_nvcc and path_nvcc[1] else None
    toolkits = []
    for real, names in sorted(grouped.items()):
        version = toolkit_version(root, real)
        nvcc = fs.join(real, "bin", "nvcc")
        toolkits.append(
            CudaToolkit(
                path=real,
                version=version if isinstance(version, Unknown) else version[0],
                version_source=None if isinstance(version, Unknown) else version[1],
                aliases=tuple(sorted(name for name in names if name != real)),
                nvcc=nvcc if fs.exists(root, nvcc) else None,
                on_path=real == on_path,
                bundled_driver=_bundled_driver(root, real),
            )
        )
    return toolkits


def _bundled_driver(root: Path, path: str) -> str | None:
    text = fs.read_text(root, fs.join(path, "version.json"), limit=262144)
    try:
        version = json.loads(text or "null")["nvidia_driver"]["version"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    return version if isinstance(version, str) else None


def _toolkit_runtimes(toolkits: list[CudaToolkit], driver: DriverContext) -> list[CudaRuntime]:
    return [
        _runtime(
            RuntimeSource.TOOLKIT,
            toolkit.version,
            major_minor(toolkit.version),
            toolkit.path,
            driver,
            exact_release=toolkit.version_source in ("version.json", "version.txt"),
        )
        for toolkit in toolkits
        if isinstance(toolkit.version, str)
    ]


def _conda_runtimes(conda: CondaInfo | Unknown, driver: DriverContext) -> list[CudaRuntime]:
    if isinstance(conda, Unknown):
        return []
    return [
        _runtime(
            RuntimeSource.CONDA,
            package.version,
            major_minor(package.version),
            fs.join(conda.prefix, "lib"),
            driver,
            package=package.name,
        )
        for package in conda.packages
        if package.name in CONDA_RUNTIMES
    ]


def probe_cuda(
    root: Path,
    *,
    environ: Mapping[str, str],
    installed: list[InstalledPackage],
    conda: CondaInfo | Unknown,
    driver: DriverContext,
    loader_dirs: list[tuple[RuntimeSource, str]],
) -> CudaInfo:
    packages = {normalize(p.name): p for p in installed if not p.shadowed}
    torch = probe_torch(root, packages)
    runtimes: list[CudaRuntime] = []
    if isinstance(torch, TorchBuild) and torch.cuda:
        runtimes.append(
            _runtime(
                RuntimeSource.TORCH, torch.cuda, torch.cuda, torch.path, driver, package="torch"
            )
        )
    runtimes.extend(_wheel_runtimes(root, packages, driver))
    path_nvcc = nvcc_on_path(root, environ)
    toolkits = probe_toolkits(root, environ, path_nvcc)
    runtimes.extend(_toolkit_runtimes(toolkits, driver))
    runtimes.extend(_conda_runtimes(conda, driver))
    for library in find_on_loader_path(root, loader_dirs, "libcudart"):
        cuda = soname_cuda(library.version)
        runtimes.append(_runtime(library.source, library.version, cuda, library.path, driver))
    return CudaInfo(
        torch=torch,
        runtimes=tuple(runtimes),
        toolkits=tuple(toolkits),
        nvcc_on_path=path_nvcc[0] if path_nvcc else None,
    )
