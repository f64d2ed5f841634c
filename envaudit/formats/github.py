"""GitHub Actions workflow-command annotations (``::error file=…,line=…::…``).

GitHub shows at most 10 annotations of each level per step (50 per job): the most severe
come first, and one closing notice counts what was left out.
"""

from __future__ import annotations

from envaudit.analysis.report import Report
from envaudit.analysis.rules.base import Finding, Severity
from envaudit.redact import redact_text

PER_LEVEL = 10
_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding: Finding) -> str:
    props = [f"file={_escape_property(finding.location.path)}"]
    if finding.location.line is not None:
        props.append(f"line={finding.location.line}")
    props.append(f"title={_escape_property(f'{finding.rule.id} {finding.rule.name}')}")
    message = finding.message
    if finding.location.key_path:
        message += f" (at {finding.location.key_path})"
    return f"::{_COMMANDS[finding.severity]} {','.join(props)}::{_escape_data(message)}"


def render_report(report: Report) -> str:
    lines: list[str] = []
    left_out = 0
    for severity in Severity:
        findings = [f for f in report.findings if f.severity is severity]
        limit = PER_LEVEL - 1 if severity is Severity.NOTE else PER_LEVEL
        lines.extend(_annotation(finding) for finding in findings[:limit])
        left_out += max(0, len(findings) - limit)
    if left_out:
        lines.append(
            f"::notice title=envaudit::{left_out} more finding(s) not annotated"
            f" ({report.summary()}); see the job log or the SARIF/Markdown report"
        )
    lines.append(f"envaudit {report.command}: {report.summary()}")
    return redact_text("\n".join(lines)) + "\n"
