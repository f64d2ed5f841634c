"""Parsing ``alg:hex`` / ``alg=hex`` hash strings as every format writes them.

Hashes in the form every lock writes are shared: parsing the same text again (the other
revision of a lock, another platform's entry) returns the same ``Hash`` object. Two
revisions of a lock then hold one set of hash objects, so comparing them is mostly identity
checks. The table is bounded: once full it keeps what it holds and shares no new hashes,
so a long-running process stays small and a diff never loses the sharing halfway.
"""

from __future__ import annotations

import re

from envaudit.model import Hash

_HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_LOWER_HEX = "0123456789abcdef"
_SEEN: dict[str, Hash] = {}
_SEEN_MAX = 1 << 14  # ~6 MB when full, with the texts it keeps alive
_HASH = re.compile(r"(?P<alg>[A-Za-z0-9]+)[:=](?P<value>[0-9A-Fa-f]+)")


def parse_hash(text: str) -> Hash | None:
    """``sha256:ABC...`` or ``md5=abc...`` -> Hash; None when malformed.

    The value's length must match the algorithm's digest size, so truncated hashes are caught.
    """
    known = _SEEN.get(text)
    if known is not None:
        return known
    alg, colon, value = text.partition(":")  # the form every lock writes: no regex needed
    if colon and _HEX_LENGTHS.get(alg) == len(value) and not value.strip(_LOWER_HEX):
        known = Hash(alg, value)
        if len(_SEEN) < _SEEN_MAX:  # when full, keep what is there: never evict mid-diff
            _SEEN[text] = known
        return known
    match = _HASH.fullmatch(text.strip())
    if match is None:
        return None
    alg = match.group("alg").lower()
    value = match.group("value").lower()
    expected = _HEX_LENGTHS.get(alg)
    if expected is None or len(value) != expected:
        return None
    return Hash(alg, value)


def forget_seen_hashes() -> None:
    """Drop the shared hashes (benchmarks time first parses with it)."""
    _SEEN.clear()


def hash_error(text: str) -> str:
    """A one-line description of what a hash should look like."""
    return f"invalid hash {text!r}: expected ALG:HEX with ALG one of {', '.join(_HEX_LENGTHS)}"
