"""The public library surface of envaudit."""

from __future__ import annotations

from pathlib import Path

from envaudit.analysis.diff import ChangeKind, ManifestDiff, PackageChange, diff_manifests
from envaudit.errors import EnvauditError, IncludeError, ParseError, UsageError
from envaudit.loader import load, load_text
from envaudit.model import Manifest, Package

__all__ = [
    "ChangeKind",
    "EnvauditError",
    "IncludeError",
    "Manifest",
    "ManifestDiff",
    "Package",
    "PackageChange",
    "ParseError",
    "UsageError",
    "diff",
    "load",
    "load_text",
]


def diff(old: str | Path | Manifest, new: str | Path | Manifest) -> ManifestDiff:
    """Diff two manifests, loading paths first."""
    left = old if isinstance(old, Manifest) else load(old)
    right = new if isinstance(new, Manifest) else load(new)
    return diff_manifests(left, right)
