"""Tests for the poetry.lock parser: every lock version on real samples, variants and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.poetry_lock import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "poetry-lock"
SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def parse_sample(name: str) -> Manifest:
    return parse((SAMPLES / name).read_text(encoding="utf-8"), origin=name)


def only(manifest: Manifest, key: str) -> Package:
    matches = [package for package in manifest.packages if package.key == key]
    assert len(matches) == 1, matches
    return matches[0]


def lock(body: str) -> Manifest:
    return parse(body, origin="poetry.lock")


def parse_error(body: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        lock(body)
    return info.value


# --- real samples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "lock_version"),
    [
        ("python-poetry__poetry__no-lockversion-2018.lock", 62, None),
        ("python-poetry__poetry__lockv1.0.lock", 100, "1.0"),
        ("python-poetry__poetry__lockv1.1.lock", 83, "1.1"),
        ("python-poetry__poetry__lockv2.0.lock", 68, "2.0"),
        ("python-poetry__poetry__poetry-lock__v1.lock", 78, "2.1"),
        ("python-poetry__poetry__poetry-lock__v2.lock", 78, "2.1"),
        ("huggingface__text-generation-inference__server-poetry-lock__v1.lock", 78, "2.0"),
        ("huggingface__text-generation-inference__server-poetry-lock__v2.lock", 81, "2.0"),
        ("UCSD-E4E__baboons-on-the-move__poetry.lock.x86_64", 246, "2.0"),
    ],
)
def test_every_sample_parses_with_its_lock_version(
    name: str, count: int, lock_version: str | None
) -> None:
    manifest = parse_sample(name)
    assert len(manifest.packages) == count
    assert manifest.source.format == FORMAT_ID
    assert manifest.source.format_version == lock_version
    assert manifest.source.path == name
    assert all(package.ecosystem is Ecosystem.PYPI for package in manifest.packages)
    assert all(package.version for package in manifest.packages)
    assert all(
        package.origin and package.origin.startswith(f"{name}:package[")
        for package in manifest.packages
    )
    # every registry package of these samples carries hashes
    assert all(p.hashes for p in manifest.packages if p.source.kind is SourceKind.REGISTRY)


def test_2018_lock_without_lock_version_uses_category_and_bare_hex_hashes() -> None:
    manifest = parse_sample("python-poetry__poetry__no-lockversion-2018.lock")
    assert manifest.meta["lock_generation"] == "pre-1.0"
    assert manifest.meta["content_hash"].startswith("39b7f1660472")
    assert "generator" not in manifest.meta
    assert manifest.python.requires == "~2.7 || ^3.4"
    appdirs = only(manifest, "appdirs")
    assert appdirs.version == "1.4.3"
    assert appdirs.groups == ("dev",)
    assert appdirs.hashes == (
        Hash("sha256", "9e5896d1372858f8dd3344faf4e5014d21849c756c8d5701f78f8a103b372d92"),
        Hash("sha256", "d8b24664561d0d34ddfaec54636d502d7cea6e29c3eaf68f3df6180863e2166e"),
    )
    # the [metadata.hashes] key "aspy.yaml" matches the package of that name
    assert len(only(manifest, "aspy-yaml").hashes) == 2
    assert appdirs.origin == "python-poetry__poetry__no-lockversion-2018.lock:package[0]"


def test_lock_1_0_matches_metadata_files_to_each_version_of_a_name() -> None:
    manifest = parse_sample("python-poetry__poetry__lockv1.0.lock")
    assert "lock_generation" not in manifest.meta
    keyrings = {p.version: p for p in manifest.packages if p.key == "keyring"}
    assert sorted(keyrings) == ["18.0.1", "20.0.1", "21.2.1"]
    assert all(len(p.hashes) == 2 for p in keyrings.values())
    assert (
        Hash("sha256", "3401234209015144a5d75701e71cb47239e552b0882313e9f51e8976f9e27843")
        in keyrings["21.2.1"].hashes
    )
    assert keyrings["21.2.1"].groups == ("main",)
    # more_itertools-5.0.0 has one sdist and two wheels (underscored wheel names)
    more = {p.version: len(p.hashes) for p in manifest.packages if p.key == "more-itertools"}
    assert more == {"5.0.0": 3, "8.3.0": 2, "8.4.0": 2}


def test_lock_1_1_reads_metadata_files_table() -> None:
    manifest = parse_sample("python-poetry__poetry__lockv1.1.lock")
    attrs = only(manifest, "attrs")
    assert (attrs.version, attrs.groups, attrs.optional) == ("22.1.0", ("main",), False)
    assert len(attrs.hashes) == 2
    assert only(manifest, "cachecontrol").name == "CacheControl"
    assert manifest.python.requires == "^3.7"
    assert manifest.meta["content_hash"].startswith("728bc093f740")


def test_lock_2_0_has_inline_files_and_no_groups() -> None:
    manifest = parse_sample("python-poetry__poetry__lockv2.0.lock")
    build = only(manifest, "build")
    assert build.version == "1.2.2.post1"
    assert build.build is None
    assert build.groups == ()
    assert len(build.hashes) == 2
    assert manifest.meta["generator"] == "Poetry 1.8.5"
    assert sum(len(p.hashes) for p in manifest.packages) == 751


def test_lock_2_1_groups_and_per_group_markers() -> None:
    manifest = parse_sample("python-poetry__poetry__poetry-lock__v1.lock")
    assert manifest.meta["generator"] == "Poetry 2.3.4"
    assert manifest.python.requires == ">=3.10,<4.0"
    colorama = only(manifest, "colorama")
    assert colorama.groups == ("github-actions", "main", "test")
    # markers differ per group: the one of "main" is kept
    assert colorama.markers == 'os_name == "nt"'
    assert only(manifest, "typing-extensions").markers == 'python_version < "3.13"'
    assert only(manifest, "pytest").groups == ("github-actions", "test")
    assert only(manifest, "exceptiongroup").markers == 'python_version == "3.10"'


def test_lock_2_1_pair_differs_only_in_generator() -> None:
    old = parse_sample("python-poetry__poetry__poetry-lock__v1.lock")
    new = parse_sample("python-poetry__poetry__poetry-lock__v2.lock")
    assert new.meta["generator"] == "Poetry 2.4.1"
    assert old.meta["content_hash"] == new.meta["content_hash"]
    assert only(old, "tomlkit").version != only(new, "tomlkit").version


def test_huggingface_pair_torch_moves_to_a_legacy_cuda_source() -> None:
    before = parse_sample("huggingface__text-generation-inference__server-poetry-lock__v1.lock")
    after = parse_sample("huggingface__text-generation-inference__server-poetry-lock__v2.lock")
    torch_before, torch_after = only(before, "torch"), only(after, "torch")
    assert (torch_before.version, torch_before.build, torch_before.index) == ("2.0.1", None, None)
    assert len(torch_before.hashes) == 20
    assert before.indexes == ()
    assert torch_after.version == "2.0.1+cu118"
    assert torch_after.build == "cu118"
    assert torch_after.index == "https://download.pytorch.org/whl/cu118"
    assert torch_after.source.kind is SourceKind.REGISTRY
    assert len(torch_after.hashes) == 8
    assert [(i.url, i.kind, i.name) for i in after.indexes] == [
        ("https://download.pytorch.org/whl/cu118", IndexKind.EXTRA_INDEX_URL, "pytorch-gpu-src")
    ]
    assert sum(p.optional for p in after.packages) == 19
    assert only(after, "aiohttp").optional is True
    assert after.meta["generator"] == "Poetry 1.5.1"


def test_large_lock_with_git_sources() -> None:
    manifest = parse_sample("UCSD-E4E__baboons-on-the-move__poetry.lock.x86_64")
    assert manifest.python.requires == ">=3.10,<3.11"
    gpy = only(manifest, "gpy")
    assert gpy.name == "GPy"
    assert gpy.source.kind is SourceKind.VCS
    assert gpy.source.url == "https://github.com/SheffieldML/GPy.git"
    assert (gpy.source.vcs, gpy.source.ref) == ("git", "devel")
    assert gpy.source.commit == "9ec3e50e3b96a10db58175a206ed998ec5a8e3e3"
    assert gpy.source.editable is False
    assert gpy.hashes == ()
    sherlock = only(manifest, "sherlock")
    assert sherlock.source.ref == "feature/pypi"
    assert sum(len(p.hashes) for p in manifest.packages) == 2206


# --- inline variants ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["", "# only a comment\n\n", '[metadata]\nlock-version = "2.1"\n', "package = []\n"],
)
def test_empty_documents_give_empty_manifests(body: str) -> None:
    manifest = lock(body)
    assert manifest.packages == ()
    assert manifest.indexes == ()
    assert "lock_generation" not in manifest.meta


def test_sources_of_every_type() -> None:
    manifest = lock(
        f"""
[[package]]
name = "pinned-git"
version = "1.0"
[package.source]
type = "git"
url = "https://github.com/o/r.git"
reference = "{"AB" * 20}"
resolved_reference = "{"ab" * 20}"
subdirectory = "sub"

[[package]]
name = "archive"
version = "2.0"
files = [{{file = "archive-2.0.tar.gz", hash = "sha256:{SHA_A}"}}]
source = {{type = "url", url = "https://user:secret@example.com/archive-2.0.tar.gz"}}

[[package]]
name = "wheel-file"
version = "3.0"
source = {{type = "file", url = "dist/wheel_file-3.0-py3-none-any.whl"}}

[[package]]
name = "local-tree"
version = "4.0"
develop = true
source = {{type = "directory", url = "../local", develop = true}}
"""
    )
    git = only(manifest, "pinned-git").source
    assert (git.kind, git.ref, git.commit, git.subdirectory) == (
        SourceKind.VCS,
        "AB" * 20,
        "ab" * 20,
        "sub",
    )
    archive = only(manifest, "archive")
    assert archive.source.kind is SourceKind.URL
    assert archive.source.url == "https://***@example.com/archive-2.0.tar.gz"
    assert archive.hashes == (Hash("sha256", SHA_A),)
    assert only(manifest, "wheel-file").source.kind is SourceKind.FILE
    tree = only(manifest, "local-tree").source
    assert (tree.kind, tree.url, tree.editable) == (SourceKind.DIRECTORY, "../local", True)


def test_git_reference_that_is_a_full_sha_is_the_commit() -> None:
    manifest = lock(
        f"""
[[package]]
name = "a"
version = "1"
[package.source]
type = "git"
url = "https://github.com/o/a.git"
reference = "{"0" * 40}"
"""
    )
    assert only(manifest, "a").source.commit == "0" * 40


def test_legacy_sources_are_listed_once_and_redacted() -> None:
    manifest = lock(
        """
[[package]]
name = "a"
version = "1.0+cpu"
source = {type = "legacy", url = "https://me:token@pkgs.example.com/simple", reference = "private"}

[[package]]
name = "b"
version = "2.0"
source = {type = "legacy", url = "https://me:token@pkgs.example.com/simple", reference = "private"}
"""
    )
    assert [(i.url, i.name, i.origin) for i in manifest.indexes] == [
        ("https://***@pkgs.example.com/simple", "private", "poetry.lock:package[0].source")
    ]
    package_a = only(manifest, "a")
    assert package_a.index == "https://***@pkgs.example.com/simple"
    assert (package_a.version, package_a.build) == ("1.0+cpu", "cpu")
    assert "token" not in manifest.to_json()


def test_empty_source_of_very_old_locks_is_a_plain_registry() -> None:
    manifest = lock(
        '[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = ""\nurl = ""\n'
    )
    package = only(manifest, "a")
    assert package.source.kind is SourceKind.REGISTRY
    assert package.index is None


def test_hashes_are_lower_cased_deduplicated_and_sorted() -> None:
    manifest = lock(
        f"""
[[package]]
name = "a"
version = "1"
files = [
    {{file = "a-1.tar.gz", hash = "sha256:{SHA_B.upper()}"}},
    {{file = "a-1-py3-none-any.whl", hash = "sha256:{SHA_A}"}},
    {{file = "a-1-py2-none-any.whl", hash = "sha256:{SHA_B}"}},
]
"""
    )
    assert only(manifest, "a").hashes == (Hash("sha256", SHA_A), Hash("sha256", SHA_B))


@pytest.mark.parametrize(
    ("markers", "groups", "expected"),
    [
        ("\"python_version<'3.8'\"", '["main"]', 'python_version < "3.8"'),
        ('"not a marker ("', '["main"]', "not a marker ("),
        (
            "{dev = \"sys_platform == 'win32'\", test = \"os_name == 'nt'\"}",
            '["dev", "test"]',
            'sys_platform == "win32"',
        ),
        (
            "{dev = \"os_name == 'nt'\", test = \"os_name == 'nt'\"}",
            '["dev", "test"]',
            'os_name == "nt"',
        ),
        # "main" is missing from the table: the package is unconditional there
        ("{dev = \"os_name == 'nt'\"}", '["dev", "main"]', None),
        ("{}", '["main"]', None),
    ],
)
def test_marker_forms(markers: str, groups: str, expected: str | None) -> None:
    manifest = lock(
        f'[[package]]\nname = "a"\nversion = "1"\ngroups = {groups}\nmarkers = {markers}\n'
    )
    assert only(manifest, "a").markers == expected


def test_metadata_files_without_readable_version_go_to_every_entry() -> None:
    manifest = lock(
        f"""
[[package]]
name = "a"
version = "1.0"
category = "main"

[[package]]
name = "a"
version = "2.0"
category = "dev"

[metadata]
lock-version = "1.1"
python-versions = "*"
content-hash = "x"

[metadata.files]
a = [
    {{file = "a-1.0.tar.gz", hash = "sha256:{SHA_A}"}},
    {{file = "a-2.0-py3-none-any.whl", hash = "sha256:{SHA_B}"}},
    {{file = "a.egg-info", hash = "sha256:{SHA_C}"}},
    {{file = "a-3.0.tar.gz", hash = "sha256:{"d" * 64}"}},
]
"""
    )
    by_version = {p.version: p for p in manifest.packages}
    assert by_version["1.0"].hashes == (Hash("sha256", SHA_A), Hash("sha256", SHA_C))
    assert by_version["2.0"].hashes == (Hash("sha256", SHA_B), Hash("sha256", SHA_C))
    assert by_version["2.0"].groups == ("dev",)
    assert manifest.python.requires == "*"


def test_generator_header_without_version() -> None:
    manifest = lock(
        "# This file is automatically @generated by Poetry and should not be changed by hand.\n"
        '[[package]]\nname = "a"\nversion = "1"\n'
    )
    assert manifest.meta["generator"] == "Poetry"


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key_path", "message"),
    [
        ('[[package]]\nversion = "1"\n', "package[0]", "missing required key 'name'"),
        (
            '[[package]]\nname = "a"\nversion = "1"\n[[package]]\nname = "b"\nversion = 2\n',
            "package[1].version",
            "expected a string, got an integer",
        ),
        ('[[package]]\nname = "a"\n', "package[0]", "missing required key 'version'"),
        ('[[package]]\nname = " "\nversion = "1"\n', "package[0].name", "non-empty 'name'"),
        (
            '[[package]]\nname = "a"\nversion = "1"\nfiles = "a.whl"\n',
            "package[0].files",
            "expected a list, got a string",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\n'
            f'files = [{{file = "a", hash = "sha256:{SHA_A}"}}, {{file = "b", hash = "nothex"}}]\n',
            "package[0].files[1].hash",
            "invalid hash 'nothex'",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\nfiles = [{file = "a"}]\n',
            "package[0].files[0]",
            "missing required key 'hash'",
        ),
        ('package = "numpy"\n', "package", "expected a list, got a string"),
        ("package = [1]\n", "package[0]", "expected a table, got an integer"),
        ('metadata = "x"\n', "metadata", "expected a table, got a string"),
        (
            '[[package]]\nname = "a"\nversion = "1"\noptional = "no"\n',
            "package[0].optional",
            "expected true or false for 'optional'",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\ngroups = "main"\n',
            "package[0].groups",
            "expected a list, got a string",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\nmarkers = {main = 3}\n',
            "package[0].markers.main",
            "expected a string, got an integer",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\nsource = {type = "hg", url = "x"}\n',
            "package[0].source.type",
            "unknown source type 'hg'",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\nsource = {type = "git"}\n',
            "package[0].source.url",
            "a 'git' source needs a 'url'",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\n'
            'source = {type = "git", url = "u", resolved_reference = "abc123"}\n',
            "package[0].source.resolved_reference",
            "expected a full commit hash",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\n'
            '[metadata.files]\na = [{file = "a", hash = "zz"}]\n',
            "metadata.files.a[0].hash",
            "invalid hash 'zz'",
        ),
        (
            "[metadata.hashes]\na = [12]\n",
            "metadata.hashes.a[0]",
            "expected a table, got an integer",
        ),
        ("[metadata]\nlock-version = 2.1\n", "metadata.lock-version", "expected a string"),
    ],
)
def test_structure_errors_are_located(body: str, key_path: str, message: str) -> None:
    error = parse_error(body)
    assert error.key_path == key_path
    assert message in error.message
    assert error.path == "poetry.lock"


def test_truncated_toml_reports_the_last_line() -> None:
    text = (SAMPLES / "python-poetry__poetry__lockv2.0.lock").read_text(encoding="utf-8")
    truncated = text[: text.index('name = "build"') + len('name = "bu')]
    error = parse_error(truncated)
    assert error.line == truncated.count("\n") + 1
    assert error.message.startswith("invalid TOML")


def test_toml_syntax_error_in_the_middle_reports_its_line() -> None:
    text = (SAMPLES / "python-poetry__poetry__lockv2.0.lock").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    broken_line = next(i for i, line in enumerate(lines) if line.startswith('version = "1.2.0"'))
    lines[broken_line] = 'version = "1.2.0\n'
    error = parse_error("".join(lines))
    assert error.line == broken_line + 1
    assert "invalid TOML" in error.message


def test_credentials_never_reach_error_messages() -> None:
    error = parse_error(
        '[[package]]\nname = "a"\nversion = "1"\n'
        'source = {type = "git", url = "https://u:pw@h/r.git", resolved_reference = "x"}\n'
    )
    assert "pw" not in str(error)


@pytest.mark.parametrize(
    "body",
    [
        "package = [[]]\n",
        "[[package]]\nname = []\nversion = {}\n",
        '[[package]]\nname = "a"\nversion = "1"\nsource = []\n',
        '[[package]]\nname = "a"\nversion = "1"\nsource = {type = 1}\n',
        '[[package]]\nname = "a"\nversion = "1"\nmarkers = []\n',
        '[[package]]\nname = "a"\nversion = "1"\ncategory = 1\n',
        "[metadata]\nfiles = []\n",
        "[metadata.files]\na = {}\n",
        "[metadata]\ncontent-hash = 1\n",
        '[metadata]\npython-versions = ["3"]\n',
        "\x00",
        "a = \ud800\n",
    ],
)
def test_odd_structures_raise_parse_error_only(body: str) -> None:
    with pytest.raises(ParseError):
        lock(body)
