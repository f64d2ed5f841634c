"""Diffing two manifests: a keyed package diff plus the environment-level sections."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from envaudit.analysis.kinds import Aspect, ChangeKind
from envaudit.analysis.versions import Bump, bump_kind, compare_versions
from envaudit.gcpause import gc_paused
from envaudit.model import Manifest, Package, SourceInfo
from envaudit.record import record

__all__ = ["Aspect", "ChangeKind"]  # defined in analysis/kinds.py; most callers import them here


@record
class PackageChange:
    """One package present on either side whose entries differ."""

    kind: ChangeKind
    ecosystem: str
    key: str
    old: Package | None
    new: Package | None
    aspects: tuple[Aspect, ...] = ()
    bump: Bump | None = None

    @property
    def name(self) -> str:
        package = self.new or self.old
        assert package is not None
        return package.name


@record
class SectionChange:
    """An environment-level value that differs (python, channels, indexes, platforms)."""

    section: str
    old: str
    new: str


@record
class ManifestDiff:
    left: SourceInfo
    right: SourceInfo
    changes: tuple[PackageChange, ...]
    sections: tuple[SectionChange, ...]
    unchanged: int
    # conda packages compared against a PyPI-only side that have no PyPI equivalent
    no_pypi_equivalent: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.sections

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


def _differs(old: str | None, new: str | None) -> bool:
    """Both sides state a value, and the values differ."""
    return bool(old and new and old != new)


def _changed(old: str | None, new: str | None) -> bool:
    return old != new


def _source_aspects(
    old: Package, new: Package, differs: Callable[[str | None, str | None], bool]
) -> list[Aspect]:
    aspects: list[Aspect] = []
    moved = old.source.kind != new.source.kind or _differs(old.source.url, new.source.url)
    if moved or _differs(old.source.commit, new.source.commit):
        aspects.append(Aspect.SOURCE)
    if differs(old.index, new.index):
        aspects.append(Aspect.INDEX)
    if differs(old.channel, new.channel):
        aspects.append(Aspect.CHANNEL)
    return aspects


def _identical(old: Package, new: Package) -> bool:
    """Every compared field equal (``origin``, the line it came from, is not compared)."""
    return (
        old.version == new.version
        and old.spec == new.spec
        and old.build == new.build
        and old.hashes == new.hashes
        and old.source == new.source
        and old.index == new.index
        and old.channel == new.channel
        and old.markers == new.markers
        and old.extras == new.extras
        and old.groups == new.groups
        and old.optional == new.optional
    )


def compare_packages(old: Package, new: Package, *, same_format: bool = False) -> list[Aspect]:
    """The aspects in which two entries of the same package differ.

    Across formats, values one side does not record (a requirements file has no hashes or
    index, a lock no spec) are not differences: only what both sides state is compared.
    Between two files of the same format, an absent build, index or channel is a value too
    (``torch 2.0.1`` from PyPI vs ``2.0.1+cu118`` from the PyTorch index).
    """
    if _identical(old, new):  # most entries of two revisions of a lock: nothing to look at
        return []
    differs = _changed if same_format else _differs
    aspects: list[Aspect] = []
    if old.version != new.version:
        aspects.append(Aspect.VERSION)
    elif old.version is None and old.spec != new.spec:
        aspects.append(Aspect.SPEC)
    if differs(old.build, new.build):
        aspects.append(Aspect.BUILD)
    same_release = old.version == new.version
    # tuples first (parsers keep hashes sorted), sets only when the tuples differ
    if (
        same_release
        and old.hashes
        and new.hashes
        and old.hashes != new.hashes
        and set(old.hashes) != set(new.hashes)
    ):
        aspects.append(Aspect.HASHES)
    aspects.extend(_source_aspects(old, new, differs))
    if _differs(old.markers, new.markers):
        aspects.append(Aspect.MARKERS)
    if old.extras != new.extras:
        aspects.append(Aspect.EXTRAS)
    if old.groups and new.groups and old.groups != new.groups:
        aspects.append(Aspect.GROUPS)
    if old.optional != new.optional:
        aspects.append(Aspect.OPTIONAL)
    return aspects


def _same_public_version(old: Package, new: Package) -> bool:
    """``2.0.1`` vs ``2.0.1+cu118``: one release, another variant (PyPI local versions)."""
    if old.version is None or new.version is None:
        return False
    return old.version.split("+", 1)[0] == new.version.split("+", 1)[0]


def _classify(old: Package, new: Package, aspects: Sequence[Aspect]) -> PackageChange:
    kind = ChangeKind.METADATA_CHANGED
    bump: Bump | None = None
    if Aspect.VERSION in aspects:
        order = None
        if old.version is not None and new.version is not None:
            order = compare_versions(old.version, new.version, old.ecosystem)
        if _same_public_version(old, new):
            kind = ChangeKind.BUILD_CHANGED
        elif order is None or order == 0:
            kind = ChangeKind.VERSION_CHANGED
        else:
            kind = ChangeKind.UPGRADED if order < 0 else ChangeKind.DOWNGRADED
            assert old.version is not None and new.version is not None
            bump = bump_kind(old.version, new.version)
    elif Aspect.SPEC in aspects:
        kind = ChangeKind.VERSION_CHANGED
    elif Aspect.BUILD in aspects:
        kind = ChangeKind.BUILD_CHANGED
    elif Aspect.HASHES in aspects:
        kind = ChangeKind.HASHES_CHANGED
    elif {Aspect.SOURCE, Aspect.INDEX, Aspect.CHANNEL} & set(aspects):
        kind = ChangeKind.SOURCE_CHANGED
    return PackageChange(
        kind, old.ecosystem.value, old.key, old, new, aspects=tuple(aspects), bump=bump
    )


def _bucket(package: Package) -> tuple[str, str]:
    return (package.platform or "", package.markers or "")


def _pair(
    left: list[Package], right: list[Package]
) -> Iterable[tuple[Package | None, Package | None]]:
    """Pair the entries of one package: one-to-one directly, else by platform and marker."""
    if len(left) == 1 and len(right) == 1:
        yield left[0], right[0]
        return
    rest_right = list(right)
    unmatched_left: list[Package] = []
    for bucket in (_bucket, lambda p: (p.platform or "",)):
        unmatched_left = []
        for package in left:
            match = next((r for r in rest_right if bucket(r) == bucket(package)), None)
            if match is None:
                unmatched_left.append(package)
            else:
                rest_right.remove(match)
                yield package, match
        left = unmatched_left
    for index in range(max(len(left), len(rest_right))):
        yield (
            left[index] if index < len(left) else None,
            rest_right[index] if index < len(rest_right) else None,
        )


def _grouped(packages: Iterable[Package]) -> dict[tuple[str, str], list[Package]]:
    grouped: dict[tuple[str, str], list[Package]] = {}
    for package in packages:
        grouped.setdefault((package.ecosystem.value, package.key), []).append(package)
    return grouped


def _section_changes(left: Manifest, right: Manifest) -> list[SectionChange]:
    pairs = {
        "python.requires": (left.python.requires, right.python.requires),
        "python.version": (left.python.version, right.python.version),
        "channels": (", ".join(left.channels), ", ".join(right.channels)),
        "indexes": (
            ", ".join(f"{i.kind.value} {i.url}" for i in left.indexes),
            ", ".join(f"{i.kind.value} {i.url}" for i in right.indexes),
        ),
        "platforms": (", ".join(left.platforms), ", ".join(right.platforms)),
    }
    if left.source.format == right.source.format == "capture":
        pairs |= _machine_pairs(left, right)
    return [
        SectionChange(section, old or "", new or "")
        for section, (old, new) in pairs.items()
        if (old or "") != (new or "")
    ]


# machine facts of captures that are drift when they differ (not timestamps or host names)
MACHINE_PREFIXES = ("os.", "gpu.", "cuda.", "cudnn.", "nccl.", "torch.", "cpu.", "system.", "env.")


def _machine_pairs(left: Manifest, right: Manifest) -> dict[str, tuple[str | None, str | None]]:
    keys = {k for k in left.meta.keys() | right.meta.keys() if k.startswith(MACHINE_PREFIXES)}
    return {key: (left.meta.get(key), right.meta.get(key)) for key in sorted(keys)}


def _cross_ecosystem(
    old_groups: dict[tuple[str, str], list[Package]],
    new_groups: dict[tuple[str, str], list[Package]],
) -> list[str]:
    """Let a conda package on one side meet its PyPI twin on the other (``pytorch``/``torch``).

    Only names present on one side alone are re-keyed, through the shipped conda->PyPI
    table; conda names the table says have no PyPI equivalent are returned, never guessed.
    """
    from envaudit.analysis.names import conda_pypi_known, conda_to_pypi, pypi_key

    no_equivalent: list[str] = []
    for mine, theirs in ((old_groups, new_groups), (new_groups, old_groups)):
        if not any(ecosystem == "pypi" for ecosystem, _ in theirs):
            continue
        for ecosystem, key in [k for k in mine if k[0] == "conda" and k not in theirs]:
            pypi_name = conda_to_pypi(key)
            if pypi_name is None:
                if conda_pypi_known(key):
                    no_equivalent.append(key)
                continue
            target = ("pypi", pypi_key(pypi_name))
            if target in theirs and target not in mine:
                mine[target] = mine.pop((ecosystem, key))
    return sorted(set(no_equivalent))


def diff_manifests(left: Manifest, right: Manifest) -> ManifestDiff:
    """Packages are matched by (ecosystem, normalized name), then by platform and marker.

    Between a conda and a PyPI description of one environment, conda packages are matched
    to their PyPI names through the shipped mapping table.
    """
    with gc_paused():
        return _diff_manifests(left, right)


def _diff_manifests(left: Manifest, right: Manifest) -> ManifestDiff:
    old_groups, new_groups = _grouped(left.packages), _grouped(right.packages)
    no_equivalent = _cross_ecosystem(old_groups, new_groups)
    same_format = left.source.format == right.source.format
    changes: list[PackageChange] = []
    unchanged = 0
    # keys in first-seen order; only the changes are sorted at the end (a stable sort keeps
    # each group's own order), not every key of two large locks
    for group_key in {**old_groups, **new_groups}:
        ecosystem, key = group_key
        for old, new in _pair(old_groups.get(group_key, []), new_groups.get(group_key, [])):
            if old is None and new is not None:
                changes.append(PackageChange(ChangeKind.ADDED, ecosystem, key, None, new))
            elif new is None and old is not None:
                changes.append(PackageChange(ChangeKind.REMOVED, ecosystem, key, old, None))
            elif old is not None and new is not None:
                aspects = compare_packages(old, new, same_format=same_format)
                if aspects:
                    changes.append(_classify(old, new, aspects))
                else:
                    unchanged += 1
    changes.sort(key=lambda change: (change.ecosystem, change.key))
    return ManifestDiff(
        left=left.source,
        right=right.source,
        changes=tuple(changes),
        sections=tuple(_section_changes(left, right)),
        unchanged=unchanged,
        no_pypi_equivalent=tuple(no_equivalent),
    )
