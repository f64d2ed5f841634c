"""export --to pylock: PEP 751 files that packaging's own loader accepts."""

from __future__ import annotations

import tomllib

import pytest
from packaging.pylock import Pylock

from envaudit.model import (
    Ecosystem,
    Hash,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.sources import pylock as pylock_parser
from envaudit.writers.artifacts import Artifact, read_artifacts
from envaudit.writers.interface import export_manifest
from envaudit.writers.pylock import pypi_file_url, render_pylock
from tests.writers.conftest import load_sample, sample_text

SHA = "a" * 64
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def export(relative: str, platform: str | None = None) -> tuple[Pylock, str, list[str]]:
    manifest = load_sample(relative)
    text, notes = export_manifest(
        manifest, "pylock", platform=platform, source_text=sample_text(relative)
    )
    return Pylock.from_dict(tomllib.loads(text)), text, notes


def pypi(name: str, **fields: object) -> Package:
    return Package(name=name, key=name.lower(), ecosystem=Ecosystem.PYPI, **fields)  # type: ignore[arg-type]


def manifest(*packages: Package, **fields: object) -> Manifest:
    return Manifest(source=source_info("test", "lock", ""), packages=packages, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sample", "written", "dropped"),
    [
        ("uv-lock/Comfy-Org__comfy-cli__uv.lock", 62, 0),
        ("uv-lock/3liz__qgis-cartads-plugin__uv.lock", 68, 1),  # the virtual project root
        ("pylock/Comfy-Org__comfy-cli__pylock__v2.toml", 48, 0),
        ("pylock/AlphaSphereDotAI__vocalizr__pylock.toml", 136, 0),
        ("poetry-lock/python-poetry__poetry__poetry-lock__v2.lock", 78, 0),
        ("poetry-lock/python-poetry__poetry__lockv1.1.lock", 83, 0),  # [metadata.files]
        ("poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock", 80, 1),
        ("pdm-lock/pdm-project__pdm__lockv3-2021.lock", 73, 0),
    ],
)
def test_lock_samples_are_valid_pep751(sample: str, written: int, dropped: int) -> None:
    lock, _, notes = export(sample)
    assert len(lock.packages) == written
    assert str(lock.lock_version) == "1.0"
    assert lock.created_by == "envaudit"
    assert sum(n.startswith("dropped: 1 package") for n in notes) == dropped


def test_uv_lock_keeps_every_file_url_and_hash() -> None:
    lock, _, _ = export("uv-lock/Comfy-Org__comfy-cli__uv.lock")
    anyio = next(p for p in lock.packages if p.name == "anyio")
    assert str(anyio.version) == "4.10.0"
    assert anyio.index == "https://pypi.org/simple"
    assert anyio.sdist is not None and anyio.sdist.url is not None
    assert anyio.sdist.url.startswith("https://files.pythonhosted.org/packages/")
    assert anyio.wheels is not None and len(anyio.wheels) == 1
    assert str(lock.requires_python) == ">=3.10"
    root = next(p for p in lock.packages if p.name == "comfy-cli")
    assert root.directory is not None and root.directory.editable is True


def test_pylock_round_trip_keeps_versions_and_hashes() -> None:
    sample = "pylock/AlphaSphereDotAI__vocalizr__pylock.toml"
    source = load_sample(sample)
    _, text, _ = export(sample)
    back = pylock_parser.parse(text, origin="pylock.toml")

    def pins(m: Manifest) -> set[tuple[object, ...]]:
        return {(p.key, p.version, p.markers, p.hashes, p.source.kind) for p in m.packages}

    assert pins(back) == pins(source)


def test_uv_git_sources_carry_their_commit() -> None:
    lock, _, _ = export("uv-lock/3liz__qgis-cartads-plugin__uv.lock")
    qgis = next(p for p in lock.packages if p.name == "pytest-qgis")
    assert qgis.vcs is not None
    assert qgis.vcs.commit_id == "1f18d2d183f1b61888304c3e1e28684355288919"
    assert qgis.vcs.url == "https://github.com/3liz/pytest-qgis.git"


def test_poetry_files_get_pypi_addresses() -> None:
    lock, _, _ = export("poetry-lock/python-poetry__poetry__poetry-lock__v2.lock")
    package = lock.packages[0]
    assert package.wheels
    url = package.wheels[0].url or ""
    assert url.startswith("https://files.pythonhosted.org/packages/py3/")


def test_poetry_torch_from_an_explicit_source_is_dropped_with_a_note() -> None:
    sample = "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock"
    lock, _, notes = export(sample)
    assert "torch" not in {p.name for p in lock.packages}
    assert notes[0] == (
        "dropped: 1 package (no URL or path of a wheel/sdist with a hash is known; "
        "pylock needs one): torch"
    )
    assert "dropped: the Python requirement '^3.9' (not a PEP 440 specifier)" in notes


def test_pixi_lock_wheels_come_from_every_platform() -> None:
    lock, _, notes = export("pixi-lock/prefix-dev__parselmouth__lockv6.lock")
    markupsafe = next(p for p in lock.packages if p.name == "markupsafe")
    assert markupsafe.wheels is not None and len(markupsafe.wheels) == 3  # linux, osx, win
    assert notes[0] == "dropped: 339 conda packages (pylock.toml holds PyPI packages only)"


def test_without_artifact_names_registry_packages_cannot_be_written() -> None:
    source = load_sample("pipfile-lock/pypa__pipenv__Pipfile.lock")
    text, notes = render_pylock(source)
    assert Pylock.from_dict(tomllib.loads(text)).packages == []
    assert notes[0].startswith("dropped: 110 packages (no URL or path of a wheel/sdist")


def test_direct_sources() -> None:
    source = manifest(
        pypi("lib", version="1.0", source=PackageSource(SourceKind.VCS,
             "https://github.com/o/lib.git", vcs="git", ref="main", commit=COMMIT)),
        pypi("nocommit", source=PackageSource(SourceKind.VCS, "https://github.com/o/x.git",
             vcs="git", ref="main")),
        pypi("arch", source=PackageSource(SourceKind.URL, "https://x.example/arch-1.tar.gz"),
             hashes=(Hash("sha256", SHA),), markers="python_version<'3.12'"),
        pypi("nohash", source=PackageSource(SourceKind.URL, "https://x.example/nohash-1.tar.gz")),
        pypi("tree", source=PackageSource(SourceKind.DIRECTORY, "file:///src/tree")),
        pypi("bad", version="1.0", markers="not a marker"),
        python=PythonSpec(version="3.11.4"),
    )  # fmt: skip
    text, notes = render_pylock(source)
    lock = Pylock.from_dict(tomllib.loads(text))
    by_name = {p.name: p for p in lock.packages}
    assert set(by_name) == {"lib", "arch", "tree"}
    assert by_name["lib"].vcs is not None and by_name["lib"].vcs.requested_revision == "main"
    assert by_name["arch"].archive is not None and by_name["arch"].archive.hashes == {"sha256": SHA}
    assert str(by_name["arch"].marker) == 'python_version < "3.12"'
    assert by_name["tree"].directory is not None and by_name["tree"].directory.path == "/src/tree"
    assert str(lock.requires_python) == "==3.11.4"
    assert "pylock requires commit-id" in " ".join(notes)
    assert "url archive without a hash" in " ".join(notes)
    assert "marker 'not a marker' is not PEP 508" in " ".join(notes)


def test_files_that_do_not_match_the_release_are_skipped() -> None:
    source = manifest(pypi("demo", version="1.0", index="https://pypi.org/simple"))
    artifacts = {
        ("demo", "1.0"): (
            Artifact("demo-2.0-py3-none-any.whl", url="https://x/demo-2.0-py3-none-any.whl",
                     hashes=(Hash("sha256", SHA),)),
            Artifact("other-1.0.tar.gz", url="https://x/other-1.0.tar.gz",
                     hashes=(Hash("sha256", SHA),)),
            Artifact("demo-1.0.tar.gz", hashes=()),
        )
    }  # fmt: skip
    text, notes = render_pylock(source, artifacts=artifacts)
    assert Pylock.from_dict(tomllib.loads(text)).packages == []
    assert notes[0].startswith("dropped: 1 package (no URL or path of a wheel/sdist")


def test_pypi_file_url_uses_the_python_tag() -> None:
    assert pypi_file_url("six", "six-1.16.0-py2.py3-none-any.whl") == (
        "https://files.pythonhosted.org/packages/py2.py3/s/six/six-1.16.0-py2.py3-none-any.whl"
    )
    assert pypi_file_url("Six", "six-1.16.0.tar.gz").endswith("/source/S/Six/six-1.16.0.tar.gz")


def test_read_artifacts_ignores_unknown_formats_and_broken_text() -> None:
    assert read_artifacts("requirements", "x==1") == {}
    assert read_artifacts("uv-lock", "not [toml") == {}
    index = read_artifacts(
        "uv-lock",
        '[[package]]\nname = "Demo_Pkg"\nversion = "1.0"\n'
        'sdist = { url = "https://x/demo_pkg-1.0.tar.gz", hash = "sha256:'
        + SHA
        + '", size = 3 }\n',
    )
    (artifact,) = index["demo-pkg", "1.0"]
    assert artifact == Artifact(
        "demo_pkg-1.0.tar.gz",
        url="https://x/demo_pkg-1.0.tar.gz",
        hashes=(Hash("sha256", SHA),),
        size=3,
    )
