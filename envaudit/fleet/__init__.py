"""Many machines at once: majority baseline, outliers, environment clusters and EA4xx per node."""

from __future__ import annotations

from envaudit.fleet.aggregate import FleetAggregator, environment_digest
from envaudit.fleet.inputs import FleetOptions, analyse_fleet
from envaudit.fleet.model import Cluster, FieldSummary, FleetFinding, FleetReport, ValueGroup

__all__ = [
    "Cluster",
    "FieldSummary",
    "FleetAggregator",
    "FleetFinding",
    "FleetOptions",
    "FleetReport",
    "ValueGroup",
    "analyse_fleet",
    "environment_digest",
]
