"""The lock-writer TOML reader: tomllib's result or None, never anything else."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.sources import lock_toml
from envaudit.sources.structured import load_toml
from tests.conftest import SAMPLES
from tests.fuzz.strategies import mutated_seed, mutated_tree, random_document

TOML_SAMPLE_DIRS = ("uv-lock", "poetry-lock", "pdm-lock", "pylock")
TOML_SAMPLES = sorted(path for name in TOML_SAMPLE_DIRS for path in (SAMPLES / name).iterdir())


def _tomllib_or_error(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        return exc


def _assert_tomllibs_answer_or_none(text: str) -> None:
    got = lock_toml.read(text)
    if got is None:
        return
    expected = _tomllib_or_error(text)
    assert not isinstance(expected, Exception), f"read {text!r} that tomllib refuses: {expected}"
    assert got == expected
    assert repr(got) == repr(expected)  # same types too (1 == True, but not for a lock)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("path", TOML_SAMPLES, ids=lambda path: path.name)
def test_every_real_lock_is_read_without_tomllib_and_equals_tomllibs(
    path: Path, line_end: str
) -> None:
    """Also as git checks them out on Windows (autocrlf): with CRLF line ends."""
    text = path.read_text(encoding="utf-8").replace("\n", line_end)
    got = lock_toml.read(text)
    assert got is not None, "a real lock file left the fast reader's subset"
    assert got == tomllib.loads(text)


SUPPORTED = [
    "",
    "# only a comment",
    "a = 1",  # no final newline
    'a = "x" # trailing comment\n# last comment',
    "a = -0\nb = +5\nc = 999999999999999999\nd = true\ne = false",
    'k = "tab\there"\nl = \'C:\\raw\\path\'\nm = "q\\"uote \\\\ \\u00e9 \\U0001F600 \\b\\t\\n\\f\\r"',
    '"" = 1\n"a.b" = 2\n\'lit key\' = 3\nbare-key_1 = 4',
    "a = [\n  1, # one\n  2,\n\n  # between\n  3,\n]\nb = []\nc = [ ]\nd = [[1, 2], [ ]]",
    'a = { x = 1, y = "s", z = [1, { w = true }] }\nb = {}\nc = { }',
    "[a]\nx = 1\n[a.b]\ny = 2\n[ a . c ]\nz = 3",
    '[[p]]\nn = "one"\n[p.meta]\nk = 1\n[[p.deps]]\nd = 1\n[[p.deps]]\nd = 2\n[[p]]\nn = "two"',
    "[x.\"dotted.name\"]\nv = 1\n[x.'lit']\nw = 2",
    "u = 2025-08-04T08:54:26Z\nv = 2025-08-04T08:54:26.5Z\nw = 2025-08-04T08:54:26.123456Z",
    "[[a.b]]\n[[a.b]]\nc = 1",
    'a = 1\r\nb = [\r\n  "x", # c\r\n]\r\n[t]\r\nc = { d = 2 }\r\n',
]


@pytest.mark.parametrize("text", SUPPORTED)
def test_the_subset_is_read_as_tomllib_reads_it(text: str) -> None:
    got = lock_toml.read(text)
    assert got is not None
    assert got == tomllib.loads(text)


UNSUPPORTED_VALID = [
    "a = 1.5",
    "a = inf",
    "a = 1_000",
    "a = 0x1F",
    "a = 1979-05-27",
    "a = 1979-05-27T07:32:00",  # local date-time
    "a = 1979-05-27T07:32:00+01:00",
    "a = 1979-05-27 07:32:00Z",
    "a = 2025-08-04T08:54:26.1234567Z",  # tomllib truncates; left to it
    'a = """multi\nline"""',
    "a = '''literal'''",
    "a.b = 1",
    '"a\\u00e9" = 1',  # an escape in a quoted key
    "[a.b]\n[a]\nx = 1",  # a table defined after its child: valid, left to tomllib
    "a = 1234567890123456789",
]

INVALID = [
    "a = 1\na = 2",
    "[a]\n[a]",
    "a = { x = 1, x = 2 }",
    "a = { x = 1, }",
    "a = { x = 1,\n y = 2 }",
    "a = []\n[[a]]",
    "a = { b = 1 }\n[a.c]",
    "[a]\nb = 1\n[a.b]",
    "[[a]]\n[a]",
    "a = [1 2]",
    "a = [,]",
    "a = 01",
    "a = 1 b = 2",
    "a = tru",
    "a = truex",
    'a = "\\x41"',
    'a = "\\ud800"',
    'a = "\\U00110000"',
    'a = "unclosed',
    "a = 'unclosed",
    'a = "ctl\x01"',
    "a = 1 # ctl\x7f",
    "a = 1\rb = 2",  # a CR alone ends no line in TOML
    'a = "x\r"\n',
    "a = [\r1]",
    "[a]]",
    "[[a]",
    "[[a] ]",
    "[]",
    "a =",
    "= 1",
    "\ufeffa = 1",
    "a = 2025-02-30T00:00:00Z",
    "a = 1999-12-31T23:59:60Z",
    "a = 12345678901234567890123",
    "a = " + "[" * 60 + "]" * 60,
]


@pytest.mark.parametrize("text", UNSUPPORTED_VALID + INVALID)
def test_anything_else_goes_to_tomllib(text: str) -> None:
    assert lock_toml.read(text) is None


@pytest.mark.parametrize("text", UNSUPPORTED_VALID)
def test_load_toml_still_reads_what_the_subset_leaves(text: str) -> None:
    assert load_toml(text, "x.toml") == tomllib.loads(text)


_FRAGMENTS = st.sampled_from(
    [
        "[a]",
        "[[a]]",
        "[a.b]",
        "[[a.b]]",
        '[a."b.c"]',
        "[ a ]",
        "a = ",
        "b = ",
        '"a" = ',
        "a.b = ",
        "1",
        "-0",
        "01",
        "1.5",
        "true",
        "false",
        '"s"',
        '"\\u00e9"',
        '"\\q"',
        "'lit'",
        '"""',
        "[",
        "]",
        "{",
        "}",
        "{ x = 1 }",
        "{ x = 1, x = 2 }",
        "[1, [2]]",
        ",",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "# c",
        "=",
        ".",
        "2025-08-04T08:54:26Z",
        "2025-13-04T08:54:26Z",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=24).map("".join))
def test_any_fragment_soup_gets_tomllibs_answer_or_none(text: str) -> None:
    _assert_tomllibs_answer_or_none(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TOML_SAMPLE_DIRS).flatmap(mutated_seed))
def test_mutated_real_locks_get_tomllibs_answer_or_none(text: str) -> None:
    _assert_tomllibs_answer_or_none(text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(TOML_SAMPLE_DIRS).flatmap(
        lambda fmt: st.one_of(mutated_tree(fmt), random_document(fmt))
    )
)
def test_generated_documents_get_tomllibs_answer_or_none(text: str) -> None:
    _assert_tomllibs_answer_or_none(text)
