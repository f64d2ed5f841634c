"""Rendering the outcome of ``envaudit verify``: one line per mismatch, or JSON."""

from __future__ import annotations

from collections import Counter

from envaudit import pretty_json
from envaudit.analysis.verify import VerifyResult
from envaudit.redact import redact_text


def _summary(result: VerifyResult) -> str:
    counts = Counter(mismatch.kind.value for mismatch in result.mismatches)
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    head = f"{len(result.mismatches)} mismatch{'es' if len(result.mismatches) != 1 else ''}"
    tail = f"{result.matched} locked package(s) match"
    if result.not_applicable:
        tail += f", {result.not_applicable} not for this platform/interpreter or optional"
    return f"{head} ({found}); {tail}" if found else f"OK; {tail}"


def render_text(result: VerifyResult) -> str:
    lines = [f"verify {result.lock.path} against {result.target}"]
    width = max((len(m.kind.value) for m in result.mismatches), default=0)
    lines += [f"  {m.kind.value:<{width}}  {m.message}" for m in result.mismatches]
    lines.append(f"verify: {_summary(result)}")
    return redact_text("\n".join(lines)) + "\n"


def render_json(result: VerifyResult) -> str:
    data = {
        "lock": {"path": result.lock.path, "format": result.lock.format},
        "target": result.target,
        "ok": result.ok,
        "matched": result.matched,
        "not_applicable": result.not_applicable,
        "mismatches": [
            {
                "kind": m.kind.value,
                "ecosystem": m.ecosystem,
                "name": m.name,
                "message": m.message,
                "origin": m.origin,
            }
            for m in result.mismatches
        ],
    }
    return redact_text(pretty_json.dumps(data)) + "\n"
