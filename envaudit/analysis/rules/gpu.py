"""EA4xx: GPU and CUDA consistency of what a manifest installs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from envaudit.analysis.rules.base import Finding, package_location
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import MANIFEST_CHECKS
from envaudit.model import Ecosystem, Manifest, Package

_TORCH_LIKE = frozenset({"torch", "torchvision", "torchaudio"})
_PYTORCH_INDEX = "download.pytorch.org"
_WHEEL_CUDA_SUFFIX = re.compile(r"-cu(\d{2,3})$")  # nvidia-cublas-cu12, cupy-cuda11x is below
_CUPY = re.compile(r"^cupy-cuda(\d{2})")
_LOCAL_CUDA = re.compile(r"\+cu(\d{2,3})")
_CONDA_CUDA_PACKAGES = frozenset(
    {"cudatoolkit", "pytorch-cuda", "cuda-version", "cuda-runtime", "cuda-cudart"}
)
_CONDA_BUILD_CUDA = re.compile(r"cuda_?(\d{2,3})(?:\.\d)?")


def _major(text: str) -> int:
    """``118`` -> 11, ``12`` -> 12, ``121`` -> 12, ``11.8`` -> 11."""
    digits = text.split(".", 1)[0]
    return int(digits[:2]) if len(digits) >= 2 else int(digits)


def cuda_majors(package: Package) -> set[int]:
    """The CUDA major versions a package entry is built for (empty when none is encoded)."""
    found: set[int] = set()
    if package.ecosystem is Ecosystem.PYPI:
        for pattern in (_WHEEL_CUDA_SUFFIX, _CUPY):
            match = pattern.search(package.key)
            if match:
                found.add(_major(match.group(1)))
        match = _LOCAL_CUDA.search(package.version or "")
        if match:
            found.add(_major(match.group(1)))
        return found
    version = package.version or (package.spec or "").lstrip("=<>~! ")
    if package.key in _CONDA_CUDA_PACKAGES and version[:1].isdigit():
        found.add(_major(version))
    match = _CONDA_BUILD_CUDA.search(package.build or "")
    if match:
        found.add(_major(match.group(1).replace(".", "")))
    return found


@MANIFEST_CHECKS.check("EA403")
def check_mixed_cuda_majors(manifest: Manifest) -> Iterator[Finding]:
    by_platform: dict[str, dict[int, list[Package]]] = {}
    for package in manifest.packages:
        for major in cuda_majors(package):
            by_platform.setdefault(package.platform or "", {}).setdefault(major, []).append(package)
    for platform, majors in sorted(by_platform.items()):
        if len(majors) < 2:
            continue
        summary = "; ".join(
            f"CUDA {major}: {', '.join(sorted({p.name for p in packages})[:4])}"
            for major, packages in sorted(majors.items())
        )
        first = min(majors)
        where = f" on {platform}" if platform else ""
        yield Finding(
            RULES["EA403"],
            f"CUDA majors mixed{where}: {summary}",
            package_location(majors[first][0], manifest.source.path),
        )


@MANIFEST_CHECKS.check("EA402")
def check_torch_variant(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format in ("capture", "manifest"):
        return
    pytorch_index = any(_PYTORCH_INDEX in index.url for index in manifest.indexes)
    for package in manifest.packages:
        if package.ecosystem is not Ecosystem.PYPI or package.key not in _TORCH_LIKE:
            continue
        if package.version is None or "+" in package.version:
            continue
        if pytorch_index or (package.index and _PYTORCH_INDEX in package.index):
            continue
        if any(cuda_majors(p) for p in manifest.packages if p.key.startswith("nvidia-")):
            continue  # the CUDA wheels it depends on are locked alongside it
        yield Finding(
            RULES["EA402"],
            f"{package.name}=={package.version} does not say CPU or CUDA"
            " (no +cuXXX/+cpu, no PyTorch index)",
            package_location(package, manifest.source.path),
            package.name,
        )
