"""The package diff on constructed manifests (real pairs are in test_diff_pairs.py)."""

from __future__ import annotations

from envaudit.analysis.diff import Aspect, ChangeKind, diff_manifests
from envaudit.analysis.versions import Bump
from envaudit.model import (
    Ecosystem,
    Hash,
    Manifest,
    Package,
    PackageSource,
    SourceKind,
    source_info,
)


def pkg(name: str, version: str | None, eco: Ecosystem = Ecosystem.PYPI, **kw: object) -> Package:
    return Package(name=name, key=name.lower(), ecosystem=eco, version=version, **kw)  # type: ignore[arg-type]


def manifest(*packages: Package) -> Manifest:
    return Manifest(source=source_info("requirements", "x", ""), packages=packages)


def kinds(old: Manifest, new: Manifest) -> dict[str, ChangeKind]:
    return {c.key: c.kind for c in diff_manifests(old, new).changes}


def test_added_removed_upgraded_downgraded() -> None:
    old = manifest(pkg("a", "1.0"), pkg("b", "2.0"), pkg("c", "1.0"), pkg("same", "1"))
    new = manifest(pkg("b", "2.1"), pkg("c", "0.9"), pkg("d", "1.0"), pkg("same", "1"))
    result = diff_manifests(old, new)
    assert {c.key: c.kind for c in result.changes} == {
        "a": ChangeKind.REMOVED,
        "b": ChangeKind.UPGRADED,
        "c": ChangeKind.DOWNGRADED,
        "d": ChangeKind.ADDED,
    }
    assert result.unchanged == 1
    upgraded = next(c for c in result.changes if c.key == "b")
    assert upgraded.bump is Bump.MINOR


def test_pep440_ordering_not_string_ordering() -> None:
    assert kinds(manifest(pkg("a", "1.9")), manifest(pkg("a", "1.10"))) == {
        "a": ChangeKind.UPGRADED
    }
    assert kinds(manifest(pkg("a", "2.0rc1")), manifest(pkg("a", "2.0"))) == {
        "a": ChangeKind.UPGRADED
    }


def test_same_version_other_hashes_is_a_hash_change() -> None:
    old = manifest(pkg("a", "1.0", hashes=(Hash("sha256", "1" * 64),)))
    new = manifest(pkg("a", "1.0", hashes=(Hash("sha256", "2" * 64),)))
    assert kinds(old, new) == {"a": ChangeKind.HASHES_CHANGED}


def test_same_version_other_conda_build_is_a_build_change() -> None:
    old = manifest(pkg("pytorch", "2.1.0", Ecosystem.CONDA, build="py3.10_cuda11.8_cudnn8.7.0_0"))
    new = manifest(pkg("pytorch", "2.1.0", Ecosystem.CONDA, build="py3.10_cpu_0"))
    (change,) = diff_manifests(old, new).changes
    assert change.kind is ChangeKind.BUILD_CHANGED
    assert change.aspects == (Aspect.BUILD,)


def test_across_formats_what_one_side_does_not_record_is_not_a_difference() -> None:
    old = manifest(pkg("a", "1.0"))
    new = Manifest(
        source=source_info("poetry-lock", "poetry.lock", ""),
        packages=(
            pkg("a", "1.0", hashes=(Hash("sha256", "1" * 64),), index="https://pypi.org/simple"),
        ),
    )
    assert diff_manifests(old, new).is_empty


def test_within_a_format_an_index_appearing_is_a_difference() -> None:
    old = manifest(pkg("a", "1.0"))
    new = manifest(pkg("a", "1.0", index="https://download.pytorch.org/whl/cu118"))
    (change,) = diff_manifests(old, new).changes
    assert change.kind is ChangeKind.SOURCE_CHANGED


def test_vcs_commit_change_is_a_source_change() -> None:
    src1 = PackageSource(kind=SourceKind.VCS, url="git+https://x/y", commit="a" * 40)
    src2 = PackageSource(kind=SourceKind.VCS, url="git+https://x/y", commit="b" * 40)
    assert kinds(manifest(pkg("a", None, source=src1)), manifest(pkg("a", None, source=src2))) == {
        "a": ChangeKind.SOURCE_CHANGED
    }


def test_spec_change_without_versions() -> None:
    old = manifest(pkg("a", None, spec=">=1"))
    new = manifest(pkg("a", None, spec=">=2"))
    assert kinds(old, new) == {"a": ChangeKind.VERSION_CHANGED}


def test_duplicates_are_paired_by_platform() -> None:
    old = manifest(
        pkg("numpy", "1.0", Ecosystem.CONDA, platform="linux-64"),
        pkg("numpy", "1.0", Ecosystem.CONDA, platform="osx-arm64"),
    )
    new = manifest(
        pkg("numpy", "1.0", Ecosystem.CONDA, platform="osx-arm64"),
        pkg("numpy", "1.1", Ecosystem.CONDA, platform="linux-64"),
    )
    (change,) = diff_manifests(old, new).changes
    assert change.kind is ChangeKind.UPGRADED
    assert change.new is not None and change.new.platform == "linux-64"


def test_conda_and_pypi_numpy_are_one_package_across_ecosystems() -> None:
    old = manifest(pkg("numpy", "1.0", Ecosystem.CONDA))
    new = manifest(pkg("numpy", "1.0", Ecosystem.PYPI))
    assert diff_manifests(old, new).is_empty


def test_python_and_channels_are_sections() -> None:
    from envaudit.model import PythonSpec

    old = Manifest(
        source=source_info("conda-env", "x", ""),
        python=PythonSpec(version="3.10"),
        channels=("defaults",),
    )
    new = Manifest(
        source=source_info("conda-env", "x", ""),
        python=PythonSpec(version="3.11"),
        channels=("conda-forge",),
    )
    sections = {s.section: (s.old, s.new) for s in diff_manifests(old, new).sections}
    assert sections == {"python.version": ("3.10", "3.11"), "channels": ("defaults", "conda-forge")}


def test_conda_pytorch_meets_pypi_torch_across_ecosystems() -> None:
    old = Manifest(
        source=source_info("conda-env", "environment.yml", ""),
        packages=(
            pkg("pytorch", "2.1.0", Ecosystem.CONDA),
            pkg("cudatoolkit", "11.8", Ecosystem.CONDA),
        ),
    )
    new = manifest(Package(name="torch", key="torch", ecosystem=Ecosystem.PYPI, version="2.2.0"))
    result = diff_manifests(old, new)
    assert [(c.key, c.kind) for c in result.changes] == [
        ("cudatoolkit", ChangeKind.REMOVED),
        ("pytorch", ChangeKind.UPGRADED),  # named as on the old side
    ]
    assert result.no_pypi_equivalent == ("cudatoolkit",)  # reported, never guessed


def test_same_ecosystem_names_are_not_remapped() -> None:
    old = manifest(pkg("pytorch", "2.1.0", Ecosystem.CONDA), pkg("torch", "2.1.0"))
    new = manifest(pkg("pytorch", "2.1.0", Ecosystem.CONDA), pkg("torch", "2.1.0"))
    assert diff_manifests(old, new).is_empty
