"""Parser for conda ``environment.yml`` files (MatchSpec dependencies plus a ``pip:`` list)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envaudit.analysis.names import conda_key
from envaudit.errors import ParseError
from envaudit.model import (
    Ecosystem,
    Hash,
    Include,
    Index,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.conda_url import channel_name
from envaudit.sources.interface import IncludeReader
from envaudit.sources.matchspec import MatchSpec, MatchSpecError, parse_matchspec
from envaudit.sources.structured import expect_list, expect_str, expect_table, join_path, load_yaml

FORMAT_ID = "conda-env"

_KNOWN_KEYS = frozenset({"name", "channels", "dependencies", "prefix", "variables", "platforms"})
_HASH_ATTRIBUTES = ("md5", "sha256")


@record(frozen=False)
class _Environment:
    """What has been collected from the document so far."""

    origin: str
    reader: IncludeReader | None
    packages: list[Package] = field(default_factory=list)
    constraints: list[Package] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    python: PythonSpec = field(default_factory=PythonSpec)
    meta: dict[str, str] = field(default_factory=dict)


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """Parse an environment.yml (``conda env export`` output or hand-written)."""
    document = load_yaml(text.removeprefix("\ufeff"), origin)
    if document is None:
        return Manifest(source=source_info(FORMAT_ID, origin, text))
    if not isinstance(document, Mapping):
        raise ParseError(
            origin,
            "expected a mapping with name/channels/dependencies at the top level, "
            f"got {type(document).__name__}",
        )
    env = _Environment(origin=origin, reader=reader)
    channels = _read_string_list(origin, document.get("channels"), "channels")
    _read_scalars(env, document)
    _read_dependencies(env, document.get("dependencies"))
    platforms = _read_string_list(origin, document.get("platforms"), "platforms")
    return Manifest(
        source=source_info(FORMAT_ID, origin, text),
        python=env.python,
        platforms=platforms,
        channels=tuple(_channel(c) for c in channels),
        indexes=tuple(env.indexes),
        packages=tuple(env.packages),
        constraints=tuple(env.constraints),
        includes=tuple(env.includes),
        options=tuple(env.options),
        meta=env.meta,
    )


def _read_scalars(env: _Environment, document: Mapping[Any, Any]) -> None:
    """``name``, ``prefix``, ``variables`` (names only) and unknown keys into ``meta``."""
    for key in ("name", "prefix"):
        value = document.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        env.meta[key] = expect_str(value, env.origin, key)
    variables = document.get("variables")
    if variables is not None:
        table = expect_table(variables, env.origin, "variables")
        env.meta["variables"] = ",".join(sorted(str(name) for name in table))
    unknown = sorted(str(key) for key in document if key not in _KNOWN_KEYS)
    if unknown:
        env.meta["ignored_keys"] = ",".join(unknown)


def _read_string_list(origin: str, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = []
    for index, item in enumerate(expect_list(value, origin, key)):
        text = expect_str(item, origin, join_path(key, index)).strip()
        if not text:
            raise ParseError(origin, "expected a non-empty string", key_path=join_path(key, index))
        items.append(text)
    return tuple(items)


def _channel(text: str) -> str:
    return redact_url(text) if "://" in text else text


def _read_dependencies(env: _Environment, value: Any) -> None:
    if value is None:
        return
    for index, entry in enumerate(expect_list(value, env.origin, "dependencies")):
        key_path = join_path("dependencies", index)
        if isinstance(entry, str):
            env.packages.append(_conda_package(env, entry, key_path))
        elif isinstance(entry, Mapping) and list(entry) == ["pip"]:
            _read_pip_section(env, entry["pip"], join_path(key_path, "pip"))
        else:
            raise ParseError(
                env.origin,
                f"expected a MatchSpec string or a 'pip:' list, got {_describe(entry)}",
                key_path=key_path,
            )


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        keys = ", ".join(repr(str(k)) for k in list(value)[:3])
        return f"a mapping with keys {keys}" if keys else "an empty mapping"
    return "null" if value is None else f"a {type(value).__name__}"


def _conda_package(env: _Environment, entry: str, key_path: str) -> Package:
    try:
        spec = parse_matchspec(entry)
    except MatchSpecError as exc:
        raise ParseError(
            env.origin, f"invalid MatchSpec {entry.strip()!r}: {exc}", key_path=key_path
        ) from None
    if spec.name.lower() == "python" and env.python == PythonSpec():
        env.python = PythonSpec(requires=spec.spec, version=spec.version)
    return Package(
        name=spec.name,
        key=conda_key(spec.name),
        ecosystem=Ecosystem.CONDA,
        version=spec.version,
        spec=spec.spec,
        build=spec.build,
        channel=_spec_channel(spec),
        source=_spec_source(spec),
        hashes=_spec_hashes(spec),
        platform=spec.subdir,
        origin=f"{env.origin}:{key_path}",
    )


def _spec_channel(spec: MatchSpec) -> str | None:
    if spec.channel is None:
        return None
    return channel_name(spec.channel) if "://" in spec.channel else spec.channel


def _spec_source(spec: MatchSpec) -> PackageSource:
    if spec.url is None:
        return PackageSource()
    return PackageSource(kind=SourceKind.URL, url=redact_url(spec.url))


def _spec_hashes(spec: MatchSpec) -> tuple[Hash, ...]:
    found = {Hash(k, v.lower()) for k, v in spec.attributes if k in _HASH_ATTRIBUTES}
    return tuple(sorted(found, key=lambda h: (h.alg, h.value)))


def _read_pip_section(env: _Environment, value: Any, key_path: str) -> None:
    """The ``pip:`` list, read as requirements lines (options and ``-r`` included)."""
    from envaudit.sources.requirements import parse_logical_lines

    if value is None:
        return
    entries: list[tuple[str, str]] = []
    for index, item in enumerate(expect_list(value, env.origin, key_path)):
        item_path = join_path(key_path, index)
        entries.append((expect_str(item, env.origin, item_path), f"{env.origin}:{item_path}"))
    parts = parse_logical_lines(entries, path=env.origin, reader=env.reader, dialect="requirements")
    env.packages.extend(parts.packages)
    env.constraints.extend(parts.constraints)
    env.indexes.extend(parts.indexes)
    env.includes.extend(parts.includes)
    env.options.extend(o for o in parts.options if o not in env.options)
    if parts.env_vars:
        names = set(env.meta.get("env_vars", "").split(",")) | set(parts.env_vars)
        env.meta["env_vars"] = ",".join(sorted(n for n in names if n))
