"""EA4xx on captures: what the machine's driver, CUDA, cuDNN and variables say."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from envaudit.analysis.rules.base import Finding, Location
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import MANIFEST_CHECKS
from envaudit.model import Manifest

DETERMINISM_VARIABLES = ("CUBLAS_WORKSPACE_CONFIG", "PYTHONHASHSEED")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _at(manifest: Manifest, key_path: str) -> Location:
    return Location(manifest.source.path, key_path=key_path)


def _runtimes(meta: Mapping[str, str]) -> dict[str, str]:
    """``cuda.<source>`` -> versions (comma-separated), verdict keys left out."""
    return {
        key.removeprefix("cuda."): value
        for key, value in meta.items()
        if key.startswith("cuda.") and key.count(".") == 1 and key != "cuda.nvcc_on_path"
    }


@MANIFEST_CHECKS.check("EA401")
def check_driver(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format != "capture":
        return
    meta = manifest.meta
    driver = meta.get("gpu.driver", "none")
    for source, versions in sorted(_runtimes(meta).items()):
        if "no" in meta.get(f"cuda.{source}.driver", "").split(", "):
            yield Finding(
                RULES["EA401"],
                f"CUDA {versions} ({source}) needs a newer driver than {driver}",
                _at(manifest, "cuda.runtimes"),
            )


@MANIFEST_CHECKS.check("EA404", "EA406", "EA407")
def check_torch_runtime(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format != "capture":
        return
    meta = manifest.meta
    torch_cuda = meta.get("cuda.torch")
    toolkit = meta.get("cuda.toolkit")
    toolkit_minors = {_major_minor(v) for v in (toolkit or "").split(", ") if v}
    if torch_cuda and toolkit_minors and toolkit_minors != {_major_minor(torch_cuda)}:
        yield Finding(
            RULES["EA404"],
            f"toolkit CUDA {toolkit} differs from torch's runtime CUDA {torch_cuda}",
            _at(manifest, "cuda.runtimes"),
        )
    has_driver = "gpu.driver" in meta
    if torch_cuda and not has_driver:
        yield Finding(
            RULES["EA406"],
            f"torch {meta.get('torch.version', '')} is built for CUDA {torch_cuda}"
            " but no NVIDIA driver is present",
            _at(manifest, "cuda.torch"),
        )
    torch_version = meta.get("torch.version")
    if torch_version and not torch_cuda and has_driver:
        yield Finding(
            RULES["EA407"],
            f"torch {torch_version} is a CPU build on a machine with driver {meta['gpu.driver']}",
            _at(manifest, "cuda.torch"),
        )


@MANIFEST_CHECKS.check("EA405")
def check_cudnn(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format != "capture":
        return
    found = {
        key.removeprefix("cudnn."): value
        for key, value in manifest.meta.items()
        if key.startswith("cudnn.")
    }
    versions = {v for value in found.values() for v in value.split(", ") if v != "?"}
    if len({version.split(".")[0] for version in versions}) > 1 or (
        len(versions) > 1 and len(found) > 1
    ):
        listing = "; ".join(f"{source}: {value}" for source, value in sorted(found.items()))
        yield Finding(RULES["EA405"], f"cuDNN found as {listing}", _at(manifest, "cudnn"))


@MANIFEST_CHECKS.check("EA408")
def check_determinism(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format != "capture" or "torch.version" not in manifest.meta:
        return
    unset = [name for name in DETERMINISM_VARIABLES if f"env.{name}" not in manifest.meta]
    if unset:
        yield Finding(RULES["EA408"], f"unset: {', '.join(unset)}", _at(manifest, "env"))
