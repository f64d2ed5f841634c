"""Conda's version ordering, checked against the sequence in conda's VersionOrder docs."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.analysis.conda_version import (
    CondaVersionError,
    compare_conda_versions,
    conda_version_key,
)
from envaudit.analysis.versions import compare_versions
from envaudit.model import Ecosystem

# conda's documented order; entries of one inner list compare equal.
DOCUMENTED_ORDER: list[list[str]] = [
    ["0.4", "0.4.0"],
    ["0.4.1.rc", "0.4.1.RC"],
    ["0.4.1"],
    ["0.5a1"],
    ["0.5b3"],
    ["0.5C1"],
    ["0.5"],
    ["0.9.6"],
    ["0.960923"],
    ["1.0"],
    ["1.1dev1"],
    ["1.1_"],
    ["1.1a1"],
    ["1.1.0dev1", "1.1.dev1"],
    ["1.1.a1"],
    ["1.1.0rc1"],
    ["1.1.0", "1.1"],
    ["1.1.0post1", "1.1.post1"],
    ["1.1post1"],
    ["1996.07.12"],
    ["1!0.4.1"],
    ["1!3.1.1.6"],
    ["2!0.4.1"],
]


def _flat() -> list[str]:
    return [version for group in DOCUMENTED_ORDER for version in group]


def test_documented_sequence_is_strictly_increasing_between_groups() -> None:
    for lower, higher in itertools.pairwise(DOCUMENTED_ORDER):
        for a in lower:
            for b in higher:
                assert compare_conda_versions(a, b) == -1, (a, b)
                assert compare_conda_versions(b, a) == 1, (b, a)


def test_documented_groups_compare_equal() -> None:
    for group in DOCUMENTED_ORDER:
        for a in group:
            for b in group:
                assert compare_conda_versions(a, b) == 0, (a, b)
                assert conda_version_key(a) == conda_version_key(b)
                assert hash(conda_version_key(a)) == hash(conda_version_key(b))


def test_sorting_a_shuffled_list_restores_the_documented_order() -> None:
    expected = _flat()
    shuffled = expected[:]
    random.Random(1234).shuffle(shuffled)
    ordered = sorted(shuffled, key=conda_version_key)
    assert [conda_version_key(v) for v in ordered] == [conda_version_key(v) for v in expected]


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.1_", "1.0.1a"),  # openssl convention: trailing underscore
        ("1.0.1a", "1.0.1"),  # letters are pre-releases for conda
        ("1.9", "1.10"),  # numbers compare numerically
        ("2.0.0", "2.0.0+1"),  # the local part breaks ties...
        ("2.0.0+cu118", "2.0.0"),  # ...and a string there sorts below the implicit 0
        ("2.0.0+1", "2.0.0+2"),
        ("2.0.0+cu118", "2.0.1"),  # local only matters on a tie
        ("1.0dev", "1.0a"),
        ("1.0", "1.0post"),
        ("1.0.4.post1", "1.0.5"),
        ("2022f", "2022g"),  # tzdata-style
        ("0.5*", "0.5a1"),
    ],
)
def test_pairs(lower: str, higher: str) -> None:
    assert compare_conda_versions(lower, higher) == -1
    assert conda_version_key(lower) < conda_version_key(higher)
    assert conda_version_key(higher) > conda_version_key(lower)


def test_trailing_zero_padding_and_case() -> None:
    assert compare_conda_versions("1.1", "1.1.0.0") == 0
    assert compare_conda_versions("1.0.0", "1") == 0
    assert compare_conda_versions("1.0A", "1.0a") == 0
    assert compare_conda_versions("  0.4.1.RC ", "0.4.1.rc") == 0
    assert compare_conda_versions("0!1.0", "1.0") == 0


def test_dashes_are_separators_when_there_are_no_underscores() -> None:
    assert compare_conda_versions("1.0-2", "1.0.2") == 0
    with pytest.raises(CondaVersionError, match="invalid character"):
        conda_version_key("1.0-2_3")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "empty version"),
        ("   ", "empty version"),
        ("3.5&1", "invalid character"),
        ("5.5++", "more than one"),
        ("5.5..mw", "empty component"),
        ("!", "epoch must be an integer"),
        ("a!1.0", "epoch must be an integer"),
        ("a!b!1.0", "epoch must be an integer"),
        ("1!", "empty version"),
        ("1.0+", "empty local"),
    ],
)
def test_invalid_versions_raise_a_value_error(bad: str, message: str) -> None:
    with pytest.raises(CondaVersionError, match=message):
        conda_version_key(bad)
    assert issubclass(CondaVersionError, ValueError)


def test_compare_versions_uses_conda_rules_for_conda() -> None:
    # PEP 440 puts 1.1.0.dev1 before 1.1a1; conda puts it after.
    assert compare_versions("1.1a1", "1.1.0dev1", Ecosystem.CONDA) == -1
    assert compare_versions("1.0", "bad&version", Ecosystem.CONDA) is None


@given(st.text(max_size=20))
def test_any_text_either_parses_or_raises_the_documented_error(text: str) -> None:
    try:
        key = conda_version_key(text)
    except CondaVersionError:
        return
    assert key == conda_version_key(text)
    assert not key < conda_version_key(text)


@given(st.lists(st.from_regex(r"[0-9]{1,3}(\.[0-9a-c]{1,3}){0,3}", fullmatch=True), min_size=3))
def test_ordering_is_transitive_and_consistent(versions: list[str]) -> None:
    ordered = sorted(versions, key=conda_version_key)
    for a, b in itertools.pairwise(ordered):
        assert compare_conda_versions(a, b) in (-1, 0)
    for a in versions:
        for b in versions:
            assert compare_conda_versions(a, b) == -compare_conda_versions(b, a)
