"""Parsing pixi.lock (versions 4 to 7: environments referencing conda and PyPI packages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envaudit.analysis.names import conda_key, pypi_key
from envaudit.errors import ParseError
from envaudit.model import (
    Ecosystem,
    Index,
    IndexKind,
    Manifest,
    Package,
    PackageSource,
    SourceKind,
    evolve,
    source_info,
)
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.conda_lock import (
    describe,
    list_at,
    local_kind,
    meta_value,
    pypi_source,
    python_from_conda,
    read_hashes,
    table_at,
)
from envaudit.sources.conda_url import channel_name, split_conda_url
from envaudit.sources.fields import local_version, read_bool, read_str_list
from envaudit.sources.interface import IncludeReader
from envaudit.sources.structured import (
    expect_str,
    expect_table,
    join_path,
    load_yaml,
    optional_str,
)

FORMAT_ID = "pixi-lock"
SUPPORTED_VERSIONS = (4, 5, 6, 7)
DEFAULT_ENVIRONMENT = "default"

_KINDS = ("conda", "pypi")
_SELECTOR_KEYS = ("conda", "pypi", "conda_source")
_HASH_KEYS = ("md5", "sha256")


@record(frozen=False)
class _Record:
    """One entry of the top-level ``packages`` list, read into a package template."""

    selector_key: str  # "conda", "pypi" or "conda_source": how environments refer to it
    location: str
    package: Package
    subdir: str | None = None


@record(frozen=False)
class _Use:
    """Which environments reference one record on one platform, and with which extras."""

    record: _Record
    platform: str
    environments: set[str] = field(default_factory=set)
    extras: set[str] = field(default_factory=set)


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """Read a pixi.lock: one package per (platform, locked artifact) any environment uses."""
    document = load_yaml(text, origin)
    if document is None:
        return Manifest(source=source_info(FORMAT_ID, origin, text))
    data = expect_table(document, origin, "$")
    version = _read_version(data, origin)
    environments = _read_environments(data, origin)
    indexes = _read_indexes(environments, origin)
    records = _read_records(data, [index.url for index in indexes], origin)
    uses = _resolve_environments(environments, records, origin)
    meta = _read_meta(environments, origin)
    platforms = _read_platforms(data, origin, meta)
    packages = [_package_for(use) for use in uses.values()]
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, str(version)),
        python=python_from_conda(packages),
        platforms=(*platforms, *(platform for _, env in environments for platform in env[1])),
        channels=_read_channels(environments, origin),
        indexes=tuple(indexes),
        packages=tuple(packages),
        meta=meta,
    )


def _read_version(data: Mapping[str, Any], origin: str) -> int:
    if "version" not in data:
        raise ParseError(origin, "missing required key 'version'", key_path="$")
    version = data["version"]
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        raise ParseError(
            origin,
            f"unsupported pixi.lock version {describe(version)}: "
            f"supported versions are {supported}",
            key_path="version",
        )
    return version


# --- environments ----------------------------------------------------------------------

_Environment = tuple[Mapping[str, Any], dict[str, list[Any]]]  # (table, platform -> selectors)


def _read_environments(data: Mapping[str, Any], origin: str) -> list[tuple[str, _Environment]]:
    """Environments in file order, the default one first."""
    tables = table_at(data.get("environments"), origin, "environments")
    environments: list[tuple[str, _Environment]] = []
    for name, value in tables.items():
        env_name = expect_str(name, origin, "environments")
        env_path = join_path("environments", env_name)
        table = expect_table(value, origin, env_path)
        packages_path = join_path(env_path, "packages")
        by_platform: dict[str, list[Any]] = {}
        for platform, selectors in table_at(table.get("packages"), origin, packages_path).items():
            platform_name = expect_str(platform, origin, packages_path)
            by_platform[platform_name] = list_at(
                selectors, origin, join_path(packages_path, platform_name)
            )
        environments.append((env_name, (table, by_platform)))
    environments.sort(key=lambda item: item[0] != DEFAULT_ENVIRONMENT)
    return environments


def _read_channels(environments: list[tuple[str, _Environment]], origin: str) -> tuple[str, ...]:
    channels: dict[str, None] = {}
    for env_name, (table, _) in environments:
        env_path = join_path("environments", env_name)
        for item_path, item in _items(table, "channels", origin, env_path):
            if isinstance(item, str):
                channels[redact_url(item)] = None
                continue
            entry = expect_table(item, origin, item_path)
            url = entry.get("url")
            channels[redact_url(expect_str(url, origin, join_path(item_path, "url")))] = None
    return tuple(channels)


def _items(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> list[tuple[str, Any]]:
    """``table[key]`` as a list of (key path, item); absent or null is empty."""
    list_path = join_path(key_path, key)
    values = list_at(table.get(key), origin, list_path)
    return [(join_path(list_path, position), value) for position, value in enumerate(values)]


def _read_indexes(environments: list[tuple[str, _Environment]], origin: str) -> list[Index]:
    """``indexes`` (the first is the index URL, the rest extra ones) and ``find-links``."""
    found: dict[tuple[str, IndexKind], Index] = {}
    for env_name, (table, _) in environments:
        env_path = join_path("environments", env_name)
        for position, (item_path, item) in enumerate(_items(table, "indexes", origin, env_path)):
            url = redact_url(expect_str(item, origin, item_path))
            kind = IndexKind.INDEX_URL if position == 0 else IndexKind.EXTRA_INDEX_URL
            found.setdefault((url, kind), Index(url, kind, origin=f"{origin}:{item_path}"))
        for item_path, item in _items(table, "find-links", origin, env_path):
            entry = expect_table(item, origin, item_path)
            location = optional_str(entry, "url", origin, item_path) or optional_str(
                entry, "path", origin, item_path
            )
            if location is None:
                raise ParseError(origin, "expected a 'url' or 'path' key", key_path=item_path)
            url = redact_url(location)
            index = Index(url, IndexKind.FIND_LINKS, origin=f"{origin}:{item_path}")
            found.setdefault((url, IndexKind.FIND_LINKS), index)
    return list(found.values())


def _read_meta(environments: list[tuple[str, _Environment]], origin: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    if environments:
        meta["environments"] = ", ".join(name for name, _ in environments)
    for env_name, (table, _) in environments:
        options_path = join_path(join_path("environments", env_name), "options")
        options = table_at(table.get("options"), origin, options_path)
        for key, value in options.items():
            option_path = join_path(options_path, expect_str(key, origin, options_path))
            meta[f"environments.{env_name}.options.{key}"] = meta_value(value, origin, option_path)
    return meta


def _read_platforms(data: Mapping[str, Any], origin: str, meta: dict[str, str]) -> list[str]:
    """Version 7's top-level ``platforms`` list, with each one's virtual packages."""
    platforms: list[str] = []
    for position, item in enumerate(list_at(data.get("platforms"), origin, "platforms")):
        item_path = join_path("platforms", position)
        if isinstance(item, str):
            platforms.append(item)
            continue
        entry = expect_table(item, origin, item_path)
        name = expect_str(entry.get("name"), origin, join_path(item_path, "name"))
        platforms.append(name)
        virtual = read_str_list(entry, "virtual-packages", origin, item_path)
        if virtual:
            meta[f"platforms.{name}.virtual-packages"] = ", ".join(virtual)
    return platforms


def _resolve_environments(
    environments: list[tuple[str, _Environment]],
    records: dict[tuple[str, str], list[_Record]],
    origin: str,
) -> dict[tuple[int, str], _Use]:
    uses: dict[tuple[int, str], _Use] = {}
    for env_name, (_, by_platform) in environments:
        packages_path = join_path(join_path("environments", env_name), "packages")
        for platform, selectors in by_platform.items():
            platform_path = join_path(packages_path, platform)
            for position, selector in enumerate(selectors):
                selector_path = join_path(platform_path, position)
                table = expect_table(selector, origin, selector_path)
                record = _select_record(table, records, platform, origin, selector_path)
                use = uses.setdefault((id(record), platform), _Use(record, platform))
                use.environments.add(env_name)
                use.extras.update(read_str_list(table, "extras", origin, selector_path))
    return uses


def _select_record(
    selector: Mapping[str, Any],
    records: dict[tuple[str, str], list[_Record]],
    platform: str,
    origin: str,
    key_path: str,
) -> _Record:
    """The package record a ``{conda: URL}`` / ``{pypi: URL}`` selector points at."""
    selector_key = next((key for key in _SELECTOR_KEYS if key in selector), None)
    if selector_key is None:
        raise ParseError(origin, "expected a table with a 'conda' or 'pypi' key", key_path=key_path)
    location = expect_str(selector[selector_key], origin, join_path(key_path, selector_key))
    candidates = records.get((selector_key, location), [])
    name = optional_str(selector, "name", origin, key_path)
    if name is not None:
        candidates = [r for r in candidates if r.package.key == conda_key(name)]
    on_platform = [r for r in candidates if r.subdir in (platform, "noarch")]
    chosen = on_platform or candidates
    if not chosen:
        raise ParseError(
            origin,
            f"no package record for {selector_key} location {location!r}",
            key_path=key_path,
        )
    return chosen[0]


def _package_for(use: _Use) -> Package:
    return evolve(
        use.record.package,
        platform=use.platform,
        groups=tuple(sorted(use.environments)),
        extras=tuple(sorted(use.extras)),
    )


# --- package records -------------------------------------------------------------------


def _read_records(
    data: Mapping[str, Any], indexes: list[str], origin: str
) -> dict[tuple[str, str], list[_Record]]:
    """``(selector key, location)`` -> the records locked at that location."""
    records: dict[tuple[str, str], list[_Record]] = {}
    for position, item in enumerate(list_at(data.get("packages"), origin, "packages")):
        key_path = join_path("packages", position)
        record = _read_record(expect_table(item, origin, key_path), indexes, origin, key_path)
        records.setdefault((record.selector_key, record.location), []).append(record)
    return records


def _read_record(
    table: Mapping[str, Any], indexes: list[str], origin: str, key_path: str
) -> _Record:
    if "kind" in table:  # version 4: `kind: conda|pypi` with `url` (or `path`)
        kind = expect_str(table["kind"], origin, join_path(key_path, "kind"))
        if kind not in _KINDS:
            raise ParseError(
                origin,
                f"unknown package kind {kind!r}: expected one of {', '.join(_KINDS)}",
                key_path=join_path(key_path, "kind"),
            )
        location_key = "url" if "url" in table or kind == "conda" else "path"
    else:
        location_key = next((key for key in _SELECTOR_KEYS if key in table), "")
        if not location_key:
            raise ParseError(origin, "expected a 'conda', 'pypi' or 'kind' key", key_path=key_path)
        kind = "pypi" if location_key == "pypi" else "conda"
    location = _required(table, location_key, origin, key_path)
    if kind == "pypi":
        return _pypi_record(table, location, indexes, origin, key_path)
    return _conda_record(table, location, location_key, origin, key_path)


def _conda_record(
    table: Mapping[str, Any], location: str, location_key: str, origin: str, key_path: str
) -> _Record:
    artifact = split_conda_url(location) if location_key != "conda_source" else None
    name = optional_str(table, "name", origin, key_path)
    if location_key == "conda_source":  # `name[hash] @ location`
        name = name or location.split(" @ ", 1)[0].split("[", 1)[0].strip() or None
    name = name or (artifact.name if artifact else None)
    if name is None:
        raise ParseError(
            origin,
            f"cannot tell the package name from {location!r}: expected a 'name' key",
            key_path=key_path,
        )
    version = optional_str(table, "version", origin, key_path)
    build = optional_str(table, "build", origin, key_path)
    subdir = optional_str(table, "subdir", origin, key_path)
    channel = optional_str(table, "channel", origin, key_path)
    if artifact is not None:
        version, build = version or artifact.version, build or artifact.build
        subdir, channel = subdir or artifact.subdir, channel or artifact.channel
        source = PackageSource(kind=SourceKind.REGISTRY, url=redact_url(location))
    else:
        source = _source_location(location.rpartition(" @ ")[2], origin, key_path)
    package = Package(
        name=name,
        key=conda_key(name),
        ecosystem=Ecosystem.CONDA,
        version=version,
        build=build,
        channel=channel_name(channel) if channel else None,
        source=source,
        hashes=read_hashes(_hash_fields(table), origin, key_path),
        origin=f"{origin}:{key_path}",
    )
    selector_key = "conda_source" if location_key == "conda_source" else "conda"
    return _Record(selector_key, location, package, subdir)


def _source_location(location: str, origin: str, key_path: str) -> PackageSource:
    """Where a conda source package is built from: a path, a URL or a VCS checkout."""
    if "://" in location:
        source, _ = pypi_source(location, (), origin, key_path)
        return source
    return PackageSource(kind=local_kind(location), url=redact_url(location))


def _pypi_record(
    table: Mapping[str, Any], location: str, indexes: list[str], origin: str, key_path: str
) -> _Record:
    name = _required(table, "name", origin, key_path)
    version = optional_str(table, "version", origin, key_path)
    source, index = pypi_source(location, indexes, origin, key_path)
    if read_bool(table, "editable", origin, key_path) and source.kind is SourceKind.DIRECTORY:
        source = evolve(source, editable=True)
    package = Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=version,
        build=local_version(version or ""),
        index=index,
        source=source,
        hashes=read_hashes(_hash_fields(table), origin, key_path),
        origin=f"{origin}:{key_path}",
    )
    return _Record("pypi", location, package)


def _hash_fields(table: Mapping[str, Any]) -> dict[str, Any]:
    return {alg: table[alg] for alg in _HASH_KEYS if alg in table}


def _required(table: Mapping[str, Any], key: str, origin: str, key_path: str) -> str:
    if table.get(key) is None:
        raise ParseError(origin, f"missing required key {key!r}", key_path=key_path)
    return expect_str(table[key], origin, join_path(key_path, key))
