"""export --to environment: environment.yml files that envaudit's conda-env parser reads back."""

from __future__ import annotations

import pytest

from envaudit.errors import UsageError
from envaudit.model import Ecosystem, Manifest, Package, PythonSpec, source_info
from envaudit.sources import conda_env
from envaudit.writers.environment import conda_matchspec, render_environment
from tests.writers.conftest import load_sample


def conda(name: str, **fields: object) -> Package:
    return Package(name=name, key=name, ecosystem=Ecosystem.CONDA, **fields)  # type: ignore[arg-type]


def pins(manifest: Manifest, ecosystem: Ecosystem) -> set[tuple[str, str | None, str | None]]:
    return {(p.key, p.version, p.build) for p in manifest.packages if p.ecosystem is ecosystem}


def test_conda_lock_platform_becomes_exact_matchspecs() -> None:
    source = load_sample("conda-lock/FSadrieh__BERTchen__conda-lock.yml")
    text, notes = render_environment(source, platform="linux-64")
    back = conda_env.parse(text, origin="environment.yml")
    linux = source.replace(packages=tuple(p for p in source.packages if p.platform == "linux-64"))
    assert pins(back, Ecosystem.CONDA) == pins(linux, Ecosystem.CONDA)
    assert {(p.key, p.version) for p in back.packages if p.ecosystem is Ecosystem.PYPI} == {
        (p.key, p.version) for p in linux.packages if p.ecosystem is Ecosystem.PYPI
    }
    assert back.channels == source.channels
    assert "  - pytorch::pytorch=2.1.0=py3.10_cuda11.8_cudnn8.7.0_0" in text.splitlines()
    assert "# platform: linux-64" in text.splitlines()
    assert notes == [
        "dropped: the hashes of 7 PyPI package(s) (pip: entries carry none)",
        "dropped: the hashes of 218 conda package(s) (MatchSpecs carry none)",
        "dropped: the package URLs of 218 conda package(s) (written as name=version=build; "
        "the channel picks the file)",
    ]


def test_multi_platform_builds_need_a_platform() -> None:
    source = load_sample("conda-lock/GeoSense-Freiburg__DepthMap__conda-lock.yml")
    with pytest.raises(UsageError, match=r"differs across platforms .* pass --platform"):
        render_environment(source)


def test_environment_yml_round_trips() -> None:
    source = load_sample("environment-yml/facebookresearch__dinov2__conda.yaml")
    text, notes = render_environment(source)
    back = conda_env.parse(text, origin="environment.yml")
    assert notes == []
    assert back.meta["name"] == "dinov2"
    assert back.channels == source.channels
    assert {(p.key, p.version, p.spec, p.channel) for p in back.packages} == {
        (p.key, p.version, p.spec, p.channel) for p in source.packages
    }
    assert "--extra-index-url https://pypi.nvidia.com" in text


def test_uv_lock_becomes_python_plus_a_pip_list() -> None:
    source = load_sample("uv-lock/Comfy-Org__comfy-cli__uv.lock")
    text, notes = render_environment(source)
    back = conda_env.parse(text, origin="environment.yml")
    assert back.python == PythonSpec(requires=">=3.10")
    assert len([p for p in back.packages if p.ecosystem is Ecosystem.PYPI]) == 62
    assert "note: pip is not a conda dependency; conda needs it for the pip: list" in notes


def test_matchspec_forms() -> None:
    channels = ["conda-forge", "pytorch"]
    assert conda_matchspec(conda("numpy", version="1.26.4", build="py311_0"), channels) == (
        "numpy=1.26.4=py311_0"
    )
    assert conda_matchspec(conda("numpy", version="1.26.4"), channels) == "numpy==1.26.4"
    assert conda_matchspec(conda("numpy", spec="=1.26"), channels) == "numpy=1.26"
    assert conda_matchspec(conda("numpy", spec="1.26.*"), channels) == "numpy 1.26.*"
    assert conda_matchspec(conda("torch", channel="pytorch"), channels) == "pytorch::torch"
    assert conda_matchspec(conda("numpy", channel="conda-forge"), channels) == "numpy"
    mirror = "https://mirror.example/conda-forge"
    assert conda_matchspec(conda("six", channel=mirror), channels) == "six"
    assert channels[-1] == mirror


def test_python_requirement_that_conda_cannot_read_is_noted() -> None:
    source = Manifest(
        source=source_info("t", "lock", ""),
        python=PythonSpec(requires="^3.9"),
        packages=(conda("numpy", version="1.26.4"),),
    )
    text, notes = render_environment(source)
    assert "python" not in text
    assert notes == ["dropped: the Python requirement ^3.9 (not a conda MatchSpec)"]
