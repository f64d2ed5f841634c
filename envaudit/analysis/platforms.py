"""Selecting one platform's view of a multi-platform manifest (conda subdirs, PEP 508 markers)."""

from __future__ import annotations

import re
from functools import cache

from envaudit.errors import UsageError
from envaudit.model import Manifest, Package

# conda subdir -> the PEP 508 marker values of that platform
_PLATFORM_MARKERS: dict[str, dict[str, str]] = {
    "linux-64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "linux-aarch64": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "aarch64",
    },
    "linux-ppc64le": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "ppc64le",
    },
    "osx-64": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64"},
    "osx-arm64": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "arm64",
    },
    "win-64": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
}
_PLATFORM_KEYS = re.compile(r"\b(?:sys_platform|platform_system|platform_machine|os_name)\b")


@cache
def _marker_allows(marker: str, platform: str) -> bool:
    """Whether a marker can hold on ``platform``; markers on other keys never exclude."""
    if not _PLATFORM_KEYS.search(marker):
        return True
    from packaging.markers import InvalidMarker, Marker, default_environment

    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return True
    values = _PLATFORM_MARKERS[platform]
    environment: dict[str, str] = {
        **{key: str(value) for key, value in default_environment().items()},
        **values,
        "os_name": "nt" if values["sys_platform"] == "win32" else "posix",
        "extra": "",
    }
    # Python-version clauses must not decide platform membership: try every
    # common minor version and keep the package when any of them matches.
    for minor in range(8, 15):
        environment["python_version"] = f"3.{minor}"
        environment["python_full_version"] = f"3.{minor}.0"
        if parsed.evaluate(environment):
            return True
    return False


def on_platform(package: Package, platform: str) -> bool:
    if package.platform is not None:
        return package.platform in (platform, "noarch")
    if package.markers and platform in _PLATFORM_MARKERS:
        return _marker_allows(package.markers, platform)
    return True


def select_platform(manifest: Manifest, platform: str) -> Manifest:
    """Keep the packages that install on ``platform`` (platform-less entries always stay)."""
    known = set(manifest.platforms) | set(_PLATFORM_MARKERS)
    if platform not in known:
        raise UsageError(
            f"{manifest.source.path}: unknown platform {platform!r}; "
            f"expected one of: {', '.join(sorted(known))}"
        )
    return manifest.replace(
        packages=tuple(p for p in manifest.packages if on_platform(p, platform)),
        platforms=(platform,) if manifest.platforms else (),
    )
