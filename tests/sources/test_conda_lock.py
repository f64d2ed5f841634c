"""Tests for the conda-lock.yml parser: real samples, format variants and malformed input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, Manifest, Package, SourceKind
from envaudit.sources import conda_lock

SAMPLES = Path(__file__).parents[2] / "samples" / "conda-lock"
MD5 = "d7c89558ba9fa0495403155b64376d81"
SHA256 = "fe51de6107f9edc7aa4f786a70f4a883943bc9d39b3bb7307c04c41410990726"
COMMIT = "f337da0f5c24af44eb982d7c39fe81e9bc1d5017"


def load_sample(name: str) -> Manifest:
    path = SAMPLES / name
    return conda_lock.parse(path.read_text(encoding="utf-8"), origin=name)


def parse(text: str) -> Manifest:
    return conda_lock.parse(text, origin="conda-lock.yml")


def find(manifest: Manifest, key: str, platform: str | None = None) -> list[Package]:
    return [
        p
        for p in manifest.packages
        if p.key == key and (platform is None or p.platform == platform)
    ]


def one(manifest: Manifest, key: str, platform: str | None = None) -> Package:
    (package,) = find(manifest, key, platform)
    return package


def document(*entries: str, header: str = "") -> str:
    return (
        "version: 1\n"
        "metadata:\n"
        "  channels:\n"
        "  - url: conda-forge\n"
        "    used_env_vars: []\n"
        "  platforms: [linux-64]\n"
        "  sources: [environment.yml]\n" + header + "package:\n" + "".join(entries)
    )


def conda_entry(
    name: str = "_libgcc_mutex",
    url: str = "https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2",
    version: str = "'0.1'",
    extra: str = "",
) -> str:
    return (
        f"- name: {name}\n"
        f"  version: {version}\n"
        "  manager: conda\n"
        "  platform: linux-64\n"
        "  dependencies: {}\n"
        f"  url: {url}\n"
        "  hash:\n"
        f"    md5: {MD5}\n"
        f"    sha256: {SHA256}\n" + extra
    )


def pip_entry(name: str, version: str, url: str, hash_lines: str, extra: str = "") -> str:
    return (
        f"- name: {name}\n"
        f"  version: {version}\n"
        "  manager: pip\n"
        "  platform: linux-64\n"
        "  dependencies: {}\n"
        f"  url: {url}\n"
        "  hash:\n" + hash_lines + extra
    )


# --- real samples ------------------------------------------------------------------------


def test_yi_single_platform_with_pytorch_cuda_and_pip_sdist() -> None:
    manifest = load_sample("01-ai__Yi__conda-lock.yml")
    assert len(manifest.packages) == 188
    assert manifest.source.format == "conda-lock"
    assert manifest.source.format_version == "1"
    assert manifest.platforms == ("linux-64",)
    assert manifest.channels == ("conda-forge", "pytorch", "nvidia")
    assert manifest.python.version == "3.10.13"
    assert manifest.meta["sources"] == "pyproject.toml"
    assert manifest.meta["content_hash.linux-64"].startswith("dc3b8acd2e43")

    pytorch = one(manifest, "pytorch")
    assert pytorch.ecosystem is Ecosystem.CONDA
    assert (pytorch.version, pytorch.build) == ("2.0.1", "py3.10_cuda11.8_cudnn8.7.0_0")
    assert pytorch.channel == "pytorch"
    assert pytorch.source.kind is SourceKind.REGISTRY
    assert [h.alg for h in pytorch.hashes] == ["md5", "sha256"]
    assert pytorch.origin == "01-ai__Yi__conda-lock.yml:package[148]"
    assert one(manifest, "pytorch-cuda").version == "11.8"
    assert one(manifest, "cuda-runtime").channel == "nvidia"

    flash_attn = one(manifest, "flash-attn")
    assert flash_attn.ecosystem is Ecosystem.PYPI
    assert flash_attn.version == "2.3.6"
    assert flash_attn.source.kind is SourceKind.REGISTRY
    assert flash_attn.index == "https://pypi.org/simple"
    assert flash_attn.source.url is not None
    assert flash_attn.source.url.endswith("flash_attn-2.3.6.tar.gz")
    assert flash_attn.hashes == (
        Hash("sha256", "4fc6c08714ee1c88178946465498677c59448429b43bd6244b222feb23ac9d4c"),
    )


def test_poprox_dev_category_optional_and_git_pip_entry() -> None:
    manifest = load_sample("CCRI-POPROX__poprox-recommender__conda-lock.yml")
    assert len(manifest.packages) == 1279
    assert manifest.platforms == ("linux-64", "osx-arm64", "win-64")
    assert manifest.channels == ("pytorch", "conda-forge")
    assert manifest.meta["sources"] == (
        "pyproject.toml, dev/constraints.yml, dev/environment.yml, "
        "dev/poprox-concepts-dynamic-constraint.yml"
    )
    assert Counter((p.groups, p.optional) for p in manifest.packages) == {
        (("dev",), True): 779,
        (("main",), False): 500,
    }
    concepts = find(manifest, "poprox-concepts")
    assert [p.platform for p in concepts] == ["linux-64", "osx-arm64", "win-64"]
    source = concepts[0].source
    assert source.kind is SourceKind.VCS
    assert source.vcs == "git"
    assert source.url == "https://github.com/CCRI-POPROX/poprox-concepts.git"
    assert source.ref == COMMIT
    assert source.commit == COMMIT
    assert concepts[0].hashes == ()  # the "sha256" there is the commit, not an artifact hash


def test_clay_per_platform_cuda_and_cpu_pytorch_builds() -> None:
    manifest = load_sample("Clay-foundation__model__conda-lock.yml")
    assert len(manifest.packages) == 1482
    assert manifest.platforms == ("linux-64", "osx-64", "osx-arm64")
    assert all(p.ecosystem is Ecosystem.CONDA for p in manifest.packages)
    builds = {p.platform: p.build for p in find(manifest, "pytorch")}
    assert builds == {
        "linux-64": "cuda120_py311h2667f23_304",
        "osx-64": "cpu_mkl_py311h5d8a811_104",
        "osx-arm64": "cpu_generic_py311hc35e6e7_4",
    }
    assert {p.version for p in find(manifest, "pytorch")} == {"2.1.2"}
    assert manifest.python.version == "3.11.9"


def test_bertchen_pip_wheels_with_sha256() -> None:
    manifest = load_sample("FSadrieh__BERTchen__conda-lock.yml")
    assert len(manifest.packages) == 637
    assert manifest.channels == ("conda-forge", "nvidia")
    pip = [p for p in manifest.packages if p.ecosystem is Ecosystem.PYPI]
    assert len(pip) == 21
    assert all(len(p.hashes) == 1 and p.hashes[0].alg == "sha256" for p in pip)
    assert all(p.source.kind is SourceKind.REGISTRY for p in pip)
    assert one(manifest, "simple-parsing", "win-64").version == "0.1.4"
    builds = {p.platform: p.build for p in find(manifest, "pytorch")}
    assert builds["linux-64"] == "py3.10_cuda11.8_cudnn8.7.0_0"
    assert builds["osx-arm64"] == "py3.10_0"


def test_depthmap_defaults_channel_packages() -> None:
    manifest = load_sample("GeoSense-Freiburg__DepthMap__conda-lock.yml")
    assert len(manifest.packages) == 431
    assert manifest.channels == ("pytorch", "conda-forge", "defaults")
    channels = Counter(p.channel for p in manifest.packages)
    assert channels == {"conda-forge": 392, "pkgs/main": 32, "pytorch": 4, None: 3}
    blas = one(manifest, "blas", "win-64")
    assert (blas.version, blas.build, blas.channel) == ("1.0", "mkl", "pkgs/main")
    antlr = find(manifest, "antlr4-python3-runtime")
    assert [p.version for p in antlr] == ["4.9.3"] * 3


# --- variants ------------------------------------------------------------------------------


def test_empty_and_comment_only_documents_are_empty_manifests() -> None:
    for text in ("", "# generated by conda-lock\n", "version: 1\nmetadata: {}\npackage: []\n"):
        manifest = parse(text)
        assert manifest.packages == ()
        assert manifest.source.format == "conda-lock"


def test_minimal_conda_entry_defaults() -> None:
    manifest = parse(document(conda_entry()))
    package = one(manifest, "_libgcc_mutex")
    assert package.version == "0.1"
    assert package.build == "conda_forge"
    assert package.channel == "conda-forge"
    assert package.groups == ("main",)
    assert package.optional is False
    assert package.hashes == (Hash("md5", MD5), Hash("sha256", SHA256))
    assert package.origin == "conda-lock.yml:package[0]"
    assert manifest.meta == {"sources": "environment.yml"}


def test_mirror_channel_url_and_credentials_are_redacted() -> None:
    mirror = "https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud/conda-forge"
    private = "https://user:s3cret@conda.example.com/private"
    manifest = parse(
        document(
            conda_entry(url=f"{mirror}/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2"),
            conda_entry(name="zlib", url=f"{private}/linux-64/zlib-1.2.13-hd590300_5.conda"),
        )
    )
    assert one(manifest, "_libgcc_mutex").channel == mirror
    zlib = one(manifest, "zlib")
    assert zlib.channel == "https://***@conda.example.com/private"
    assert zlib.source.url is not None
    assert "s3cret" not in zlib.source.url


def test_pip_entry_with_local_version_from_a_direct_url() -> None:
    url = "https://download.pytorch.org/whl/cu118/torch-2.0.1%2Bcu118-cp310-cp310-linux_x86_64.whl"
    sha = "a" * 64
    manifest = parse(document(pip_entry("torch", "2.0.1+cu118", url, f"    sha256: {sha}\n")))
    torch = one(manifest, "torch")
    assert torch.ecosystem is Ecosystem.PYPI
    assert (torch.version, torch.build) == ("2.0.1+cu118", "cu118")
    assert torch.source.kind is SourceKind.URL
    assert torch.index is None


def test_git_pip_entry_with_branch_keeps_hash_free_of_the_commit() -> None:
    url = "git+https://github.com/org/repo.git@main#subdirectory=pkg"
    manifest = parse(document(pip_entry("repo", "'1.0'", url, f"    sha256: {COMMIT}\n")))
    source = one(manifest, "repo").source
    assert (source.kind, source.ref, source.commit) == (SourceKind.VCS, "main", COMMIT)
    assert source.subdirectory == "pkg"
    assert one(manifest, "repo").hashes == ()


def test_duplicate_entries_per_category_merge_into_one_package() -> None:
    manifest = parse(
        document(
            conda_entry(extra="  category: main\n  optional: false\n"),
            conda_entry(extra="  category: dev\n  optional: true\n"),
        )
    )
    package = one(manifest, "_libgcc_mutex")
    assert package.groups == ("dev", "main")
    assert package.optional is False


def test_metadata_time_and_git_values_go_to_meta() -> None:
    header = (
        "  content_hash:\n    linux-64: abc\n"
        "  time_metadata:\n    created_at: '2024-05-01T10:00:00Z'\n"
        "  git_metadata:\n    git_sha: 0123abc\n    git_user_name: someone\n"
    )
    text = document(conda_entry()).replace("package:\n", header + "package:\n")
    meta = parse(text).meta
    assert meta["content_hash.linux-64"] == "abc"
    assert meta["created_at"] == "2024-05-01T10:00:00Z"
    assert meta["git_sha"] == "0123abc"
    assert "git_user_name" not in meta


def test_channels_written_as_plain_strings_are_accepted() -> None:
    manifest = parse("version: 1\nmetadata:\n  channels: [conda-forge, bioconda]\npackage: []\n")
    assert manifest.channels == ("conda-forge", "bioconda")


# --- malformed input -------------------------------------------------------------------------


def raises(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


def test_unsupported_version() -> None:
    error = raises("version: 2\npackage: []\n")
    assert error.key_path == "version"
    assert "unsupported conda-lock version 2: expected 1" in error.message


def test_missing_version() -> None:
    error = raises("metadata: {}\npackage: []\n")
    assert error.key_path == "$"
    assert error.message == "missing required key 'version'"


def test_version_as_a_list_is_described_safely() -> None:
    error = raises("version: [1]\n")
    assert error.key_path == "version"
    assert "of type list" in error.message


def test_unknown_manager() -> None:
    text = document(conda_entry().replace("manager: conda", "manager: npm"))
    error = raises(text)
    assert error.key_path == "package[0].manager"
    assert error.message == "unknown manager 'npm': expected one of conda, pip"


def test_invalid_md5() -> None:
    error = raises(document(conda_entry().replace(MD5, "abc123")))
    assert error.key_path == "package[0].hash.md5"
    assert "invalid hash 'md5:abc123'" in error.message


def test_url_that_is_not_a_conda_package() -> None:
    error = raises(document(conda_entry(url="https://example.com/archive.zip")))
    assert error.key_path == "package[0].url"
    assert "expected a conda package URL" in error.message


def test_version_must_be_a_string() -> None:
    error = raises(document(conda_entry(version="[1, 2]")))
    assert error.key_path == "package[0].version"
    assert error.message == "expected a string, got a list"


def test_missing_name() -> None:
    error = raises(document(conda_entry().replace("- name: _libgcc_mutex\n  version", "- version")))
    assert error.key_path == "package[0]"
    assert error.message == "missing required key 'name'"


def test_optional_must_be_a_boolean() -> None:
    error = raises(document(conda_entry(extra="  optional: maybe\n")))
    assert error.key_path == "package[0].optional"
    assert error.message == "expected true or false for 'optional'"


def test_malformed_channel_url_is_kept_as_written() -> None:
    manifest = parse(document(conda_entry(name="a", url="https://[broken/linux-64/a-1-0.conda")))
    assert one(manifest, "a").channel == "https://[broken"


def test_invalid_yaml_reports_the_line() -> None:
    error = raises("version: 1\npackage:\n- name: [unclosed\n")
    assert error.line is not None
    assert error.message.startswith("invalid YAML")


def test_top_level_list_is_rejected() -> None:
    error = raises("- a\n- b\n")
    assert error.key_path == "$"
    assert error.message == "expected a table, got a list"
