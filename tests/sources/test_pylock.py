"""pylock.toml (PEP 751): real samples checked against packaging.pylock, variants, malformed input."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from envaudit.errors import ParseError
from envaudit.model import Hash, Manifest, Package, SourceKind
from envaudit.record import replace
from envaudit.sources import uv_lock
from envaudit.sources.pylock import FORMAT_ID, parse

ROOT = Path(__file__).parents[2] / "samples"
SAMPLES = sorted((ROOT / "pylock").glob("*.toml"))
PYPI = "https://pypi.org/simple"
SHA = "9e9a963f9197143e27cd783047dff8e6ebd54b97"
HEAD = 'lock-version = "1.0"\ncreated-by = "test"\n'


def _sample(name: str) -> Manifest:
    return parse((ROOT / "pylock" / name).read_text(encoding="utf-8"), origin=f"pylock/{name}")


def _by_name(manifest: Manifest) -> dict[str, Package]:
    return {package.name: package for package in manifest.packages}


def _one(body: str) -> Package:
    manifest = parse(HEAD + '[[packages]]\nname = "demo"\n' + body, origin="pylock.toml")
    assert len(manifest.packages) == 1
    return manifest.packages[0]


# --- real samples ----------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_sample_agrees_with_packaging_pylock(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    reference = Pylock.from_dict(tomllib.loads(text))
    manifest = parse(text, origin=path.name)
    assert sorted((p.key, p.version) for p in manifest.packages) == sorted(
        (str(p.name), str(p.version) if p.version is not None else None) for p in reference.packages
    )
    assert manifest.source.format_version == str(reference.lock_version)
    assert manifest.meta["created_by"] == reference.created_by
    assert manifest.python.requires == str(reference.requires_python)


def test_comfy_cli_sample_indexes_hashes_and_editable_root() -> None:
    manifest = _sample("Comfy-Org__comfy-cli__pylock__v1.toml")
    assert manifest.source.format == FORMAT_ID
    assert manifest.source.format_version == "1.0"
    assert manifest.python.requires == ">=3.10"
    assert len(manifest.packages) == 48
    assert [index.url for index in manifest.indexes] == [PYPI]
    packages = _by_name(manifest)
    anyio = packages["anyio"]
    assert anyio.version == "4.10.0"
    assert anyio.index == PYPI
    assert anyio.source.kind is SourceKind.REGISTRY
    assert len(anyio.hashes) == 2
    assert anyio.origin == "pylock/Comfy-Org__comfy-cli__pylock__v1.toml:packages[0]"
    root = packages["comfy-cli"]
    assert root.version is None
    assert root.source.kind is SourceKind.DIRECTORY
    assert root.source.editable is True
    assert root.source.url == "."
    markers = {p.name: p.markers for p in manifest.packages if p.markers}
    assert set(markers.values()) == {'sys_platform == "win32"', 'python_full_version < "3.11"'}


def test_comfy_cli_v1_and_v2_differ_only_in_the_typer_bump() -> None:
    v1 = _by_name(_sample("Comfy-Org__comfy-cli__pylock__v1.toml"))
    v2 = _by_name(_sample("Comfy-Org__comfy-cli__pylock__v2.toml"))
    assert v1.keys() == v2.keys()
    changed = {
        name: (v1[name].version, v2[name].version)
        for name in v1
        if replace(v1[name], origin=None) != replace(v2[name], origin=None)
    }
    assert changed == {"typer": ("0.16.0", "0.21.1")}


def test_comfy_cli_pylock_matches_its_uv_lock() -> None:
    """Same commit: every exported package has the uv.lock's version and hashes."""
    name = "Comfy-Org__comfy-cli__uv.lock"
    locked = _by_name(uv_lock.parse((ROOT / "uv-lock" / name).read_text(), origin=name))
    exported = _sample("Comfy-Org__comfy-cli__pylock__v2.toml")
    for package in exported.packages:
        if package.source.editable:
            continue
        assert package.version == locked[package.name].version
        assert package.hashes == locked[package.name].hashes
        assert package.index == locked[package.name].index


def test_vocalizr_sample_archive_url_and_platform_markers() -> None:
    manifest = _sample("AlphaSphereDotAI__vocalizr__pylock.toml")
    assert len(manifest.packages) == 136
    packages = _by_name(manifest)
    model = packages["en-core-web-sm"]
    assert model.version == "3.8.0"
    assert model.source.kind is SourceKind.URL
    assert model.source.url is not None
    assert model.source.url.endswith("en_core_web_sm-3.8.0-py3-none-any.whl")
    assert model.hashes == (
        Hash("sha256", "1932429db727d4bff3deed6b34cfc05df17794f4a52eeb26cf8928f7c1a0fb85"),
    )
    assert model.index is None
    nvidia = [p for p in manifest.packages if p.name.startswith("nvidia-")]
    assert nvidia
    assert {p.markers for p in nvidia} == {
        'platform_machine == "x86_64" and sys_platform == "linux"'
    }


def test_spectree_sample_without_index_keys() -> None:
    manifest = _sample("0b01001001__spectree__pylock.toml")
    assert len(manifest.packages) == 71
    assert manifest.python.requires == ">=3.9.22"
    assert manifest.indexes == ()
    assert all(p.index is None and p.hashes for p in manifest.packages)
    assert _by_name(manifest)["aiofiles"].version == "24.1.0"


# --- variants --------------------------------------------------------------------------


def test_top_level_lists_go_to_meta() -> None:
    text = (
        'lock-version = "1.1"\ncreated-by = "pdm"\nrequires-python = ">=3.11"\n'
        "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]\n"
        'extras = ["gpu"]\ndependency-groups = ["dev", "docs"]\ndefault-groups = ["default"]\n'
    )
    manifest = parse(text, origin="pylock.toml")
    assert manifest.source.format_version == "1.1"
    assert manifest.packages == ()
    assert manifest.meta == {
        "created_by": "pdm",
        "default_groups": "default",
        "dependency_groups": "dev,docs",
        "environments": "sys_platform == 'linux' || sys_platform == 'darwin'",
        "extras": "gpu",
    }


def test_vcs_package() -> None:
    package = _one(
        'version = "0.1"\n'
        f'vcs = {{ type = "Git", url = "https://u:pw@github.com/o/r.git", '
        f'requested-revision = "main", commit-id = "{SHA.upper()}", subdirectory = "pkg" }}\n'
    )
    assert package.source.kind is SourceKind.VCS
    assert package.source.vcs == "git"
    assert package.source.url == "https://***@github.com/o/r.git"
    assert package.source.ref == "main"
    assert package.source.commit == SHA
    assert package.source.subdirectory == "pkg"
    assert package.hashes == ()


def test_vcs_package_from_a_local_path() -> None:
    package = _one(f'vcs = {{ type = "git", path = "../repo", commit-id = "{SHA}" }}\n')
    assert package.source.url == "../repo"
    assert package.source.ref is None


def test_directory_package_not_editable_by_default() -> None:
    package = _one('directory = { path = "libs/demo" }\n')
    assert package.source.kind is SourceKind.DIRECTORY
    assert package.source.editable is False
    assert package.source.url == "libs/demo"


def test_archive_from_a_path_is_a_file() -> None:
    package = _one(
        f'archive = {{ path = "dist/demo-1.0.tar.gz", hashes = {{ sha256 = "{"C" * 64}" }} }}\n'
    )
    assert package.source.kind is SourceKind.FILE
    assert package.source.url == "dist/demo-1.0.tar.gz"
    assert package.hashes == (Hash("sha256", "c" * 64),)


def test_quoted_and_unquoted_upload_times_and_several_hash_algorithms() -> None:
    package = _one(
        'version = "2.0.1+cu118"\nindex = "https://download.pytorch.org/whl/cu118"\n'
        "marker = \"python_version>='3.10'\"\n"
        'sdist = { url = "https://x/demo.tar.gz", upload-time = 2024-05-01T10:00:00Z, '
        f'hashes = {{ sha256 = "{"a" * 64}", sha3_256 = "{"b" * 64}" }} }}\n'
        "[[packages.wheels]]\n"
        'name = "demo-2.0.1-py3-none-any.whl"\nurl = "https://x/demo.whl"\n'
        f'upload-time = "2024-05-01T10:00:00Z"\nhashes = {{ sha256 = "{"a" * 64}" }}\n'
        "[[packages.wheels]]\n"
        f'url = "https://x/demo-2.whl"\nsize = 10\nhashes = {{ blake2b = "{"d" * 128}" }}\n'
    )
    assert package.version == "2.0.1+cu118"
    assert package.build == "cu118"
    assert package.index == "https://download.pytorch.org/whl/cu118"
    assert package.markers == 'python_version >= "3.10"'
    assert package.source.kind is SourceKind.REGISTRY
    assert package.hashes == (
        Hash("blake2b", "d" * 128),
        Hash("sha256", "a" * 64),
        Hash("sha3_256", "b" * 64),
    )


def test_dependency_group_markers_are_kept() -> None:
    package = _one(
        "marker = \"'dev' in dependency_groups\"\n"
        f'wheels = [{{ url = "https://x/demo.whl", hashes = {{ sha256 = "{"a" * 64}" }} }}]\n'
    )
    assert package.markers is not None
    assert "dependency_groups" in package.markers


@pytest.mark.parametrize("text", ["", "# nothing locked yet\n"])
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = parse(text, origin="pylock.toml")
    assert manifest.packages == ()
    assert manifest.source.format == FORMAT_ID


# --- malformed input -------------------------------------------------------------------

WHEEL = '[[packages.wheels]]\nurl = "https://x/demo.whl"\n'


@pytest.mark.parametrize(
    ("text", "key_path", "message"),
    [
        ('lock-version = "2.0"\n', "lock-version", "unsupported lock-version '2.0'"),
        ('created-by = "x"\n', "", "missing required key 'lock-version'"),
        ("lock-version = 1.0\n", "lock-version", "expected a string, got a number"),
        (HEAD + 'packages = "x"\n', "packages", "expected a list, got a string"),
        (HEAD + '[[packages]]\nname = "a"\n', "packages[0]", "got none"),
        (
            HEAD + '[[packages]]\nname = "a"\ndirectory = { path = "." }\n' + WHEEL,
            "packages[0]",
            "got directory, wheels",
        ),
        (HEAD + "[[packages]]\nname = 3\n" + WHEEL, "packages[0].name", "expected a string"),
        (
            HEAD + '[[packages]]\nname = "a"\n' + WHEEL + 'hashes = { sha256 = "abc" }\n',
            "packages[0].wheels[0].hashes.sha256",
            "invalid sha256 hash 'abc': expected 64 hex digits",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\n' + WHEEL + 'hashes = { crc32 = "abcd" }\n',
            "packages[0].wheels[0].hashes.crc32",
            "unsupported hash algorithm 'crc32'",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\n' + WHEEL + "upload-time = 5\n",
            "packages[0].wheels[0].upload-time",
            "expected a date-time or a string",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\nvcs = { type = "git", url = "https://h/r" }\n',
            "packages[0].vcs",
            "missing required key 'commit-id'",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\nvcs = { type = "git", commit-id = "abc" }\n',
            "packages[0].vcs",
            "expected a 'url' or a 'path'",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\ndirectory = { path = ".", editable = "yes" }\n',
            "packages[0].directory.editable",
            "expected true or false",
        ),
        (
            HEAD + '[[packages]]\nname = "a"\narchive = { url = "https://h/a.zip", size = "1" }\n',
            "packages[0].archive.size",
            "expected an integer",
        ),
        (
            HEAD + "environments = \"sys_platform == 'linux'\"\n",
            "environments",
            "expected a list",
        ),
    ],
)
def test_malformed_structure_is_located(text: str, key_path: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="pylock.toml")
    assert (caught.value.key_path or "") == key_path
    assert message in caught.value.message


def test_toml_syntax_error_has_a_line() -> None:
    with pytest.raises(ParseError) as caught:
        parse(HEAD + "[[packages]]\nname = \n", origin="pylock.toml")
    assert caught.value.line == 4
    assert "invalid TOML" in caught.value.message
