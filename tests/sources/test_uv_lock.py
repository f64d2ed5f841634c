"""uv.lock: real samples (git, workspace, url sources) plus inline variants and malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.uv_lock import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "uv-lock"
PYPI = "https://pypi.org/simple"
SHA = "1f18d2d183f1b61888304c3e1e28684355288919"
HASH_A = "sha256:" + "a" * 64
HASH_B = "sha256:" + "b" * 64


def _sample(name: str) -> Manifest:
    return parse((SAMPLES / name).read_text(encoding="utf-8"), origin=f"uv-lock/{name}")


def _by_name(manifest: Manifest) -> dict[str, Package]:
    return {package.name: package for package in manifest.packages}


def _one(text: str) -> Package:
    manifest = parse(text, origin="uv.lock")
    assert len(manifest.packages) == 1
    return manifest.packages[0]


def _package(source: str, extra: str = "") -> str:
    return f'version = 1\n[[package]]\nname = "demo"\nversion = "1.0"\nsource = {source}\n{extra}'


# --- real samples ----------------------------------------------------------------------


def test_comfy_cli_sample_editable_root_and_registry_packages() -> None:
    manifest = _sample("Comfy-Org__comfy-cli__uv.lock")
    assert manifest.source.format == FORMAT_ID
    assert manifest.source.format_version == "1"
    assert manifest.meta["revision"] == "3"
    assert manifest.python.requires == ">=3.10"
    assert len(manifest.packages) == 62
    assert [index.url for index in manifest.indexes] == [PYPI]
    assert manifest.indexes[0].kind is IndexKind.INDEX_URL
    packages = _by_name(manifest)
    root = packages["comfy-cli"]
    assert root.source.kind is SourceKind.DIRECTORY
    assert root.source.editable is True
    assert root.source.url == "."
    assert root.hashes == ()
    anyio = packages["anyio"]
    assert anyio.version == "4.10.0"
    assert anyio.key == "anyio"
    assert anyio.ecosystem is Ecosystem.PYPI
    assert anyio.index == PYPI
    assert anyio.source.kind is SourceKind.REGISTRY
    assert len(anyio.hashes) == 2  # sdist + one wheel
    assert anyio.hashes[0].alg == "sha256"
    assert anyio.origin == "uv-lock/Comfy-Org__comfy-cli__uv.lock:package[0]"
    assert all(p.hashes for p in manifest.packages if p.source.kind is SourceKind.REGISTRY)


def test_qgis_sample_git_sources_and_virtual_root() -> None:
    manifest = _sample("3liz__qgis-cartads-plugin__uv.lock")
    assert len(manifest.packages) == 69
    assert manifest.meta["resolution_markers"] == (
        "python_full_version >= '3.12' || python_full_version < '3.12'"
    )
    packages = _by_name(manifest)
    pytest_qgis = packages["pytest-qgis"]
    assert pytest_qgis.version == "4.0.0.post0"
    assert pytest_qgis.source.kind is SourceKind.VCS
    assert pytest_qgis.source.vcs == "git"
    assert pytest_qgis.source.url == "https://github.com/3liz/pytest-qgis.git"
    assert pytest_qgis.source.commit == SHA
    assert pytest_qgis.source.ref is None
    assert pytest_qgis.index is None
    transifex = packages["qt-transifex"]
    assert transifex.source.commit == "9e9a963f9197143e27cd783047dff8e6ebd54b97"
    assert transifex.source.url == "https://github.com/3liz/qt-transifex"
    root = packages["cartads"]
    assert root.source.kind is SourceKind.VIRTUAL
    assert root.version == "0.1.0"


def test_fishsense_sample_workspace_members_overrides_and_url_wheels() -> None:
    manifest = _sample("UCSD-E4E__fishsense-lite__uv.lock")
    assert len(manifest.packages) == 210
    assert manifest.python.requires == "==3.13.*"
    assert manifest.meta["members"].split(",") == [
        "fishsense-api",
        "fishsense-api-sdk",
        "fishsense-api-workflow-worker",
        "fishsense-backup-worker",
        "fishsense-data-processing-workflow-worker",
        "fishsense-lite",
        "fishsense-shared",
    ]
    assert manifest.meta["overrides"] == "fishsense-api-sdk"
    assert manifest.meta["resolution_markers"].count(" || ") == 2
    editable = sorted(p.name for p in manifest.packages if p.source.editable)
    assert len(editable) == 6
    assert all(_by_name(manifest)[name].source.kind is SourceKind.DIRECTORY for name in editable)
    assert _by_name(manifest)["fishsense-api-sdk"].source.url == "libs/fishsense-api-sdk"
    assert _by_name(manifest)["fishsense-lite"].source.kind is SourceKind.VIRTUAL
    core = _by_name(manifest)["fishsense-core"]
    assert core.version == "3.0.0"
    assert core.source.kind is SourceKind.URL
    assert core.source.url is not None
    assert core.source.url.endswith("fishsense_core-3.0.0-cp313-cp313-manylinux_2_34_x86_64.whl")
    assert len(core.hashes) == 1


# --- sources ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "ref"),
    [("?rev=main", "main"), ("?tag=v1.2", "v1.2"), ("?branch=dev", "dev"), ("", None)],
)
def test_git_source_ref_and_commit(query: str, ref: str | None) -> None:
    package = _one(_package(f'{{ git = "https://github.com/o/r.git{query}#{SHA.upper()}" }}'))
    assert package.source.kind is SourceKind.VCS
    assert package.source.url == "https://github.com/o/r.git"
    assert package.source.ref == ref
    assert package.source.commit == SHA


def test_git_source_subdirectory_credentials_and_other_query_kept() -> None:
    url = f"https://user:secret@git.example.com/r?subdirectory=pkg&lfs=true&x=1&rev=v1#{SHA}"
    package = _one(_package(f'{{ git = "{url}" }}'))
    assert package.source.subdirectory == "pkg"
    assert package.source.url == "https://***@git.example.com/r?x=1"
    assert package.source.ref == "v1"


def test_git_ref_that_is_a_full_sha_is_the_commit() -> None:
    package = _one(_package(f'{{ git = "https://github.com/o/r?rev={SHA}" }}'))
    assert package.source.ref == SHA
    assert package.source.commit == SHA


@pytest.mark.parametrize(
    ("source", "kind", "editable"),
    [
        ('{ path = "dist/demo-1.0-py3-none-any.whl" }', SourceKind.FILE, False),
        ('{ path = "vendor/demo-1.0.tar.gz" }', SourceKind.FILE, False),
        ('{ path = "../demo" }', SourceKind.DIRECTORY, False),
        ('{ directory = "packages/demo" }', SourceKind.DIRECTORY, False),
        ('{ editable = "packages/demo" }', SourceKind.DIRECTORY, True),
        ('{ virtual = "." }', SourceKind.VIRTUAL, False),
        ('{ url = "https://example.com/demo-1.0.tar.gz" }', SourceKind.URL, False),
    ],
)
def test_local_and_url_source_kinds(source: str, kind: SourceKind, editable: bool) -> None:
    package = _one(_package(source))
    assert package.source.kind is kind
    assert package.source.editable is editable
    assert package.index is None


def test_url_source_with_subdirectory() -> None:
    package = _one(_package('{ url = "https://example.com/mono.zip", subdirectory = "pkg" }'))
    assert package.source.kind is SourceKind.URL
    assert package.source.subdirectory == "pkg"


def test_registry_credentials_are_redacted_and_indexes_collected_in_order() -> None:
    text = (
        'version = 1\n[[package]]\nname = "a"\nversion = "1"\n'
        'source = { registry = "https://u:tok@private.example/simple" }\n'
        '[[package]]\nname = "b"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\n'
        '[[package]]\nname = "c"\nversion = "1"\n'
        'source = { registry = "https://u:tok@private.example/simple" }\n'
    )
    manifest = parse(text, origin="uv.lock")
    assert [index.url for index in manifest.indexes] == ["https://***@private.example/simple", PYPI]
    assert manifest.indexes[0].origin == "uv.lock:package[0]"
    assert _by_name(manifest)["c"].index == "https://***@private.example/simple"


# --- versions, hashes, forks -----------------------------------------------------------


def test_version_may_be_absent_and_local_version_is_the_build() -> None:
    assert _one('[[package]]\nname = "root"\nsource = { editable = "." }').version is None
    torch = _one(
        '[[package]]\nname = "torch"\nversion = "2.0.1+cu118"\n'
        'source = { registry = "https://download.pytorch.org/whl/cu118" }'
    )
    assert torch.version == "2.0.1+cu118"
    assert torch.build == "cu118"
    assert torch.index == "https://download.pytorch.org/whl/cu118"


def test_hashes_from_sdist_and_wheels_deduplicated_with_both_upload_time_spellings() -> None:
    extra = (
        f'sdist = {{ url = "https://x/demo-1.0.tar.gz", hash = "{HASH_B}", size = 1, '
        'upload_time = "2024-01-01T00:00:00Z" }\n'
        "wheels = [\n"
        f'  {{ url = "https://x/demo-1.0-py3-none-any.whl", hash = "{HASH_A.upper()}", '
        'upload-time = "2024-01-01T00:00:00Z" },\n'
        f'  {{ url = "https://x/demo-1.0-py2-none-any.whl", hash = "{HASH_A}" }},\n'
        "]\n"
    )
    package = _one(_package('{ registry = "https://pypi.org/simple" }', extra))
    assert package.hashes == (Hash("sha256", "a" * 64), Hash("sha256", "b" * 64))


def test_forked_package_gets_its_resolution_markers() -> None:
    text = (
        'version = 1\nrequires-python = ">=3.9"\nresolution-markers = [\n'
        "  \"python_full_version >= '3.12'\",\n  \"python_full_version < '3.12'\",\n]\n"
        '[[package]]\nname = "numpy"\nversion = "2.1.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        "resolution-markers = [\"python_full_version >= '3.12'\"]\n"
        '[[package]]\nname = "numpy"\nversion = "1.26.4"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        "resolution-markers = [\n  \"python_full_version < '3.10'\",\n"
        "  \"python_full_version >= '3.10' and python_full_version < '3.12'\",\n]\n"
    )
    manifest = parse(text, origin="uv.lock")
    markers = {p.version: p.markers for p in manifest.packages}
    assert markers == {
        "2.1.0": 'python_full_version >= "3.12"',
        "1.26.4": 'python_full_version < "3.10" or '
        '(python_full_version >= "3.10" and python_full_version < "3.12")',
    }
    assert manifest.python.requires == ">=3.9"


def test_options_and_manifest_constraints_go_to_meta() -> None:
    text = (
        'version = 1\nrevision = 2\n[options]\nresolution-mode = "lowest-direct"\n'
        'exclude-newer = "2024-05-01T00:00:00Z"\n'
        '[manifest]\nconstraints = [{ name = "urllib3", specifier = "<2" }]\n'
    )
    manifest = parse(text, origin="uv.lock")
    assert manifest.packages == ()
    assert manifest.meta == {
        "constraints": "urllib3",
        "options_exclude_newer": "2024-05-01T00:00:00Z",
        "options_resolution_mode": "lowest-direct",
        "revision": "2",
    }


@pytest.mark.parametrize("text", ["", "# only a comment\n", "version = 1\nrevision = 3\n"])
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = parse(text, origin="uv.lock")
    assert manifest.packages == ()
    assert manifest.indexes == ()


# --- malformed input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key_path", "message"),
    [
        (_package('{ mirror = "x" }'), "package[0].source", "expected a source table with one of"),
        (_package("{}"), "package[0].source", "got keys none"),
        (_package('"https://pypi.org/simple"'), "package[0].source", "expected a table"),
        (
            '[[package]]\nname = "a"\nversion = 1\nsource = { virtual = "." }',
            "package[0].version",
            "expected a string, got an integer",
        ),
        (
            _package('{ virtual = "." }', 'wheels = [{ url = "u", hash = "sha256:abc" }]'),
            "package[0].wheels[0].hash",
            "invalid hash 'sha256:abc'",
        ),
        (
            _package('{ virtual = "." }', 'sdist = { url = "u", hash = 5 }'),
            "package[0].sdist.hash",
            "expected a string, got an integer",
        ),
        (_package('{ git = "https://h/r#main" }'), "package[0].source.git", "full commit hash"),
        ('[[package]]\nversion = "1"\nsource = { virtual = "." }', "package[0]", "'name'"),
        ('[[package]]\nname = "a"\nversion = "1"', "package[0]", "missing required key 'source'"),
        ('version = "1"', "version", "expected an integer for 'version'"),
        ('package = "numpy"', "package", "expected a list, got a string"),
        (
            _package('{ virtual = "." }', "resolution-markers = \"python_version > '3'\""),
            "package[0].resolution-markers",
            "expected a list",
        ),
        ("[manifest]\noverrides = [{ editable = 'x' }]", "manifest.overrides[0]", "'name'"),
    ],
)
def test_malformed_structure_is_located(text: str, key_path: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="uv.lock")
    assert caught.value.key_path == key_path
    assert message in caught.value.message


def test_toml_syntax_error_has_a_line() -> None:
    with pytest.raises(ParseError) as caught:
        parse('version = 1\n[[package]]\nname = "a\n', origin="uv.lock")
    assert caught.value.line == 3
    assert "invalid TOML" in caught.value.message


def test_error_messages_redact_credentials() -> None:
    with pytest.raises(ParseError) as caught:
        parse(_package('{ git = "https://u:pw@[::1/r" }'), origin="uv.lock")
    assert caught.value.key_path == "package[0].source.git"
    assert "expected a git URL" in str(caught.value)
    assert "pw" not in str(caught.value)
