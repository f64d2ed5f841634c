"""Parsing PEP 751 lock files (pylock.toml, ``lock-version = "1.x"``) into a manifest."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from envaudit.analysis.names import pypi_key
from envaudit.errors import ParseError
from envaudit.model import (
    Ecosystem,
    Hash,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.redact import redact_url
from envaudit.sources.fields import (
    local_version,
    normalise_marker,
    read_bool,
    read_str_list,
    sorted_hashes,
)
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
from envaudit.sources.uv_lock import collect_indexes

FORMAT_ID = "pylock"

_SUPPORTED_LOCK_VERSION = re.compile(r"1(?:\.\d+)?")
_HEX = re.compile(r"[0-9a-fA-F]+")
_SOURCE_KEYS = ("vcs", "directory", "archive")
_DISTRIBUTION_KEYS = ("sdist", "wheels")
_META_LISTS = {
    "environments": " || ",
    "extras": ",",
    "dependency-groups": ",",
    "default-groups": ",",
}


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """pylock.toml -> Manifest; an empty document gives an empty manifest."""
    document = _load_document(text, origin)
    if not document:
        return Manifest(source=source_info(FORMAT_ID, origin, text))
    lock_version = _read_lock_version(document, origin)
    entries = document.get("packages")
    packages = [
        _read_package(entry, position, origin)
        for position, entry in enumerate(
            [] if entries is None else expect_list(entries, origin, "packages")
        )
    ]
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, lock_version),
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


def _read_lock_version(document: Mapping[str, Any], origin: str) -> str:
    """``lock-version`` is required, and only major version 1 is understood."""
    version = required_str(document, "lock-version", origin, "").strip()
    if not _SUPPORTED_LOCK_VERSION.fullmatch(version):
        raise ParseError(
            origin,
            f'unsupported lock-version {version!r}: expected "1.0" (or another 1.x)',
            key_path="lock-version",
        )
    return version


def _read_meta(document: Mapping[str, Any], origin: str) -> dict[str, str]:
    """The generator, the environments locked for, and the extras and groups offered."""
    meta: dict[str, str] = {}
    created_by = optional_str(document, "created-by", origin, "")
    if created_by:
        meta["created_by"] = created_by
    for key, separator in _META_LISTS.items():
        values = read_str_list(document, key, origin, "")
        if values:
            meta[key.replace("-", "_")] = separator.join(values)
    return meta


def _read_package(entry: Any, position: int, origin: str) -> Package:
    key_path = join_path("packages", position)
    table = expect_table(entry, origin, key_path)
    name = required_str(table, "name", origin, key_path).strip()
    if not name:
        raise ParseError(origin, "expected a package name, got ''", key_path=key_path)
    version = optional_str(table, "version", origin, key_path)
    optional_str(table, "requires-python", origin, key_path)  # checked, not kept
    index = optional_str(table, "index", origin, key_path)
    source, hashes = _read_origin(table, origin, key_path)
    return Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version),
        index=redact_url(index) if index else None,
        source=source,
        hashes=sorted_hashes(hashes),
        markers=normalise_marker(optional_str(table, "marker", origin, key_path)),
        origin=f"{origin}:{key_path}",
    )


def _read_origin(
    table: Mapping[str, Any], origin: str, key_path: str
) -> tuple[PackageSource, set[Hash]]:
    """Exactly one of ``vcs``, ``directory``, ``archive`` or ``sdist``/``wheels``."""
    present = [key for key in _SOURCE_KEYS if key in table]
    has_distributions = any(key in table for key in _DISTRIBUTION_KEYS)
    if len(present) + has_distributions != 1:
        found = ", ".join(present + [key for key in _DISTRIBUTION_KEYS if key in table])
        raise ParseError(
            origin,
            "expected exactly one of 'vcs', 'directory', 'archive' or 'sdist'/'wheels', "
            f"got {found or 'none'}",
            key_path=key_path,
        )
    if has_distributions:
        hashes = _distribution_hashes(table, origin, key_path)
        return PackageSource(kind=SourceKind.REGISTRY), hashes
    section_path = join_path(key_path, present[0])
    section = expect_table(table[present[0]], origin, section_path)
    if present[0] == "vcs":
        return _vcs_source(section, origin, section_path), set()
    if present[0] == "directory":
        return _directory_source(section, origin, section_path), set()
    location, is_url = _location(section, origin, section_path)
    hashes = _artifact_hashes(section, origin, section_path)
    return PackageSource(
        kind=SourceKind.URL if is_url else SourceKind.FILE,
        url=redact_url(location),
        subdirectory=optional_str(section, "subdirectory", origin, section_path),
    ), hashes


def _directory_source(section: Mapping[str, Any], origin: str, key_path: str) -> PackageSource:
    """``[packages.directory]``: a local source tree, maybe editable."""
    return PackageSource(
        kind=SourceKind.DIRECTORY,
        url=redact_url(required_str(section, "path", origin, key_path)),
        subdirectory=optional_str(section, "subdirectory", origin, key_path),
        editable=read_bool(section, "editable", origin, key_path),
    )


def _vcs_source(section: Mapping[str, Any], origin: str, key_path: str) -> PackageSource:
    """``[packages.vcs]``: type, url or path, requested-revision and the commit-id."""
    vcs_type = required_str(section, "type", origin, key_path).strip().lower()
    location, _ = _location(section, origin, key_path)
    commit = required_str(section, "commit-id", origin, key_path).strip()
    return PackageSource(
        kind=SourceKind.VCS,
        url=redact_url(location),
        vcs=vcs_type,
        ref=optional_str(section, "requested-revision", origin, key_path),
        commit=commit.lower() if _HEX.fullmatch(commit) else commit,
        subdirectory=optional_str(section, "subdirectory", origin, key_path),
    )


def _location(section: Mapping[str, Any], origin: str, key_path: str) -> tuple[str, bool]:
    """``(url, True)`` or else ``(path, False)``; one of the two keys must be there."""
    url = optional_str(section, "url", origin, key_path)
    if url is not None:
        optional_str(section, "path", origin, key_path)
        return url, True
    path = optional_str(section, "path", origin, key_path)
    if path is None:
        raise ParseError(origin, "expected a 'url' or a 'path'", key_path=key_path)
    return path, False


def _distribution_hashes(table: Mapping[str, Any], origin: str, key_path: str) -> set[Hash]:
    """The hashes of ``sdist`` and of every entry of ``wheels``."""
    found: set[Hash] = set()
    if "sdist" in table:
        sdist_path = join_path(key_path, "sdist")
        sdist = expect_table(table["sdist"], origin, sdist_path)
        found |= _artifact_hashes(sdist, origin, sdist_path)
    if "wheels" in table:
        wheels_path = join_path(key_path, "wheels")
        for position, item in enumerate(expect_list(table["wheels"], origin, wheels_path)):
            wheel_path = join_path(wheels_path, position)
            found |= _artifact_hashes(expect_table(item, origin, wheel_path), origin, wheel_path)
    return found


def _artifact_hashes(artifact: Mapping[str, Any], origin: str, key_path: str) -> set[Hash]:
    """One archive, sdist or wheel: checks its fields' types, returns its ``hashes``."""
    for key in ("name", "url", "path"):
        optional_str(artifact, key, origin, key_path)
    upload_time = artifact.get("upload-time")
    if upload_time is not None and not isinstance(upload_time, str | date):
        raise ParseError(
            origin,
            "expected a date-time or a string for 'upload-time'",
            key_path=join_path(key_path, "upload-time"),
        )
    size = artifact.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise ParseError(
            origin, "expected an integer for 'size'", key_path=join_path(key_path, "size")
        )
    if "hashes" not in artifact:
        return set()
    hashes_path = join_path(key_path, "hashes")
    return {
        _checked_hash(alg, value, origin, join_path(hashes_path, alg))
        for alg, value in expect_table(artifact["hashes"], origin, hashes_path).items()
    }


def _checked_hash(alg: str, value: Any, origin: str, key_path: str) -> Hash:
    """``sha256 = "<hex>"``: a hashlib-guaranteed algorithm and a hex digest of its size."""
    digest = expect_str(value, origin, key_path).strip().lower()
    alg = alg.strip().lower()
    if alg not in hashlib.algorithms_guaranteed:
        raise ParseError(
            origin,
            f"unsupported hash algorithm {alg!r}: expected one of "
            f"{', '.join(sorted(hashlib.algorithms_guaranteed))}",
            key_path=key_path,
        )
    expected_length = _digest_length(alg)
    if not _HEX.fullmatch(digest) or (expected_length and len(digest) != expected_length):
        size = f"{expected_length} " if expected_length else ""
        raise ParseError(
            origin, f"invalid {alg} hash {digest!r}: expected {size}hex digits", key_path=key_path
        )
    return Hash(alg, digest)


def _digest_length(alg: str) -> int:
    """Hex digits in a digest of ``alg`` (0 for variable-length ``shake_*``)."""
    try:
        return hashlib.new(alg).digest_size * 2
    except ValueError:  # e.g. md5 refused under FIPS
        return 0
