"""Every registered parser, fed random and mutated input: a manifest or a located error.

CI runs a bounded profile; ``ENVAUDIT_FUZZ=long`` runs at least 100,000 inputs per parser
(see tests/fuzz/profile.py). A crasher found here is saved under tests/regressions/.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.sources.registry import FORMATS
from tests.fuzz import corpus, grammar, strategies
from tests.fuzz.harness import SECRET, check_bytes, check_text
from tests.fuzz.profile import fuzz_settings

ALL_FORMATS = sorted(FORMATS)
STRUCTURED = [fmt for fmt in ALL_FORMATS if corpus.DOCUMENT_KIND.get(fmt) != "lines"]
LINE_BASED = [fmt for fmt in ALL_FORMATS if corpus.DOCUMENT_KIND.get(fmt) == "lines"]


def test_every_registered_format_is_fuzzed() -> None:
    missing = [fmt for fmt in ALL_FORMATS if fmt not in corpus.DOCUMENT_KIND]
    assert not missing, f"add {missing} to tests/fuzz/corpus.py DOCUMENT_KIND (and seeds)"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_every_format_has_seeds(fmt: str) -> None:
    assert any(corpus.seeds(fmt)), f"no seeds for {fmt}: run python -m tests.fuzz.make_seeds"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@fuzz_settings(0.15)
@given(data=strategies.raw_bytes())
def test_random_bytes(fmt: str, data: bytes) -> None:
    check_bytes(data, fmt, "bytes")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@fuzz_settings(0.15)
@given(data=st.data())
def test_random_text(fmt: str, data: st.DataObject) -> None:
    check_text(data.draw(strategies.raw_text(fmt)), fmt, "text")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@fuzz_settings(0.1)
@given(data=st.data())
def test_encoded_seeds(fmt: str, data: st.DataObject) -> None:
    check_bytes(data.draw(strategies.encoded_text(fmt)), fmt, "encoded")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@fuzz_settings(0.4)
@given(data=st.data())
def test_mutated_samples(fmt: str, data: st.DataObject) -> None:
    includes = list(corpus.seeds(fmt)[:3]) if fmt == "requirements" else None
    check_text(data.draw(strategies.mutated_seed(fmt)), fmt, "mutated", includes=includes)


@pytest.mark.parametrize("fmt", STRUCTURED)
@fuzz_settings(0.15)
@given(data=st.data())
def test_mutated_documents(fmt: str, data: st.DataObject) -> None:
    check_text(data.draw(strategies.mutated_tree(fmt)), fmt, "tree")


@pytest.mark.parametrize("fmt", STRUCTURED)
@fuzz_settings(0.05)
@given(data=st.data())
def test_random_documents(fmt: str, data: st.DataObject) -> None:
    check_text(data.draw(strategies.random_document(fmt)), fmt, "document")


@pytest.mark.parametrize("fmt", ["requirements", "pip-freeze"])
@fuzz_settings(0.2)
@given(text=grammar.requirements_file(), includes=st.lists(grammar.requirements_file(), max_size=3))
def test_requirements_grammar(fmt: str, text: str, includes: list[str]) -> None:
    check_text(text, fmt, "grammar", includes=[text, *includes], secret=SECRET)


@fuzz_settings(0.2)
@given(text=grammar.environment_yml())
def test_environment_grammar(text: str) -> None:
    check_text(text, "conda-env", "grammar", secret=SECRET)


@fuzz_settings(0.2)
@given(text=grammar.explicit_file())
def test_explicit_grammar(text: str) -> None:
    check_text(text, "conda-explicit", "grammar", secret=SECRET)


@fuzz_settings(0.2)
@given(text=grammar.dockerfile())
def test_dockerfile_grammar(text: str) -> None:
    check_text(text, "dockerfile", "grammar", secret=SECRET)
