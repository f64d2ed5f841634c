"""Parsing pipenv's Pipfile.lock (JSON: ``_meta`` plus one object of pins per category)."""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    FULL_SHA,
    local_version,
    location_kind,
    normalise_marker,
    read_bool,
    read_str_list,
)
from envaudit.sources.hashes import hash_error, parse_hash
from envaudit.sources.interface import IncludeReader
from envaudit.sources.structured import (
    expect_list,
    expect_str,
    expect_table,
    join_path,
    load_json,
    optional_str,
)

FORMAT_ID = "pipfile-lock"

_META = "_meta"
_VCS_KEYS = ("git", "hg", "svn", "bzr")
_NOT_EXACT = re.compile(r"[*,<>!~=;\s]")


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """Pipfile.lock -> Manifest; every category (``default``, ``develop``...) becomes a group."""
    if not text.strip():
        return Manifest(source=source_info(FORMAT_ID, origin, text))
    document = expect_table(_load_document(text, origin), origin, "$")
    meta_table = _optional_table(document, _META, origin, _META)
    indexes, index_urls = _read_sources(meta_table, origin)
    packages: list[Package] = []
    for category, entries in document.items():
        if category == _META:
            continue
        section = expect_table(entries, origin, join_path("", category))
        for name, entry in section.items():
            packages.append(_read_package(name, entry, category, index_urls, origin))
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, _read_spec_version(meta_table, origin)),
        python=_read_python(meta_table, origin),
        indexes=tuple(indexes),
        packages=tuple(packages),
        meta=_read_meta(meta_table, origin),
    )


def _load_document(text: str, origin: str) -> Any:
    try:
        return load_json(text, origin)
    except ValueError as exc:  # e.g. integers longer than Python's digit limit
        raise ParseError(origin, f"invalid JSON: {exc}") from None


def _optional_table(
    table: Mapping[str, Any], key: str, origin: str, key_path: str
) -> Mapping[str, Any]:
    if table.get(key) is None:
        return {}
    return expect_table(table[key], origin, key_path)


def _read_spec_version(meta_table: Mapping[str, Any], origin: str) -> str | None:
    value = meta_table.get("pipfile-spec")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParseError(
            origin,
            "expected an integer for 'pipfile-spec'",
            key_path=join_path(_META, "pipfile-spec"),
        )
    return str(value)


def _read_python(meta_table: Mapping[str, Any], origin: str) -> PythonSpec:
    key_path = join_path(_META, "requires")
    requires = _optional_table(meta_table, "requires", origin, key_path)
    major_minor = optional_str(requires, "python_version", origin, key_path)
    full = optional_str(requires, "python_full_version", origin, key_path)
    return PythonSpec(
        requires=f"=={major_minor.strip()}.*" if major_minor else None,
        version=full.strip() if full else None,
    )


def _read_meta(meta_table: Mapping[str, Any], origin: str) -> dict[str, str]:
    key_path = join_path(_META, "hash")
    hashes = _optional_table(meta_table, "hash", origin, key_path)
    meta: dict[str, str] = {}
    for alg, value in hashes.items():
        digest = expect_str(value, origin, join_path(key_path, alg))
        if "content_hash" not in meta or alg.lower() == "sha256":
            meta["content_hash"] = f"{alg.lower()}:{digest.lower()}"
    return meta


def _read_sources(meta_table: Mapping[str, Any], origin: str) -> tuple[list[Index], dict[str, str]]:
    """The ``_meta.sources`` list as indexes, and a map of source name -> redacted URL."""
    key_path = join_path(_META, "sources")
    sources = meta_table.get("sources")
    if sources is None:
        return [], {}
    indexes: list[Index] = []
    index_urls: dict[str, str] = {}
    for position, item in enumerate(expect_list(sources, origin, key_path)):
        item_path = join_path(key_path, position)
        source = expect_table(item, origin, item_path)
        url = _required_str(source, "url", origin, item_path)
        name = optional_str(source, "name", origin, item_path)
        kind = IndexKind.INDEX_URL if position == 0 else IndexKind.EXTRA_INDEX_URL
        location = f"{origin}:{item_path}"
        indexes.append(Index(url=redact_url(url), kind=kind, name=name, origin=location))
        if name is not None:
            index_urls[name] = redact_url(url)
        if not read_bool(source, "verify_ssl", origin, item_path, default=True):
            host = _host_of(url, origin, join_path(item_path, "url"))
            indexes.append(Index(url=host, kind=IndexKind.TRUSTED_HOST, name=name, origin=location))
    return indexes, index_urls


def _host_of(url: str, origin: str, key_path: str) -> str:
    from urllib.parse import urlsplit

    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        raise ParseError(origin, f"expected a URL, got {url!r}", key_path=key_path) from None
    host = netloc.rpartition("@")[2]
    return redact_url(host or url)


def _read_package(
    name: str, entry: Any, category: str, index_urls: Mapping[str, str], origin: str
) -> Package:
    key_path = join_path(category, name)
    if not name.strip():
        raise ParseError(origin, "expected a package name, got an empty key", key_path=category)
    table = expect_table(entry, origin, key_path)
    version, spec = _split_pin(optional_str(table, "version", origin, key_path))
    return Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        spec=spec,
        build=local_version(version),
        index=_read_index(table, index_urls, origin, key_path),
        source=_read_source(table, origin, key_path),
        hashes=_read_hashes(table, origin, key_path),
        markers=_read_markers(table, origin, key_path),
        extras=tuple(sorted(set(read_str_list(table, "extras", origin, key_path)))),
        groups=(category,),
        origin=f"{origin}:{key_path}",
    )


def _split_pin(version: str | None) -> tuple[str | None, str | None]:
    """``==1.2.3`` -> (``1.2.3``, None); ``===x`` -> (``x``, None); anything else -> spec."""
    if version is None or not version.strip():
        return None, None
    written = version.strip()
    for operator in ("===", "=="):
        if written.startswith(operator):
            pinned = written[len(operator) :].strip()
            if pinned and (operator == "===" or not _NOT_EXACT.search(pinned)):
                return pinned, None
            break
    return None, written


def _read_index(
    table: Mapping[str, Any], index_urls: Mapping[str, str], origin: str, key_path: str
) -> str | None:
    name = optional_str(table, "index", origin, key_path)
    if name is None:
        return None
    if name not in index_urls:
        known = ", ".join(sorted(index_urls)) or "none"
        raise ParseError(
            origin,
            f"unknown index {name!r}: expected a name from _meta.sources ({known})",
            key_path=join_path(key_path, "index"),
        )
    return index_urls[name]


def _read_source(table: Mapping[str, Any], origin: str, key_path: str) -> PackageSource:
    editable = read_bool(table, "editable", origin, key_path, default=False)
    subdirectory = optional_str(table, "subdirectory", origin, key_path)
    for vcs in _VCS_KEYS:
        repository = optional_str(table, vcs, origin, key_path)
        if repository is not None:
            ref = optional_str(table, "ref", origin, key_path)
            return PackageSource(
                kind=SourceKind.VCS,
                url=redact_url(repository),
                vcs=vcs,
                ref=ref,
                commit=ref.lower() if ref and FULL_SHA.fullmatch(ref) else None,
                subdirectory=subdirectory,
                editable=editable,
            )
    location = optional_str(table, "path", origin, key_path)
    if location is None:
        location = optional_str(table, "file", origin, key_path)
    if location is None:
        return PackageSource(editable=editable, subdirectory=subdirectory)
    return PackageSource(
        kind=location_kind(location, editable),
        url=redact_url(location),
        subdirectory=subdirectory,
        editable=editable,
    )


def _read_hashes(table: Mapping[str, Any], origin: str, key_path: str) -> tuple[Hash, ...]:
    hashes: set[Hash] = set()
    list_path = join_path(key_path, "hashes")
    for position, text in enumerate(read_str_list(table, "hashes", origin, key_path)):
        parsed = parse_hash(text)
        if parsed is None:
            raise ParseError(origin, hash_error(text), key_path=join_path(list_path, position))
        hashes.add(parsed)
    return tuple(sorted(hashes, key=lambda item: (item.alg, item.value)))


def _read_markers(table: Mapping[str, Any], origin: str, key_path: str) -> str | None:
    return normalise_marker(optional_str(table, "markers", origin, key_path))


def _required_str(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> str:
    value = optional_str(table, key, origin, key_path)
    if value is None or not value.strip():
        raise ParseError(origin, f"missing required key {key!r}", key_path=key_path)
    return value.strip()
