"""EA3xx: where packages come from — indexes, channels, credentials, transport."""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.analysis.names import pypi_key
from envaudit.analysis.rules.base import Finding, Location, package_location, parse_origin
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import MANIFEST_CHECKS
from envaudit.model import Ecosystem, IndexKind, Manifest
from envaudit.redact import has_credentials

_DEFAULTS = frozenset({"defaults", "main", "pkgs/main", "pkgs/r", "pkgs/free", "anaconda"})
_PYPI_HOSTS = frozenset({"pypi.org", "pypi.python.org", "files.pythonhosted.org"})
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _urls(manifest: Manifest) -> Iterator[tuple[str, Location]]:
    """Every URL a manifest mentions, with where it is written."""
    path = manifest.source.path
    for index in manifest.indexes:
        yield index.url, parse_origin(index.origin, path)
    for channel in manifest.channels:
        yield channel, Location(path, key_path="channels")
    for package in manifest.packages:
        urls = [url for url in (package.source.url, package.index) if url]
        if urls:  # most pins name no URL: their location is not worked out
            location = package_location(package, path)
            for url in urls:
                yield url, location


@MANIFEST_CHECKS.check("EA302", "EA303")
def check_urls(manifest: Manifest) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for url, location in _urls(manifest):
        from urllib.parse import urlsplit  # only when there is a URL (~4 ms to import)

        if (url, str(location)) in seen:
            continue
        seen.add((url, str(location)))
        if has_credentials(url):
            yield Finding(RULES["EA302"], f"credentials in {url}", location)
        parts = urlsplit(url.removeprefix("git+"))
        if parts.scheme == "http" and (parts.hostname or "") not in _LOCAL_HOSTS:
            yield Finding(RULES["EA303"], f"plain http: {url}", location)


@MANIFEST_CHECKS.check("EA301", "EA304", "EA308", "EA309")
def check_indexes(manifest: Manifest) -> Iterator[Finding]:
    path = manifest.source.path
    for index in manifest.indexes:
        from urllib.parse import urlsplit  # only when there is an index

        location = parse_origin(index.origin, path)
        if index.kind is IndexKind.EXTRA_INDEX_URL:
            yield Finding(RULES["EA301"], f"extra index {index.url}", location)
        elif index.kind is IndexKind.TRUSTED_HOST:
            yield Finding(RULES["EA304"], f"TLS verification disabled for {index.url}", location)
        elif index.kind is IndexKind.FIND_LINKS:
            yield Finding(RULES["EA308"], f"find-links {index.url}", location)
        elif index.kind is IndexKind.INDEX_URL:
            host = urlsplit(index.url).hostname or ""
            if host not in _PYPI_HOSTS:
                yield Finding(RULES["EA309"], f"primary index is {index.url}", location)


def _channel_name(channel: str) -> str:
    channel = channel.rstrip("/")
    for prefix in ("https://conda.anaconda.org/", "http://conda.anaconda.org/"):
        channel = channel.removeprefix(prefix)
    return channel.removeprefix("https://repo.anaconda.com/")


@MANIFEST_CHECKS.check("EA305", "EA306")
def check_channels(manifest: Manifest) -> Iterator[Finding]:
    names = [_channel_name(c) for c in manifest.channels]
    location = Location(manifest.source.path, key_path="channels")
    mixed = "conda-forge" in names and any(name in _DEFAULTS for name in names)
    if mixed and "nodefaults" not in names:
        yield Finding(RULES["EA305"], "channels mix defaults and conda-forge", location)
    if manifest.source.format != "conda-env" or not names:
        return
    for package in manifest.packages:
        channel = package.channel and _channel_name(package.channel)
        if channel and channel not in names:
            yield Finding(
                RULES["EA306"],
                f"{package.name} comes from {channel}, which is not under channels:",
                package_location(package, manifest.source.path),
                package.name,
            )


@MANIFEST_CHECKS.check("EA307")
def check_conda_pip_overlap(manifest: Manifest) -> Iterator[Finding]:
    from envaudit.analysis.names import conda_to_pypi

    if manifest.source.format != "conda-env":
        return
    conda_names: dict[str, str] = {}
    for package in manifest.packages:
        if package.ecosystem is Ecosystem.CONDA:
            pypi_name = conda_to_pypi(package.key)
            if pypi_name:
                conda_names[pypi_key(pypi_name)] = package.name
    for package in manifest.packages:
        if package.ecosystem is Ecosystem.PYPI and package.key in conda_names:
            yield Finding(
                RULES["EA307"],
                f"{package.name} is installed by pip and by conda ({conda_names[package.key]})",
                package_location(package, manifest.source.path),
                package.name,
            )
