"""Does a Python version satisfy a requires-python written in PEP 440, Poetry or conda style?"""

from __future__ import annotations

import re

_CARET = re.compile(r"^\^\s*(?P<version>\d+(?:\.\d+)*)$")
_TILDE = re.compile(r"^~\s*(?P<version>\d+(?:\.\d+)*)$")
_BARE = re.compile(r"^(?P<version>\d+(?:\.\d+)*)(?P<star>\.\*|\*)?$")
_CONDA_EQUAL = re.compile(r"^=(?P<version>\d+(?:\.\d+)*)(?:\.?\*)?$")


def satisfies(version: str, constraint: str) -> bool | None:
    """True/False when ``version`` (``3.11`` means any 3.11.x) does or does not satisfy it.

    None when the constraint cannot be read (it is then not judged).
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    alternatives = [part.strip() for part in constraint.split("||")]
    try:
        specifiers = [SpecifierSet(_pep440(part)) for part in alternatives]
        release = Version(version).release
    except (InvalidSpecifier, InvalidVersion, ValueError):
        return None
    if len(release) >= 3:
        candidates = [version]
    else:  # a minor version stands for all its patch releases: check the first and a late one
        base = ".".join(str(part) for part in release[:2])
        candidates = [f"{base}.0", f"{base}.999"]
    return any(s.contains(c, prereleases=True) for s in specifiers for c in candidates)


def _pep440(part: str) -> str:
    """Poetry's ``^3.9``/``~3.9``/``3.9.*`` and conda's ``=3.9`` as PEP 440 specifiers."""
    pieces = [piece.strip() for piece in re.split(r",|\s+(?=[<>=!~^])", part) if piece.strip()]
    return ",".join(_piece(piece) for piece in pieces)


def _piece(piece: str) -> str:
    caret = _CARET.match(piece)
    if caret:
        release = [int(p) for p in caret.group("version").split(".")]
        first = next((i for i, p in enumerate(release) if p != 0), len(release) - 1)
        upper = [*release[:first], release[first] + 1]
        return f">={caret.group('version')},<{'.'.join(map(str, upper))}"
    tilde = _TILDE.match(piece)
    if tilde:
        release = [int(p) for p in tilde.group("version").split(".")]
        upper = [release[0] + 1] if len(release) == 1 else [release[0], release[1] + 1]
        return f">={tilde.group('version')},<{'.'.join(map(str, upper))}"
    conda = _CONDA_EQUAL.match(piece)
    if conda:
        return f"=={conda.group('version')}.*"
    bare = _BARE.match(piece)
    if bare:
        return f"=={bare.group('version')}" + (".*" if bare.group("star") else "")
    return piece
