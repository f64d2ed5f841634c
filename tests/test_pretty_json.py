"""pretty_json.dumps writes exactly what json.dumps(indent=2, sort_keys=True) writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import pretty_json

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_same_bytes_as_json_dumps(value: Any) -> None:
    assert pretty_json.dumps(value) == _reference(value)


def test_edge_shapes() -> None:
    for value in ({}, [], {"a": {}, "b": [[]]}, {1: "int key", 2: [1.5]}, '\u2028"\\', True):
        assert pretty_json.dumps(value) == _reference(value)
