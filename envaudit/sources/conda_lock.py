"""Parsing conda-lock.yml (lock version 1: conda and pip packages per platform) into a manifest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

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
    evolve,
    source_info,
)
from envaudit.redact import redact_url
from envaudit.sources.conda_url import channel_name, split_conda_url
from envaudit.sources.fields import (
    ARCHIVE_SUFFIXES,
    REMOTE_SCHEMES,
    local_version,
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
    load_yaml,
    optional_str,
    required_str,
)

FORMAT_ID = "conda-lock"
SUPPORTED_VERSION = 1
PYPI_SIMPLE_INDEX = "https://pypi.org/simple"

_MANAGERS = ("conda", "pip")
_PYPI_FILE_HOSTS = frozenset({"files.pythonhosted.org", "pypi.python.org", "pypi.org"})
_VCS_SCHEMES = ("git", "hg", "svn", "bzr")
_FULL_COMMIT = re.compile(r"[0-9a-fA-F]{40}")
_VCS_REF_PARAMETERS = ("rev", "tag", "branch")


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """Read a conda-lock.yml: one package per (manager, name, platform) entry."""
    document = load_yaml(text, origin)
    if document is None:
        return Manifest(source=source_info(FORMAT_ID, origin, text))
    data = expect_table(document, origin, "$")
    version = _read_version(data, origin)
    metadata_path = "metadata"
    metadata = table_at(data.get(metadata_path), origin, metadata_path)
    packages = _read_packages(data, origin)
    platforms = read_str_list(metadata, "platforms", origin, metadata_path)
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, str(version)),
        python=python_from_conda(packages),
        platforms=(*platforms, *(p.platform for p in packages if p.platform)),
        channels=_read_channels(metadata, origin, metadata_path),
        packages=tuple(packages),
        meta=_read_meta(metadata, origin, metadata_path),
    )


def _read_version(data: Mapping[str, Any], origin: str) -> int:
    if "version" not in data:
        raise ParseError(origin, "missing required key 'version'", key_path="$")
    version = data["version"]
    if type(version) is not int or version != SUPPORTED_VERSION:
        raise ParseError(
            origin,
            f"unsupported conda-lock version {describe(version)}: expected {SUPPORTED_VERSION}",
            key_path="version",
        )
    return version


def _read_channels(metadata: Mapping[str, Any], origin: str, key_path: str) -> tuple[str, ...]:
    channels: list[str] = []
    list_path = join_path(key_path, "channels")
    for position, item in enumerate(list_at(metadata.get("channels"), origin, list_path)):
        item_path = join_path(list_path, position)
        if isinstance(item, str):
            channels.append(redact_url(item))
        else:
            table = expect_table(item, origin, item_path)
            channels.append(redact_url(required_str(table, "url", origin, item_path)))
    return tuple(dict.fromkeys(channels))


def _read_meta(metadata: Mapping[str, Any], origin: str, key_path: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    hashes_path = join_path(key_path, "content_hash")
    content_hash = table_at(metadata.get("content_hash"), origin, hashes_path)
    for platform, value in content_hash.items():
        platform_name = expect_str(platform, origin, hashes_path)
        digest = expect_str(value, origin, join_path(hashes_path, platform_name))
        meta[f"content_hash.{platform_name}"] = digest
    sources = read_str_list(metadata, "sources", origin, key_path)
    if sources:
        meta["sources"] = ", ".join(sources)
    time_path = join_path(key_path, "time_metadata")
    time_metadata = table_at(metadata.get("time_metadata"), origin, time_path)
    created_at = time_metadata.get("created_at")
    if created_at is not None:
        meta["created_at"] = meta_value(created_at, origin, join_path(time_path, "created_at"))
    git_path = join_path(key_path, "git_metadata")
    git_metadata = table_at(metadata.get("git_metadata"), origin, git_path)
    git_sha = optional_str(git_metadata, "git_sha", origin, git_path)
    if git_sha:
        meta["git_sha"] = git_sha
    return meta


def _read_packages(data: Mapping[str, Any], origin: str) -> list[Package]:
    merged: dict[tuple[str, str, str | None, str | None], Package] = {}
    for position, item in enumerate(list_at(data.get("package"), origin, "package")):
        package = _read_package(item, origin, join_path("package", position))
        identity = (package.ecosystem.value, package.key, package.platform, package.source.url)
        earlier = merged.get(identity)
        if earlier is None:
            merged[identity] = package
        else:  # conda-lock 2 writes one entry per category of the same locked artifact
            merged[identity] = evolve(
                earlier,
                groups=tuple(sorted({*earlier.groups, *package.groups})),
                optional=earlier.optional and package.optional,
            )
    return list(merged.values())


def _read_package(item: Any, origin: str, key_path: str) -> Package:
    entry = expect_table(item, origin, key_path)
    name = required_str(entry, "name", origin, key_path)
    version = required_str(entry, "version", origin, key_path)
    manager = required_str(entry, "manager", origin, key_path)
    if manager not in _MANAGERS:
        raise ParseError(
            origin,
            f"unknown manager {manager!r}: expected one of {', '.join(_MANAGERS)}",
            key_path=join_path(key_path, "manager"),
        )
    url = required_str(entry, "url", origin, key_path)
    common = Package(
        name=name,
        key="",
        ecosystem=Ecosystem.CONDA,
        version=version,
        groups=(optional_str(entry, "category", origin, key_path) or "main",),
        optional=read_bool(entry, "optional", origin, key_path),
        platform=required_str(entry, "platform", origin, key_path),
        origin=f"{origin}:{key_path}",
    )
    _check_source_table(entry, origin, key_path)
    if manager == "conda":
        return _conda_package(common, entry, url, origin, key_path)
    return _pip_package(common, entry, url, origin, key_path)


def _check_source_table(entry: Mapping[str, Any], origin: str, key_path: str) -> None:
    """``source: {type: url, url: ...}`` records what a pip entry was requested as."""
    if entry.get("source") is None:
        return
    source_path = join_path(key_path, "source")
    source = expect_table(entry["source"], origin, source_path)
    optional_str(source, "type", origin, source_path)
    optional_str(source, "url", origin, source_path)


def _conda_package(
    common: Package, entry: Mapping[str, Any], url: str, origin: str, key_path: str
) -> Package:
    artifact = split_conda_url(url)
    if artifact is None:
        raise ParseError(
            origin,
            f"expected a conda package URL ending in <name>-<version>-<build>.conda or "
            f".tar.bz2, got {url!r}",
            key_path=join_path(key_path, "url"),
        )
    hashes = read_hashes(_hash_table(entry, origin, key_path), origin, join_path(key_path, "hash"))
    return evolve(
        common,
        key=conda_key(common.name),
        build=artifact.build,
        channel=channel_name(artifact.channel),
        source=PackageSource(kind=SourceKind.REGISTRY, url=redact_url(url)),
        hashes=hashes,
    )


def _pip_package(
    common: Package, entry: Mapping[str, Any], url: str, origin: str, key_path: str
) -> Package:
    source, index = pypi_source(url, (), origin, join_path(key_path, "url"))
    hash_path = join_path(key_path, "hash")
    table = _hash_table(entry, origin, key_path)
    if source.kind is SourceKind.VCS:
        # conda-lock records the commit of a git requirement as its "sha256".
        commit = table.get("sha256")
        if isinstance(commit, str) and _FULL_COMMIT.fullmatch(commit):
            source = evolve(source, commit=source.commit or commit.lower())
            table = {alg: value for alg, value in table.items() if alg != "sha256"}
    version = common.version or ""
    return evolve(
        common,
        key=pypi_key(common.name),
        ecosystem=Ecosystem.PYPI,
        build=local_version(version),
        index=index,
        source=source,
        hashes=read_hashes(table, origin, hash_path),
    )


def _hash_table(entry: Mapping[str, Any], origin: str, key_path: str) -> Mapping[str, Any]:
    return table_at(entry.get("hash"), origin, join_path(key_path, "hash"))


# --- helpers shared with the pixi.lock parser ------------------------------------------


def read_hashes(table: Mapping[str, Any], origin: str, key_path: str) -> tuple[Hash, ...]:
    """``{md5: hex, sha256: hex}`` -> sorted, validated hashes (unknown keys are errors)."""
    hashes: set[Hash] = set()
    for alg, value in table.items():
        if value is None:
            continue
        alg_name = expect_str(alg, origin, key_path)
        text = expect_str(value, origin, join_path(key_path, alg_name))
        parsed = parse_hash(f"{alg_name}:{text}")
        if parsed is None:
            raise ParseError(
                origin, hash_error(f"{alg_name}:{text}"), key_path=join_path(key_path, alg_name)
            )
        hashes.add(parsed)
    return tuple(sorted(hashes, key=lambda h: (h.alg, h.value)))


def table_at(value: Any, origin: str, key_path: str) -> Mapping[str, Any]:
    """A table, where an absent (null) one reads as empty."""
    return {} if value is None else expect_table(value, origin, key_path)


def list_at(value: Any, origin: str, key_path: str) -> list[Any]:
    """A list, where an absent (null) one reads as empty."""
    return [] if value is None else expect_list(value, origin, key_path)


def describe(value: object) -> str:
    """A short, safe description of a value for an error message."""
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"of type {type(value).__name__}"


def meta_value(value: object, origin: str, key_path: str) -> str:
    """A scalar as written, or a table/list as compact JSON, for ``Manifest.meta``."""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | bool) or value is None:
        return json.dumps(value)
    try:
        return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    except (RecursionError, TypeError, ValueError):
        raise ParseError(origin, "expected a simple value", key_path=key_path) from None


def python_from_conda(packages: Iterable[Package]) -> PythonSpec:
    """The exact Python when every platform locks the same ``python`` conda package."""
    versions = {p.version for p in packages if p.ecosystem is Ecosystem.CONDA and p.key == "python"}
    if len(versions) == 1:
        return PythonSpec(version=versions.pop())
    return PythonSpec()


def pypi_source(
    location: str, indexes: Sequence[str], origin: str, key_path: str
) -> tuple[PackageSource, str | None]:
    """Classify a PyPI artifact location -> (source, index URL when index-hosted).

    ``indexes`` are the (redacted) index URLs the lock names; files under one of them,
    or on PyPI's file host, are registry artifacts.
    """
    lowered = location.lower()
    try:
        if lowered.partition("+")[0] in _VCS_SCHEMES and "+" in lowered.partition("://")[0]:
            return _vcs_source(location), None
        if lowered.startswith(REMOTE_SCHEMES):
            url = redact_url(location)
            index = _hosting_index(url, indexes)
            kind = SourceKind.URL if index is None else SourceKind.REGISTRY
            return PackageSource(kind=kind, url=url), index
    except ValueError as exc:
        raise ParseError(origin, f"invalid URL {location!r}: {exc}", key_path=key_path) from None
    return PackageSource(kind=local_kind(location), url=redact_url(location)), None


def local_kind(location: str) -> SourceKind:
    """A local path or ``file://`` URL: an archive file or a source directory."""
    path = location.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()
    return SourceKind.FILE if path.endswith(ARCHIVE_SUFFIXES) else SourceKind.DIRECTORY


def _hosting_index(url: str, indexes: Sequence[str]) -> str | None:
    for index in indexes:
        if url.startswith(index.rstrip("/") + "/"):
            return index
    if (urlsplit(url).hostname or "") in _PYPI_FILE_HOSTS:
        return PYPI_SIMPLE_INDEX
    return None


def _vcs_source(location: str) -> PackageSource:
    """``git+URL[@ref][?rev=..&subdirectory=..][#commit | #subdirectory=..]``."""
    vcs, _, url = location.partition("+")
    base, _, fragment = url.partition("#")
    base, _, query = base.partition("?")
    parts = urlsplit(base)
    path, at, ref = parts.path.rpartition("@")
    if not at:
        path, ref = parts.path, ""
    parameters = dict(parse_qsl(query))
    for name in _VCS_REF_PARAMETERS:
        ref = ref or parameters.get(name, "")
    subdirectory = parameters.get("subdirectory")
    commit = ""
    if "=" in fragment:
        subdirectory = dict(parse_qsl(fragment)).get("subdirectory", subdirectory)
    elif _FULL_COMMIT.fullmatch(fragment):
        commit = fragment
    if not commit and _FULL_COMMIT.fullmatch(ref):
        commit = ref
    return PackageSource(
        kind=SourceKind.VCS,
        url=redact_url(urlunsplit((parts.scheme, parts.netloc, path, "", ""))),
        vcs=vcs.lower(),
        ref=unquote(ref) or None,
        commit=commit.lower() or None,
        subdirectory=subdirectory or None,
    )
