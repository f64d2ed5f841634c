"""`[tool.envaudit]` read the plain way gives exactly what tomllib gives, or defers to it."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.config import Config, parse_config, plain_table
from envaudit.errors import ParseError


def _tomllib_table(text: str) -> object:
    return tomllib.loads(text).get("tool", {}).get("envaudit", {})


PLAIN = [
    '[tool.envaudit]\nselect = ["EA1", "EA4"]\nfail-on = "warning"\n',
    "[tool.envaudit]  # the project's policy\r\nignore = ['EA104']\r\n\r\n[tool.ruff]\nx = 1\n",
    '[project]\nname = "envaudit"\ndependencies = ["envaudit>=1", "numpy"]\n\n'
    '[tool.envaudit]\n  # indented comment\nignore = [ "EA1" , "EA2", ]  # trailing\n'
    "exclude = []\n",
    '[project.optional-dependencies]\ndev = [\n  "envaudit>=1",  # pinned\n  "ruff",\n]\n',
    '# envaudit reads [tool.envaudit] below\n[tool.envaudit]\nselect = "EA1, EA3"\n',
    '[tool.envaudit]\nexclude = ["tests/data #1", "vendor/*", "a\tb", "ünïcode"]\n',
    '[tool.envaudit]\nselect = ["EA1"]\n[[tool.other]]\nname = "x"\n',
    "[tool.ruff]\nline-length = 100\n",
    '[tool.ruff.lint.per-file-ignores]\n"envaudit/cli.py" = ["E1"]\n[tool.envaudit]\nselect = ["EA"]\n',
    '[project]\nname = "x"\ndependencies = [{ include = "envaudit" }]\n',
    '[[tool.mypy.overrides]]\nmodule = ["envaudit.x", "envaudit.y"]\n',
]
# valid TOML the plain reader leaves to tomllib
TO_TOMLLIB = [
    '[tool]\nenvaudit = { select = ["EA1"] }\n',
    '[tool]\nenvaudit.select = ["EA1"]\n',
    'tool.envaudit.select = ["EA1"]\n',
    '[tool . envaudit]\nselect = ["EA1"]\n',
    '[tool."envaudit"]\nselect = ["EA1"]\n',
    '[tool.envaudit]\n"select" = ["EA1"]\n',
    '[tool.envaudit]\nselect = [\n  "EA1",\n]\n',
    '[tool.envaudit]\nselect = ["EA\\u0031"]\n',
    '[tool.envaudit]\nfail-on = """warning"""\n',
    '[tool.envaudit]\nselect = ["EA1"]\n[tool.envaudit.extra]\nx = "y"\n',
    '[project]\ndescription = """\n[tool.envaudit]\nselect = ["EA9"]\n"""\n',
    "[tool.envaudit]\nfail-on = 3\n",
    '[tool.envaudit]\nselect = ["EA1", 2]\n',
    '[tool]\n"envaudit".select = ["EA1"]\n',
    "[ 'tool' ]\nenvaudit = {}\n",
    '"tool" = { envaudit = { select = ["EA1"] } }\n',
    '[tool.x]\na = 1\n[tool]\nenvaudit.select = ["EA1"]\n',
]
# invalid TOML: tomllib's error must still reach the user
INVALID = [
    '[tool.envaudit]\nselect = ["EA1"]\nselect = ["EA2"]\n',
    '[tool.envaudit]\nselect = ["EA1"]\n[tool.envaudit]\nignore = ["EA2"]\n',
    '[tool.envaudit]\nselect = ["EA1"\n',
    '[tool.envaudit]\nselect = ["E\x01A1"]\n',
    '[tool.envaudit]\nfail-on = "warning" "error"\n',
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_tables_read_without_tomllib_as_tomllib_does(text: str) -> None:
    assert plain_table(text) == _tomllib_table(text)


@pytest.mark.parametrize("text", TO_TOMLLIB)
def test_other_forms_go_to_tomllib(text: str) -> None:
    assert plain_table(text) is None
    assert isinstance(_tomllib_table(text), dict)  # valid TOML: tomllib reads it


@pytest.mark.parametrize("text", INVALID)
def test_invalid_toml_is_still_reported(text: str) -> None:
    assert plain_table(text) is None
    with pytest.raises(ParseError, match=r"pyproject\.toml"):
        parse_config(text, "pyproject.toml")


def test_this_projects_own_pyproject_is_read_the_plain_way() -> None:
    from tests.conftest import ROOT

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert plain_table(text) == _tomllib_table(text) != {}


def test_config_from_either_reader_is_the_same() -> None:
    plain = parse_config('[tool.envaudit]\nselect = ["ea1"]\nfail-on = "note"\n', "p")
    braced = parse_config('[tool]\nenvaudit = { select = ["ea1"], fail-on = "note" }\n', "p")
    assert plain == braced == Config(select=("EA1",), fail_on="note")


def test_config_in_another_form_is_no_longer_ignored(tmp_path: object) -> None:
    from pathlib import Path

    from envaudit.config import find_config

    assert isinstance(tmp_path, Path)
    (tmp_path / "pyproject.toml").write_text('[tool]\nenvaudit.ignore = ["EA104"]\n')
    assert find_config(tmp_path) == Config(ignore=("EA104",))


_SAFE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\"'\\"), max_size=12
)
_KEYS = st.sampled_from(["select", "ignore", "fail-on", "exclude", "other_key", "x-1"])
_QUOTED = st.builds(lambda s, q: f"{q}{s}{q}", _SAFE, st.sampled_from(['"', "'"]))
_SPACE = st.sampled_from(["", " ", "\t", "  "])
_VALUE = st.one_of(
    _QUOTED,
    st.builds(
        lambda items, a, b, comma: (
            "[" + a + f"{b},{a}".join(items) + (comma if items else "") + "]"
        ),
        st.lists(_QUOTED, max_size=4),
        _SPACE,
        _SPACE,
        st.sampled_from(["", ","]),
    ),
)
_COMMENT = st.one_of(st.just(""), st.builds(lambda s: f"  # {s}", _SAFE))
_ENTRY = st.builds(
    lambda key, a, value, comment: f"{key}{a}={a}{value}{comment}", _KEYS, _SPACE, _VALUE, _COMMENT
)
_BEFORE = st.sampled_from(
    [
        '[project]\nname = "demo"\ndependencies = ["envaudit>=1", "torch==2.3"]\n',
        "# envaudit config lives below\n",
        "",
    ]
)
_AFTER = st.sampled_from(
    [
        "[tool.ruff]\nline-length = 99\n",
        '[project.optional-dependencies]\ndev = [\n  "envaudit",\n  "pytest",\n]\n',
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    before=_BEFORE,
    entries=st.lists(_ENTRY, max_size=5, unique_by=lambda e: e.split("=")[0].strip()),
    blanks=st.lists(st.sampled_from(["", "# note", "   "]), max_size=2),
    after=_AFTER,
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_generated_tables_match_tomllib(
    before: str, entries: list[str], blanks: list[str], after: str, newline: str
) -> None:
    text = before + "[tool.envaudit]\n" + "\n".join(blanks + entries) + "\n" + after
    text = text.replace("\n", newline)
    expected = _tomllib_table(text)
    got = plain_table(text)
    assert got is not None
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("[]\"'#=,.\n\r\t {}envaudit-toolselect"), max_size=80))
def test_any_text_gets_tomllibs_answer_or_none(text: str) -> None:
    got = plain_table(text)
    if got is None:
        return
    try:
        expected = _tomllib_table(text)
    except tomllib.TOMLDecodeError:
        return  # invalid TOML outside the table is tomllib's (and pip's) to report
    assert got == expected
