"""The one data model: frozen, typed manifests with a deterministic JSON round-trip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from envaudit.record import MISSING, field, fields, record, replace

_Record = TypeVar("_Record")

SCHEMA_VERSION = "1.0"


class Ecosystem(StrEnum):
    """Where a package's name and version live."""

    PYPI = "pypi"
    CONDA = "conda"


class SourceKind(StrEnum):
    """How a package is obtained."""

    REGISTRY = "registry"  # an index (PyPI, a private index) or a conda channel
    URL = "url"  # a direct archive URL
    VCS = "vcs"  # a version-control checkout (git+https://..., git+ssh://...)
    FILE = "file"  # a local archive file
    DIRECTORY = "directory"  # a local source tree
    VIRTUAL = "virtual"  # a workspace member that is not installed as a distribution


class IndexKind(StrEnum):
    """The role of an index-like URL."""

    INDEX_URL = "index-url"
    EXTRA_INDEX_URL = "extra-index-url"
    FIND_LINKS = "find-links"
    TRUSTED_HOST = "trusted-host"


class IncludeKind(StrEnum):
    """``-r`` includes requirements, ``-c`` includes constraints."""

    REQUIREMENTS = "requirements"
    CONSTRAINTS = "constraints"


def evolve(value: _Record, /, **changes: Any) -> _Record:
    """:func:`envaudit.record.replace` for the records here (no ``__post_init__``),
    without its per-call field introspection: parsers call it once per package."""
    cls = type(value)
    new = object.__new__(cls)
    slots: tuple[str, ...] = getattr(cls, "__slots__", ())
    for name in slots:
        kept = changes.pop(name) if name in changes else getattr(value, name)
        object.__setattr__(new, name, kept)
    if changes:
        raise TypeError(f"{cls.__name__} has no field {sorted(changes)[0]!r}")
    return new


@record
class Hash:
    """One artifact hash: ``alg`` is lower-case (``sha256``, ``md5``), ``value`` lower-case hex."""

    alg: str
    value: str


@record
class PackageSource:
    """Where a package comes from. ``url`` is always redacted of credentials."""

    kind: SourceKind = SourceKind.REGISTRY
    url: str | None = None
    vcs: str | None = None  # git, hg, svn, bzr
    ref: str | None = None  # the revision as requested (branch, tag, sha)
    commit: str | None = None  # the resolved full commit, when recorded
    subdirectory: str | None = None
    editable: bool = False


@record
class Package:
    """One entry of a manifest: a pin, a constraint-less name, a locked artifact..."""

    name: str
    key: str
    ecosystem: Ecosystem
    version: str | None = None
    spec: str | None = None
    build: str | None = None
    channel: str | None = None
    index: str | None = None
    source: PackageSource = field(default_factory=PackageSource)
    hashes: tuple[Hash, ...] = ()
    markers: str | None = None
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    optional: bool = False
    platform: str | None = None
    origin: str | None = None

    def sort_key(self) -> tuple[str, ...]:
        return (
            self.ecosystem.value,
            self.key,
            self.platform or "",
            self.markers or "",
            self.version or "",
            self.spec or "",
            self.build or "",
            ",".join(self.groups),
            self.origin or "",
        )


@record
class Index:
    """An index, extra index, find-links location or trusted host (redacted)."""

    url: str
    kind: IndexKind
    name: str | None = None
    origin: str | None = None


@record
class Include:
    """A ``-r``/``-c`` reference; ``resolved`` is false for URLs (never fetched)."""

    target: str
    kind: IncludeKind
    resolved: bool
    origin: str | None = None
    reason: str | None = None


@record
class PythonSpec:
    """The Python a manifest asks for: a constraint, or an exact version when known."""

    requires: str | None = None
    version: str | None = None


@record
class SourceInfo:
    """What a manifest was read from."""

    format: str
    path: str
    digest: str
    format_version: str | None = None


@record
class Manifest:
    """The normalized form of any supported lock, requirements or environment file.

    Packages, constraints, indexes and includes keep a deterministic order (sorted for
    packages and constraints; file order for indexes and includes, since order matters there).
    ``meta`` holds descriptive values (environment name, generator, content hash) that diffs ignore.
    """

    source: SourceInfo
    python: PythonSpec = field(default_factory=PythonSpec)
    platforms: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    indexes: tuple[Index, ...] = ()
    packages: tuple[Package, ...] = ()
    constraints: tuple[Package, ...] = ()
    includes: tuple[Include, ...] = ()
    options: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "packages", tuple(sorted(self.packages, key=Package.sort_key)))
        object.__setattr__(
            self, "constraints", tuple(sorted(self.constraints, key=Package.sort_key))
        )
        object.__setattr__(self, "platforms", tuple(sorted(set(self.platforms))))
        object.__setattr__(self, "meta", dict(sorted(self.meta.items())))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; defaults are omitted from packages to keep output small."""
        dumped: dict[str, Any] = _dump(self)
        return dumped

    def to_json(self, *, indent: int | None = 2) -> str:
        """Deterministic JSON: the same manifest always gives the same bytes."""
        if indent == 2:
            from envaudit.gcpause import gc_paused
            from envaudit.pretty_json import dumps

            with gc_paused():  # many containers, no garbage cycles
                return dumps(self, _json_pairs) + "\n"
        import json

        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        return _load(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        import json

        return cls.from_dict(json.loads(text))

    def replace(self, **changes: Any) -> Manifest:
        return replace(self, **changes)


@cache
def _builtin_sha256() -> Any:
    """CPython's built-in SHA-256 (``_sha2``; ``_sha256`` before 3.12), or None."""
    from importlib import import_module

    for name in ("_sha2", "_sha256"):
        try:
            return import_module(name).sha256
        except (ImportError, AttributeError):
            continue
    return None


# Importing hashlib loads OpenSSL (~4 ms); its SHA-256 is ~7x faster than the built-in one
# (0.26 vs 1.8 ms for 400 KB here), so it pays off only for inputs over about a megabyte.
_OPENSSL_PAYS_OFF = 1 << 20


def digest_text(text: str) -> str:
    """``sha256:<hex>`` of the UTF-8 text (stable across line-ending-preserving reads)."""
    data = text.encode("utf-8", "surrogatepass")
    sha256 = _builtin_sha256() if len(data) < _OPENSSL_PAYS_OFF else None
    if sha256 is None:
        import hashlib

        sha256 = hashlib.sha256
    digest: str = sha256(data).hexdigest()
    return "sha256:" + digest


def source_info(fmt: str, origin: str, text: str, format_version: str | None = None) -> SourceInfo:
    return SourceInfo(
        format=fmt, path=origin, digest=digest_text(text), format_version=format_version
    )


# --- (de)serialisation ----------------------------------------------------------------

_T = TypeVar("_T")
_NESTED: dict[str, type[Any]] = {
    "source": PackageSource,
    "python": PythonSpec,
}
_SEQUENCES: dict[str, type[Any]] = {
    "hashes": Hash,
    "indexes": Index,
    "packages": Package,
    "constraints": Package,
    "includes": Include,
}
_ENUMS: dict[tuple[type[Any], str], type[StrEnum]] = {
    (Package, "ecosystem"): Ecosystem,
    (PackageSource, "kind"): SourceKind,
    (Index, "kind"): IndexKind,
    (Include, "kind"): IncludeKind,
}


_RECORDS = frozenset((Package, PackageSource, Hash, Index, Include, PythonSpec, SourceInfo))
_ALWAYS = frozenset({"name", "key", "ecosystem", "alg", "value", "kind"})
# (field name, always written, default, is an enum) of each field of a record class
_Plan = tuple[tuple[str, bool, Any, bool], ...]


_PLANS: dict[tuple[type[Any], bool], _Plan] = {}


def _dump_plan(cls: type[Any], *, by_name: bool = False) -> _Plan:
    """The fields of a record class (in order, or by name), with what decides whether
    each is written; built once per class."""
    plan = _PLANS.get((cls, by_name))
    if plan is None:
        plan = _PLANS[cls, by_name] = _build_plan(cls, by_name)
    return plan


def _build_plan(cls: type[Any], by_name: bool) -> _Plan:
    plan = []
    for f in fields(cls):
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        always = f.name in _ALWAYS or not has_default
        plan.append((f.name, always, default if has_default else None, (cls, f.name) in _ENUMS))
    return tuple(sorted(plan, key=lambda step: step[0]) if by_name else plan)


def _kept_fields(obj: Any, plan: _Plan, *, enum_values: bool) -> list[tuple[str, Any]]:
    """(name, value) of the fields a record writes: those always written, and the others
    when they differ from their default (the one rule of both to_dict and to_json); enums
    as their values when ``enum_values``."""
    kept = []
    for name, always, default, is_enum in plan:
        value = getattr(obj, name)
        if always or value != default:
            kept.append((name, value.value if is_enum and enum_values else value))
    return kept


def _json_pairs(obj: Any) -> list[tuple[str, Any]] | None:
    """What :meth:`Manifest.to_json` writes for a record: the pairs ``_dump`` would keep,
    sorted by key, without building a dict per record."""
    kind = type(obj)
    if kind in _RECORDS:
        return _kept_fields(obj, _dump_plan(kind, by_name=True), enum_values=True)
    if kind is Manifest:
        return sorted((f.name, getattr(obj, f.name)) for f in fields(obj))
    return None


def _dump(obj: Any) -> Any:
    kind = type(obj)
    if kind is str:
        return obj
    if kind in _RECORDS:
        return {
            name: value if type(value) is str else _dump(value)
            for name, value in _kept_fields(obj, _dump_plan(kind), enum_values=False)
        }
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, Manifest):
        return {f.name: _dump(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, tuple):
        return [_dump(item) for item in obj]
    if isinstance(obj, Mapping):
        return {str(k): _dump(v) for k, v in obj.items()}
    return obj


def _load(cls: type[_T], data: Mapping[str, Any]) -> _T:
    kwargs: dict[str, Any] = {}
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
    for name, value in data.items():
        if name == "source" and cls is Manifest:
            kwargs[name] = _load(SourceInfo, value)
        elif name in _NESTED:
            kwargs[name] = _load(_NESTED[name], value)
        elif name in _SEQUENCES:
            kwargs[name] = tuple(_load(_SEQUENCES[name], item) for item in value)
        elif (cls, name) in _ENUMS:
            kwargs[name] = _ENUMS[(cls, name)](value)
        elif isinstance(value, list):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def packages_by_key(packages: Iterable[Package]) -> dict[tuple[str, str], list[Package]]:
    """Group packages by (ecosystem, key), keeping order."""
    grouped: dict[tuple[str, str], list[Package]] = {}
    for package in packages:
        grouped.setdefault((package.ecosystem.value, package.key), []).append(package)
    return grouped
