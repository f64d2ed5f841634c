"""Package pins across files: the same package at different versions, and gaps in complete locks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from envaudit.analysis.names import conda_to_pypi
from envaudit.model import Ecosystem, Manifest, Package, SourceKind

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

# Formats that list a whole resolved environment, not just what was asked for.
COMPLETE_FORMATS = frozenset(
    {"poetry-lock", "uv-lock", "pdm-lock", "pipfile-lock", "pylock", "pip-freeze"}
)
_DIRECT_FORMATS = frozenset({"requirements", "conda-env"})
_CONDA_WILDCARD = re.compile(r"^=(?P<version>[\w.]+?)(?:\.?\*)?$")
_NOT_COMPARED = frozenset({"python", "pip", "setuptools", "wheel"})

Rank = Callable[[str], tuple[int, str]]


def _file_of(package: Package) -> str:
    return (package.origin or "").rsplit(":", 1)[0]


def comparable_key(package: Package) -> str | None:
    """The PyPI key to compare a package under (conda names mapped), or None to skip it."""
    if package.source.kind is not SourceKind.REGISTRY:
        return None
    if package.ecosystem is Ecosystem.CONDA:
        mapped = conda_to_pypi(package.name)
        return None if mapped is None or mapped in _NOT_COMPARED else _pypi_key(mapped)
    return None if package.key in _NOT_COMPARED else package.key


def _pypi_key(name: str) -> str:
    from envaudit.analysis.names import pypi_key

    return pypi_key(name)


def _version_key(version: str) -> Version | str:
    """Equal for ``1.24`` and ``1.24.0``; a local part (``+cu121``) is not a version change."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(Version(version).public)
    except InvalidVersion:
        return version


def _same_version(left: Package, right: Package) -> bool:
    """Equal versions; across conda and PyPI a shorter release may prefix the longer one
    (conda's ``py-opencv 4.9.0`` is PyPI's ``opencv-python 4.9.0.80``)."""
    left_key, right_key = _version_key(left.version or ""), _version_key(right.version or "")
    if left_key == right_key:
        return True
    if left.ecosystem is right.ecosystem or isinstance(left_key, str) or isinstance(right_key, str):
        return False
    shorter, longer = sorted((left_key.release, right_key.release), key=len)
    return longer[: len(shorter)] == shorter


def _specifier(package: Package) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    spec = package.spec or ""
    if package.ecosystem is Ecosystem.CONDA:
        wildcard = _CONDA_WILDCARD.match(spec)
        spec = f"=={wildcard.group('version')}.*" if wildcard else spec
    try:
        return SpecifierSet(spec) if spec else None
    except InvalidSpecifier:
        return None


def _by_key_and_file(manifests: Iterable[Manifest]) -> dict[str, dict[str, list[Package]]]:
    grouped: dict[str, dict[str, list[Package]]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for manifest in manifests:
        for package in manifest.packages:
            key = comparable_key(package)
            if key is None:
                continue
            identity = (key, package.origin or "", package.version or "", package.spec or "")
            if identity in seen:  # a requirements file read again through a Dockerfile -r
                continue
            seen.add(identity)
            grouped.setdefault(key, {}).setdefault(_file_of(package), []).append(package)
    return grouped


def check_pin_disagreements(
    manifests: Sequence[Manifest], rank: Rank
) -> Iterator[tuple[Package, Package, str]]:
    """``(package here, reference package, message with a {where} slot)`` per disagreement."""
    for files in sorted(_by_key_and_file(manifests).items()):
        yield from _key_disagreements(files[1], rank)


def _key_disagreements(
    files: dict[str, list[Package]], rank: Rank
) -> Iterator[tuple[Package, Package, str]]:
    pinned = {path: [p for p in packages if p.version] for path, packages in files.items()}
    pinned = {path: packages for path, packages in pinned.items() if packages}
    if not pinned:
        return
    reference_path = min(pinned, key=rank)
    reference = pinned[reference_path]
    reference_versions = {_version_key(p.version or "") for p in reference}
    shown = ", ".join(sorted({p.version or "" for p in reference}))
    for path, packages in sorted(files.items()):
        if path == reference_path:
            continue
        exact = [p for p in packages if p.version]
        if exact:
            if any(_same_version(p, q) for p in exact for q in reference):
                continue
            odd = exact[0]
            yield odd, reference[0], (f"{odd.name} {odd.version} here, but {shown} in {{where}}")
            continue
        for package in packages:
            specifier = _specifier(package)
            if specifier is None:
                continue
            versions = [v for v in reference_versions if not isinstance(v, str)]
            if versions and not any(specifier.contains(v, prereleases=True) for v in versions):
                yield (
                    package,
                    reference[0],
                    (f"{package.name}{package.spec} here excludes {shown} pinned in {{where}}"),
                )
                break


def check_missing_from_locks(manifests: Sequence[Manifest]) -> Iterator[tuple[Package, list[str]]]:
    """Packages a requirements file or environment.yml pip block installs that a lock lacks."""
    locks = [m for m in manifests if m.source.format in COMPLETE_FORMATS]
    if not locks:
        return
    contents = {lock.source.path: {p.key for p in lock.packages} for lock in locks}
    freezes = {lock.source.path for lock in locks if lock.source.format == "pip-freeze"}
    seen: set[tuple[str, str]] = set()
    for manifest in manifests:
        if manifest.source.format not in _DIRECT_FORMATS:
            continue
        for package in manifest.packages:
            if package.ecosystem is not Ecosystem.PYPI or package.source.editable:
                continue
            if package.source.kind not in (SourceKind.REGISTRY, SourceKind.URL, SourceKind.VCS):
                continue
            if (package.key, package.origin or "") in seen or _file_of(package) in contents:
                continue
            seen.add((package.key, package.origin or ""))
            missing = [
                path
                for path, keys in sorted(contents.items())
                if package.key not in keys and not (package.markers and path in freezes)
            ]
            if missing:
                yield package, missing
