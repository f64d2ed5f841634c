"""Per-file artifacts (wheel/sdist name, URL, hashes) of TOML locks, which manifests do not keep."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from envaudit.analysis.names import pypi_key
from envaudit.model import Hash, Package, SourceKind
from envaudit.record import record
from envaudit.redact import redact_url
from envaudit.sources.hashes import parse_hash


@record
class Artifact:
    """One distribution file of a locked package."""

    filename: str
    url: str | None = None
    path: str | None = None
    hashes: tuple[Hash, ...] = ()
    size: int | None = None

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


ArtifactIndex = Mapping[tuple[str, str], tuple[Artifact, ...]]
"""(PEP 503 name, version) -> the files a lock lists for that release."""


def read_artifacts(fmt: str, text: str) -> ArtifactIndex:
    """The artifacts of a uv.lock, pylock.toml, poetry.lock or pdm.lock; {} for other formats.

    The text has already been parsed into a manifest, so anything unexpected here is skipped
    rather than reported: this only adds detail the manifest lacks.
    """
    readers: dict[str, Callable[[Mapping[str, Any]], Iterable[_Entry]]] = {
        "uv-lock": _uv_entries,
        "pylock": _pylock_entries,
        "poetry-lock": _poetry_or_pdm_entries,
        "pdm-lock": _poetry_or_pdm_entries,
    }
    if fmt not in readers:
        return {}
    import tomllib

    try:
        document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return {}
    index: dict[tuple[str, str], tuple[Artifact, ...]] = {}
    for name, version, artifacts in readers[fmt](document):
        key = (pypi_key(name), version)
        index[key] = tuple(dict.fromkeys((*index.get(key, ()), *artifacts)))
    return index


_Entry = tuple[str, str, list[Artifact]]
_DISTRIBUTION_SUFFIXES = (".whl", ".tar.gz", ".zip")


def artifacts_of_packages(packages: Iterable[Package]) -> ArtifactIndex:
    """Artifacts named by the packages themselves: a registry package locked to one file.

    conda-lock and pixi record, per platform, the one wheel or sdist a PyPI package installs
    from (its URL and hash); every platform's file is an artifact of the release.
    """
    index: dict[tuple[str, str], tuple[Artifact, ...]] = {}
    for package in packages:
        url = package.source.url
        if package.source.kind is not SourceKind.REGISTRY or not url or not package.version:
            continue
        filename = _last_segment(url, None)
        if filename and filename.endswith(_DISTRIBUTION_SUFFIXES):
            key = (package.key, package.version)
            artifact = Artifact(filename=filename, url=url, hashes=package.hashes)
            index[key] = tuple(dict.fromkeys((*index.get(key, ()), artifact)))
    return index


def _tables(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _str(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    return value if isinstance(value, str) and value else None


def _named_packages(document: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    for package in _tables(document.get(key)):
        if _str(package, "name") and _str(package, "version"):
            yield package


def _uv_entries(document: Mapping[str, Any]) -> Iterable[_Entry]:
    """uv.lock: ``sdist = {url|path, hash, size}`` and ``wheels = [{url|path, hash, size}]``."""
    for package in _named_packages(document, "package"):
        files = [package["sdist"]] if isinstance(package.get("sdist"), Mapping) else []
        files += _tables(package.get("wheels"))
        artifacts = [_located_artifact(f, _single_hash(f.get("hash"))) for f in files]
        yield package["name"], package["version"], [a for a in artifacts if a]


def _pylock_entries(document: Mapping[str, Any]) -> Iterable[_Entry]:
    """pylock.toml: ``sdist``/``wheels`` with ``name``, ``url``/``path`` and a hashes table."""
    for package in _named_packages(document, "packages"):
        files = [package["sdist"]] if isinstance(package.get("sdist"), Mapping) else []
        files += _tables(package.get("wheels"))
        artifacts = [_located_artifact(f, _hash_table(f.get("hashes"))) for f in files]
        yield package["name"], package["version"], [a for a in artifacts if a]


def _poetry_or_pdm_entries(document: Mapping[str, Any]) -> Iterable[_Entry]:
    """``files = [{file, hash}]`` per package, or the old ``[metadata.files]`` table.

    Poetry keys the old table by name, pdm by ``"name version"``. These locks record file
    names only; the pylock writer derives PyPI URLs for them.
    """
    legacy = _legacy_files(document)
    for package in _named_packages(document, "package"):
        name, version = package["name"], package["version"]
        files = _tables(package.get("files"))
        key = pypi_key(name)
        files = files or legacy.get(f"{key} {version}") or legacy.get(key, [])
        artifacts = [_named_artifact(f) for f in files]
        yield name, version, [a for a in artifacts if a]


def _legacy_files(document: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """``[metadata.files]`` with normalized keys: ``"name"`` (poetry) or ``"name version"``."""
    metadata = document.get("metadata")
    table = metadata.get("files") if isinstance(metadata, Mapping) else None
    if not isinstance(table, Mapping):
        return {}
    files: dict[str, list[Mapping[str, Any]]] = {}
    for written, entries in table.items():
        name, _, version = str(written).partition(" ")
        files[f"{pypi_key(name)} {version}".rstrip()] = _tables(entries)
    return files


def _single_hash(value: Any) -> tuple[Hash, ...]:
    parsed = parse_hash(value) if isinstance(value, str) else None
    return (parsed,) if parsed else ()


def _hash_table(value: Any) -> tuple[Hash, ...]:
    if not isinstance(value, Mapping):
        return ()
    found = [parse_hash(f"{alg}:{digest}") for alg, digest in value.items()]
    return tuple(sorted({h for h in found if h}, key=lambda h: (h.alg, h.value)))


def _located_artifact(table: Mapping[str, Any], hashes: tuple[Hash, ...]) -> Artifact | None:
    url, path = _str(table, "url"), _str(table, "path")
    filename = _str(table, "name") or _last_segment(url, path)
    if not filename:
        return None
    size = table.get("size")
    return Artifact(
        filename=filename,
        url=redact_url(url) if url else None,
        path=path,
        hashes=hashes,
        size=size if type(size) is int else None,
    )


def _named_artifact(table: Mapping[str, Any]) -> Artifact | None:
    url = _str(table, "url")
    filename = _str(table, "file") or _last_segment(url, None)
    if not filename:
        return None
    return Artifact(
        filename=filename,
        url=redact_url(url) if url else None,
        hashes=_single_hash(table.get("hash")),
    )


def _last_segment(url: str | None, path: str | None) -> str | None:
    if url:
        try:
            return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or None
        except ValueError:
            return None
    if path:
        return path.replace("\\", "/").rsplit("/", 1)[-1] or None
    return None
