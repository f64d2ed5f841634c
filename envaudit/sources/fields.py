"""Small readers shared by the lock-file parsers: typed fields, hashes, markers, locations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import attrgetter
from typing import Any

from envaudit.errors import ParseError
from envaudit.model import Hash, SourceKind
from envaudit.sources.lazy_regex import LazyPattern
from envaudit.sources.structured import expect_list, expect_str, join_path

ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")
REMOTE_SCHEMES = ("http://", "https://", "ftp://")
FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")


def local_version(version: str | None) -> str | None:
    """The PEP 440 local part: ``2.0.1+cu118`` -> ``cu118``."""
    if version is None or "+" not in version:
        return None
    return version.partition("+")[2] or None


def location_kind(location: str, editable: bool = False) -> SourceKind:
    """A URL, a local archive file, or a local source directory."""
    lowered = location.lower()
    if lowered.startswith(REMOTE_SCHEMES):
        return SourceKind.URL
    if not editable and lowered.split("#", 1)[0].endswith(ARCHIVE_SUFFIXES):
        return SourceKind.FILE
    return SourceKind.DIRECTORY


# Markers that are, or differ only in quote style from, the form ``str(Marker(...))``
# writes, built only of comparisons of the string-valued PEP 508 variables, and/or and
# parentheses (what poetry, uv, Pipenv and pylock.toml writers produce): their canonical
# form is known without importing packaging (~25 ms). Not here: ``extra`` (packaging
# normalises its value), ``in``, value-first comparisons, other spacing, and parentheses
# packaging drops (see simple_marker_form).
_MARKER_VARIABLE = (
    "python_version|python_full_version|os_name|sys_platform|platform_release"
    "|platform_system|platform_version|platform_machine|platform_python_implementation"
    "|implementation_name|implementation_version"
)
# A double-quoted value may hold an apostrophe; a single-quoted one holds neither quote
# (packaging writes every value between double quotes, as is).
_MARKER_ATOM = (
    rf"(?:{_MARKER_VARIABLE}) (?:===|==|!=|<=|>=|~=|<|>) "
    r"""(?:"[ !#-\[\]-~]*"|'[ !#-&(-\[\]-~]*')"""
)
# Compiled on first use (a few milliseconds): only locks with markers need it.
_MARKER_TOKEN = LazyPattern(rf"\(|\)| and | or |{_MARKER_ATOM}")


def simple_marker_form(text: str) -> str | None:
    """``str(Marker(text))`` worked out without packaging, or None when ``text`` is not
    one of the simple markers described above.

    packaging writes values between double quotes, keeps a group's parentheses only when it
    joins two or more operands, and drops those around the whole marker.
    """
    position, want_operand, first_group_end = 0, True, -1
    match_token = _MARKER_TOKEN.compiled.match
    joiners = [0]  # and/or seen at each open nesting level
    words: list[str] = []
    while position < len(text):
        token = match_token(text, position)
        if token is None:
            return None
        word = token.group()
        if word == "(":
            if not want_operand:
                return None
            joiners.append(0)
        elif word == ")":
            if want_operand or len(joiners) == 1 or joiners.pop() == 0:
                return None
            if len(joiners) == 1 and first_group_end < 0:
                first_group_end = token.end()
        elif word in (" and ", " or "):
            if want_operand:
                return None
            joiners[-1] += 1
            want_operand = True
        else:
            if not want_operand:
                return None
            want_operand = False
            if word.endswith("'"):  # 'value' -> "value" (it holds no quote of either kind)
                quote = word.index("'")
                word = f'{word[:quote]}"{word[quote + 1 : -1]}"'
        words.append(word)
        position = token.end()
    wrapped = text.startswith("(") and first_group_end == len(text)
    if len(joiners) != 1 or want_operand or wrapped:
        return None
    return "".join(words)


@lru_cache(maxsize=4096)  # a lock repeats a handful of markers hundreds of times
def canonical_marker(text: str) -> str | None:
    """``str(Marker(text))``, as packaging's Requirement stores it; None when blank or invalid."""
    if not text:
        return None
    simple = simple_marker_form(text)
    if simple is not None:
        return simple
    from packaging.markers import InvalidMarker, Marker

    try:
        return str(Marker(text))
    except (InvalidMarker, RecursionError, ValueError, TypeError):
        return None


def normalise_marker(written: str | None) -> str | None:
    """``str(Marker(m))`` when it parses, else the marker as written (None when blank)."""
    if written is None or not written.strip():
        return None
    return canonical_marker(written.strip()) or written.strip()


_HASH_ORDER = attrgetter("alg", "value")


def sorted_hashes(hashes: Iterable[Hash]) -> tuple[Hash, ...]:
    """De-duplicated, sorted by (algorithm, value): the model's canonical order."""
    return tuple(sorted(set(hashes), key=_HASH_ORDER))


def read_str_list(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> list[str]:
    """``table[key]`` as a list of strings ([] when absent or null); anything else is an error."""
    if table.get(key) is None:
        return []
    list_path = join_path(key_path, key)
    items = expect_list(table[key], origin, list_path)
    return [expect_str(item, origin, join_path(list_path, i)) for i, item in enumerate(items)]


def read_bool(
    table: Mapping[str, Any], key: str, origin: str, key_path: str, *, default: bool = False
) -> bool:
    """``table[key]`` as a boolean (``default`` when absent or null)."""
    value = table.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ParseError(
            origin, f"expected true or false for {key!r}", key_path=join_path(key_path, key)
        )
    return value
