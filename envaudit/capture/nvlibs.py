"""Finding every copy of an NVIDIA library (cuDNN, NCCL): wheels, torch, headers, loader, conda."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from envaudit.capture import fs
from envaudit.capture.libs import find_library, find_on_loader_path, read_defines
from envaudit.capture.model import (
    CondaInfo,
    CudaToolkit,
    InstalledPackage,
    LibraryInstall,
    RuntimeSource,
    Unknown,
)


@dataclass(frozen=True, slots=True)
class LibrarySpec:
    """How one library is packaged and how it spells its version."""

    stem: str  # libcudnn
    wheels: tuple[str, ...]  # normalized wheel names
    wheel_dir: str  # nvidia/cudnn (holds include/ and lib/)
    headers: tuple[str, ...]  # cudnn_version.h, cudnn.h: first one with the defines wins
    version_from_header: Callable[[dict[str, int]], tuple[str, int] | None]
    code_from_version: Callable[[str], int | None]
    conda_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchPlaces:
    """Everything a library probe looks through, gathered once by the orchestrator."""

    packages: Mapping[str, InstalledPackage]  # normalized name -> active copy
    toolkits: tuple[CudaToolkit, ...]
    conda: CondaInfo | Unknown
    loader_dirs: tuple[tuple[RuntimeSource, str], ...]


def include_dirs(root: Path, places: SearchPlaces) -> list[str]:
    dirs = [fs.join(toolkit.path, "include") for toolkit in places.toolkits]
    dirs.append("/usr/include")
    multiarch = fs.host_path(root, "/usr/include").glob("*-linux-gnu")
    dirs.extend(fs.machine_path(root, match) for match in sorted(multiarch))
    dirs.append("/usr/local/include")
    if isinstance(places.conda, CondaInfo):
        dirs.append(fs.join(places.conda.prefix, "include"))
    return dirs


def header_version(root: Path, spec: LibrarySpec, directory: str) -> tuple[str, int, str] | None:
    """(version, code, header path) from the first header in ``directory`` that defines it."""
    for header in spec.headers:
        path = fs.join(directory, header)
        parsed = spec.version_from_header(read_defines(root, path))
        if parsed is not None:
            return parsed[0], parsed[1], path
    return None


def _from_wheels(root: Path, spec: LibrarySpec, places: SearchPlaces) -> list[LibraryInstall]:
    found = []
    for key in spec.wheels:
        package = places.packages.get(key)
        if package is None:
            continue
        base = fs.join(package.location, spec.wheel_dir)
        header = header_version(root, spec, fs.join(base, "include"))
        library = find_library(root, fs.join(base, "lib"), spec.stem)
        evidence = "dist-info" + (f" + {header[2].rsplit('/', 1)[-1]}" if header else "")
        found.append(
            LibraryInstall(
                source=RuntimeSource.WHEEL,
                version=package.version,
                code=header[1] if header else spec.code_from_version(package.version),
                path=library or base,
                evidence=evidence,
                package=package.name,
            )
        )
    return found


def _from_torch(root: Path, spec: LibrarySpec, places: SearchPlaces) -> list[LibraryInstall]:
    torch = places.packages.get("torch")
    if torch is None:
        return []
    library = find_library(root, fs.join(torch.location, "torch", "lib"), spec.stem)
    if library is None:
        return []
    version = library.rsplit(".so.", 1)[-1]
    name = library.rsplit("/", 1)[-1]
    return [LibraryInstall(RuntimeSource.TORCH, version, None, library, name, "torch")]


def _from_headers(root: Path, spec: LibrarySpec, places: SearchPlaces) -> list[LibraryInstall]:
    found = []
    seen: set[str] = set()
    for directory in include_dirs(root, places):
        header = header_version(root, spec, directory)
        if header is None:
            continue
        real = fs.resolve(root, header[2])
        if real in seen:
            continue
        seen.add(real)
        name = header[2].rsplit("/", 1)[-1]
        found.append(LibraryInstall(RuntimeSource.HEADER, header[0], header[1], header[2], name))
    return found


def _from_loader(root: Path, spec: LibrarySpec, places: SearchPlaces) -> list[LibraryInstall]:
    return [
        LibraryInstall(
            source=library.source,
            version=library.version,
            code=None,
            path=library.path,
            evidence=library.path.rsplit("/", 1)[-1],
        )
        for library in find_on_loader_path(root, list(places.loader_dirs), spec.stem)
    ]


def _from_conda(spec: LibrarySpec, places: SearchPlaces) -> list[LibraryInstall]:
    if not isinstance(places.conda, CondaInfo):
        return []
    return [
        LibraryInstall(
            source=RuntimeSource.CONDA,
            version=package.version,
            code=spec.code_from_version(package.version),
            path=fs.join(places.conda.prefix, "lib"),
            evidence="conda-meta",
            package=package.name,
        )
        for package in places.conda.packages
        if package.name in spec.conda_names
    ]


def probe_library(
    root: Path, spec: LibrarySpec, places: SearchPlaces
) -> tuple[LibraryInstall, ...]:
    return (
        *_from_wheels(root, spec, places),
        *_from_torch(root, spec, places),
        *_from_headers(root, spec, places),
        *_from_conda(spec, places),
        *_from_loader(root, spec, places),
    )


def version_numbers(version: str) -> tuple[int, int, int] | None:
    parts = version.split(".")
    try:
        numbers = [int(part) for part in parts[:3]]
    except ValueError:
        return None
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2]
