"""EA5xx: what a change from one manifest to another means for reproducibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.analysis.kinds import Aspect, ChangeKind
from envaudit.analysis.rules.base import Finding, Location, package_location
from envaudit.analysis.rules.catalogue import RULES
from envaudit.analysis.rules.registry import DIFF_CHECKS
from envaudit.analysis.versions import Bump

if TYPE_CHECKING:  # annotations only: checking a manifest never loads the diff code
    from envaudit.analysis.diff import ManifestDiff, PackageChange

_VERSION_RULES = {
    ChangeKind.ADDED: "EA501",
    ChangeKind.REMOVED: "EA502",
    ChangeKind.DOWNGRADED: "EA505",
    ChangeKind.VERSION_CHANGED: "EA513",
}


def _where(change: PackageChange, diff: ManifestDiff) -> Location:
    if change.new is not None:
        return package_location(change.new, diff.right.path)
    assert change.old is not None
    return package_location(change.old, diff.left.path)


def _pin(change: PackageChange, side: str) -> str:
    package = change.old if side == "old" else change.new
    if package is None:
        return ""
    return package.version or package.spec or "*"


def _finding(rule_id: str, change: PackageChange, diff: ManifestDiff, message: str) -> Finding:
    package = change.new or change.old
    if package is not None and package.platform:
        message += f" on {package.platform}"
    return Finding(RULES[rule_id], message, _where(change, diff), change.name)


@DIFF_CHECKS.check("EA501", "EA502", "EA503", "EA504", "EA505", "EA513")
def check_versions(diff: ManifestDiff) -> Iterator[Finding]:
    for change in diff.changes:
        old, new = _pin(change, "old"), _pin(change, "new")
        if change.kind is ChangeKind.UPGRADED:
            rule_id = "EA503" if change.bump is Bump.MAJOR else "EA504"
            bump = change.bump.value if change.bump else "other"
            yield _finding(rule_id, change, diff, f"{change.name} {old} → {new} ({bump})")
        elif change.kind in _VERSION_RULES:
            text = {
                ChangeKind.ADDED: f"{change.name} {new} added",
                ChangeKind.REMOVED: f"{change.name} {old} removed",
            }.get(change.kind, f"{change.name} {old} → {new}")
            yield _finding(_VERSION_RULES[change.kind], change, diff, text)


@DIFF_CHECKS.check("EA506", "EA507", "EA508", "EA509")
def check_artifacts(diff: ManifestDiff) -> Iterator[Finding]:
    for change in diff.changes:
        old, new = change.old, change.new
        if old is None or new is None:
            continue
        if change.kind is ChangeKind.BUILD_CHANGED:
            yield _finding(
                "EA507",
                change,
                diff,
                f"{change.name} {_pin(change, 'old')} → {_pin(change, 'new')}:"
                f" build {old.build or '(none)'} → {new.build or '(none)'}",
            )
        if change.kind is ChangeKind.HASHES_CHANGED:
            gone = len(set(old.hashes) - set(new.hashes))
            added = len(set(new.hashes) - set(old.hashes))
            yield _finding(
                "EA506",
                change,
                diff,
                f"{change.name} {_pin(change, 'new')}: same version, {gone} hash(es) gone,"
                f" {added} new",
            )
        if {Aspect.INDEX, Aspect.CHANNEL} & set(change.aspects) or (
            Aspect.SOURCE in change.aspects and old.source.kind != new.source.kind
        ):
            before = old.channel or old.index or old.source.url or old.source.kind.value
            after = new.channel or new.index or new.source.url or new.source.kind.value
            yield _finding("EA508", change, diff, f"{change.name}: source {before} → {after}")
        elif Aspect.SOURCE in change.aspects:
            yield _finding(
                "EA509",
                change,
                diff,
                f"{change.name}: {old.source.commit or old.source.url} →"
                f" {new.source.commit or new.source.url}",
            )


_SECTION_RULES = {"python.requires": "EA510", "python.version": "EA510"}


@DIFF_CHECKS.check("EA510", "EA511", "EA512")
def check_sections(diff: ManifestDiff) -> Iterator[Finding]:
    for section in diff.sections:
        if section.section in _SECTION_RULES:
            rule_id = "EA510"
        elif section.section in ("channels", "indexes", "platforms"):
            rule_id = "EA511"
        else:
            rule_id = "EA512"
        yield Finding(
            RULES[rule_id],
            f"{section.section}: {section.old or '(none)'} → {section.new or '(none)'}",
            Location(diff.right.path),
        )
