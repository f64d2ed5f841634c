"""JSON rendering of manifests and diffs (deterministic, schema'd)."""

from __future__ import annotations

import json
from typing import Any

from envaudit.analysis.diff import ChangeKind, ManifestDiff, PackageChange
from envaudit.model import Manifest, Package, SourceInfo
from envaudit.redact import redact_text

DIFF_SCHEMA_VERSION = "1.0"


def render_manifest(manifest: Manifest) -> str:
    return redact_text(manifest.to_json())


def _package(package: Package | None) -> dict[str, Any] | None:
    if package is None:
        return None
    data: dict[str, Any] = Manifest(source=SourceInfo("", "", ""), packages=(package,)).to_dict()[
        "packages"
    ][0]
    return data


def _change(change: PackageChange) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "ecosystem": change.ecosystem,
        "key": change.key,
        "name": change.name,
        "aspects": [aspect.value for aspect in change.aspects],
        "bump": change.bump.value if change.bump else None,
        "old": _package(change.old),
        "new": _package(change.new),
    }


def diff_to_dict(diff: ManifestDiff) -> dict[str, Any]:
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "left": {"path": diff.left.path, "format": diff.left.format, "digest": diff.left.digest},
        "right": {
            "path": diff.right.path,
            "format": diff.right.format,
            "digest": diff.right.digest,
        },
        "summary": {kind.value: diff.count(kind) for kind in ChangeKind}
        | {"unchanged": diff.unchanged},
        "sections": [{"section": s.section, "old": s.old, "new": s.new} for s in diff.sections],
        "changes": [_change(change) for change in diff.changes],
    }


def render_diff(diff: ManifestDiff) -> str:
    text = json.dumps(diff_to_dict(diff), indent=2, sort_keys=True, ensure_ascii=False)
    return redact_text(text) + "\n"
