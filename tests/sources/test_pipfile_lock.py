"""Tests for the Pipfile.lock parser."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.errors import ParseError
from envaudit.model import Hash, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.pipfile_lock import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "pipfile-lock"
SHA_A = "a" * 64
SHA_B = "b" * 64


def _sample(name: str) -> Manifest:
    return parse((SAMPLES / name).read_text(encoding="utf-8"), origin="Pipfile.lock")


def _inline(document: dict[str, Any]) -> Manifest:
    return parse(json.dumps(document), origin="Pipfile.lock")


def _only(manifest: Manifest, key: str) -> Package:
    found = [package for package in manifest.packages if package.key == key]
    assert len(found) == 1, found
    return found[0]


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, origin="Pipfile.lock")
    return info.value


# --- real samples -------------------------------------------------------------------------


def test_ml_project_sample_pins_torch_with_many_hashes() -> None:
    manifest = _sample("MrDote__GSOC24_DeepLense__Pipfile.lock")
    assert manifest.source.format == FORMAT_ID
    assert manifest.source.format_version == "6"
    assert len(manifest.packages) == 80
    assert Counter(p.groups for p in manifest.packages) == {("default",): 51, ("develop",): 29}
    assert manifest.python.requires == "==3.11.*"
    assert manifest.python.version is None
    torch = _only(manifest, "torch")
    assert torch.version == "2.2.1"
    assert torch.spec is None
    assert len(torch.hashes) == 25
    assert torch.markers == 'python_full_version >= "3.8.0"'
    assert torch.index == "https://pypi.org/simple"
    assert torch.origin == "Pipfile.lock:default.torch"
    assert all(p.index == "https://pypi.org/simple" for p in manifest.packages)
    assert manifest.meta == {
        "content_hash": "sha256:5c8e23f941920f4f11a8700aa135e6af34b0fc25ad591a7b1a2328d743efec2d"
    }


def test_ml_project_sample_lists_the_one_source_as_index_url() -> None:
    manifest = _sample("MrDote__GSOC24_DeepLense__Pipfile.lock")
    assert len(manifest.indexes) == 1
    index = manifest.indexes[0]
    assert (index.url, index.kind, index.name) == (
        "https://pypi.org/simple",
        IndexKind.INDEX_URL,
        "pypi",
    )
    assert index.origin == "Pipfile.lock:_meta.sources[0]"


def test_pipenv_sample_has_markers_extras_and_empty_requires() -> None:
    manifest = _sample("pypa__pipenv__Pipfile.lock")
    assert len(manifest.packages) == 110
    assert Counter(p.groups for p in manifest.packages) == {("develop",): 100, ("default",): 10}
    assert manifest.python.requires is None and manifest.python.version is None
    coverage = _only(manifest, "coverage")
    assert coverage.extras == ("toml",)
    assert coverage.version == "7.13.5"
    assert len(coverage.hashes) == 106
    assert coverage.markers == '"dev" in dependency_groups and python_version >= "3.10"'
    assert coverage.index is None
    assert all(p.source.kind is SourceKind.REGISTRY for p in manifest.packages)


def test_2019_sample_has_editable_paths_and_git_refs() -> None:
    manifest = _sample("pypa__pipenv__Pipfile-2019.lock")
    assert len(manifest.packages) == 97
    assert manifest.packages[0].groups == ("develop",)
    passa = _only(manifest, "passa")
    assert passa.source.kind is SourceKind.VCS
    assert passa.source.vcs == "git"
    assert passa.source.url == "https://github.com/sarugaku/passa.git"
    assert passa.source.ref == "4f3b8102f122cf0b75e5d7c513a2e61b0b093dcd"
    assert passa.source.commit == "4f3b8102f122cf0b75e5d7c513a2e61b0b093dcd"
    assert passa.source.editable
    assert passa.version is None and passa.hashes == ()
    pipenv = _only(manifest, "pipenv")
    assert pipenv.source.kind is SourceKind.DIRECTORY
    assert pipenv.source.url == "."
    assert pipenv.source.editable
    pytest_pypi = _only(manifest, "pytest-pypi")
    assert pytest_pypi.version == "0.1.1"
    assert pytest_pypi.source.url == "./tests/pytest-pypi"
    assert _only(manifest, "plette").extras == ("validation",)


# --- variants -----------------------------------------------------------------------------


def test_pins_ranges_and_local_versions() -> None:
    manifest = _inline(
        {
            "default": {
                "torch": {"version": "==2.0.1+cu118"},
                "numpy": {"version": ">=1.24,<2"},
                "six": {"version": "*"},
                "legacy": {"version": "===1.0-custom"},
                "wild": {"version": "==1.24.*"},
                "bare": {},
            }
        }
    )
    torch = _only(manifest, "torch")
    assert (torch.version, torch.build, torch.spec) == ("2.0.1+cu118", "cu118", None)
    assert (_only(manifest, "numpy").version, _only(manifest, "numpy").spec) == (None, ">=1.24,<2")
    assert _only(manifest, "six").spec == "*"
    assert _only(manifest, "legacy").version == "1.0-custom"
    assert (_only(manifest, "wild").version, _only(manifest, "wild").spec) == (None, "==1.24.*")
    bare = _only(manifest, "bare")
    assert (bare.version, bare.spec, bare.source.kind) == (None, None, SourceKind.REGISTRY)


def test_hashes_are_lower_cased_deduplicated_and_sorted() -> None:
    manifest = _inline(
        {
            "default": {
                "Foo_Bar": {
                    "version": "==1",
                    "hashes": [f"sha256:{SHA_B.upper()}", f"sha256:{SHA_A}", f"sha256:{SHA_B}"],
                }
            }
        }
    )
    package = _only(manifest, "foo-bar")
    assert package.name == "Foo_Bar"
    assert package.hashes == (Hash("sha256", SHA_A), Hash("sha256", SHA_B))


def test_python_full_version_and_several_sources() -> None:
    manifest = _inline(
        {
            "_meta": {
                "requires": {"python_version": "3.10", "python_full_version": "3.10.4"},
                "sources": [
                    {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
                    {
                        "name": "private",
                        "url": "http://user:s3cret@pkgs.example.com:8080/simple",
                        "verify_ssl": False,
                    },
                ],
            },
            "default": {"internal": {"version": "==2.0", "index": "private"}},
        }
    )
    assert manifest.python.requires == "==3.10.*"
    assert manifest.python.version == "3.10.4"
    kinds = [(index.kind, index.url, index.name) for index in manifest.indexes]
    assert kinds == [
        (IndexKind.INDEX_URL, "https://pypi.org/simple", "pypi"),
        (IndexKind.EXTRA_INDEX_URL, "http://***@pkgs.example.com:8080/simple", "private"),
        (IndexKind.TRUSTED_HOST, "pkgs.example.com:8080", "private"),
    ]
    assert _only(manifest, "internal").index == "http://***@pkgs.example.com:8080/simple"
    assert "s3cret" not in manifest.to_json()


def test_vcs_with_branch_ref_file_urls_and_custom_categories() -> None:
    manifest = _inline(
        {
            "default": {
                "lib": {"git": "https://tok:x@github.com/o/lib.git", "ref": "main"},
                "sub": {"git": "https://github.com/o/mono.git", "ref": "v1", "subdirectory": "pkg"},
                "remote": {"file": "https://example.com/remote-1.0.tar.gz"},
                "wheel": {"path": "./dist/wheel-1.0-py3-none-any.whl"},
                "tree": {"path": "./vendor/tree"},
            },
            "docs": {"sphinx": {"version": "==7.0.0", "markers": "python_version>='3.9'"}},
        }
    )
    lib = _only(manifest, "lib")
    assert lib.source.kind is SourceKind.VCS
    assert (lib.source.ref, lib.source.commit) == ("main", None)
    assert lib.source.url == "https://***@github.com/o/lib.git"
    assert not lib.source.editable
    assert _only(manifest, "sub").source.subdirectory == "pkg"
    assert _only(manifest, "remote").source.kind is SourceKind.URL
    assert _only(manifest, "wheel").source.kind is SourceKind.FILE
    assert _only(manifest, "tree").source.kind is SourceKind.DIRECTORY
    sphinx = _only(manifest, "sphinx")
    assert sphinx.groups == ("docs",)
    assert sphinx.markers == 'python_version >= "3.9"'
    assert sphinx.origin == "Pipfile.lock:docs.sphinx"


def test_package_in_default_and_develop_is_listed_once_per_group() -> None:
    entry = {"version": "==2.31.0"}
    manifest = _inline({"default": {"requests": entry}, "develop": {"requests": entry}})
    assert [p.groups for p in manifest.packages] == [("default",), ("develop",)]


def test_dotted_names_get_quoted_key_paths() -> None:
    manifest = _inline({"default": {"zope.interface": {"version": "==6.0"}}})
    assert _only(manifest, "zope-interface").origin == 'Pipfile.lock:default."zope.interface"'


@pytest.mark.parametrize("text", ["", "  \n", "{}", '{"_meta": {}, "default": {}, "develop": {}}'])
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = parse(text, origin="Pipfile.lock")
    assert manifest.packages == () and manifest.indexes == ()
    assert manifest.source.format == FORMAT_ID


# --- malformed input ----------------------------------------------------------------------


def test_top_level_must_be_an_object() -> None:
    error = _error("[1, 2]")
    assert error.key_path == "$"
    assert "expected a table, got a list" in error.message


def test_invalid_json_is_located_by_line() -> None:
    error = _error('{\n  "default": {\n    "a": \n}')
    assert error.line == 4
    assert error.message.startswith("invalid JSON")


def test_default_must_be_an_object() -> None:
    error = _error('{"default": ["requests"]}')
    assert error.key_path == "default"
    assert "expected a table, got a list" in error.message


def test_entry_must_be_an_object() -> None:
    error = _error('{"default": {"requests": "==2.0"}}')
    assert error.key_path == "default.requests"
    assert "expected a table, got a string" in error.message


def test_hashes_must_be_a_list() -> None:
    error = _error('{"default": {"requests": {"hashes": "sha256:abc"}}}')
    assert error.key_path == "default.requests.hashes"
    assert "expected a list, got a string" in error.message


def test_bad_hash_names_its_position() -> None:
    good = f"sha256:{SHA_A}"
    error = _error(json.dumps({"default": {"requests": {"hashes": ["sha256:abc", good]}}}))
    assert error.key_path == "default.requests.hashes[0]"
    assert "invalid hash 'sha256:abc'" in error.message


def test_version_must_be_a_string() -> None:
    error = _error('{"develop": {"six": {"version": ["==1"]}}}')
    assert error.key_path == "develop.six.version"
    assert "expected a string, got a list" in error.message


def test_unknown_index_name_is_an_error() -> None:
    error = _error('{"_meta": {"sources": []}, "default": {"six": {"index": "corp"}}}')
    assert error.key_path == "default.six.index"
    assert "unknown index 'corp'" in error.message


def test_source_without_url_is_an_error() -> None:
    error = _error('{"_meta": {"sources": [{"name": "pypi"}]}}')
    assert error.key_path == "_meta.sources[0]"
    assert "missing required key 'url'" in error.message


def test_editable_must_be_a_boolean() -> None:
    error = _error('{"default": {"x": {"path": ".", "editable": "yes"}}}')
    assert error.key_path == "default.x.editable"
    assert "expected true or false" in error.message


def test_huge_integers_are_a_parse_error() -> None:
    error = _error('{"_meta": {"pipfile-spec": ' + "9" * 5000 + "}}")
    assert "invalid JSON" in error.message


def test_errors_redact_credentials() -> None:
    error = _error('{"_meta": {"sources": [{"url": "https://u:pw@h/simple", "verify_ssl": 1}]}}')
    assert "pw" not in str(error)
    assert error.key_path == "_meta.sources[0].verify_ssl"


# --- robustness ---------------------------------------------------------------------------

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    [
        "_meta",
        "default",
        "develop",
        "version",
        "hashes",
        "git",
        "ref",
        "path",
        "file",
        "editable",
        "index",
        "markers",
        "extras",
        "sources",
        "requires",
        "hash",
        "url",
        "verify_ssl",
        "name",
        "pipfile-spec",
        "python_version",
        "python_full_version",
    ]
)
_PIPFILE_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS | st.text(max_size=4), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_JSON_VALUES, _PIPFILE_LIKE))
def test_any_json_gives_a_manifest_or_a_parse_error(document: Any) -> None:
    with contextlib.suppress(ParseError):
        parse(json.dumps(document), origin="Pipfile.lock")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_manifest_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, origin="Pipfile.lock")
