"""What each environment file declares about the system: Python, CUDA, cuDNN and OS versions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import StrEnum

from envaudit.model import Ecosystem, Manifest, Package
from envaudit.record import record

_LOCAL_CUDA = re.compile(r"^cu(?P<digits>\d{2,3})$")
_INDEX_CUDA = re.compile(r"download\.pytorch\.org/whl/(?:nightly/|test/)?cu(?P<digits>\d{2,3})\b")
_WHEEL_CUDA = re.compile(r"-cu(?P<major>\d{2})$")
_CUPY = re.compile(r"^cupy-cuda(?P<major>\d{2})")
_CONDA_BUILD_CUDA = re.compile(r"cuda_?(?P<version>\d+\.\d+|\d{3})")
_CONDA_BUILD_CUDNN = re.compile(r"cudnn_?(?P<major>\d+)")
_CONDA_CUDA = frozenset(
    {"pytorch-cuda", "cudatoolkit", "cuda-version", "cuda-runtime", "cuda-cudart"}
)
_LEADING_VERSION = re.compile(r"^[=~<>!^ ]*(?P<version>\d+(?:\.\d+)*)")
_EXACT_MINOR = re.compile(r"^(?:==?)?\s*(?P<version>\d+\.\d+)(?:\.\d+)?(?:\.?\*)?$")
# Where lock formats keep the Python constraint (for locations that point somewhere useful).
_PYTHON_KEYS = {
    "poetry-lock": "metadata.python-versions",
    "uv-lock": "requires-python",
    "pdm-lock": "metadata.requires_python",
    "pipfile-lock": "_meta.requires",
    "pylock": "requires-python",
}


class Fact(StrEnum):
    PYTHON = "python"
    CUDA = "cuda"
    CUDNN = "cudnn"
    OS = "os"


class Strength(StrEnum):
    """How a file states a fact: one version it installs, a range it accepts, or a CI matrix."""

    EXACT = "exact"
    CONSTRAINT = "constraint"
    MATRIX = "matrix"


@record
class Declaration:
    """One fact one file states; ``origin`` is ``PATH:LINE`` or ``PATH:KEY.PATH``."""

    fact: Fact
    value: str
    strength: Strength
    origin: str
    via: str

    @property
    def path(self) -> str:
        return self.origin.rsplit(":", 1)[0] if ":" in self.origin else self.origin


def minor_version(value: str) -> str | None:
    """``3.11.4`` -> ``3.11``; ``12.1`` -> ``12.1``; ``3`` or ``3.x`` -> None."""
    match = re.match(r"(\d+)\.(\d+)", value)
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


def major_version(value: str) -> str | None:
    match = re.match(r"\d+", value)
    return str(int(match.group())) if match else None


def exact_minor(spec: str) -> str | None:
    """The one minor version a constraint allows (``=3.10``, ``3.10.*``, ``==3.10.4``), or None."""
    match = _EXACT_MINOR.match("".join(spec.split()))
    return match.group("version") if match else None


def cuda_from_digits(digits: str) -> str:
    """``121`` -> ``12.1``; ``118`` -> ``11.8``; ``92`` -> ``9.2`` (the last digit is the minor)."""
    return f"{int(digits[:-1])}.{digits[-1]}"


def manifest_declarations(manifest: Manifest) -> list[Declaration]:
    """Every fact a parsed manifest declares, once per (fact, value) and file."""
    found: list[Declaration] = []
    if manifest.source.format == "dockerfile":
        found += _dockerfile_declarations(manifest)
    else:
        found += _python_declarations(manifest)
    for package in manifest.packages:
        found += _package_declarations(package, manifest.source.path)
    found += _index_declarations(manifest)
    return unique(found)


def unique(declarations: Iterable[Declaration]) -> list[Declaration]:
    """The first declaration of each (fact, value, strength) per file."""
    seen: set[tuple[str, str, str, str]] = set()
    kept: list[Declaration] = []
    for declaration in declarations:
        key = (declaration.path, declaration.fact, declaration.value, declaration.strength)
        if key not in seen:
            seen.add(key)
            kept.append(declaration)
    return kept


def _dockerfile_declarations(manifest: Manifest) -> Iterator[Declaration]:
    meta = manifest.meta
    index = 0
    while f"stage.{index}.origin" in meta:
        prefix = f"stage.{index}."
        via = f"base image {meta[prefix + 'image'].partition('@')[0]}"
        for fact in Fact:
            if prefix + fact.value in meta:
                value = meta[prefix + fact.value]
                yield Declaration(fact, value, Strength.EXACT, meta[prefix + "origin"], via)
        index += 1
    if "run.python" in meta:
        origin = meta.get("run.python.origin", manifest.source.path)
        via = meta.get("run.python.via", "RUN")
        yield Declaration(Fact.PYTHON, meta["run.python"], Strength.EXACT, origin, via)


def _python_declarations(manifest: Manifest) -> Iterator[Declaration]:
    path = manifest.source.path
    pythons = [p for p in manifest.packages if p.key == "python" and p.ecosystem is Ecosystem.CONDA]
    if pythons:
        return  # conda 'python' entries declare it, with their own locations
    python = manifest.python
    origin = (
        f"{path}:{_PYTHON_KEYS[manifest.source.format]}"
        if manifest.source.format in (_PYTHON_KEYS)
        else path
    )
    if python.version:
        yield Declaration(Fact.PYTHON, python.version, Strength.EXACT, origin, "python version")
    elif python.requires:
        minor = exact_minor(python.requires)
        if minor is not None:
            yield Declaration(
                Fact.PYTHON, minor, Strength.EXACT, origin, f"python {python.requires}"
            )
        else:
            yield Declaration(
                Fact.PYTHON, python.requires, Strength.CONSTRAINT, origin, "requires-python"
            )


def _package_declarations(package: Package, path: str) -> Iterator[Declaration]:
    origin = package.origin or path
    if package.ecosystem is Ecosystem.CONDA:
        yield from _conda_declarations(package, origin)
        return
    written = f"{package.name}=={package.version}" if package.version else package.name
    local = (package.version or "").partition("+")[2]
    match = _LOCAL_CUDA.match(local)
    if match:
        cuda = cuda_from_digits(match.group("digits"))
        yield Declaration(Fact.CUDA, cuda, Strength.EXACT, origin, written)
    wheel = _WHEEL_CUDA.search(package.key) or _CUPY.search(package.key)
    if wheel:
        major = wheel.group("major")
        version = package.version or ""
        if package.key.startswith("nvidia-cuda-runtime-") and minor_version(version):
            yield Declaration(
                Fact.CUDA, minor_version(version) or major, Strength.EXACT, origin, written
            )
        else:
            yield Declaration(Fact.CUDA, str(int(major)), Strength.EXACT, origin, written)
        if package.key.startswith("nvidia-cudnn-") and major_version(version):
            yield Declaration(
                Fact.CUDNN, major_version(version) or "", Strength.EXACT, origin, written
            )
    if package.index:
        yield from _cuda_in_url(package.index, origin, f"{package.name} from {package.index}")


def _conda_declarations(package: Package, origin: str) -> Iterator[Declaration]:
    written = package.name + (f" {package.version}" if package.version else package.spec or "")
    version_text = package.version or package.spec or ""
    leading = _LEADING_VERSION.match(version_text)
    if package.key == "python":
        minor = exact_minor(version_text) if not package.version else package.version
        if minor:
            yield Declaration(Fact.PYTHON, minor, Strength.EXACT, origin, written)
        elif version_text:
            yield Declaration(Fact.PYTHON, version_text, Strength.CONSTRAINT, origin, written)
    elif package.key in _CONDA_CUDA and leading:
        yield Declaration(Fact.CUDA, leading.group("version"), Strength.EXACT, origin, written)
    elif package.key == "cudnn" and leading:
        major = major_version(leading.group("version")) or ""
        yield Declaration(Fact.CUDNN, major, Strength.EXACT, origin, written)
    build = package.build or ""
    cuda = _CONDA_BUILD_CUDA.search(build)
    if cuda:
        value = cuda.group("version")
        value = value if "." in value else cuda_from_digits(value)
        yield Declaration(Fact.CUDA, value, Strength.EXACT, origin, f"{written} build {build}")
    cudnn = _CONDA_BUILD_CUDNN.search(build)
    if cudnn:
        major = cudnn.group("major")
        yield Declaration(Fact.CUDNN, major, Strength.EXACT, origin, f"{written} build {build}")


def _index_declarations(manifest: Manifest) -> Iterator[Declaration]:
    for index in manifest.indexes:
        origin = index.origin or manifest.source.path
        yield from _cuda_in_url(index.url, origin, f"{index.kind.value} {index.url}")
    backend = manifest.meta.get("uv.torch_backend", "")
    match = _LOCAL_CUDA.match(backend)
    if match:
        value = cuda_from_digits(match.group("digits"))
        yield Declaration(
            Fact.CUDA, value, Strength.EXACT, manifest.source.path, f"--torch-backend={backend}"
        )


def _cuda_in_url(url: str, origin: str, via: str) -> Iterator[Declaration]:
    match = _INDEX_CUDA.search(url)
    if match:
        yield Declaration(
            Fact.CUDA, cuda_from_digits(match.group("digits")), Strength.EXACT, origin, via
        )
