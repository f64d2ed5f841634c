"""The kinds and aspects of package change a diff reports.

A module of their own, so that renderers and rules can name them without importing the
diff machinery (and its version comparison): `check` never loads it.
"""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """The headline of one package change, most significant aspect first."""

    ADDED = "added"
    REMOVED = "removed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    VERSION_CHANGED = "version-changed"  # versions that cannot be ordered, or spec edits
    BUILD_CHANGED = "build-changed"  # same version, another build/variant
    HASHES_CHANGED = "hashes-changed"  # same version and build, other artifacts
    SOURCE_CHANGED = "source-changed"  # index, channel, URL or VCS commit moved
    METADATA_CHANGED = "metadata-changed"  # markers, extras, groups, optional


class Aspect(StrEnum):
    """Every aspect of a package that a diff compares."""

    VERSION = "version"
    SPEC = "spec"
    BUILD = "build"
    HASHES = "hashes"
    SOURCE = "source"
    INDEX = "index"
    CHANNEL = "channel"
    MARKERS = "markers"
    EXTRAS = "extras"
    GROUPS = "groups"
    OPTIONAL = "optional"
