"""Parsing uv's uv.lock (TOML, ``version = 1``) into a manifest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from envaudit.analysis.names import pypi_key
from envaudit.errors import ParseError
from envaudit.model import (
    Ecosystem,
    Hash,
    Index,
    IndexKind,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.redact import redact_url
from envaudit.sources.fields import (
    ARCHIVE_SUFFIXES,
    local_version,
    normalise_marker,
    read_str_list,
    sorted_hashes,
)
from envaudit.sources.hashes import hash_error, parse_hash
from envaudit.sources.interface import IncludeReader
from envaudit.sources.structured import (
    expect_list,
    expect_str,
    expect_table,
    join_path,
    load_toml,
    optional_str,
    required_str,
)

FORMAT_ID = "uv-lock"

# The keys of a package's ``source`` table, in the order they are looked for.
_SOURCE_KINDS: dict[str, SourceKind] = {
    "registry": SourceKind.REGISTRY,
    "git": SourceKind.VCS,
    "url": SourceKind.URL,
    "path": SourceKind.FILE,  # or DIRECTORY, by the path's extension
    "directory": SourceKind.DIRECTORY,
    "editable": SourceKind.DIRECTORY,
    "virtual": SourceKind.VIRTUAL,
}
_GIT_REF_PARAMS = ("rev", "tag", "branch")
_GIT_UV_PARAMS = frozenset({*_GIT_REF_PARAMS, "subdirectory", "lfs"})
_FULL_COMMIT = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_MARKER_LISTS = ("resolution-markers", "supported-markers", "required-markers")
_MANIFEST_NAME_LISTS = ("overrides", "constraints", "build-constraints")


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """uv.lock -> Manifest; registry URLs become package indexes, forks keep their markers."""
    document = _load_document(text, origin)
    entries = document.get("package")
    packages = [
        _read_package(entry, position, origin)
        for position, entry in enumerate(
            [] if entries is None else expect_list(entries, origin, "package")
        )
    ]
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, _read_integer(document, "version", origin)),
        python=PythonSpec(requires=optional_str(document, "requires-python", origin, "")),
        indexes=collect_indexes(packages),
        packages=tuple(packages),
        meta=_read_meta(document, origin),
    )


def _load_document(text: str, origin: str) -> dict[str, Any]:
    try:
        return load_toml(text, origin)
    except ValueError as exc:  # e.g. integers longer than Python's digit limit
        raise ParseError(origin, f"invalid TOML: {exc}") from None


def _read_integer(table: Mapping[str, Any], key: str, origin: str) -> str | None:
    """A top-level integer (``version``, ``revision``) as text, or None when absent."""
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(origin, f"expected an integer for {key!r}", key_path=key)
    return str(value)


def _read_meta(document: Mapping[str, Any], origin: str) -> dict[str, str]:
    """Lock revision, the resolution's marker sets, workspace members and overrides."""
    meta: dict[str, str] = {}
    revision = _read_integer(document, "revision", origin)
    if revision is not None:
        meta["revision"] = revision
    for key in _MARKER_LISTS:
        markers = read_str_list(document, key, origin, "")
        if markers:
            meta[key.replace("-", "_")] = " || ".join(markers)
    options = expect_table(document.get("options", {}), origin, "options")
    for key, value in options.items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            meta[f"options_{key.replace('-', '_')}"] = str(value)
    workspace = expect_table(document.get("manifest", {}), origin, "manifest")
    members = read_str_list(workspace, "members", origin, "manifest")
    if members:
        meta["members"] = ",".join(members)
    for key in _MANIFEST_NAME_LISTS:
        names = _requirement_names(workspace, key, origin)
        if names:
            meta[key.replace("-", "_")] = ",".join(names)
    return meta


def _requirement_names(workspace: Mapping[str, Any], key: str, origin: str) -> list[str]:
    """``[manifest] overrides = [{ name = "x", ... }]`` -> the names, as written."""
    if key not in workspace:
        return []
    list_path = join_path("manifest", key)
    names: list[str] = []
    for position, item in enumerate(expect_list(workspace[key], origin, list_path)):
        item_path = join_path(list_path, position)
        names.append(required_str(expect_table(item, origin, item_path), "name", origin, item_path))
    return names


def _read_package(entry: Any, position: int, origin: str) -> Package:
    key_path = join_path("package", position)
    table = expect_table(entry, origin, key_path)
    name = required_str(table, "name", origin, key_path).strip()
    if not name:
        raise ParseError(origin, "expected a package name, got ''", key_path=key_path)
    version = optional_str(table, "version", origin, key_path)
    source, index = _read_source(table, origin, key_path)
    return Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version),
        index=index,
        source=source,
        hashes=_read_hashes(table, origin, key_path),
        markers=_fork_markers(table, origin, key_path),
        origin=f"{origin}:{key_path}",
    )


def _read_source(
    table: Mapping[str, Any], origin: str, key_path: str
) -> tuple[PackageSource, str | None]:
    """``source = { registry | git | url | path | directory | editable | virtual = ... }``."""
    if "source" not in table:
        raise ParseError(origin, "missing required key 'source'", key_path=key_path)
    source_path = join_path(key_path, "source")
    source = expect_table(table["source"], origin, source_path)
    for key, kind in _SOURCE_KINDS.items():
        if key not in source:
            continue
        location = expect_str(source[key], origin, join_path(source_path, key))
        subdirectory = optional_str(source, "subdirectory", origin, source_path)
        if key == "registry":
            return PackageSource(kind=kind), redact_url(location)
        if key == "git":
            return _git_source(location, origin, join_path(source_path, key)), None
        is_tree = key == "path" and not location.lower().endswith(ARCHIVE_SUFFIXES)
        return PackageSource(
            kind=SourceKind.DIRECTORY if is_tree else kind,
            url=redact_url(location),
            subdirectory=subdirectory,
            editable=key == "editable",
        ), None
    raise ParseError(
        origin,
        f"expected a source table with one of {', '.join(_SOURCE_KINDS)}; got keys "
        f"{', '.join(map(repr, source)) or 'none'}",
        key_path=source_path,
    )


def _git_source(location: str, origin: str, key_path: str) -> PackageSource:
    """``https://host/repo?rev=main&subdirectory=sub#<full commit>`` -> a VCS source."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(location)
        params = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        raise ParseError(
            origin, f"expected a git URL, got {location!r}", key_path=key_path
        ) from None
    named = dict(params)
    ref = next((named[key] for key in _GIT_REF_PARAMS if named.get(key)), None)
    commit = parts.fragment or None
    if commit is not None and not _FULL_COMMIT.fullmatch(commit):
        raise ParseError(
            origin, f"expected a full commit hash after '#', got {commit!r}", key_path=key_path
        )
    if commit is None and ref and _FULL_COMMIT.fullmatch(ref):
        commit = ref
    other_params = [(key, value) for key, value in params if key not in _GIT_UV_PARAMS]
    url = urlunsplit(parts._replace(query=urlencode(other_params), fragment=""))
    return PackageSource(
        kind=SourceKind.VCS,
        url=redact_url(url),
        vcs="git",
        ref=ref,
        commit=commit.lower() if commit else None,
        subdirectory=named.get("subdirectory") or None,
    )


def _read_hashes(table: Mapping[str, Any], origin: str, key_path: str) -> tuple[Hash, ...]:
    """The ``hash`` of the ``sdist`` and of every ``wheels`` entry, de-duplicated."""
    found: set[Hash] = set()
    if "sdist" in table:
        _add_hash(found, table["sdist"], origin, key_path, "sdist")
    if "wheels" in table:
        wheels = expect_list(table["wheels"], origin, join_path(key_path, "wheels"))
        for position, wheel in enumerate(wheels):  # _add_hash's fast path, inlined: hot
            text = wheel.get("hash") if type(wheel) is dict else None
            parsed = parse_hash(text) if type(text) is str else None
            if parsed is None:
                _add_hash(found, wheel, origin, key_path, "wheels", position=position)
            else:
                found.add(parsed)
    return sorted_hashes(found)


def _add_hash(
    found: set[Hash],
    artifact: Any,
    origin: str,
    key_path: str,
    key: str,
    *,
    position: int | None = None,
) -> None:
    """Add one artifact's hash; key paths are built only for the slow (error) path."""
    text = artifact.get("hash") if type(artifact) is dict else None
    parsed = parse_hash(text) if type(text) is str else None
    if parsed is not None:
        found.add(parsed)
        return
    path = join_path(key_path, key)
    found |= _artifact_hash(
        artifact, origin, path if position is None else join_path(path, position)
    )


def _artifact_hash(artifact: Any, origin: str, key_path: str) -> set[Hash]:
    table = expect_table(artifact, origin, key_path)
    text = optional_str(table, "hash", origin, key_path)
    if text is None:
        return set()
    parsed = parse_hash(text)
    if parsed is None:
        raise ParseError(origin, hash_error(text), key_path=join_path(key_path, "hash"))
    return {parsed}


def _fork_markers(table: Mapping[str, Any], origin: str, key_path: str) -> str | None:
    """A forked package's ``resolution-markers``, joined into one ``(a) or (b)`` marker."""
    terms = [
        term.strip()
        for term in read_str_list(table, "resolution-markers", origin, key_path)
        if term.strip()
    ]
    if not terms:
        return None
    if len(terms) == 1:
        return normalise_marker(terms[0])
    return normalise_marker(" or ".join(f"({term})" for term in terms))


# --- helpers pylock.py shares ---------------------------------------------------------


def collect_indexes(packages: Iterable[Package]) -> tuple[Index, ...]:
    """Every distinct package index, in first-use order, located at its first package."""
    seen: dict[str, Index] = {}
    for package in packages:
        if package.index and package.index not in seen:
            seen[package.index] = Index(
                url=package.index, kind=IndexKind.INDEX_URL, origin=package.origin
            )
    return tuple(seen.values())
