"""One platform's view of multi-platform locks."""

from __future__ import annotations

import pytest

from envaudit.analysis.diff import ChangeKind, diff_manifests
from envaudit.analysis.platforms import on_platform, select_platform
from envaudit.errors import UsageError
from envaudit.loader import load
from envaudit.model import Ecosystem, Manifest, Package, source_info
from tests.conftest import SAMPLES

CLAY = SAMPLES / "conda-lock" / "Clay-foundation__model__conda-lock.yml"


def test_conda_lock_platform_selection_keeps_per_platform_builds() -> None:
    manifest = load(CLAY)
    assert set(manifest.platforms) == {"linux-64", "osx-64", "osx-arm64"}
    linux = select_platform(manifest, "linux-64")
    builds = {p.build for p in linux.packages if p.key == "pytorch"}
    assert len(builds) == 1 and "cuda" in builds.pop()  # linux gets the CUDA build
    mac = select_platform(manifest, "osx-arm64")
    assert all(p.platform in ("osx-arm64", "noarch", None) for p in mac.packages)
    assert "cuda" not in next(p.build or "" for p in mac.packages if p.key == "pytorch")


def test_unknown_platform_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown platform 'amiga-68k'"):
        select_platform(load(CLAY), "amiga-68k")


def _pkg(markers: str | None) -> Package:
    return Package(name="x", key="x", ecosystem=Ecosystem.PYPI, version="1", markers=markers)


def test_markers_select_platforms_but_python_clauses_do_not() -> None:
    assert on_platform(_pkg('sys_platform == "linux"'), "linux-64")
    assert not on_platform(_pkg('sys_platform == "linux"'), "osx-arm64")
    assert on_platform(
        _pkg('platform_machine == "arm64" and sys_platform == "darwin"'), "osx-arm64"
    )
    assert on_platform(_pkg('python_version < "3.9"'), "win-64")
    assert on_platform(_pkg(None), "win-64")


def test_diff_reports_a_package_missing_on_one_platform_only() -> None:
    def manifest(*platforms: str) -> Manifest:
        return Manifest(
            source=source_info("conda-lock", "conda-lock.yml", ""),
            platforms=("linux-64", "osx-arm64"),
            packages=tuple(
                Package(
                    name="cudnn", key="cudnn", ecosystem=Ecosystem.CONDA, version="9.1", platform=p
                )
                for p in platforms
            ),
        )

    result = diff_manifests(manifest("linux-64", "osx-arm64"), manifest("linux-64"))
    (change,) = result.changes
    assert change.kind is ChangeKind.REMOVED
    assert change.old is not None and change.old.platform == "osx-arm64"
