"""Parsing PDM's pdm.lock (TOML, lock_version 3.x to 4.5.x) into a manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envaudit.analysis.names import conda_key, pypi_key
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
from envaudit.sources.conda_url import split_conda_url
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
    expect_table,
    join_path,
    load_toml,
    optional_str,
    required_str,
)

FORMAT_ID = "pdm-lock"

_VCS_KEYS = ("git", "hg", "svn", "bzr")
_TARGET_KEYS = ("requires_python", "platform", "implementation")

# (PEP 503 name, version) -> hashes listed in the old ``[metadata.files]`` table.
_LegacyHashes = dict[tuple[str, str], set[Hash]]


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """pdm.lock -> Manifest; ``groups`` (or the old ``sections``) become package groups."""
    document = _load_document(text, origin)
    metadata = _optional_table(document, "metadata", origin, "metadata")
    legacy_hashes = _read_legacy_files(metadata, origin)
    entries = document.get("package")
    packages = [
        _read_package(entry, position, legacy_hashes, origin)
        for position, entry in enumerate(
            [] if entries is None else expect_list(entries, origin, "package")
        )
    ]
    targets = _read_targets(metadata, origin)
    lock_version = optional_str(metadata, "lock_version", origin, "metadata")
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, lock_version),
        python=PythonSpec(requires=_read_requires_python(metadata, targets, origin)),
        platforms=tuple(t["platform"] for t in targets if "platform" in t),
        packages=tuple(packages),
        meta=_read_meta(metadata, targets, origin),
    )


def _load_document(text: str, origin: str) -> dict[str, Any]:
    try:
        return load_toml(text, origin)
    except ValueError as exc:  # e.g. integers longer than Python's digit limit
        raise ParseError(origin, f"invalid TOML: {exc}") from None


def _optional_table(
    table: Mapping[str, Any], key: str, origin: str, key_path: str
) -> Mapping[str, Any]:
    if key not in table:
        return {}
    return expect_table(table[key], origin, key_path)


def _read_targets(metadata: Mapping[str, Any], origin: str) -> list[dict[str, str]]:
    """``[[metadata.targets]]`` (lock 4.5+): the Python range, platform and implementation."""
    if "targets" not in metadata:
        return []
    targets: list[dict[str, str]] = []
    list_path = "metadata.targets"
    for position, item in enumerate(expect_list(metadata["targets"], origin, list_path)):
        item_path = join_path(list_path, position)
        target = expect_table(item, origin, item_path)
        values = {key: optional_str(target, key, origin, item_path) for key in _TARGET_KEYS}
        targets.append({key: value for key, value in values.items() if value})
    return targets


def _read_requires_python(
    metadata: Mapping[str, Any], targets: list[dict[str, str]], origin: str
) -> str | None:
    written = optional_str(metadata, "requires_python", origin, "metadata")
    if written:
        return written
    ranges = {target.get("requires_python") for target in targets}
    if len(ranges) == 1:
        return ranges.pop()
    return None


def _read_meta(
    metadata: Mapping[str, Any], targets: list[dict[str, str]], origin: str
) -> dict[str, str]:
    meta: dict[str, str] = {}
    content_hash = optional_str(metadata, "content_hash", origin, "metadata")
    if content_hash:
        meta["content_hash"] = content_hash
    for key in ("groups", "strategy"):
        values = read_str_list(metadata, key, origin, "metadata")
        if values:
            meta[key] = ",".join(values)
    if targets:
        meta["targets"] = "; ".join(
            " ".join(f"{key}={value}" for key, value in target.items()) or "any"
            for target in targets
        )
    return meta


def _read_legacy_files(metadata: Mapping[str, Any], origin: str) -> _LegacyHashes:
    """Lock 3.x/4.0/4.1 keep hashes apart, in ``[metadata.files]`` keyed ``"name version"``."""
    table = _optional_table(metadata, "files", origin, "metadata.files")
    hashes: _LegacyHashes = {}
    for key, files in table.items():
        key_path = join_path("metadata.files", key)
        name, _, version = key.strip().rpartition(" ")
        name = name.split("[", 1)[0].strip()
        if not name or not version:
            raise ParseError(
                origin, f"expected a key 'NAME VERSION', got {key!r}", key_path=key_path
            )
        found = hashes.setdefault((pypi_key(name), version), set())
        found.update(_read_file_hashes(files, origin, key_path))
    return hashes


def _read_file_hashes(files: Any, origin: str, key_path: str) -> set[Hash]:
    """``[{file|url = ..., hash = "sha256:..."}, ...]`` -> hashes."""
    hashes: set[Hash] = set()
    for position, item in enumerate(expect_list(files, origin, key_path)):
        item_path = join_path(key_path, position)
        artifact = expect_table(item, origin, item_path)
        text = required_str(artifact, "hash", origin, item_path)
        parsed = parse_hash(text)
        if parsed is None:
            raise ParseError(origin, hash_error(text), key_path=join_path(item_path, "hash"))
        hashes.add(parsed)
    return hashes


def _read_package(entry: Any, position: int, legacy_hashes: _LegacyHashes, origin: str) -> Package:
    key_path = join_path("package", position)
    table = expect_table(entry, origin, key_path)
    name = required_str(table, "name", origin, key_path).strip()
    if not name:
        raise ParseError(origin, "expected a package name, got ''", key_path=key_path)
    version = optional_str(table, "version", origin, key_path)
    hashes = set(legacy_hashes.get((pypi_key(name), version or ""), ()))
    if "files" in table:
        hashes |= _read_file_hashes(table["files"], origin, join_path(key_path, "files"))
    groups = read_str_list(table, "groups", origin, key_path)
    groups += read_str_list(table, "sections", origin, key_path)
    package = Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version),
        source=_read_source(table, origin, key_path),
        hashes=tuple(sorted(hashes, key=lambda item: (item.alg, item.value))),
        markers=_read_marker(table, origin, key_path),
        extras=tuple(sorted(set(read_str_list(table, "extras", origin, key_path)))),
        groups=tuple(sorted(set(groups))),
        origin=f"{origin}:{key_path}",
    )
    if read_bool(table, "conda_managed", origin, key_path):
        return _as_conda_package(package, table, origin, key_path)
    return package


def _as_conda_package(
    package: Package, table: Mapping[str, Any], origin: str, key_path: str
) -> Package:
    """Entries the pdm-conda plugin writes (``conda_managed = true``) come from a channel."""
    url = optional_str(table, "url", origin, key_path)
    artifact = split_conda_url(url) if url else None
    return Package(
        name=package.name,
        key=conda_key(package.name),
        ecosystem=Ecosystem.CONDA,
        version=package.version,
        build=optional_str(table, "build_string", origin, key_path)
        or (artifact.build if artifact else None),
        channel=optional_str(table, "channel", origin, key_path)
        or (artifact.channel if artifact else None),
        source=PackageSource(kind=SourceKind.REGISTRY, url=redact_url(url) if url else None),
        hashes=package.hashes,
        markers=package.markers,
        groups=package.groups,
        platform=artifact.subdir if artifact else None,
        origin=package.origin,
    )


def _read_source(table: Mapping[str, Any], origin: str, key_path: str) -> PackageSource:
    editable = read_bool(table, "editable", origin, key_path)
    subdirectory = optional_str(table, "subdirectory", origin, key_path)
    for vcs in _VCS_KEYS:
        repository = optional_str(table, vcs, origin, key_path)
        if repository is not None:
            ref = optional_str(table, "ref", origin, key_path)
            revision = optional_str(table, "revision", origin, key_path)
            if revision is None and ref and FULL_SHA.fullmatch(ref):
                revision = ref
            return PackageSource(
                kind=SourceKind.VCS,
                url=redact_url(repository),
                vcs=vcs,
                ref=ref,
                commit=revision.lower() if revision else None,
                subdirectory=subdirectory,
                editable=editable,
            )
    for key in ("path", "url"):
        location = optional_str(table, key, origin, key_path)
        if location is not None:
            return PackageSource(
                kind=location_kind(location, editable),
                url=redact_url(location),
                subdirectory=subdirectory,
                editable=editable,
            )
    return PackageSource(editable=editable, subdirectory=subdirectory)


def _read_marker(table: Mapping[str, Any], origin: str, key_path: str) -> str | None:
    return normalise_marker(optional_str(table, "marker", origin, key_path))
