"""parse_hash: the lower-case ``alg:hex`` fast path agrees with the general reader."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.model import Hash
from envaudit.sources.hashes import parse_hash

_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def _reference(text: str) -> Hash | None:
    """The rule as documented: ALG:HEX or ALG=HEX, any case, digest-sized, trimmed."""
    match = re.fullmatch(r"([A-Za-z0-9]+)[:=]([0-9A-Fa-f]+)", text.strip())
    if match is None:
        return None
    alg, value = match.group(1).lower(), match.group(2).lower()
    return Hash(alg, value) if _LENGTHS.get(alg) == len(value) else None


@pytest.mark.parametrize(
    "text",
    [
        "sha256:" + "a" * 64,
        "SHA256:" + "A" * 64,
        "sha256=" + "0" * 64,
        " md5:" + "f" * 32 + " ",
        "sha256:" + "a" * 63,
        "sha256:" + "a" * 63 + "g",
        "sha256:" + "a" * 63 + " ",
        "sha256:",
        "blake2b:" + "a" * 64,
        "sha256:" + "a" * 32 + ":" + "a" * 31,
    ],
)
def test_edge_cases(text: str) -> None:
    assert parse_hash(text) == _reference(text)


@given(
    st.sampled_from(["sha256", "md5", "sha512", "SHA256", "sha1", "x"]),
    st.sampled_from([":", "=", "", "::"]),
    st.one_of(
        st.text(alphabet="0123456789abcdefABCDEFg :", max_size=130),
        st.sampled_from([32, 40, 64, 128]).flatmap(
            lambda size: st.text(alphabet="0123456789abcdefA", min_size=size, max_size=size)
        ),
    ),
)
def test_agrees_with_the_documented_rule(alg: str, separator: str, value: str) -> None:
    text = alg + separator + value
    assert parse_hash(text) == _reference(text)


def test_a_hash_seen_again_is_the_same_object(monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.sources import hashes

    monkeypatch.setattr(hashes, "_SEEN", {})  # a fresh process (other tests may have filled it)
    text = "sha256:" + "ab" * 32
    first, again = parse_hash(text), parse_hash("".join(text))  # equal text, another str
    assert first is not None and first is again
    assert parse_hash("SHA256:" + "AB" * 32) == first  # the other spellings: equal values


def test_the_shared_hashes_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.sources import hashes

    monkeypatch.setattr(hashes, "_SEEN", {})
    monkeypatch.setattr(hashes, "_SEEN_MAX", 4)
    texts = [f"md5:{n:032x}" for n in range(10)]
    parsed = [parse_hash(text) for text in texts]
    assert [(h.alg, h.value) for h in parsed if h] == [("md5", f"{n:032x}") for n in range(10)]
    assert len(hashes._SEEN) == 4  # the first four stay shared; later ones are not kept
    assert parse_hash(texts[0]) is parsed[0] and parse_hash(texts[9]) is not parsed[9]
    assert parse_hash("md5:" + "0" * 31) is None and "md5:" + "0" * 31 not in hashes._SEEN
