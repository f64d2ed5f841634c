"""Tests for the pdm.lock parser."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, Manifest, Package, SourceKind
from envaudit.sources.pdm_lock import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "pdm-lock"
SHA_A = "a" * 64
SHA_B = "b" * 64
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _sample(name: str) -> Manifest:
    return parse((SAMPLES / name).read_text(encoding="utf-8"), origin="pdm.lock")


def _inline(text: str) -> Manifest:
    return parse(text, origin="pdm.lock")


def _by_key(manifest: Manifest, key: str) -> list[Package]:
    return [package for package in manifest.packages if package.key == key]


def _only(manifest: Manifest, key: str) -> Package:
    found = _by_key(manifest, key)
    assert len(found) == 1, found
    return found[0]


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, origin="pdm.lock")
    return info.value


# --- real samples -------------------------------------------------------------------------


def test_lock_4_5_sample_reads_metadata_targets_and_groups() -> None:
    manifest = _sample("pdm-project__pdm__pdm-lock__v1.lock")
    assert manifest.source.format == FORMAT_ID
    assert manifest.source.format_version == "4.5.1"
    assert len(manifest.packages) == 100
    assert manifest.python.requires == ">=3.10"
    assert manifest.platforms == ()
    assert manifest.meta == {
        "content_hash": "sha256:c3f6d458b99d53437990fe3a5789d402dba4b471df42276a1492a80baf130777",
        "groups": "default,all,doc,keyring,pytest,test,tox,workflow",
        "strategy": "inherit_metadata",
        "targets": "requires_python=>=3.10",
    }
    groups = Counter(group for package in manifest.packages for group in package.groups)
    assert groups["default"] == 40 and groups["test"] == 26
    assert all(p.hashes for p in manifest.packages)
    assert all(p.source.kind is SourceKind.REGISTRY for p in manifest.packages)


def test_lock_4_5_sample_package_details() -> None:
    manifest = _sample("pdm-project__pdm__pdm-lock__v1.lock")
    anyio = _only(manifest, "anyio")
    assert anyio.version == "4.13.0"
    assert anyio.groups == ("default", "test")
    assert anyio.origin == "pdm.lock:package[0]"
    assert anyio.hashes == (
        Hash("sha256", "08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708"),
        Hash("sha256", "334b70e641fd2221c1505b3890c69882fe4a2df910cba14d97019b90b24439dc"),
    )
    ctypes = _only(manifest, "pywin32-ctypes")
    assert ctypes.markers == 'sys_platform == "win32"'
    assert ctypes.groups == ("all", "keyring")
    coverage = _by_key(manifest, "coverage")
    assert [p.extras for p in coverage] == [(), ("toml",)]
    assert {len(p.hashes) for p in coverage} == {106}


def test_multi_version_pair_differs_only_in_dep_logic() -> None:
    old = _sample("pdm-project__pdm__pdm-lock__v1.lock")
    new = _sample("pdm-project__pdm__pdm-lock__v2.lock")
    old_pins = {(p.key, p.version) for p in old.packages}
    new_pins = {(p.key, p.version) for p in new.packages}
    assert old_pins - new_pins == {("dep-logic", "0.5.2")}
    assert new_pins - old_pins == {("dep-logic", "0.7.1")}


def test_lock_3_sample_takes_hashes_from_metadata_files() -> None:
    manifest = _sample("pdm-project__pdm__lockv3-2021.lock")
    assert manifest.source.format_version == "3"
    assert len(manifest.packages) == 73
    assert manifest.meta == {
        "content_hash": "sha256:1dda92e8f2bf9a0ca53b40866f7c0e09d88363a1b330c03d8f706ada164b16ca"
    }
    assert all(p.hashes for p in manifest.packages)
    pyyaml = _only(manifest, "pyyaml")  # the files key is lower-case "pyyaml 5.4.1"
    assert (pyyaml.name, pyyaml.version, len(pyyaml.hashes)) == ("PyYAML", "5.4.1", 29)
    assert [p.extras for p in _by_key(manifest, "lunr")] == [(), ("languages",)]
    assert all(p.groups == () for p in manifest.packages)


def test_lock_4_1_sample_takes_hashes_from_url_entries() -> None:
    manifest = _sample("pdm-project__pdm__lockv4.1-2023.lock")
    assert manifest.source.format_version == "4.1"
    assert len(manifest.packages) == 83
    assert all(p.hashes for p in manifest.packages)
    cachecontrol = _by_key(manifest, "cachecontrol")
    assert [(p.version, p.extras, len(p.hashes)) for p in cachecontrol] == [
        ("0.12.11", (), 2),
        ("0.12.11", ("filecache",), 2),
    ]
    assert _only(manifest, "shellingham").version == "1.5.0.post1"
    assert manifest.python.requires is None


# --- variants -----------------------------------------------------------------------------

_VARIANTS = f"""
[metadata]
lock_version = "4.5.0"
groups = ["default", "dev"]
strategy = ["cross_platform", "static_urls"]
content_hash = "sha256:{SHA_A}"

[[metadata.targets]]
requires_python = ">=3.11"
platform = "manylinux_2_17_x86_64"
implementation = "cpython"

[[metadata.targets]]
requires_python = ">=3.11"
platform = "windows_amd64"

[[package]]
name = "torch"
version = "2.0.1+cu118"
groups = ["default"]
files = [
    {{url = "https://download.pytorch.org/whl/cu118/torch.whl", hash = "sha256:{SHA_B.upper()}"}},
    {{url = "https://download.pytorch.org/whl/cu118/torch2.whl", hash = "sha256:{SHA_B}"}},
]

[[package]]
name = "lib"
version = "0.1.0"
git = "https://user:tok@github.com/o/lib.git"
ref = "main"
revision = "{COMMIT.upper()}"
subdirectory = "python"
groups = ["dev"]

[[package]]
name = "pinned"
version = "1.0"
git = "https://github.com/o/pinned.git"
ref = "{COMMIT}"
editable = true

[[package]]
name = "local"
version = "0.0.1"
path = "./packages/local"
editable = true

[[package]]
name = "wheel-file"
version = "1.0"
url = "file:///${{PROJECT_ROOT}}/dist/wheel_file-1.0-py3-none-any.whl"

[[package]]
name = "remote"
version = "2.0"
url = "https://example.com/remote-2.0.tar.gz"

[[package]]
name = "legacy"
version = "1.0"
sections = ["dev", "default"]
marker = "python_version<'3.12'"
"""


def test_targets_give_python_and_platforms() -> None:
    manifest = _inline(_VARIANTS)
    assert manifest.python.requires == ">=3.11"
    assert manifest.platforms == ("manylinux_2_17_x86_64", "windows_amd64")
    assert manifest.meta["strategy"] == "cross_platform,static_urls"
    assert manifest.meta["targets"] == (
        "requires_python=>=3.11 platform=manylinux_2_17_x86_64 implementation=cpython; "
        "requires_python=>=3.11 platform=windows_amd64"
    )


def test_local_version_and_deduplicated_hashes() -> None:
    torch = _only(_inline(_VARIANTS), "torch")
    assert (torch.version, torch.build) == ("2.0.1+cu118", "cu118")
    assert torch.hashes == (Hash("sha256", SHA_B),)
    assert torch.source.kind is SourceKind.REGISTRY


def test_vcs_revision_becomes_the_commit() -> None:
    manifest = _inline(_VARIANTS)
    lib = _only(manifest, "lib")
    assert lib.source.kind is SourceKind.VCS
    assert lib.source.url == "https://***@github.com/o/lib.git"
    assert (lib.source.ref, lib.source.commit) == ("main", COMMIT)
    assert lib.source.subdirectory == "python"
    assert lib.groups == ("dev",)
    pinned = _only(manifest, "pinned")
    assert (pinned.source.ref, pinned.source.commit) == (COMMIT, COMMIT)
    assert pinned.source.editable
    assert "tok" not in manifest.to_json()


def test_paths_urls_and_old_sections() -> None:
    manifest = _inline(_VARIANTS)
    local = _only(manifest, "local")
    assert (local.source.kind, local.source.url, local.source.editable) == (
        SourceKind.DIRECTORY,
        "./packages/local",
        True,
    )
    assert _only(manifest, "wheel-file").source.kind is SourceKind.FILE
    assert _only(manifest, "remote").source.kind is SourceKind.URL
    legacy = _only(manifest, "legacy")
    assert legacy.groups == ("default", "dev")
    assert legacy.markers == 'python_version < "3.12"'
    assert legacy.origin == "pdm.lock:package[6]"


def test_metadata_requires_python_wins_and_differing_targets_leave_it_open() -> None:
    explicit = _inline('[metadata]\nrequires_python = ">=3.8"\n')
    assert explicit.python.requires == ">=3.8"
    mixed = _inline(
        '[[metadata.targets]]\nrequires_python = ">=3.9,<3.10"\n'
        '[[metadata.targets]]\nrequires_python = ">=3.10"\n'
    )
    assert mixed.python.requires is None


def test_conda_managed_entries_are_conda_packages() -> None:
    manifest = _inline(
        """
[[package]]
name = "numpy"
version = "1.26.4"
conda_managed = true
channel = "conda-forge"
build_string = "py311h64a7726_0"
url = "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda"
"""
    )
    numpy = _only(manifest, "numpy")
    assert numpy.ecosystem is Ecosystem.CONDA
    assert (numpy.version, numpy.build, numpy.channel) == (
        "1.26.4",
        "py311h64a7726_0",
        "conda-forge",
    )
    assert numpy.platform == "linux-64"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "[metadata]\nlock_version = '4.4'\n"])
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = _inline(text)
    assert manifest.packages == ()
    assert manifest.source.format == FORMAT_ID


# --- malformed input ----------------------------------------------------------------------


def test_toml_syntax_error_is_located_by_line() -> None:
    error = _error('[[package]]\nname = "a"\nversion = \n')
    assert error.line == 3
    assert error.message.startswith("invalid TOML")


def test_package_must_be_a_list_of_tables() -> None:
    error = _error('package = "numpy"\n')
    assert error.key_path == "package"
    assert "expected a list, got a string" in error.message
    error = _error("package = [1]\n")
    assert error.key_path == "package[0]"
    assert "expected a table, got an integer" in error.message


def test_package_needs_a_name() -> None:
    error = _error('[[package]]\nversion = "1.0"\n')
    assert error.key_path == "package[0]"
    assert "missing required key 'name'" in error.message


def test_version_must_be_a_string() -> None:
    error = _error('[[package]]\nname = "a"\n[[package]]\nname = "b"\nversion = 1\n')
    assert error.key_path == "package[1].version"
    assert "expected a string, got an integer" in error.message


def test_bad_hash_in_files_names_its_position() -> None:
    error = _error(
        f'[[package]]\nname = "a"\nversion = "1"\n'
        f'files = [{{file = "a.whl", hash = "sha256:{SHA_A}"}},\n'
        '  {file = "a.tgz", hash = "md5:x"}]\n'
    )
    assert error.key_path == "package[0].files[1].hash"
    assert "invalid hash 'md5:x'" in error.message


def test_bad_legacy_files_key_and_entries() -> None:
    error = _error('[metadata.files]\n"nospace" = []\n')
    assert error.key_path == "metadata.files.nospace"
    assert "expected a key 'NAME VERSION'" in error.message
    error = _error('[metadata.files]\n"a 1.0" = [{file = "a.whl"}]\n')
    assert error.key_path == 'metadata.files."a 1.0"[0]'
    assert "missing required key 'hash'" in error.message


def test_groups_must_be_a_list_of_strings() -> None:
    error = _error('[[package]]\nname = "a"\ngroups = ["default", 3]\n')
    assert error.key_path == "package[0].groups[1]"
    assert "expected a string, got an integer" in error.message


def test_targets_must_be_tables() -> None:
    error = _error('[metadata]\ntargets = ["linux"]\n')
    assert error.key_path == "metadata.targets[0]"
    assert "expected a table, got a string" in error.message


def test_editable_must_be_a_boolean() -> None:
    error = _error('[[package]]\nname = "a"\npath = "."\neditable = "yes"\n')
    assert error.key_path == "package[0].editable"
    assert "expected true or false" in error.message


def test_huge_integers_are_a_parse_error() -> None:
    error = _error("[metadata]\nx = " + "9" * 5000 + "\n")
    assert "invalid TOML" in error.message


# --- robustness ---------------------------------------------------------------------------

_FIELDS = st.sampled_from(
    [
        "name",
        "version",
        "groups",
        "sections",
        "marker",
        "files",
        "git",
        "ref",
        "revision",
        "url",
        "path",
        "editable",
        "extras",
        "conda_managed",
        "hash",
        "file",
        "subdirectory",
    ]
)
_SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=10)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '""'


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.dictionaries(_FIELDS, _SCALARS | st.lists(_SCALARS, max_size=3), max_size=6),
        max_size=4,
    )
)
def test_any_package_table_gives_a_manifest_or_a_parse_error(
    tables: list[dict[str, object]],
) -> None:
    lines = []
    for table in tables:
        lines.append("[[package]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    with contextlib.suppress(ParseError):
        parse("\n".join(lines) + "\n", origin="pdm.lock")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_manifest_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, origin="pdm.lock")
