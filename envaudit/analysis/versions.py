"""Ordering versions by their ecosystem's rules: PEP 440 for PyPI, conda's for conda."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from envaudit.model import Ecosystem


class Bump(StrEnum):
    """Which part of a release number changed first."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    OTHER = "other"  # pre/post/dev/local or deeper release parts


@lru_cache(maxsize=4096)
def _pep440(version: str) -> object | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def compare_versions(old: str, new: str, ecosystem: Ecosystem) -> int | None:
    """-1, 0 or 1; None when the versions cannot be ordered (invalid for the ecosystem)."""
    if ecosystem is Ecosystem.CONDA:
        from envaudit.analysis.conda_version import compare_conda_versions

        try:
            return compare_conda_versions(old, new)
        except ValueError:
            return None
    left, right = _pep440(old), _pep440(new)
    if left is None or right is None:
        return None
    if left == right:
        return 0
    return -1 if left < right else 1  # type: ignore[operator]


def _release(version: str) -> tuple[int, ...]:
    parsed = _pep440(version)
    if parsed is not None:
        return tuple(parsed.release)  # type: ignore[attr-defined]
    parts: list[int] = []
    for piece in version.replace("_", ".").split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def bump_kind(old: str, new: str) -> Bump:
    """The first release component that differs (``1.2.3`` -> ``1.3.0`` is MINOR)."""
    left, right = _release(old), _release(new)
    width = max(len(left), len(right), 3)
    left += (0,) * (width - len(left))
    right += (0,) * (width - len(right))
    for index, kind in enumerate((Bump.MAJOR, Bump.MINOR, Bump.PATCH)):
        if left[index] != right[index]:
            return kind
    return Bump.OTHER
