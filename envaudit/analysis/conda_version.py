"""Conda's version ordering (``VersionOrder``): epochs, ``dev``/``post``, zero padding."""

from __future__ import annotations

import math
import re
from functools import lru_cache, total_ordering
from itertools import zip_longest

from envaudit.record import record

# One element of a parsed component: an int, math.inf (``post``) or a lower-case string
# (``dev`` becomes ``DEV`` so that it sorts before every other, lower-case, string).
Element = int | float | str
Component = tuple[Element, ...]

_VALID_VERSION = re.compile(r"[*.+!_0-9a-z]+")
_RUNS = re.compile(r"[0-9]+|\*+|[^0-9*]+")
_FILL: Element = 0


class CondaVersionError(ValueError):
    """A string that is not a conda version (bad characters, empty component, bad epoch)."""


@total_ordering
@record(eq=False)
class CondaVersionKey:
    """A sortable, hashable conda version: ``1.1 == 1.1.0``, ``1.1dev1 < 1.1a1 < 1.1``."""

    text: str
    version: tuple[Component, ...]  # epoch first, then the release components
    local: tuple[Component, ...]  # the part after ``+``, compared only on a tie

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CondaVersionKey):
            return NotImplemented
        return self._normalized() == other._normalized()

    def __hash__(self) -> int:
        return hash(self._normalized())

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, CondaVersionKey):
            return NotImplemented
        for mine, theirs in ((self.version, other.version), (self.local, other.local)):
            order = _compare_parts(mine, theirs)
            if order:
                return order < 0
        return False

    def _normalized(self) -> tuple[tuple[Component, ...], tuple[Component, ...]]:
        """Trailing zeros and empty trailing components removed, so padding compares equal."""
        return _strip_padding(self.version), _strip_padding(self.local)


def _strip_padding(parts: tuple[Component, ...]) -> tuple[Component, ...]:
    stripped = [_strip_zeros(component) for component in parts]
    while stripped and not stripped[-1]:
        stripped.pop()
    return tuple(stripped)


def _strip_zeros(component: Component) -> Component:
    end = len(component)
    while end and _is_zero(component[end - 1]):
        end -= 1
    return component[:end]


def _is_zero(element: Element) -> bool:
    return not isinstance(element, str) and element == 0


def _compare_elements(left: Element, right: Element) -> int:
    """Strings sort before numbers; ``post`` (inf) after everything; ``DEV`` first of strings."""
    if left == right:
        return 0
    if isinstance(left, str) != isinstance(right, str):
        return -1 if isinstance(left, str) else 1
    return -1 if left < right else 1  # type: ignore[operator]


def _compare_parts(left: tuple[Component, ...], right: tuple[Component, ...]) -> int:
    empty: Component = ()
    for mine, theirs in zip_longest(left, right, fillvalue=empty):
        for a, b in zip_longest(mine, theirs, fillvalue=_FILL):
            order = _compare_elements(a, b)
            if order:
                return order
    return 0


def _split_component(component: str, original: str) -> Component:
    runs = _RUNS.findall(component)
    if not runs:
        raise CondaVersionError(f"invalid conda version {original!r}: empty component")
    elements: list[Element] = []
    for run in runs:
        if run.isdigit():
            elements.append(int(run))
        elif run == "post":
            elements.append(math.inf)
        elif run == "dev":
            elements.append("DEV")
        else:
            elements.append(run)
    if not component[0].isdigit():
        elements.insert(0, 0)  # keep numbers and strings in phase: 1.1.a1 == 1.1.0a1
    return tuple(elements)


def _split_release(release: str, original: str) -> list[str]:
    if not release:
        raise CondaVersionError(f"invalid conda version {original!r}: empty version")
    if release.endswith("_"):
        # ``1.0.1_`` (openssl convention): the trailing underscore stays on the last part.
        pieces = release[:-1].replace("_", ".").split(".")
        pieces[-1] += "_"
        return pieces
    return release.replace("_", ".").split(".")


@lru_cache(maxsize=8192)
def conda_version_key(version: str) -> CondaVersionKey:
    """Parse ``version`` by conda's rules into a key that sorts and compares like conda.

    Raises :class:`CondaVersionError` (a ``ValueError``) when it is not a conda version.
    """
    text = version.strip().lower()
    if not text:
        raise CondaVersionError(f"invalid conda version {version!r}: empty version")
    if not _VALID_VERSION.fullmatch(text) and "-" in text and "_" not in text:
        text = text.replace("-", "_")  # conda accepts dashes when there are no underscores
    if not _VALID_VERSION.fullmatch(text):
        raise CondaVersionError(f"invalid conda version {version!r}: invalid character(s)")
    epoch, _, rest = text.rpartition("!") if "!" in text else ("0", "", text)
    if not epoch.isdigit():
        raise CondaVersionError(f"invalid conda version {version!r}: epoch must be an integer")
    if rest.count("+") > 1:
        raise CondaVersionError(f"invalid conda version {version!r}: more than one '+'")
    release, _, local = rest.partition("+")
    if "+" in rest and not local:
        raise CondaVersionError(f"invalid conda version {version!r}: empty local version")
    components = [epoch, *_split_release(release, version)]
    local_components = local.replace("_", ".").split(".") if local else []
    return CondaVersionKey(
        text=version,
        version=tuple(_split_component(c, version) for c in components),
        local=tuple(_split_component(c, version) for c in local_components),
    )


def compare_conda_versions(left: str, right: str) -> int:
    """-1, 0 or 1 by conda's ordering; raises :class:`CondaVersionError` on bad input."""
    a, b = conda_version_key(left), conda_version_key(right)
    if a == b:
        return 0
    return -1 if a < b else 1
