"""Whether a locked version and build satisfy a conda MatchSpec or a PEP 440 specifier."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from envaudit.analysis.conda_version import CondaVersionError, compare_conda_versions
from envaudit.sources.matchspec import MatchSpec

_ATOM = re.compile(r"(?P<op>==|!=|<=|>=|~=|<|>|=)?(?P<version>.+)")
_ORDERED = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "!=": lambda c: c != 0,
}


def matchspec_allows(spec: MatchSpec, version: str, build: str | None) -> bool | None:
    """True/False when ``version``/``build`` satisfy ``spec``; None when it cannot be told."""
    try:
        if spec.version is not None and compare_conda_versions(spec.version, version) != 0:
            return False
        if spec.spec is not None and not _constraint_allows(spec.spec, version):
            return False
    except CondaVersionError:
        return None
    if spec.build is not None and build is not None:
        return fnmatchcase(build, spec.build)
    return True


def _constraint_allows(constraint: str, version: str) -> bool:
    """``>=1.2,<2|3.*``: ``|`` between alternatives, ``,`` between conditions."""
    return any(
        all(_atom_allows(atom, version) for atom in alternative.split(","))
        for alternative in constraint.split("|")
    )


def _atom_allows(atom: str, version: str) -> bool:
    match = _ATOM.fullmatch(atom)
    if match is None:
        raise CondaVersionError(f"unreadable constraint {atom!r}")
    operator, wanted = match.group("op") or "", match.group("version")
    if wanted.endswith("*") or operator == "=":
        # ``=1.24``, ``1.24.*``, ``1.24*`` and ``==1.24.*`` all mean "starts with 1.24".
        prefix = wanted.rstrip("*").rstrip(".")
        if operator in ("", "=", "=="):
            return _has_prefix(version, prefix)
        if operator == "!=":
            return not _has_prefix(version, prefix)
        wanted = prefix
    if operator == "~=":
        release = wanted.split(".")
        prefix = ".".join(release[:-1]) or wanted
        return compare_conda_versions(version, wanted) >= 0 and _has_prefix(version, prefix)
    comparison = compare_conda_versions(version, wanted)
    if operator in _ORDERED:
        return bool(_ORDERED[operator](comparison))
    return comparison == 0


def _has_prefix(version: str, prefix: str) -> bool:
    if not prefix:
        return True
    if compare_conda_versions(version, prefix) == 0:
        return True
    return version.lower().startswith(prefix.lower() + ".") or (
        version.lower().startswith(prefix.lower()) and not prefix[-1].isdigit()
    )


def specifier_allows(specifier: str, version: str) -> bool | None:
    """PEP 440 membership (pre-releases allowed); None when either side is unreadable."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None
