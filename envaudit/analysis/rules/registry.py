"""The two check registries: rules over one manifest, and rules over a diff."""

from __future__ import annotations

from envaudit.analysis.rules.base import RuleRegistry
from envaudit.analysis.rules.catalogue import RULES

MANIFEST_CHECKS = RuleRegistry(RULES)
DIFF_CHECKS = RuleRegistry(RULES)
