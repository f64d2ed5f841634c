"""The fleet heat-map as inline SVG: machines (rows) x facts that vary (columns).

One row for the baseline environment, one per named machine off the baseline (and one per
environment for the machines not named). A cell is pale when the machine has the majority
value and red when it does not, darker the rarer the value. Every cell carries a ``<title>``
tooltip, so the picture needs no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from envaudit.fleet.model import Cluster, FieldSummary, FleetReport

MAX_COLUMNS = 60
MAX_ROWS = 200
CELL = 20
LABEL_WIDTH = 190
HEADER_HEIGHT = 150
BASELINE_FILL = "#e9eef5"
# rarer outlier values are darker: share of machines below 1 %, 10 %, else
OUTLIER_FILLS = ((0.01, "#a50f15"), (0.10, "#de2d26"), (1.01, "#fb6a4a"))


@dataclass(frozen=True)
class HeatRow:
    label: str
    cluster: Cluster
    machines: int  # how many machines the row stands for


def heat_rows(report: FleetReport) -> list[HeatRow]:
    rows: list[HeatRow] = []
    for cluster in report.clusters:
        if cluster.is_baseline:
            rows.insert(0, HeatRow(f"baseline · {cluster.count} machines", cluster, cluster.count))
            continue
        rows += [HeatRow(name, cluster, 1) for name in cluster.machines]
        unnamed = cluster.count - len(cluster.machines)
        if unnamed > 0:
            rows.append(HeatRow(f"{cluster.id} · +{unnamed} more", cluster, unnamed))
    return rows


def _fill(count: int, machines: int) -> str:
    share = count / machines if machines else 1.0
    return next(fill for limit, fill in OUTLIER_FILLS if share < limit)


def _cell(row: HeatRow, summary: FieldSummary, x: int, y: int, machines: int) -> str:
    deviations = dict(row.cluster.deviations)
    value = deviations.get(summary.field)
    if value is None:
        fill = BASELINE_FILL
        tip = f"{row.label} · {summary.field} = {summary.baseline.value} (baseline)"
    else:
        count = next((g.count for g in summary.outliers if g.value == value), 1)
        fill = _fill(count, machines)
        tip = (
            f"{row.label} · {summary.field} = {value} ({count} machines; baseline "
            f"{summary.baseline.value})"
        )
    outlier = "" if value is None else ' class="outlier"'
    return (
        f'<rect{outlier} x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" rx="2" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def heatmap_svg(report: FleetReport) -> str:
    """The SVG element (empty string when every machine has the baseline environment)."""
    columns = list(report.varying[:MAX_COLUMNS])
    rows = heat_rows(report)[:MAX_ROWS]
    if not columns or not rows:
        return ""
    width = LABEL_WIDTH + CELL * len(columns) + 150  # room for the slanted labels
    height = HEADER_HEIGHT + CELL * len(rows) + 10
    parts = [
        f'<svg class="heatmap" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        "<title>machines × facts: red cells differ from the majority</title>",
    ]
    for index, summary in enumerate(columns):
        x = LABEL_WIDTH + CELL * index + CELL // 2
        parts.append(
            f'<text class="col" transform="translate({x},{HEADER_HEIGHT - 6}) '
            f'rotate(-55)">{escape(_short(summary.field, 26))}</text>'
        )
    for row_index, row in enumerate(rows):
        y = HEADER_HEIGHT + CELL * row_index
        parts.append(
            f'<text class="row" x="{LABEL_WIDTH - 8}" y="{y + CELL - 5}" '
            f'text-anchor="end">{escape(_short(row.label, 30))}</text>'
        )
        for index, summary in enumerate(columns):
            x = LABEL_WIDTH + CELL * index
            parts.append(_cell(row, summary, x, y, report.machines))
    parts.append("</svg>")
    return "\n".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heatmap_notes(report: FleetReport) -> list[str]:
    notes = []
    if len(report.varying) > MAX_COLUMNS:
        notes.append(f"{len(report.varying) - MAX_COLUMNS} more varying facts are in the table.")
    rows = heat_rows(report)
    if len(rows) > MAX_ROWS:
        notes.append(f"{len(rows) - MAX_ROWS} more rows are in the environments table.")
    return notes
