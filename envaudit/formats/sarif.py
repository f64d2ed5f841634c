"""SARIF 2.1.0 for code-scanning upload: rules in tool.driver, results located by file and line."""

from __future__ import annotations

import json
from typing import Any

from envaudit import __version__
from envaudit.analysis.report import Report
from envaudit.analysis.rules.base import Finding
from envaudit.analysis.rules.catalogue import RULES
from envaudit.redact import redact_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://github.com/envaudit/envaudit/blob/main/docs/rules.md"


def _location(finding: Finding) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.path}}
    if location.line is not None:
        physical["region"] = {"startLine": location.line}
    result: dict[str, Any] = {"physicalLocation": physical}
    if location.key_path:
        result["logicalLocations"] = [{"fullyQualifiedName": location.key_path}]
    return result


def _rule(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.rationale},
        "help": {"text": rule.fix},
        "helpUri": f"{_INFO_URI}#{rule.id.lower()}",
        "defaultConfiguration": {"level": rule.severity.value},
    }


def render_report(report: Report) -> str:
    rule_ids = sorted(RULES)
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    results = [
        {
            "ruleId": finding.rule.id,
            "ruleIndex": index[finding.rule.id],
            "level": finding.severity.value,
            "message": {"text": finding.message},
            "locations": [_location(finding)],
        }
        for finding in report.findings
    ]
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "envaudit",
                        "version": __version__,
                        "informationUri": _INFO_URI,
                        "rules": [_rule(rule_id) for rule_id in rule_ids],
                    }
                },
                "results": results,
            }
        ],
    }
    return redact_text(json.dumps(sarif, indent=2, ensure_ascii=False)) + "\n"
