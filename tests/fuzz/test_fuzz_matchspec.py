"""The MatchSpec parser on its own: a MatchSpec or a MatchSpecError, nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from envaudit.sources.matchspec import MatchSpec, MatchSpecError, parse_matchspec
from tests.fuzz import grammar
from tests.fuzz.harness import COUNTS, time_limit
from tests.fuzz.profile import fuzz_settings


@fuzz_settings(1.0, ci=100)
@given(text=st.one_of(grammar.matchspec(), st.text(max_size=60)))
def test_matchspec_parses_or_refuses(text: str) -> None:
    COUNTS["matchspec", "grammar"] += 1
    try:
        with time_limit():
            spec = parse_matchspec(text)
    except MatchSpecError:
        return
    assert isinstance(spec, MatchSpec)
    assert spec.name
