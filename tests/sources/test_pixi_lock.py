"""Tests for the pixi.lock parser: real samples (versions 4, 6, 7), variants, malformed input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, IndexKind, Manifest, Package, SourceKind
from envaudit.sources import pixi_lock

SAMPLES = Path(__file__).parents[2] / "samples" / "pixi-lock"
MD5 = "d7c89558ba9fa0495403155b64376d81"
SHA256 = "fe51de6107f9edc7aa4f786a70f4a883943bc9d39b3bb7307c04c41410990726"
COMMIT = "25ea3e436f0b0bc5a9c646121efafc9c68e116cd"
CONDA_FORGE = "https://conda.anaconda.org/conda-forge"
MUTEX_URL = f"{CONDA_FORGE}/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2"
NOARCH_URL = f"{CONDA_FORGE}/noarch/six-1.16.0-pyh6c4a22f_0.tar.bz2"
WHEEL_URL = "https://files.pythonhosted.org/packages/e0/44/aa/attrs-23.2.0-py3-none-any.whl"


def load_sample(name: str) -> Manifest:
    path = SAMPLES / name
    return pixi_lock.parse(path.read_text(encoding="utf-8"), origin=name)


def parse(text: str) -> Manifest:
    return pixi_lock.parse(text, origin="pixi.lock")


def find(manifest: Manifest, key: str, platform: str | None = None) -> list[Package]:
    return [
        p
        for p in manifest.packages
        if p.key == key and (platform is None or p.platform == platform)
    ]


def one(manifest: Manifest, key: str, platform: str | None = None) -> Package:
    (package,) = find(manifest, key, platform)
    return package


def lock(environments: str, packages: str, version: int = 6) -> str:
    return f"version: {version}\nenvironments:\n{environments}packages:\n{packages}"


def environment(name: str, selectors: dict[str, list[str]], extra: str = "") -> str:
    text = f"  {name}:\n    channels:\n    - url: {CONDA_FORGE}/\n{extra}    packages:\n"
    for platform, entries in selectors.items():
        text += f"      {platform}:\n" + "".join(f"      - {entry}\n" for entry in entries)
    return text


MUTEX_RECORD = f"- conda: {MUTEX_URL}\n  sha256: {SHA256}\n  md5: {MD5}\n"
NOARCH_RECORD = f"- conda: {NOARCH_URL}\n  sha256: {SHA256}\n"
WHEEL_RECORD = f"- pypi: {WHEEL_URL}\n  name: attrs\n  version: 23.2.0\n  sha256: {SHA256}\n"


# --- real samples ------------------------------------------------------------------------


def test_lock_version_4_kind_records_and_two_environments() -> None:
    manifest = load_sample("prefix-dev__parselmouth__lockv4.lock")
    assert manifest.source.format == "pixi-lock"
    assert manifest.source.format_version == "4"
    assert len(manifest.packages) == 178
    assert Counter(p.ecosystem for p in manifest.packages) == {
        Ecosystem.CONDA: 129,
        Ecosystem.PYPI: 49,
    }
    assert manifest.platforms == ("linux-64", "osx-arm64", "win-64")
    assert manifest.channels == ("https://conda.anaconda.org/conda-forge/",)
    assert manifest.indexes == ()
    assert manifest.python.version == "3.9.0"
    assert manifest.meta["environments"] == "default, test"

    boto3 = {p.version: p.groups for p in find(manifest, "boto3", "linux-64")}
    assert boto3 == {"1.34.77": ("default",), "1.34.95": ("test",)}
    python = one(manifest, "python", "linux-64")
    assert (python.build, python.channel, python.groups) == (
        "hffdb5ce_5_cpython",
        "conda-forge",
        ("default", "test"),
    )
    assert [h.alg for h in python.hashes] == ["md5", "sha256"]

    project = one(manifest, "parselmouth", "linux-64")
    assert project.source.kind is SourceKind.DIRECTORY
    assert project.source.url == "."
    assert project.source.editable is True
    assert project.version == "0.0.1"

    mirror = one(manifest, "conda-oci-mirror", "win-64")
    assert mirror.source.kind is SourceKind.VCS
    assert mirror.source.url == "https://github.com/channel-mirrors/conda-oci-mirror.git"
    assert mirror.source.commit == COMMIT

    attrs = one(manifest, "attrs", "linux-64")
    assert attrs.ecosystem is Ecosystem.PYPI
    assert (attrs.source.kind, attrs.index) == (SourceKind.REGISTRY, "https://pypi.org/simple")
    assert attrs.origin == "prefix-dev__parselmouth__lockv4.lock:packages[2]"


def test_lock_version_6_indexes_options_and_environment_groups() -> None:
    manifest = load_sample("prefix-dev__parselmouth__lockv6.lock")
    assert manifest.source.format_version == "6"
    assert len(manifest.packages) == 411
    assert [(i.url, i.kind) for i in manifest.indexes] == [
        ("https://pypi.org/simple", IndexKind.INDEX_URL)
    ]
    assert manifest.indexes[0].origin == (
        "prefix-dev__parselmouth__lockv6.lock:environments.default.indexes[0]"
    )
    assert manifest.meta["environments"] == "default, fmt, test, type-checking"
    assert manifest.meta["environments.fmt.options.pypi-prerelease-mode"] == (
        "if-necessary-or-explicit"
    )
    everywhere = ("default", "fmt", "test", "type-checking")
    assert Counter(p.groups for p in manifest.packages)[everywhere] == 300

    mirror = one(manifest, "conda-oci-mirror", "linux-64")
    assert mirror.source.kind is SourceKind.VCS
    assert (mirror.source.ref, mirror.source.commit) == (COMMIT, COMMIT)
    project = one(manifest, "parselmouth", "osx-arm64")
    assert project.source.editable is True
    assert project.hashes == (
        Hash("sha256", "5f3308a7a26fb97208a3cb8b0933f635c5ca0acca3f20f85befcb063d67e3b64"),
    )
    # conda records of version 6 carry no name/version/build: they come from the URL.
    boto3 = one(manifest, "boto3", "linux-64")
    assert (boto3.version, boto3.build, boto3.channel) == (
        "1.34.131",
        "pyhd8ed1ab_0",
        "conda-forge",
    )


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("prefix-dev__parselmouth__pixi-lock__v1.lock", 423),
        ("prefix-dev__parselmouth__pixi-lock__v2.lock", 420),
    ],
)
def test_lock_version_7_platforms_and_dynamic_project_version(name: str, count: int) -> None:
    manifest = load_sample(name)
    assert manifest.source.format_version == "7"
    assert len(manifest.packages) == count
    assert manifest.platforms == ("linux-64", "osx-arm64", "win-64")
    assert manifest.python.version == "3.12.0"
    assert manifest.meta["platforms.linux-64.virtual-packages"] == (
        "__unix=0=0, __linux=4.18, __glibc=2.28, __archspec=0=x86_64"
    )
    assert "frontend" in manifest.meta["environments"]
    frontend_only = [p for p in manifest.packages if p.groups == ("frontend",)]
    assert len(frontend_only) == 12
    project = one(manifest, "parselmouth", "linux-64")
    assert project.version is None
    assert project.source.kind is SourceKind.DIRECTORY
    assert project.source.url == "./"
    wheels = {p.platform: p.hashes[0].value[:8] for p in find(manifest, "rpds-py")}
    assert wheels == {"linux-64": "ecabd69d", "osx-arm64": "538949e2", "win-64": "2c958bf9"}


def test_multi_version_pair_differs_where_the_lock_changed() -> None:
    before = load_sample("prefix-dev__parselmouth__pixi-lock__v1.lock")
    after = load_sample("prefix-dev__parselmouth__pixi-lock__v2.lock")
    assert one(before, "boto3", "linux-64").version == "1.34.131"
    assert one(after, "boto3", "linux-64").version == "1.40.61"


def test_xarray_tutorial_conda_only_default_environment() -> None:
    manifest = load_sample("xarray-contrib__xarray-tutorial__pixi.lock")
    assert manifest.source.format_version == "7"
    assert len(manifest.packages) == 1482
    assert all(p.ecosystem is Ecosystem.CONDA for p in manifest.packages)
    assert Counter(p.platform for p in manifest.packages) == {
        "linux-64": 517,
        "osx-arm64": 483,
        "win-64": 482,
    }
    assert {p.groups for p in manifest.packages} == {("default",)}
    assert manifest.python.version == "3.14.6"
    assert "platforms.linux-64.virtual-packages" not in manifest.meta


# --- variants ------------------------------------------------------------------------------


def test_empty_documents_are_empty_manifests() -> None:
    for text in ("", "# nothing\n", "version: 6\nenvironments: {}\npackages: []\n"):
        manifest = parse(text)
        assert manifest.packages == ()
        assert manifest.source.format == "pixi-lock"


def test_noarch_package_gives_one_package_per_platform() -> None:
    text = lock(
        environment(
            "default", {"linux-64": [f"conda: {NOARCH_URL}"], "osx-64": [f"conda: {NOARCH_URL}"]}
        ),
        NOARCH_RECORD,
    )
    manifest = parse(text)
    six = find(manifest, "six")
    assert [p.platform for p in six] == ["linux-64", "osx-64"]
    assert {(p.version, p.build) for p in six} == {("1.16.0", "pyh6c4a22f_0")}
    assert manifest.platforms == ("linux-64", "osx-64")
    assert six[0].origin == "pixi.lock:packages[0]"


def test_environments_merge_into_groups_and_extras() -> None:
    environments = environment(
        "default", {"linux-64": [f"conda: {MUTEX_URL}", f"pypi: {WHEEL_URL}"]}
    ) + environment("test", {"linux-64": [f"pypi: {WHEEL_URL}\n        extras: [tests]"]})
    manifest = parse(lock(environments, MUTEX_RECORD + WHEEL_RECORD))
    attrs = one(manifest, "attrs")
    assert attrs.groups == ("default", "test")
    assert attrs.extras == ("tests",)
    assert attrs.version == "23.2.0"
    assert one(manifest, "_libgcc_mutex").groups == ("default",)


def test_record_fields_override_what_the_url_says() -> None:
    record = (
        f"- conda: {MUTEX_URL}\n  name: libgcc-mutex\n  version: '0.2'\n  build: custom_1\n"
        "  channel: https://conda.anaconda.org/bioconda\n"
    )
    manifest = parse(lock(environment("default", {"linux-64": [f"conda: {MUTEX_URL}"]}), record))
    package = one(manifest, "libgcc-mutex")
    assert (package.version, package.build, package.channel) == ("0.2", "custom_1", "bioconda")


def test_version_4_conda_and_pypi_kind_records() -> None:
    packages = (
        f"- kind: conda\n  name: _libgcc_mutex\n  version: '0.1'\n  build: conda_forge\n"
        f"  subdir: linux-64\n  url: {MUTEX_URL}\n  md5: {MD5}\n"
        f"- kind: pypi\n  name: proj\n  version: 0.0.1\n  path: .\n  editable: true\n"
    )
    environments = environment("default", {"linux-64": [f"conda: {MUTEX_URL}", "pypi: ."]})
    manifest = parse(lock(environments, packages, version=4))
    assert one(manifest, "_libgcc_mutex").hashes == (Hash("md5", MD5),)
    proj = one(manifest, "proj")
    assert (proj.source.kind, proj.source.editable) == (SourceKind.DIRECTORY, True)


def test_private_index_and_find_links() -> None:
    torch_url = (
        "https://download.pytorch.org/whl/cu118/torch-2.0.1%2Bcu118-cp310-cp310-linux_x86_64.whl"
    )
    extra = (
        "    indexes:\n    - https://pypi.org/simple\n"
        "    - https://token:secret@download.pytorch.org/whl/cu118\n"
        "    find-links:\n    - url: https://example.com/wheels\n    - path: ./wheels\n"
    )
    record = f"- pypi: {torch_url}\n  name: torch\n  version: 2.0.1+cu118\n  sha256: {SHA256}\n"
    manifest = parse(
        lock(environment("default", {"linux-64": [f"pypi: {torch_url}"]}, extra), record)
    )
    assert [(i.url, i.kind) for i in manifest.indexes] == [
        ("https://pypi.org/simple", IndexKind.INDEX_URL),
        ("https://***@download.pytorch.org/whl/cu118", IndexKind.EXTRA_INDEX_URL),
        ("https://example.com/wheels", IndexKind.FIND_LINKS),
        ("./wheels", IndexKind.FIND_LINKS),
    ]
    torch = one(manifest, "torch")
    assert (torch.version, torch.build) == ("2.0.1+cu118", "cu118")
    # the wheel URL carries no credentials, so it does not match the redacted index
    assert torch.source.kind is SourceKind.URL


def test_wheel_under_a_recorded_index_is_a_registry_artifact() -> None:
    wheel = "https://download.pytorch.org/whl/cpu/torch-2.3.0-cp311-none-macosx_11_0_arm64.whl"
    extra = "    indexes:\n    - https://download.pytorch.org/whl/cpu\n"
    record = f"- pypi: {wheel}\n  name: torch\n  version: 2.3.0\n"
    manifest = parse(lock(environment("default", {"osx-arm64": [f"pypi: {wheel}"]}, extra), record))
    torch = one(manifest, "torch")
    assert (torch.source.kind, torch.index) == (
        SourceKind.REGISTRY,
        "https://download.pytorch.org/whl/cpu",
    )


def test_conda_source_packages_are_directories() -> None:
    packages = (
        "- conda: .\n  name: mypkg\n  version: 1.0.0\n  build: pyh_0\n  subdir: noarch\n"
        "- conda_source: other[ab12cd34] @ ../other\n  version: 2.0.0\n  subdir: linux-64\n"
    )
    environments = environment(
        "default",
        {"linux-64": ["conda: .\n        name: mypkg", "conda_source: other[ab12cd34] @ ../other"]},
    )
    manifest = parse(lock(environments, packages, version=7))
    mypkg = one(manifest, "mypkg")
    assert (mypkg.version, mypkg.source.kind, mypkg.source.url) == (
        "1.0.0",
        SourceKind.DIRECTORY,
        ".",
    )
    other = one(manifest, "other")
    assert (other.version, other.source.url) == ("2.0.0", "../other")


def test_channel_credentials_are_redacted() -> None:
    text = lock(
        "  default:\n    channels:\n    - url: https://user:pw@conda.example.com/private/\n"
        "    packages: {}\n",
        "  []\n",
    )
    assert parse(text).channels == ("https://***@conda.example.com/private/",)


# --- malformed input -------------------------------------------------------------------------


def raises(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


def test_future_version_names_the_supported_ones() -> None:
    error = raises("version: 8\nenvironments: {}\npackages: []\n")
    assert error.key_path == "version"
    assert error.message == "unsupported pixi.lock version 8: supported versions are 4, 5, 6, 7"


def test_missing_version() -> None:
    error = raises("environments: {}\n")
    assert (error.key_path, error.message) == ("$", "missing required key 'version'")


def test_selector_without_a_record() -> None:
    environments = environment(
        "default", {"linux-64": [f"conda: {MUTEX_URL}", f"conda: {NOARCH_URL}"]}
    )
    error = raises(lock(environments, MUTEX_RECORD))
    assert error.key_path == "environments.default.packages.linux-64[1]"
    assert error.message == f"no package record for conda location '{NOARCH_URL}'"


def test_selector_that_is_not_a_table() -> None:
    text = lock(
        "  default:\n    channels: []\n    packages:\n      linux-64:\n      - just-a-string\n",
        "  []\n",
    )
    error = raises(text)
    assert error.key_path == "environments.default.packages.linux-64[0]"
    assert error.message == "expected a table, got a string"


def test_selector_without_a_known_key() -> None:
    error = raises(lock(environment("default", {"linux-64": ["npm: left-pad"]}), "  []\n"))
    assert error.key_path == "environments.default.packages.linux-64[0]"
    assert error.message == "expected a table with a 'conda' or 'pypi' key"


def test_record_without_a_location_key() -> None:
    error = raises(lock(environment("default", {}), "- name: foo\n  version: '1'\n"))
    assert error.key_path == "packages[0]"
    assert error.message == "expected a 'conda', 'pypi' or 'kind' key"


def test_pypi_record_without_a_name() -> None:
    error = raises(lock(environment("default", {}), f"- pypi: {WHEEL_URL}\n  version: 1.0.0\n"))
    assert error.key_path == "packages[0]"
    assert error.message == "missing required key 'name'"


def test_invalid_sha256() -> None:
    record = f"- conda: {MUTEX_URL}\n  sha256: 1234\n"
    error = raises(lock(environment("default", {}), record.replace("1234", "'1234'")))
    assert error.key_path == "packages[0].sha256"
    assert "invalid hash 'sha256:1234'" in error.message


def test_unknown_kind_in_version_4() -> None:
    error = raises(lock(environment("default", {}), "- kind: npm\n  name: x\n", version=4))
    assert error.key_path == "packages[0].kind"
    assert error.message == "unknown package kind 'npm': expected one of conda, pypi"


def test_conda_source_location_without_a_name() -> None:
    error = raises(lock(environment("default", {}), "- conda: ../recipes/thing\n"))
    assert error.key_path == "packages[0]"
    assert "cannot tell the package name" in error.message


def test_channel_without_url() -> None:
    text = lock("  default:\n    channels:\n    - name: conda-forge\n    packages: {}\n", "  []\n")
    error = raises(text)
    assert error.key_path == "environments.default.channels[0].url"
    assert error.message == "expected a string, got null"


def test_conda_version_must_be_a_string() -> None:
    record = f"- conda: {MUTEX_URL}\n  version: 1.10\n"
    error = raises(lock(environment("default", {}), record))
    assert error.key_path == "packages[0].version"
    assert error.message == "expected a string, got a number"
