"""The NCCL probe: nvidia-nccl-* wheels, torch's bundled copy, nccl.h, conda, the loader."""

from __future__ import annotations

from pathlib import Path

from envaudit.capture.model import LibraryInstall
from envaudit.capture.nvlibs import LibrarySpec, SearchPlaces, probe_library, version_numbers


def nccl_code(major: int, minor: int, patch: int) -> int:
    """``NCCL_VERSION_CODE``: X*1000+Y*100+Z up to 2.8, X*10000+Y*100+Z from 2.9 on."""
    if major <= 2 and minor <= 8:
        return major * 1000 + minor * 100 + patch
    return major * 10000 + minor * 100 + patch


def _from_header(defines: dict[str, int]) -> tuple[str, int] | None:
    if "NCCL_MAJOR" not in defines or "NCCL_MINOR" not in defines:
        return None
    major, minor = defines["NCCL_MAJOR"], defines["NCCL_MINOR"]
    patch = defines.get("NCCL_PATCH", 0)
    code = defines.get("NCCL_VERSION_CODE") or nccl_code(major, minor, patch)
    return f"{major}.{minor}.{patch}", code


def _from_version(version: str) -> int | None:
    numbers = version_numbers(version)
    return nccl_code(*numbers) if numbers else None


NCCL = LibrarySpec(
    stem="libnccl",
    wheels=("nvidia-nccl-cu11", "nvidia-nccl-cu12", "nvidia-nccl-cu13", "nvidia-nccl"),
    wheel_dir="nvidia/nccl",
    headers=("nccl.h",),
    version_from_header=_from_header,
    code_from_version=_from_version,
    conda_names=("nccl",),
)


def probe_nccl(root: Path, places: SearchPlaces) -> tuple[LibraryInstall, ...]:
    return probe_library(root, NCCL, places)
