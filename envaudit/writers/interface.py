"""The writer contract, the registry of export targets and helpers every writer shares."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Protocol, cast

from envaudit.errors import UsageError
from envaudit.model import Ecosystem, Manifest, Package, SourceKind
from envaudit.record import replace
from envaudit.redact import REDACTED

Rendered = tuple[str, list[str]]
"""A writer's result: the text, and human-readable notes on what the conversion dropped."""


class Writer(Protocol):
    """``render_X(manifest, *, platform=None) -> (text, notes)``: pure, no I/O."""

    def __call__(self, manifest: Manifest, *, platform: str | None = None) -> Rendered: ...


# target id -> (module, function); modules are imported only when used.
EXPORT_TARGETS: dict[str, tuple[str, str]] = {
    "requirements": ("envaudit.writers.requirements", "render_requirements"),
    "pylock": ("envaudit.writers.pylock", "render_pylock"),
    "environment": ("envaudit.writers.environment", "render_environment"),
    "explicit": ("envaudit.writers.explicit", "render_explicit"),
}


def writer_for(target: str) -> Writer:
    """The render function of an export target; unknown targets are usage errors."""
    if target not in EXPORT_TARGETS:
        raise UsageError(
            f"unknown export target {target!r}: expected one of {', '.join(EXPORT_TARGETS)}"
        )
    module, function = EXPORT_TARGETS[target]
    return cast(Writer, getattr(importlib.import_module(module), function))


def export_manifest(
    manifest: Manifest,
    target: str,
    *,
    platform: str | None = None,
    source_text: str | None = None,
) -> Rendered:
    """Render ``manifest`` as ``target``.

    ``source_text`` (the text the manifest was parsed from) lets the pylock writer recover
    per-file artifact names and URLs that the manifest does not keep.
    """
    if target == "pylock" and source_text is not None:
        from envaudit.writers.artifacts import read_artifacts
        from envaudit.writers.pylock import render_pylock

        artifacts = read_artifacts(manifest.source.format, source_text)
        return render_pylock(manifest, platform=platform, artifacts=artifacts)
    return writer_for(target)(manifest, platform=platform)


def for_platform(manifest: Manifest, platform: str | None) -> Manifest:
    """The packages that install on ``platform`` (all of them when it is None)."""
    if platform is None:
        return manifest
    from envaudit.analysis.platforms import select_platform

    return select_platform(manifest, platform)


def _identity(package: Package) -> Package:
    """What must agree for two per-platform entries to be written as one.

    A registry package is the same release on every platform even when each platform locks
    another wheel (its own URL and hash): the copies merge and their hashes add up.
    """
    source = package.source
    if source.kind is SourceKind.REGISTRY:
        source = replace(source, url=None)
    return replace(
        package, platform=None, origin=None, groups=(), optional=False, hashes=(), source=source
    )


def merge_platform_copies(packages: Iterable[Package], *, manifest: Manifest) -> list[Package]:
    """Collapse per-platform copies of a package into one entry with every copy's hashes.

    Multi-platform locks (conda-lock, pixi) list a package once per platform. Formats with
    no platform dimension can hold it once if every copy agrees; when copies differ (another
    version or build per platform) the user must choose with ``--platform``.
    """
    kept: dict[int, Package] = {}
    by_bucket: dict[tuple[str, str, str], list[tuple[Package, int]]] = {}
    for package in packages:
        bucket = (package.ecosystem.value, package.key, package.markers or "")
        identity = _identity(package)
        earlier = by_bucket.setdefault(bucket, [])
        same = next((slot for seen, slot in earlier if seen == identity), None)
        if same is not None:
            kept[same] = _merged(kept[same], package)
            continue
        for _, slot in earlier:
            other = kept[slot]
            if other.platform and package.platform and other.platform != package.platform:
                raise UsageError(
                    f"{manifest.source.path}: {package.name} differs across platforms "
                    f"({_describe(other)} vs {_describe(package)}); "
                    f"pass --platform (one of: {', '.join(manifest.platforms)})"
                )
        earlier.append((identity, len(kept)))
        kept[len(kept)] = package
    return list(kept.values())


def conflict_notes(packages: Iterable[Package]) -> list[str]:
    """Packages still listed more than once for the same markers (groups that disagree)."""
    versions: dict[tuple[str, str, str], list[str]] = {}
    for package in packages:
        bucket = (package.ecosystem.value, package.name, package.markers or "")
        versions.setdefault(bucket, []).append(package.version or package.spec or "any")
    return [
        f"note: {name} is listed {len(found)} times ({', '.join(found)}): the source's "
        "groups or environments disagree and the output keeps every entry"
        for (_, name, _), found in versions.items()
        if len(found) > 1
    ]


def _merged(first: Package, other: Package) -> Package:
    hashes = sorted(set(first.hashes) | set(other.hashes), key=lambda h: (h.alg, h.value))
    source = first.source
    if source.url != other.source.url:
        source = replace(source, url=None)
    groups = tuple(sorted(set(first.groups) | set(other.groups)))
    return replace(first, hashes=tuple(hashes), source=source, groups=groups)


def _describe(package: Package) -> str:
    version = package.version or package.spec or "any version"
    build = f"={package.build}" if package.build and package.ecosystem is Ecosystem.CONDA else ""
    return f"{package.platform or 'all platforms'}: {version}{build}"


def split_ecosystems(packages: Iterable[Package]) -> tuple[list[Package], list[Package]]:
    """``(conda packages, PyPI packages)`` in manifest order."""
    conda: list[Package] = []
    pypi: list[Package] = []
    for package in packages:
        (conda if package.ecosystem is Ecosystem.CONDA else pypi).append(package)
    return conda, pypi


def count_note(count: int, what: str, reason: str) -> list[str]:
    """``["dropped: 3 conda packages (reason)"]`` (``what`` is singular), or nothing for 0."""
    if not count:
        return []
    plural = what if count == 1 else what + ("es" if what.endswith("sh") else "s")
    return [f"dropped: {count} {plural} ({reason})"]


def drop_notes(drops: Sequence[tuple[str, str]], *, shown: int = 5) -> list[str]:
    """One note per reason: ``dropped: 3 packages (why): a, b, c``, from (name, why) pairs."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in drops:
        by_reason.setdefault(reason, []).append(name)
    notes = []
    for reason, names in by_reason.items():
        listed = ", ".join(names[:shown]) + (
            f" and {len(names) - shown} more" if len(names) > shown else ""
        )
        what = "package" if len(names) == 1 else "packages"
        notes.append(f"dropped: {len(names)} {what} ({reason}): {listed}")
    return notes


def credential_notes(urls: Iterable[str | None]) -> list[str]:
    """A note for URLs whose credentials were redacted: the output needs them filled in."""
    redacted = sorted({url for url in urls if url and REDACTED in url})
    if not redacted:
        return []
    return [
        f"dropped: credentials in {len(redacted)} URL(s) (written as {REDACTED}; supply them "
        f"through your tool's keyring/netrc or environment), e.g. {redacted[0]}"
    ]


def group_note(packages: Sequence[Package], target: str) -> list[str]:
    """Formats without groups hold every group's packages together: say which groups merged."""
    groups = sorted({group for package in packages for group in package.groups})
    optional = sum(1 for package in packages if package.optional)
    notes: list[str] = []
    if len(groups) > 1:
        notes.append(
            f"dropped: group membership ({', '.join(groups)}): {target} has no groups, "
            "every group's packages are written together"
        )
    if optional:
        notes.append(
            f"dropped: the optional flag of {optional} package(s) ({target} installs them "
            "unconditionally)"
        )
    return notes
