"""EA1xx: how precisely a manifest pins what gets installed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from envaudit.analysis.rules.base import Finding, Location, package_location, parse_origin
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import MANIFEST_CHECKS
from envaudit.model import Ecosystem, IncludeKind, Manifest, Package, SourceKind

_CONDA_BUILD_PATHS = re.compile(
    r"file:///(?:croot|tmp/build|opt/conda/conda-bld|home/conda/feedstock_root|work/|.*/conda-bld/)"
)
_ABSOLUTE = re.compile(r"^(?:file:///|/|[A-Za-z]:[\\/]|~)")
_CONDA_WILDCARD = re.compile(r"^=[^=]|\*$")
# conda packages whose build string selects the CPU or CUDA variant
VARIANT_PACKAGES = frozenset(
    {
        "pytorch",
        "tensorflow",
        "tensorflow-gpu",
        "jaxlib",
        "cupy",
        "mxnet",
        "paddlepaddle",
        "onnxruntime",
        "faiss",
        "torchvision",
        "torchaudio",
        "pytorch-lightning-gpu",
    }
)
VARIANT_SELECTORS = frozenset({"pytorch-cuda", "cpuonly", "pytorch-cpu", "cuda-version"})
_LOCKLESS = frozenset({"conda-env", "capture", "manifest"})


def _finding(rule_id: str, package: Package, manifest: Manifest, message: str) -> Finding:
    return Finding(
        RULES[rule_id], message, package_location(package, manifest.source.path), package.name
    )


def _is_registry(package: Package) -> bool:
    return package.source.kind is SourceKind.REGISTRY


@MANIFEST_CHECKS.check("EA101", "EA102", "EA103", "EA113")
def check_version_pins(manifest: Manifest) -> Iterator[Finding]:
    in_conda_env = manifest.source.format == "conda-env"
    for package in manifest.packages:
        if not _is_registry(package) or package.version is not None:
            continue
        spec = (package.spec or "").strip()
        if in_conda_env and package.ecosystem is Ecosystem.PYPI:
            what = f"range {spec!r}" if spec else "no version"
            yield _finding("EA113", package, manifest, f"pip: entry {package.name} has {what}")
        elif not spec or spec == "*":
            yield _finding("EA101", package, manifest, f"{package.name} is not pinned")
        elif package.ecosystem is Ecosystem.CONDA and _CONDA_WILDCARD.search(spec):
            yield _finding(
                "EA103", package, manifest, f"{package.name}{spec} is a wildcard, not an exact pin"
            )
        else:
            yield _finding(
                "EA102", package, manifest, f"{package.name} is pinned to a range ({spec})"
            )


@MANIFEST_CHECKS.check("EA104", "EA105")
def check_hashes(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format in _LOCKLESS:
        return
    hashable = [
        p for p in manifest.packages if p.source.kind in (SourceKind.REGISTRY, SourceKind.URL)
    ]
    with_hashes = [p for p in hashable if p.hashes]
    if hashable and not with_hashes:
        yield Finding(
            RULES["EA104"],
            f"none of the {len(hashable)} packages has a hash",
            Location(manifest.source.path),
        )
    elif with_hashes and manifest.source.format in ("requirements", "pip-freeze"):
        for package in manifest.packages:
            if not package.hashes:
                yield _finding(
                    "EA105",
                    package,
                    manifest,
                    f"{package.name} has no --hash while other requirements do",
                )


@MANIFEST_CHECKS.check("EA106", "EA107", "EA108", "EA109", "EA110")
def check_sources(manifest: Manifest) -> Iterator[Finding]:
    for package in manifest.packages:
        source = package.source
        url = source.url or ""
        if source.kind is SourceKind.VCS and not source.commit:
            ref = source.ref or "the default branch"
            yield _finding(
                "EA106", package, manifest, f"{package.name} follows {ref}, not a commit"
            )
        if _CONDA_BUILD_PATHS.search(url):
            yield _finding(
                "EA108", package, manifest, f"{package.name} @ {url} is a conda build path"
            )
        elif source.kind in (SourceKind.FILE, SourceKind.DIRECTORY) and _ABSOLUTE.match(url):
            yield _finding(
                "EA107", package, manifest, f"{package.name} comes from local path {url}"
            )
        if source.editable:
            yield _finding("EA109", package, manifest, f"{package.name} is an editable install")
        if source.kind is SourceKind.URL and not package.hashes:
            yield _finding("EA110", package, manifest, f"{package.name} URL has no hash: {url}")


@MANIFEST_CHECKS.check("EA111", "EA112")
def check_conda_env(manifest: Manifest) -> Iterator[Finding]:
    if manifest.source.format != "conda-env":
        return
    conda = [p for p in manifest.packages if p.ecosystem is Ecosystem.CONDA]
    has_selector = any(p.key in VARIANT_SELECTORS for p in conda)
    for package in conda:
        if package.key in VARIANT_PACKAGES and not package.build and not has_selector:
            yield _finding(
                "EA111",
                package,
                manifest,
                f"{package.name} has no build string: CPU or CUDA variant is left to the solver",
            )
    python = next((p for p in conda if p.key == "python"), None)
    if python is None:
        yield Finding(RULES["EA112"], "no python dependency", Location(manifest.source.path))
    elif not python.version and not (python.spec or "").strip("*"):
        yield _finding("EA112", python, manifest, "python has no version")


def _bucket(package: Package) -> tuple[str, str, str, str, str]:
    return (
        package.ecosystem.value,
        package.key,
        package.platform or "",
        package.markers or "",
        ",".join(package.groups),
    )


@MANIFEST_CHECKS.check("EA114")
def check_duplicates(manifest: Manifest) -> Iterator[Finding]:
    seen: dict[tuple[str, str, str, str, str], Package] = {}
    for package in manifest.packages:
        first = seen.setdefault(_bucket(package), package)
        if first is package:
            continue
        first_pin = first.version or first.spec or ""
        pin = package.version or package.spec or ""
        if first_pin != pin and first_pin and pin:
            yield _finding(
                "EA114",
                package,
                manifest,
                f"{package.name} is listed as {pin} here and as {first_pin} at {first.origin}",
            )


@MANIFEST_CHECKS.check("EA115", "EA116", "EA117")
def check_options(manifest: Manifest) -> Iterator[Finding]:
    for include in manifest.includes:
        if not include.resolved and include.reason and "remote" in include.reason:
            kind = "-c" if include.kind is IncludeKind.CONSTRAINTS else "-r"
            yield Finding(
                RULES["EA115"],
                f"{kind} {include.target} is fetched at install time",
                parse_origin(include.origin, manifest.source.path),
            )
    for option in manifest.options:
        if option.startswith("--no-binary"):
            yield Finding(
                RULES["EA116"], f"{option} builds from source", Location(manifest.source.path)
            )
        elif option == "--pre":
            yield Finding(
                RULES["EA117"], "--pre allows pre-releases", Location(manifest.source.path)
            )
