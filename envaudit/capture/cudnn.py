"""The cuDNN probe: nvidia-cudnn-* wheels, torch's bundled copy, headers, conda, the loader."""

from __future__ import annotations

from pathlib import Path

from envaudit.capture.model import LibraryInstall
from envaudit.capture.nvlibs import LibrarySpec, SearchPlaces, probe_library, version_numbers


def cudnn_code(major: int, minor: int, patch: int) -> int:
    """``CUDNN_VERSION`` (what ``torch.backends.cudnn.version()`` returns).

    v7/v8: MAJOR*1000 + MINOR*100 + PATCH (8.9.2 -> 8902); v9 on: MAJOR*10000 + MINOR*100 +
    PATCH (9.1.0 -> 90100).
    """
    if major >= 9:
        return major * 10000 + minor * 100 + patch
    return major * 1000 + minor * 100 + patch


def _from_header(defines: dict[str, int]) -> tuple[str, int] | None:
    if "CUDNN_MAJOR" not in defines or "CUDNN_MINOR" not in defines:
        return None
    major, minor = defines["CUDNN_MAJOR"], defines["CUDNN_MINOR"]
    patch = defines.get("CUDNN_PATCHLEVEL", 0)
    return f"{major}.{minor}.{patch}", cudnn_code(major, minor, patch)


def _from_version(version: str) -> int | None:
    numbers = version_numbers(version)
    return cudnn_code(*numbers) if numbers else None


CUDNN = LibrarySpec(
    stem="libcudnn",
    wheels=("nvidia-cudnn-cu11", "nvidia-cudnn-cu12", "nvidia-cudnn-cu13", "nvidia-cudnn"),
    wheel_dir="nvidia/cudnn",
    headers=("cudnn_version.h", "cudnn.h"),  # cudnn.h carries the version up to v7
    version_from_header=_from_header,
    code_from_version=_from_version,
    conda_names=("cudnn",),
)


def probe_cudnn(root: Path, places: SearchPlaces) -> tuple[LibraryInstall, ...]:
    return probe_library(root, CUDNN, places)
