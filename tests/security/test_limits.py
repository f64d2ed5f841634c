"""Resource limits: alias bombs, deep nesting, long keys, huge lines and hash lists, size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.errors import ParseError, UsageError
from envaudit.loader import DEFAULT_MAX_SIZE, load, load_text, read_file
from envaudit.sources.structured import (
    MAX_ALIAS_NODES,
    MAX_KEY_PARTS,
    MAX_NESTING,
    flow_depth_bound,
    load_json,
    load_toml,
    load_yaml,
)
from tests.security.budget import cpu_bound

YAML_FORMATS = ["conda-env", "conda-lock", "pixi-lock"]
TOML_FORMATS = ["poetry-lock", "uv-lock", "pdm-lock", "pylock"]
JSON_FORMATS = ["pipfile-lock", "manifest", "capture"]
SHA = "0123456789abcdef" * 4


def _billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"dependencies: *a{levels}")
    return "\n".join(lines) + "\n"


def _parse_error(text: str, fmt: str) -> ParseError:
    with cpu_bound(), pytest.raises(ParseError) as caught:
        load_text(text, origin=f"bomb.{fmt}", fmt=fmt)
    return caught.value


# --- YAML: alias bombs, recursive aliases, nesting -----------------------------------


@pytest.mark.parametrize("fmt", YAML_FORMATS)
def test_yaml_alias_bomb_is_refused(fmt: str) -> None:
    error = _parse_error(_billion_laughs(), fmt)
    assert f"aliases expand to over {MAX_ALIAS_NODES} nodes" in error.message
    assert error.line is not None and 2 <= error.line <= 10


def test_yaml_alias_bomb_block_style_with_merge_keys() -> None:
    lines = ["base0: &b0 {x: 1, y: 2}"]
    for level in range(1, 25):
        lines.append(f"base{level}: &b{level}")
        lines.extend(f"  k{i}: *b{level - 1}" for i in range(4))
    lines.append("dependencies: [*b24]")
    error = _parse_error("\n".join(lines) + "\n", "conda-env")
    assert "alias" in error.message


def test_yaml_recursive_alias_is_refused() -> None:
    error = _parse_error("dependencies: &deps\n  - numpy\n  - *deps\n", "conda-env")
    assert error.message == "invalid YAML: recursive alias *deps"
    assert error.line == 3


def test_yaml_modest_anchor_use_is_accepted() -> None:
    text = (
        "name: demo\nchannels: &channels\n  - conda-forge\n"
        "dependencies:\n  - &py python=3.11\n  - numpy=1.26\n"
    )
    manifest = load_text(text, origin="environment.yml", fmt="conda-env")
    assert sorted(p.name for p in manifest.packages) == ["numpy", "python"]
    assert manifest.channels == ("conda-forge",)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 1_000_000,
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 100_000 + "1" + "}" * 100_000,
        "- " * 100_000 + "x\n",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n",
        "?  " * 50_000 + "x\n",
    ],
    ids=["unclosed-flow", "flow", "flow-maps", "compact-block", "block-maps", "complex-keys"],
)
@pytest.mark.parametrize("fmt", YAML_FORMATS)
def test_deeply_nested_yaml_is_refused(fmt: str, text: str) -> None:
    # ruamel's C composer recursed without limit here and crashed the interpreter.
    error = _parse_error(text, fmt)
    assert error.message == "invalid YAML: nested more than 64 levels deep"
    assert error.line is not None


def test_yaml_nesting_at_the_limit_is_accepted() -> None:
    depth = MAX_NESTING - 1
    assert load_yaml("[" * depth + "]" * depth, "x.yml") == load_json(
        "[" * depth + "]" * depth, "x.json"
    )


def test_yaml_nesting_just_over_the_limit_is_refused() -> None:
    depth = MAX_NESTING + 1
    with pytest.raises(ParseError, match="nested more than 64 levels deep") as caught:
        load_yaml("a:\n  b: " + "[" * depth + "]" * depth, "x.yml")
    assert caught.value.line == 2


# --- TOML and JSON nesting, TOML dotted keys ------------------------------------------


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 500, 100_000])
@pytest.mark.parametrize("fmt", TOML_FORMATS)
def test_deeply_nested_toml_is_refused(fmt: str, depth: int) -> None:
    for text in (f"a = {'[' * depth}{']' * depth}\n", f"a = {'{b=' * depth}1{'}' * depth}\n"):
        error = _parse_error(text, fmt)
        assert error.message == "invalid TOML: nested more than 64 levels deep"
        assert error.key_path is not None or error.line == 1


def test_toml_nesting_error_names_the_key_path() -> None:
    depth = MAX_NESTING + 1
    with pytest.raises(ParseError) as caught:
        load_toml(f"[[package]]\nfiles = {'[' * depth}{']' * depth}\n", "poetry.lock")
    assert caught.value.message == "invalid TOML: nested more than 64 levels deep"
    # the document, ``package``, ``package[0]`` and ``files`` are the first four levels
    assert caught.value.key_path == "package[0].files" + "[0]" * (MAX_NESTING - 3)


@pytest.mark.parametrize(
    "text",
    [
        ".".join(["a"] * 100_000) + " = 1\n",
        "[" + ".".join(['"k"'] * 100_000) + "]\n",
        "[[" + " . ".join(["p"] * 50_000) + "]]\n",
        "x = {" + ".".join(["a"] * 100_000) + " = 1}\n",
    ],
    ids=["key", "table", "array-of-tables", "inline-table"],
)
@pytest.mark.parametrize("fmt", TOML_FORMATS)
def test_toml_dotted_key_with_too_many_parts_is_refused(fmt: str, text: str) -> None:
    # tomllib is quadratic in the parts of one key: 100,000 parts took minutes.
    error = _parse_error(text, fmt)
    assert error.message == f"invalid TOML: a dotted key with more than {MAX_KEY_PARTS} parts"
    assert error.line == 1


def test_toml_dotted_keys_within_the_limit_are_accepted() -> None:
    key = ".".join(["a"] * (MAX_KEY_PARTS - 1))
    assert load_toml(f"{key} = 1\n", "x.toml")["a"]["a"]


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000, 1_000_000])
@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_deeply_nested_json_is_refused(fmt: str, depth: int) -> None:
    error = _parse_error('{"a":\n' + "[" * depth + "]" * depth + "}", fmt)
    assert "nested more than 64 levels deep" in error.message
    assert error.key_path is not None or error.line == 2


# --- pathological lines and hash lists (linear time) -----------------------------------

MEGABYTE = 1_000_000
LONG_LINES = {
    "comment": "# " + "x" * MEGABYTE,
    "name": "a" * MEGABYTE,
    "spaces": "numpy" + " " * MEGABYTE + "==1.0",
    "specifier": "numpy" + ">=1.0," * (MEGABYTE // 6),
    "extras": "numpy[" + "a," * (MEGABYTE // 2) + "]",
    "marker": "numpy; " + " and ".join(["python_version > '3'"] * (MEGABYTE // 25)),
    "url": "pkg @ https://h/" + "a/" * (MEGABYTE // 2) + "pkg-1.0.tar.gz",
    "brackets": "[" * MEGABYTE,
    "equals": "=" * MEGABYTE,
    "at-signs": "@ " * (MEGABYTE // 2),
    "semicolons": "x;" * (MEGABYTE // 2),
    "options": "--pre " * (MEGABYTE // 6),
    "hash-options": "x " + "--hash " * (MEGABYTE // 7),
    "env-vars": "${A}" * (MEGABYTE // 4),
    "percent": "x @ https://h/" + "%2B" * (MEGABYTE // 3),
    "editable": "-e git+https://h/r.git@" + "a" * MEGABYTE,
    "continuations": "numpy" + " \\\n" * 200_000 + "==1.0",
}


# The pip grammars get every shape; the simpler line formats the generic ones.
_GENERIC_SHAPES = ("comment", "name", "spaces", "url", "brackets", "env-vars", "continuations")
LINE_CASES = [
    (fmt, shape)
    for fmt in ("requirements", "pip-freeze", "conda-explicit", "dockerfile")
    for shape in LONG_LINES
    if fmt in ("requirements", "pip-freeze") or shape in _GENERIC_SHAPES
]


@pytest.mark.parametrize(("fmt", "shape"), LINE_CASES, ids=[f"{f}-{s}" for f, s in LINE_CASES])
def test_one_megabyte_line_is_linear(fmt: str, shape: str) -> None:
    with cpu_bound():
        try:
            load_text(LONG_LINES[shape] + "\n", origin=f"long.{fmt}", fmt=fmt)
        except ParseError as error:
            assert error.line == 1


@pytest.mark.parametrize(
    "fmt",
    [
        "requirements",
        "pip-freeze",
        "conda-explicit",
        "dockerfile",
    ],
)
def test_error_for_a_megabyte_line_does_not_echo_it(fmt: str) -> None:
    with pytest.raises(ParseError) as caught:
        load_text("!" + "a" * MEGABYTE + "\n", origin=f"long.{fmt}", fmt=fmt)
    assert len(str(caught.value)) < 10_000


@pytest.mark.parametrize(
    "line",
    [
        "https://conda.anaconda.org/conda-forge/linux-64/" + "a-" * (MEGABYTE // 2) + "0.conda",
        "https://conda.anaconda.org/" + "c/" * (MEGABYTE // 2) + "linux-64/x-1-0.conda",
        "https://conda.anaconda.org/conda-forge/linux-64/x-1-0.conda#" + "f" * MEGABYTE,
    ],
    ids=["dashes", "slashes", "fragment"],
)
def test_one_megabyte_explicit_url_is_linear(line: str) -> None:
    with cpu_bound():
        try:
            load_text("@EXPLICIT\n" + line + "\n", origin="spec.txt", fmt="conda-explicit")
        except ParseError as error:
            assert error.line == 2


def _hash_lines(count: int) -> list[str]:
    return [f"{i:064x}" for i in range(count)]


HASH_COUNT = 100_000


def test_100k_hashes_on_one_requirement() -> None:
    hashes = " \\\n".join(f"    --hash=sha256:{h}" for h in _hash_lines(HASH_COUNT))
    with cpu_bound():
        manifest = load_text(f"numpy==1.26.4 \\\n{hashes}\n", origin="r.txt", fmt="requirements")
    assert len(manifest.packages[0].hashes) == HASH_COUNT


def test_100k_hashes_in_pipfile_lock() -> None:
    document = {
        "_meta": {"hash": {"sha256": SHA}, "pipfile-spec": 6, "requires": {}, "sources": []},
        "default": {
            "numpy": {
                "version": "==1.26.4",
                "hashes": [f"sha256:{h}" for h in _hash_lines(HASH_COUNT)],
            }
        },
        "develop": {},
    }
    with cpu_bound():
        manifest = load_text(json.dumps(document), origin="Pipfile.lock", fmt="pipfile-lock")
    assert len(manifest.packages[0].hashes) == HASH_COUNT


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        ("poetry-lock", '[[package]]\nname = "numpy"\nversion = "1.0"\nfiles = [\n{rows}]\n'),
        (
            "uv-lock",
            'version = 1\n[[package]]\nname = "numpy"\nversion = "1.0"\n'
            'source = {{ registry = "https://pypi.org/simple" }}\nwheels = [\n{rows}]\n',
        ),
    ],
    ids=["poetry-lock", "uv-lock"],
)
def test_many_hashes_in_toml_locks(fmt: str, template: str) -> None:
    # tomllib itself reads about 1 MB/s; 20,000 rows (~2 MB) keep the bound meaningful.
    key = "file" if fmt == "poetry-lock" else "url"
    rows = "".join(
        f'  {{ {key} = "{"https://h/" if key == "url" else ""}numpy-1.0-{i}-py3-none-any.whl",'
        f' hash = "sha256:{h}" }},\n'
        for i, h in enumerate(_hash_lines(20_000))
    )
    with cpu_bound():
        manifest = load_text(template.format(rows=rows), origin=fmt, fmt=fmt)
    assert len(manifest.packages[0].hashes) == 20_000


# --- file size ------------------------------------------------------------------------


def test_default_size_limit_is_64_megabytes() -> None:
    assert DEFAULT_MAX_SIZE == 64 * 1024 * 1024


def test_file_over_the_default_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "requirements.txt"
    with big.open("wb") as handle:  # sparse: nothing is written, the size is what counts
        handle.truncate(DEFAULT_MAX_SIZE + 1)
    with cpu_bound(1.0), pytest.raises(UsageError, match="over the 67108864-byte limit"):
        load(big)


def test_smaller_limit_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("numpy==1.0\n" * 10, encoding="utf-8")
    with pytest.raises(UsageError, match="110 bytes, over the 100-byte limit"):
        read_file(path, "requirements.txt", max_size=100)
    assert len(load(path, max_size=110).packages) == 10


def test_include_over_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r big.txt\n", encoding="utf-8")
    (tmp_path / "big.txt").write_text("numpy==1.0\n" * 100, encoding="utf-8")
    with pytest.raises(ParseError, match="over the 500-byte limit") as caught:
        load(tmp_path / "requirements.txt", max_size=500)
    assert caught.value.line == 1


def _depth_by_counting(text: str) -> int:
    """The plain definition: a counter up on each opener, down on each closer (not below 0)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


@given(st.text(alphabet="[]{}a\"'é\n", max_size=300))
def test_flow_depth_bound_never_underestimates(text: str) -> None:
    bound = flow_depth_bound(text)
    assert flow_depth_bound(text.encode("utf-8")) == bound  # the form load_toml passes
    assert bound >= _depth_by_counting(text) or bound > MAX_NESTING


@given(
    st.recursive(
        st.just(""), lambda inner: st.lists(inner).map(lambda parts: "[" + ",".join(parts) + "]")
    )
)
def test_flow_depth_bound_is_exact_for_balanced_text(text: str) -> None:
    assert flow_depth_bound(text) == _depth_by_counting(text)


def test_flow_depth_bound_stops_early_on_a_deep_document() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with cpu_bound():
        assert flow_depth_bound(deep) > MAX_NESTING


@pytest.mark.parametrize("fmt", TOML_FORMATS)
def test_a_long_dotted_key_among_dotted_urls_is_found(fmt: str) -> None:
    """The per-line check runs only when some line has enough dots: make sure it still does."""
    urls = "".join(f'u{i} = "https://a.b.c/{i}.tar.gz"\n' for i in range(40))
    key = ".".join(f"k{i}" for i in range(MAX_KEY_PARTS + 1))
    error = _parse_error(urls + f"{key} = 1\n", fmt)
    assert error.line == 41
    assert "dotted key" in str(error)
