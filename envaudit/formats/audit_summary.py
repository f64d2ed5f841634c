"""The per-repository part of an ``audit`` report: files found and what each one declares."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from envaudit import pretty_json
from envaudit.formats.table import render_table
from envaudit.redact import redact_text

if TYPE_CHECKING:
    from envaudit.audit.runner import AuditedFile, AuditResult

MAX_MARKDOWN_ROWS = 200
_FACTS = ("python", "cuda", "cudnn", "os")
_FACT_TITLES = {"python": "Python", "cuda": "CUDA", "cudnn": "cuDNN", "os": "OS"}


def declared(file: AuditedFile, fact: str) -> str:
    """``3.11``, ``>=3.10``, ``3.10/3.11/3.12 (CI)``: the values a file declares for a fact."""
    values: list[str] = []
    for declaration in file.declarations:
        if declaration.fact.value != fact:
            continue
        shown = declaration.value
        if declaration.strength.value == "matrix":
            shown += " (CI)"
        if shown not in values:
            values.append(shown)
    return ", ".join(values)


def _contents(file: AuditedFile) -> str:
    if file.error is not None:
        return "unreadable"
    return "" if file.packages is None else f"{file.packages} packages"


def render_text_summary(result: AuditResult) -> str:
    lines = [f"envaudit audit: {len(result.files)} environment files in {result.root or '.'}"]
    rows = []
    for file in result.files:
        facts = "; ".join(f"{fact} {value}" for fact in _FACTS if (value := declared(file, fact)))
        rows.append((file.path, file.kind, _contents(file), facts))
    lines.extend(render_table(rows))
    return redact_text("\n".join(lines)) + "\n\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "–"


def render_markdown_summary(result: AuditResult, max_rows: int = MAX_MARKDOWN_ROWS) -> str:
    files = result.files
    lines = [
        f"### envaudit audit: {len(files)} environment files in `{result.root or '.'}`",
        "",
        "| file | format | contents | " + " | ".join(_FACT_TITLES[f] for f in _FACTS) + " |",
        "|---|---|---|" + "---|" * len(_FACTS),
    ]
    for file in files[:max_rows]:
        cells = [f"`{_cell(file.path)}`", file.kind, _cell(_contents(file))]
        cells += [_cell(declared(file, fact)) for fact in _FACTS]
        lines.append("| " + " | ".join(cells) + " |")
    if len(files) > max_rows:
        lines.append(f"\n{len(files) - max_rows} more files not shown (see `--format json`).")
    return redact_text("\n".join(lines)) + "\n\n"


def files_to_dicts(files: Sequence[AuditedFile]) -> list[dict[str, Any]]:
    return [
        {
            "path": file.path,
            "kind": file.kind,
            "packages": file.packages,
            "error": file.error,
            "declares": [
                {
                    "fact": d.fact.value,
                    "value": d.value,
                    "strength": d.strength.value,
                    "origin": d.origin,
                    "via": d.via,
                }
                for d in file.declarations
            ],
        }
        for file in files
    ]


def render_audit(result: AuditResult, output_format: str, report_text: str) -> str:
    """The rendered report with the repository summary: before it in text and Markdown, as a
    ``files`` list in JSON; SARIF and GitHub annotations carry findings only."""
    if output_format == "text":
        return render_text_summary(result) + report_text
    if output_format == "markdown":
        from envaudit.formats.markdown import MAX_CHARS

        rows = MAX_MARKDOWN_ROWS
        summary = render_markdown_summary(result, rows)
        while rows > 0 and len(summary) + len(report_text) > MAX_CHARS:
            rows //= 2
            summary = render_markdown_summary(result, rows)
        return summary + report_text
    if output_format == "json":
        data = json.loads(report_text)
        data["files"] = files_to_dicts(result.files)
        return redact_text(pretty_json.dumps(data)) + "\n"
    return report_text
