"""Self-contained HTML reports (fleet heat-map, log timeline, diff): inline CSS and SVG only.

Every page reads fully without JavaScript; a few lines of inline script make the tables
sortable when scripts run. A Content-Security-Policy forbids any network access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from envaudit import __version__
from envaudit.redact import redact_text

if TYPE_CHECKING:
    from envaudit.analysis.report import Report
    from envaudit.fleet.model import FleetReport
    from envaudit.history import History, LogEntry
    from envaudit.model import Package

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_CSS = """
:root{color-scheme:light;--ink:#1d2733;--mute:#5b6776;--line:#d8dee6;
  --bad:#c0392b;--warn:#d68910;--note:#2e86c1}
body{font:14px/1.45 system-ui,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--ink);margin:0;background:#fff}
header{padding:18px 28px;border-bottom:1px solid var(--line);background:#f6f8fa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
main{padding:4px 28px 28px} .summary{color:var(--mute);margin:0}
table{border-collapse:collapse;margin:6px 0 10px;min-width:50%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600} th button{all:unset;cursor:pointer}
th button::after{content:" ↕";color:var(--mute);font-size:11px}
td.num,th.num{text-align:right} code{font:12px ui-monospace,"DejaVu Sans Mono",monospace}
.error{color:var(--bad);font-weight:600} .warning{color:var(--warn);font-weight:600}
.note{color:var(--note)} .muted{color:var(--mute)} .scroll{overflow-x:auto}
.heatmap text,.timeline text{font:11px "DejaVu Sans",sans-serif;fill:var(--ink)}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;
  vertical-align:-2px;border-radius:2px}
footer{color:var(--mute);padding:12px 28px;border-top:1px solid var(--line);font-size:12px}
"""
_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    var button = document.createElement("button");
    button.textContent = th.textContent; th.textContent = ""; th.appendChild(button);
    button.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort") || a.cells[column].textContent;
        var y = b.cells[column].getAttribute("data-sort") || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
Cell = str | int | tuple[str, str]  # plain text, a number, or (pre-escaped HTML, sort key)


def _page(title: str, summary: str, sections: Iterable[str]) -> str:
    body = "\n".join(sections)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{escape(title)}</h1><p class="summary" id="summary">{escape(summary)}</p>'
        f"</header>\n<main>\n{body}\n</main>\n"
        f"<footer>envaudit {escape(__version__)} · self-contained report, no network access"
        f"</footer>\n<script>{_SORT_JS}</script>\n</body>\n</html>\n"
    )
    return redact_text(page)


def _cell(value: Cell) -> str:
    if isinstance(value, tuple):
        shown, key = value
        return f'<td data-sort="{escape(key)}">{shown}</td>'
    if isinstance(value, int):
        return f'<td class="num" data-sort="{value}">{value}</td>'
    return f"<td>{escape(value)}</td>"


def table(element_id: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "\n".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    return (
        f'<table class="sortable" id="{element_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def _section(title: str, content: str, element_id: str) -> str:
    return f'<section id="{element_id}-section"><h2>{escape(title)}</h2>\n{content}\n</section>'


def _table_section(
    title: str, element_id: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> str:
    return _section(title, table(element_id, headers, rows), element_id)


def _severity(severity: str) -> tuple[str, str]:
    rank = {"error": "3", "warning": "2", "note": "1"}.get(severity, "0")
    return f'<span class="{escape(severity)}">{escape(severity)}</span>', rank


def _code(text: str) -> tuple[str, str]:
    return f"<code>{escape(text)}</code>", text


# --- fleet --------------------------------------------------------------------------------


def _heatmap_section(report: FleetReport) -> str:
    from envaudit.fleet.heatmap import OUTLIER_FILLS, heatmap_notes, heatmap_svg

    svg = heatmap_svg(report)
    if not svg:
        return _section("Machines × facts", "<p>Every machine has the baseline environment.</p>",
                        "heatmap")  # fmt: skip
    labels = ("< 1 % of machines", "< 10 %", "rarer than the majority")
    legend = "".join(
        f'<span style="background:{fill}"></span>{label}'
        for (_, fill), label in zip(OUTLIER_FILLS, labels, strict=True)
    )
    notes = "".join(f'<p class="muted">{escape(note)}</p>' for note in heatmap_notes(report))
    content = (
        f'<div class="scroll">{svg}</div><p class="legend muted">'
        f'<span style="background:#e9eef5"></span>majority value{legend}</p>{notes}'
    )
    return _section("Machines × facts", content, "heatmap")


def render_fleet(report: FleetReport) -> str:
    from envaudit.fleet.render import headline, names

    fields: list[list[Cell]] = [
        [_code(s.field), s.category, s.baseline.value, s.baseline.count,
         "; ".join(f"{g.value} ×{g.count}: {names(g.machines, g.count)}" for g in s.outliers[:20])]
        for s in report.varying
    ]  # fmt: skip
    clusters: list[list[Cell]] = [
        [c.id, c.count, _code(c.digest[:19]),
         "baseline" if c.is_baseline else ", ".join(f"{k}={v}" for k, v in c.deviations[:8]),
         names(c.machines, c.count, 8), c.first_captured or "", c.last_captured or ""]
        for c in report.clusters[:500]
    ]  # fmt: skip
    findings: list[list[Cell]] = [
        [_severity(f.severity.value), _code(f.rule_id), f.rule_name, f.count,
         names(f.machines, f.count, 10), f.message]
        for f in report.findings
    ]  # fmt: skip
    problems: list[list[Cell]] = [[p.origin, p.message] for p in report.problems]
    sections = [
        _heatmap_section(report),
        _table_section("Facts that differ", "fields",
                       ["fact", "category", "baseline", "machines", "outliers"], fields),
        _table_section("Environments", "clusters", ["id", "machines", "digest",
                       "differs from baseline", "names", "first captured", "last captured"],
                       clusters),
        _table_section("EA4xx findings per machine", "findings",
                       ["severity", "rule", "name", "machines", "names", "message"], findings),
    ]  # fmt: skip
    if problems:
        title = f"Unreadable captures ({report.problem_count}, skipped)"
        sections.append(_table_section(title, "problems", ["capture", "problem"], problems))
    return _page("envaudit fleet", headline(report), sections)


# --- log ----------------------------------------------------------------------------------

_EVENT_COLOURS = (
    ("added", "#2ca25f"),
    ("removed", "#de2d26"),
    ("upgraded", "#3182bd"),
    ("downgraded", "#e6550d"),
    ("build-changed", "#756bb1"),
    ("hashes-changed", "#252525"),
    ("version-changed", "#969696"),
    ("source-changed", "#969696"),
    ("metadata-changed", "#bdbdbd"),
)


_STEP, _LEFT, _TOP, _PLOT, _BARS, _LABELS = 28, 48, 16, 120, 90, 70  # timeline geometry


def _commit_marks(entry: LogEntry, x: int, most: int, events: int) -> list[str]:
    """One commit's column: its package count, stacked drift bars, a rule mark, its id."""
    from envaudit.history import commit_date, drift_text

    tip = f"{entry.commit.commit[:10]} {commit_date(entry.commit)} {entry.commit.subject}: "
    marks = [f'<g class="commit"><title>{escape(tip + drift_text(entry))}</title>']
    if entry.packages is None:
        marks.append(f'<text x="{x - 4}" y="{_TOP + _PLOT - 4}" class="error">×</text>')
    else:
        y = _TOP + _PLOT - _PLOT * entry.packages / most
        marks.append(f'<circle cx="{x}" cy="{y:.1f}" r="3.5" fill="#1d2733"/>')
    base = float(_TOP + _PLOT + _BARS)
    for kind, colour in _EVENT_COLOURS:
        size = _BARS * entry.drift.get(kind, 0) / events
        if size:
            base -= size
            marks.append(f'<rect x="{x - 8}" y="{base:.1f}" width="16" height="{size:.1f}" '
                         f'fill="{colour}"/>')  # fmt: skip
    bottom = _TOP + _PLOT + _BARS
    if entry.new_rules:
        marks.append(f'<path d="M{x - 5},{bottom + 14} l5,-9 l5,9 z" fill="#d68910"/>')
    marks.append(f'<text x="{x - 3}" y="{bottom + 22}" transform="rotate(60 {x - 3} '
                 f'{bottom + 22})">{escape(entry.commit.commit[:7])}</text></g>')  # fmt: skip
    return marks


def _timeline(entries: Sequence[LogEntry]) -> str:
    """Package count (line) and drift events (stacked bars) per commit, oldest on the left."""
    width, height = _LEFT + _STEP * len(entries) + 40, _TOP + _PLOT + _BARS + _LABELS
    most = max((e.packages for e in entries if e.packages is not None), default=1) or 1
    events = max((sum(e.drift.values()) for e in entries), default=1) or 1
    columns = [_LEFT + _STEP * index + _STEP // 2 for index in range(len(entries))]
    points = " ".join(
        f"{x},{_TOP + _PLOT - _PLOT * e.packages / most:.1f}"
        for x, e in zip(columns, entries, strict=True)
        if e.packages is not None
    )
    parts = [
        f'<svg class="timeline" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        "<title>packages and drift per commit, oldest first</title>",
        f'<text x="4" y="{_TOP + 10}">{most}</text><text x="4" y="{_TOP + _PLOT}">0</text>',
        f'<line x1="{_LEFT}" y1="{_TOP + _PLOT}" x2="{width - 10}" y2="{_TOP + _PLOT}" '
        'stroke="#d8dee6"/>',
        f'<polyline points="{points}" fill="none" stroke="#5b6776"/>',
    ]
    for x, entry in zip(columns, entries, strict=True):
        parts += _commit_marks(entry, x, most, events)
    parts.append("</svg>")
    return "\n".join(parts)


def render_log(history: History, *, newest_first: bool = True) -> str:
    from envaudit.history import commit_date, drift_text, ordered

    entries = list(history.entries)
    legend = "".join(
        f'<span style="background:{colour}"></span>{kind}' for kind, colour in _EVENT_COLOURS[:7]
    )
    chart = (
        f'<div class="scroll">{_timeline(entries)}</div><p class="legend muted">{legend}'
        '<span style="background:#d68910"></span>rule newly triggered</p>'
    )
    rows: list[list[Cell]] = [
        [_code(e.commit.commit[:10]), commit_date(e.commit),
         e.packages if e.packages is not None else "?", drift_text(e), e.commit.subject]
        for e in ordered(history, newest_first=newest_first)
    ]  # fmt: skip
    summary = f"{len(entries)} commits touching {history.path}"
    if history.base:
        summary += f", compared from {history.base[:10]}"
    sections = [
        _section("Timeline", chart if entries else "<p>No commit.</p>", "timeline"),
        _table_section("Commits", "commits", ["commit", "date", "packages", "drift", "subject"],
                       rows),
    ]  # fmt: skip
    return _page(f"envaudit log {history.path}", summary, sections)


# --- diff / check -------------------------------------------------------------------------


def _version(package: Package | None) -> str:
    return "" if package is None else package.version or package.spec or "*"


def render_report(report: Report) -> str:
    """``diff --format html`` (and ``check``): changes, environment settings, findings."""
    sections = []
    headline = report.summary()
    if report.diff is not None:
        from envaudit.formats.text import summary_line

        diff = report.diff
        headline = f"{diff.left.path} → {diff.right.path}: {summary_line(diff)}; {headline}"
        settings: list[list[Cell]] = [[s.section, s.old, s.new] for s in diff.sections]
        changes: list[list[Cell]] = [
            [c.kind.value, c.name, c.ecosystem, _version(c.old), _version(c.new),
             ", ".join(a.value for a in c.aspects)]
            for c in diff.changes
        ]  # fmt: skip
        sections += [
            _table_section("Environment", "sections", ["setting", "old", "new"], settings),
            _table_section("Package changes", "changes",
                           ["change", "package", "ecosystem", "old", "new", "aspects"], changes),
        ]  # fmt: skip
    findings: list[list[Cell]] = [
        [_severity(f.severity.value), _code(f.rule.id), f.package or "", f.message, str(f.location)]
        for f in report.findings
    ]
    headers = ["severity", "rule", "package", "finding", "where"]
    sections.append(_table_section("Findings", "findings", headers, findings))
    return _page(f"envaudit {report.command}", headline, sections)
