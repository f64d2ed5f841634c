"""The read-only YAML reader: PyYAML's libyaml loader, YAML 1.2 core schema, located errors."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from envaudit.errors import ParseError
from envaudit.loader import decode
from envaudit.sources.yaml_read import load_yaml

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
YAML_SAMPLES = sorted(
    path
    for folder in ("environment-yml", "conda-lock", "pixi-lock")
    for path in (SAMPLES / folder).iterdir()
    if path.is_file()
)


@pytest.mark.parametrize("path", YAML_SAMPLES, ids=lambda path: path.name)
def test_every_yaml_sample_reads_as_ruamel_reads_it(path: Path) -> None:
    # ruamel.yaml's safe loader (YAML 1.2) was the reader before; the values must not change.
    text = decode(path.read_bytes(), str(path))
    assert load_yaml(text, str(path)) == YAML(typ="safe", pure=False).load(text)


def test_plain_scalars_follow_the_yaml_1_2_core_schema() -> None:
    text = (
        "yes: yes\nno: off\noctal: 0755\nsexagesimal: 1:20\nversion: 1.10\nexact: '1.10'\n"
        "null: ~\nempty:\nhex: 0x1F\no: 0o17\ninf: -.inf\nflag: True\n"
        "date: 2024-05-01\nstamp: 2024-05-01T10:20:30Z\n"
    )
    assert load_yaml(text, "x.yml") == {
        "yes": "yes",
        "no": "off",
        "octal": 755,
        "sexagesimal": "1:20",
        "version": 1.1,
        "exact": "1.10",
        None: None,
        "empty": None,
        "hex": 31,
        "o": 15,
        "inf": float("-inf"),
        "flag": True,
        "date": datetime.date(2024, 5, 1),
        "stamp": datetime.datetime(2024, 5, 1, 10, 20, 30, tzinfo=datetime.UTC),
    }


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    # A lock naming `version` twice must not be read as whichever copy comes last.
    with pytest.raises(ParseError, match="duplicate key 'version'") as caught:
        load_yaml("package:\n  name: numpy\n  version: 1.26.4\n  version: 2.0.0\n", "x.yml")
    assert caught.value.line == 4


def test_merge_keys_and_aliases() -> None:
    text = "base: &base {channel: conda-forge, build: py311}\npkg:\n  <<: *base\n  build: py312\n"
    value = load_yaml(text, "x.yml")
    assert value["pkg"] == {"channel": "conda-forge", "build": "py312"}
    listed = load_yaml("- &a [1, 2]\n- *a\n", "x.yml")
    assert listed == [[1, 2], [1, 2]]


def test_tags_outside_the_core_schema_still_load_safely() -> None:
    assert load_yaml("s: !!set {a, b}\n", "x.yml") == {"s": {"a", "b"}}
    with pytest.raises(ParseError, match="invalid YAML") as caught:
        load_yaml("x: !!python/object/apply:os.system ['true']\n", "x.yml")
    assert caught.value.line == 1


def test_an_unhashable_key_is_a_located_error() -> None:
    with pytest.raises(ParseError, match="unhashable key") as caught:
        load_yaml("a: 1\n? [1, 2]\n: 2\n", "x.yml")
    assert caught.value.line == 2


def test_an_empty_document_is_none_and_two_documents_are_refused() -> None:
    assert load_yaml("", "x.yml") is None
    with pytest.raises(ParseError, match="invalid YAML"):
        load_yaml("a: 1\n---\nb: 2\n", "x.yml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!timestamp foo\n", "invalid timestamp 'foo'"),
        ("a: !!bool maybe\n", "expected true or false for !!bool"),
        ("x: !!binary aGk=\nname: !!bool maybe\n", "expected true or false for !!bool"),
    ],
)
def test_odd_tagged_values_are_located_errors(text: str, message: str) -> None:
    # PyYAML's own constructors crash (AttributeError) or guess (False) on these.
    with pytest.raises(ParseError, match=message) as caught:
        load_yaml(text, "x.yml")
    assert caught.value.line is not None


@pytest.mark.parametrize("keys", ["1: a\n01: b\n", "true: a\nTrue: b\n", "null: a\n~: b\n"])
def test_duplicate_keys_by_value_are_refused_on_both_paths(keys: str) -> None:
    # Without an exotic tag the fast converter reads the document, with one the loader's
    # constructor does: both compare the keys' values, not their spelling.
    for prefix in ("", "c: !!binary aGk=\n"):
        with pytest.raises(ParseError, match="duplicate key"):
            load_yaml(prefix + keys, "x.yml")


def test_unicode_line_breaks_do_not_hide_an_alias_bomb() -> None:
    # libyaml breaks lines at U+2028 too: the cheap pre-check must not miss anchors there.
    levels = ["&a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"&a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 10)}]" for i in range(1, 7)]
    text = "options: {x: [" + ", ".join("\u2028" + level for level in levels) + "]}\n"
    with pytest.raises(ParseError, match="alias bomb"):
        load_yaml(text, "pixi.lock")
