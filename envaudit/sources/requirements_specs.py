"""Turning one requirement of a requirements file (PEP 508, URL, path, ``-e``) into a Package."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from envaudit.analysis.names import pypi_key
from envaudit.model import Ecosystem, Hash, Package, PackageSource, SourceKind, evolve
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.fields import FULL_SHA, REMOTE_SCHEMES, canonical_marker
from envaudit.sources.lazy_regex import LazyPattern
from envaudit.sources.requirements_lines import Location

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_VCS_PREFIX = LazyPattern(r"(?P<vcs>git|hg|svn|bzr)\+", re.IGNORECASE)
_URL = LazyPattern(r"[A-Za-z][A-Za-z0-9+.\-]+://|file:", re.IGNORECASE)
_WINDOWS_DRIVE = LazyPattern(r"[A-Za-z]:[\\/]")
_DIRECT_REFERENCE = LazyPattern(r"\s*[A-Za-z0-9][A-Za-z0-9._\-]*\s*(?:\[[^\]]*\])?\s*@")
_NAME_AND_EXTRAS = LazyPattern(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?")
_EGG = LazyPattern(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?)(?:\[(?P<extras>[^\]]*)\])?"
)
_TRAILING_EXTRAS = LazyPattern(r"(?P<location>.+?)\[(?P<extras>[^\]]+)\]")
# ``name[extras]==version`` where the version is in a conservative subset of PEP 440 (anything
# else goes through packaging): most lines of freezes and compiled files, parsed without
# importing packaging.requirements.
_SIMPLE_PIN = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>\s*[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?\s*"
    r"(?:,\s*[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?\s*)*)\]\s*)?==\s*"
    r"(?P<version>(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?"
    r"(?:\.dev[0-9]+)?(?:\+[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?)"
)
_HASH_ALGS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
_SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")
ARCHIVE_SUFFIXES = (".whl", *_SDIST_SUFFIXES)
NO_NAME = "cannot tell the package name of URL requirement; add #egg=name"


@record
class NameHint:
    """A name (and version) known from elsewhere, e.g. pip freeze's editable comments."""

    name: str
    version: str | None = None


@record
class LocationParts:
    """A URL or path requirement, split into its pieces."""

    source: PackageSource
    fragment: dict[str, str] = field(default_factory=dict)
    filename: str | None = None


def requirement_package(
    text: str, *, hashes: Iterable[Hash], location: Location, name_hint: NameHint | None = None
) -> Package:
    """A requirement line's requirement part (options already removed) -> Package."""
    text = text.strip()
    simple = _SIMPLE_PIN.fullmatch(text)
    if simple is not None:
        return _simple_pin_package(simple, hashes, location)
    if ";" in text and "@" not in text:  # ``name==1.2 ; marker``: the pin needs no packaging
        head, _, marker = text.partition(";")
        simple = _SIMPLE_PIN.fullmatch(head.strip())
        canonical = canonical_marker(marker.strip()) if simple is not None else None
        if simple is not None and canonical is not None:
            package = _simple_pin_package(simple, hashes, location)
            return evolve(package, markers=canonical)
    if _DIRECT_REFERENCE.match(text) is None:
        head = text.split("; ", 1)[0] if _URL.match(text) else text.split(";", 1)[0]
        if _URL.match(head) or _looks_like_path(head.strip()):
            return _location_package(text, hashes, location, name_hint, editable=False)
    return _pep508_package(text, hashes, location)


def editable_package(
    target: str, *, hashes: Iterable[Hash], location: Location, name_hint: NameHint | None = None
) -> Package:
    """``-e TARGET`` (a local directory or a VCS URL) -> Package."""
    return _location_package(target.strip(), hashes, location, name_hint, editable=True)


def _simple_pin_package(pin: re.Match[str], hashes: Iterable[Hash], location: Location) -> Package:
    """``name[extra]==1.2.3`` without markers: what packaging would give, without it."""
    name, version = pin.group("name"), pin.group("version")
    return Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version),
        hashes=sorted_hashes(hashes),
        extras=_split_extras(pin.group("extras") or ""),
        origin=location.label,
    )


def _looks_like_path(text: str) -> bool:
    return (
        text.startswith((".", "/", "~", "\\"))
        or "/" in text
        or "\\" in text
        or _WINDOWS_DRIVE.match(text) is not None
        or text.lower().endswith(ARCHIVE_SUFFIXES)
    )


# No real requirement has more version clauses; packaging spends ~15 us on each, so a
# hostile 1 MB line of ">=1.0," would otherwise cost seconds.
MAX_VERSION_CLAUSES = 256


def _pep508_package(text: str, hashes: Iterable[Hash], location: Location) -> Package:
    from packaging.requirements import InvalidRequirement, Requirement

    if text.count(",") > MAX_VERSION_CLAUSES and "@" not in text and ";" not in text:
        raise location.error(
            f"invalid requirement: more than {MAX_VERSION_CLAUSES} comma-separated clauses"
        )
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not PEP 508"
        raise location.error(f"invalid requirement: {reason}") from None
    all_hashes = list(hashes)
    version = spec = build = None
    source = PackageSource()
    if requirement.url:
        parts = split_location(requirement.url, location, editable=False)
        source = parts.source
        all_hashes.extend(_fragment_hashes(parts.fragment, location))
        from_file = _name_from_filename(parts.filename) if parts.filename else None
        if from_file and pypi_key(from_file.name) == pypi_key(requirement.name):
            version = from_file.version
    else:
        version, spec = _split_specifier(text, requirement)
    if version is not None:
        build = local_version(version)
    return Package(
        name=requirement.name,
        key=pypi_key(requirement.name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        spec=spec,
        build=build,
        source=source,
        hashes=sorted_hashes(all_hashes),
        markers=str(requirement.marker) if requirement.marker else None,
        extras=tuple(sorted(requirement.extras)),
        origin=location.label,
    )


def _split_specifier(text: str, requirement: Requirement) -> tuple[str | None, str | None]:
    """(exact version, None) for ``==1.2.3``/``===x``; else (None, the spec as written)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    specifiers = list(requirement.specifier)
    if not specifiers:
        return None, None
    if len(specifiers) == 1:
        only = specifiers[0]
        if only.operator == "===" or (only.operator == "==" and "*" not in only.version):
            return only.version, None
    written = _written_specifier(text)
    try:
        if written and SpecifierSet(written) == requirement.specifier:
            return None, written
    except InvalidSpecifier:
        pass
    return None, str(requirement.specifier)


def _written_specifier(text: str) -> str:
    """The specifier text as written (order kept, whitespace and parentheses removed)."""
    match = _NAME_AND_EXTRAS.match(text)
    rest = text[match.end() :] if match else text
    rest = rest.split(";", 1)[0].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return "".join(rest.split())


def local_version(version: str) -> str | None:
    """The PEP 440 local part: ``2.0.1+cu118`` -> ``cu118``."""
    return version.partition("+")[2] or None


def sorted_hashes(hashes: Iterable[Hash]) -> tuple[Hash, ...]:
    return tuple(sorted(set(hashes), key=lambda item: (item.alg, item.value)))


def _location_package(
    text: str,
    hashes: Iterable[Hash],
    location: Location,
    name_hint: NameHint | None,
    *,
    editable: bool,
) -> Package:
    written, markers = _split_location_markers(text, location, editable=editable)
    extras: tuple[str, ...] = ()
    trailing = _TRAILING_EXTRAS.fullmatch(written)
    if trailing and not _URL.match(written):
        written = trailing.group("location")
        extras = _split_extras(trailing.group("extras"))
    parts = split_location(written, location, editable=editable)
    name, version, egg_extras = _name_of(written, parts, name_hint, location)
    return Package(
        name=name,
        key=pypi_key(name) if _EGG.fullmatch(name) else name,
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version) if version else None,
        source=parts.source,
        hashes=sorted_hashes([*hashes, *_fragment_hashes(parts.fragment, location)]),
        markers=markers,
        extras=tuple(sorted({*extras, *egg_extras})),
        origin=location.label,
    )


def _split_location_markers(
    text: str, location: Location, *, editable: bool
) -> tuple[str, str | None]:
    """pip splits markers off a URL at ``"; "`` and off a path at ``";"`` (never for -e)."""
    if editable:
        return text, None
    separator = "; " if _URL.match(text) else ";"
    written, _, marker_text = text.partition(separator)
    if not marker_text.strip():
        return written.strip(), None
    from packaging.markers import InvalidMarker, Marker

    try:
        return written.strip(), str(Marker(marker_text.strip()))
    except InvalidMarker as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not PEP 508"
        raise location.error(f"invalid marker: {reason}") from None


def _split_extras(text: str) -> tuple[str, ...]:
    return tuple(sorted({extra.strip() for extra in text.split(",") if extra.strip()}))


def _name_of(
    written: str, parts: LocationParts, hint: NameHint | None, location: Location
) -> tuple[str, str | None, tuple[str, ...]]:
    """(name, version, extras) of a URL/path requirement: ``#egg=``, a hint, or its filename."""
    egg = parts.fragment.get("egg")
    if egg is not None:
        match = _EGG.fullmatch(egg.strip())
        if match is None:
            raise location.error(f"invalid #egg={egg!r}: expected a project name")
        extras = _split_extras(match.group("extras") or "")
        hinted = hint.version if hint and pypi_key(hint.name) == pypi_key(match["name"]) else None
        return match.group("name"), hinted, extras
    if hint is not None:
        return hint.name, hint.version, ()
    from_file = _name_from_filename(parts.filename) if parts.filename else None
    if from_file is not None:
        return from_file.name, from_file.version, ()
    if parts.source.kind is SourceKind.VCS:
        repository = _vcs_repository_name(parts.source.url or "")
        if repository:
            return repository, None, ()
    if parts.source.kind is SourceKind.DIRECTORY:
        return redact_url(written), None, ()
    raise location.error(NO_NAME)


def _vcs_repository_name(url: str) -> str | None:
    """``git+https://host/org/fvcore.git`` -> ``fvcore`` (the repository's own name)."""
    last = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    last = last.removesuffix(".git")
    return last if _EGG.fullmatch(last) and "[" not in last else None


def _name_from_filename(filename: str) -> NameHint | None:
    """A wheel's or sdist's name and version, from its (percent-decoded) file name."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.lower().endswith(".whl"):
            parse_wheel_filename(filename)
            name, version = filename.split("-")[:2]
            return NameHint(name, version)
        if filename.lower().endswith((".tar.gz", ".zip")):
            parse_sdist_filename(filename)
            stem = filename[: -len(".zip")] if filename.lower().endswith(".zip") else filename
            stem = stem[: -len(".tar.gz")] if stem.lower().endswith(".tar.gz") else stem
            name, version = stem.rsplit("-", 1)
            return NameHint(name, version)
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return None
    return None


def split_location(text: str, location: Location, *, editable: bool) -> LocationParts:
    """A URL or path (as written after ``-e``, ``@`` or alone) -> its source, fragment, file."""
    _refuse_glued_marker(text, location)
    base, _, fragment_text = text.partition("#")
    fragment = _parse_fragment(fragment_text)
    subdirectory = fragment.get("subdirectory")
    vcs_match = _VCS_PREFIX.match(base)
    if vcs_match is not None:
        repository, ref = _split_vcs_ref(base, location)
        source = PackageSource(
            kind=SourceKind.VCS,
            # the repository URL without the ``git+`` prefix (``vcs`` says which), as the
            # lock parsers store it, so that VCS sources compare equal across formats
            url=redact_url(repository[vcs_match.end() :]),
            vcs=vcs_match.group("vcs").lower(),
            ref=ref,
            commit=ref.lower() if ref and FULL_SHA.fullmatch(ref) else None,
            subdirectory=subdirectory,
            editable=editable,
        )
        return LocationParts(source, fragment)
    filename = _last_segment(base, location)
    is_archive = bool(filename) and filename.lower().endswith(ARCHIVE_SUFFIXES)
    if base.lower().startswith(REMOTE_SCHEMES):
        kind = SourceKind.URL
    else:
        kind = SourceKind.FILE if is_archive and not editable else SourceKind.DIRECTORY
    source = PackageSource(
        kind=kind, url=redact_url(base), subdirectory=subdirectory, editable=editable
    )
    return LocationParts(source, fragment, filename if is_archive else None)


def _refuse_glued_marker(text: str, location: Location) -> None:
    """``url;python_version<"3"`` would make the marker part of the URL: refuse it."""
    if ";" not in text or not _URL.match(text):
        return
    from packaging.markers import InvalidMarker, Marker

    tail = text.rpartition(";")[2].strip()
    try:
        Marker(tail)
    except InvalidMarker:
        return
    raise location.error(
        "a URL requirement needs a space before ';' markers (else the marker is read as"
        " part of the URL)"
    )


def _parse_fragment(text: str) -> dict[str, str]:
    from urllib.parse import unquote

    fragment: dict[str, str] = {}
    for item in text.split("&"):
        key, equals, value = item.partition("=")
        if equals and key:
            fragment[key.strip().lower()] = unquote(value)
    return fragment


def _fragment_hashes(fragment: dict[str, str], location: Location) -> list[Hash]:
    """``#sha256=...`` on an archive URL; pip checks the download against it."""
    hashes: list[Hash] = []
    for alg in _HASH_ALGS:
        value = fragment.get(alg)
        if value is None:
            continue
        from envaudit.sources.hashes import hash_error, parse_hash

        parsed = parse_hash(f"{alg}:{value}")
        if parsed is None:
            raise location.error(hash_error(f"{alg}={value}"))
        hashes.append(parsed)
    return hashes


def _split_vcs_ref(base: str, location: Location) -> tuple[str, str | None]:
    """``git+https://h/r.git@v1`` -> (``git+https://h/r.git``, ``v1``); userinfo '@' kept."""
    from urllib.parse import unquote

    scheme_end = base.find("://")
    path_start = base.find("/", scheme_end + 3) if scheme_end >= 0 else base.find(":") + 1
    if path_start <= 0:
        raise location.error(f"invalid VCS URL {redact_url(base)!r}: expected a repository path")
    # A query string belongs to the repository URL (where credentials are redacted), never
    # to the ref: ``...@main?token=...`` must not carry the token into ``ref``.
    path, mark, query = base[path_start:].partition("?")
    if "@" not in path:
        return base, None
    repository_path, _, ref = path.rpartition("@")
    return base[:path_start] + repository_path + mark + query, unquote(ref) or None


def _last_segment(base: str, location: Location) -> str:
    """The percent-decoded last path segment of a URL or path (``%2B`` -> ``+``)."""
    from urllib.parse import unquote, urlsplit

    if _URL.match(base):
        try:
            path = urlsplit(base).path
        except ValueError as exc:
            raise location.error(f"invalid URL {redact_url(base)!r}: {exc}") from None
    else:
        path = base.replace("\\", "/")
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])
