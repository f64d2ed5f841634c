"""``name==v --hash=...`` lines skip the optparse-style reading: same result, same errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.errors import EnvauditError
from envaudit.loader import load, load_text
from envaudit.model import Manifest
from envaudit.sources import requirements
from tests.conftest import SAMPLES


def _full_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requirements, "only_hashes", lambda option_text: None)


def _samples() -> Iterator[Path]:
    for folder in ("requirements", "pip-freeze"):
        yield from sorted(path for path in (SAMPLES / folder).rglob("*") if path.is_file())


@pytest.mark.parametrize("path", list(_samples()), ids=lambda path: path.name)
def test_every_sample_reads_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load(path)
    _full_path_only(monkeypatch)
    assert load(path) == fast


def _read(text: str) -> Manifest | str:
    try:
        return load_text(text, origin="r.txt", fmt="requirements")
    except EnvauditError as exc:
        return f"{type(exc).__name__}: {exc}"


_TOKENS = st.sampled_from(
    [
        "--hash=sha256:" + "a" * 64,
        "--hash=sha256:" + "B" * 64,
        "--hash=md5:" + "0" * 32,
        "--hash=sha256:" + "a" * 63,
        "--hash sha256:" + "c" * 64,
        "--hash=sha256=" + "d" * 64,
        "--has=sha256:" + "e" * 64,
        "--hash=",
        "'--hash=sha256:" + "f" * 64 + "'",
        "--global-option=x",
        "-e",
        "--hash=${HASH}",
    ]
)


@given(
    st.sampled_from(["numpy==1.26.4", "Foo_Bar==2.0 ; python_version < '3.12'", "", "torch>=2"]),
    st.lists(_TOKENS, min_size=1, max_size=4),
    st.sampled_from([" ", " \\\n    ", "\t"]),
)
def test_hash_only_lines_agree_with_the_full_reading(
    requirement: str, tokens: list[str], separator: str
) -> None:
    text = requirement + separator + separator.join(tokens) + "\n"
    fast = _read(text)
    with pytest.MonkeyPatch.context() as patch:
        _full_path_only(patch)
        assert _read(text) == fast, text
