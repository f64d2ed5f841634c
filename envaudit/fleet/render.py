"""Fleet reports as text, JSON and Markdown (HTML lives in ``envaudit.formats.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envaudit import pretty_json
from envaudit.fleet.model import Cluster, FieldSummary, FleetReport, ValueGroup
from envaudit.formats.table import render_table
from envaudit.redact import redact_text

FLEET_SCHEMA_VERSION = "1.0"
MAX_TEXT_CLUSTERS = 20
MAX_MARKDOWN_CHARS = 60_000  # GitHub's comment cap is 65,536
_NAMES_SHOWN = 5


def names(group_names: Sequence[str], count: int, limit: int = _NAMES_SHOWN) -> str:
    """``node-07, node-09 (+3 more)``: the first few names, and how many are left out."""
    shown = list(group_names[:limit])
    more = count - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _outlier_text(group: ValueGroup) -> str:
    return f"{group.value} ×{group.count}: {names(group.machines, group.count)}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def headline(report: FleetReport) -> str:
    outliers = sum(c.count for c in report.clusters if not c.is_baseline)
    text = (
        f"{plural(report.machines, 'machine')}, {plural(len(report.clusters), 'environment')}, "
        f"{plural(len(report.fields), 'fact')} ({len(report.varying)} vary), "
        f"{plural(outliers, 'machine')} off the baseline, "
        f"{plural(len(report.findings), 'EA4xx finding')}"
    )
    if report.problem_count:
        text += f", {plural(report.problem_count, 'unreadable capture')} skipped"
    return text


def render_text(report: FleetReport) -> str:
    lines = [f"envaudit fleet: {headline(report)}"]
    varying = report.varying
    if varying:
        lines += ["", "facts that differ (baseline = majority value):"]
        rows = [("fact", "baseline", "outliers")]
        for summary in varying:
            base = f"{summary.baseline.value} ×{summary.baseline.count}"
            if not summary.has_majority:
                base += " (no majority)"
            for position, group in enumerate(summary.outliers):
                rows.append(
                    (
                        summary.field if position == 0 else "",
                        base if position == 0 else "",
                        _outlier_text(group),
                    )
                )
        lines += render_table(rows)
    lines += _text_machines(report)
    lines += _text_clusters(report.clusters)
    if report.findings:
        lines += ["", "EA4xx findings:"]
        lines += render_table(
            [
                (
                    f.severity.value,
                    f.rule_id,
                    f.rule_name,
                    f"{plural(f.count, 'machine')}: {names(f.machines, f.count)}",
                    f.message,
                )
                for f in report.findings
            ]
        )
    if report.problems:
        lines += ["", "unreadable captures (skipped):"]
        lines += [f"  {problem.message}" for problem in report.problems]
        if report.problem_count > len(report.problems):
            lines.append(f"  … and {report.problem_count - len(report.problems)} more")
    return redact_text("\n".join(lines)) + "\n"


def _text_machines(report: FleetReport) -> list[str]:
    outliers = report.outlier_machines()
    if not outliers:
        return ["", "no machine differs from the baseline"]
    lines = ["", "machines off the baseline:"]
    rows = [(machine, cluster.id, _deviation_text(cluster)) for machine, cluster in outliers]
    lines += render_table(rows)
    unnamed = sum(c.count - len(c.machines) for c in report.clusters if not c.is_baseline)
    if unnamed:
        lines.append(f"… and {unnamed} more machines not named (--examples to name more)")
    return lines


def _deviation_text(cluster: Cluster, limit: int = 6) -> str:
    shown = [f"{key}={value}" for key, value in cluster.deviations[:limit]]
    more = len(cluster.deviations) - limit
    return ", ".join(shown) + (f" (+{more} more fields)" if more > 0 else "")


def _text_clusters(clusters: Sequence[Cluster]) -> list[str]:
    lines = ["", "environments (machines with identical facts):"]
    rows = [
        (
            cluster.id,
            plural(cluster.count, "machine"),
            cluster.digest[:19],
            "baseline"
            if cluster.is_baseline
            else f"{plural(len(cluster.deviations), 'fact')} differ",
            names(cluster.machines, cluster.count, 3),
        )
        for cluster in clusters[:MAX_TEXT_CLUSTERS]
    ]
    lines += render_table(rows)
    if len(clusters) > MAX_TEXT_CLUSTERS:
        lines.append(f"… and {len(clusters) - MAX_TEXT_CLUSTERS} more environments (--format json)")
    return lines


def _group(group: ValueGroup) -> dict[str, Any]:
    return {"value": group.value, "count": group.count, "machines": list(group.machines)}


def _field(summary: FieldSummary) -> dict[str, Any]:
    return {
        "field": summary.field,
        "category": summary.category,
        "baseline": _group(summary.baseline),
        "majority": summary.has_majority,
        "outliers": [_group(group) for group in summary.outliers],
    }


def fleet_to_dict(report: FleetReport) -> dict[str, Any]:
    return {
        "schema_version": FLEET_SCHEMA_VERSION,
        "machines": report.machines,
        "examples_per_value": report.examples_per_value,
        "fields": [_field(summary) for summary in report.fields],
        "clusters": [
            {
                "id": c.id,
                "digest": c.digest,
                "count": c.count,
                "machines": list(c.machines),
                "deviations": dict(c.deviations),
                "first_captured": c.first_captured,
                "last_captured": c.last_captured,
            }
            for c in report.clusters
        ],
        "findings": [
            {
                "rule": f.rule_id,
                "name": f.rule_name,
                "severity": f.severity.value,
                "message": f.message,
                "count": f.count,
                "machines": list(f.machines),
            }
            for f in report.findings
        ],
        "problems": [{"origin": p.origin, "message": p.message} for p in report.problems],
        "problem_count": report.problem_count,
    }


def render_json(report: FleetReport) -> str:
    text = pretty_json.dumps(fleet_to_dict(report))
    return redact_text(text) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: FleetReport) -> str:
    parts = [f"### envaudit fleet\n\n{headline(report)}\n"]
    if report.varying:
        parts.append("\n| fact | baseline | outliers |\n|---|---|---|\n")
        for summary in report.varying:
            outliers = "<br>".join(_cell(_outlier_text(group)) for group in summary.outliers)
            parts.append(
                f"| `{_cell(summary.field)}` | {_cell(summary.baseline.value)} "
                f"×{summary.baseline.count} | {outliers} |\n"
            )
    if report.findings:
        parts.append("\n| severity | rule | machines | finding |\n|---|---|---|---|\n")
        for f in report.findings:
            parts.append(
                f"| {f.severity.value} | `{f.rule_id}` {f.rule_name} | "
                f"{_cell(names(f.machines, f.count))} | {_cell(f.message)} |\n"
            )
    text, total = "", 0
    for part in parts:
        if total + len(part) > MAX_MARKDOWN_CHARS:
            text += "\n> Truncated to stay under GitHub's comment limit; use `--format json`.\n"
            break
        text, total = text + part, total + len(part)
    return redact_text(text)
