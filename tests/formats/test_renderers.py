"""Every report format on three cases, SARIF schema validity, the Markdown cap."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from syrupy.assertion import SnapshotAssertion

from envaudit.analysis.report import Report
from envaudit.api import check_manifests, diff_report
from envaudit.formats import github, markdown, sarif, text
from envaudit.formats import json as json_format
from envaudit.loader import load
from envaudit.model import Ecosystem, Hash, Manifest, Package, source_info

DATA = Path(__file__).resolve().parents[1] / "data"
PAIRS = {
    "real-tgi-poetry": "samples/poetry-lock/huggingface__text-generation-inference__server-poetry-lock__{}.lock",
    "crafted-cuda-swap": "samples/requirements/crafted-cuda-swap__{}.txt",
    "crafted-hash-change": "samples/requirements/crafted-hash-change__{}.txt",
}
RENDERERS = {
    "text": text.render_report,
    "json": json_format.render_report,
    "markdown": markdown.render_report,
    "sarif": sarif.render_report,
    "github": github.render_report,
}


def _report(case: str) -> Report:
    pattern = PAIRS[case]
    return diff_report(load(pattern.format("v1")), load(pattern.format("v2")))


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("case", sorted(PAIRS))
def test_report_snapshot(
    case: str, fmt: str, in_samples: Path, snapshot: SnapshotAssertion
) -> None:
    assert RENDERERS[fmt](_report(case)) == snapshot


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_sarif_validates_against_the_official_schema(case: str, in_samples: Path) -> None:
    schema = json.loads((DATA / "sarif" / "sarif-schema-2.1.0.json").read_text())
    document = json.loads(sarif.render_report(_report(case)))
    jsonschema.Draft4Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    assert results, "the pairs all have findings"
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("samples/")


def test_sarif_of_a_check_points_at_lines(in_samples: Path) -> None:
    report = check_manifests(
        [load("samples/requirements/facebookresearch__dinov2__requirements.txt")]
    )
    document = json.loads(sarif.render_report(report))
    lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in document["runs"][0]["results"]
        if r["ruleId"] == "EA301"
    }
    assert lines == {1, 10}  # both --extra-index-url lines


def _big_diff_report(count: int) -> Report:
    def manifest(version: str, salt: str) -> Manifest:
        packages = tuple(
            Package(
                name=f"package-number-{i:05d}",
                key=f"package-number-{i:05d}",
                ecosystem=Ecosystem.PYPI,
                version=version,
                hashes=(Hash("sha256", (salt * 64)[:64]),),
                origin=f"requirements.txt:{i + 1}",
            )
            for i in range(count)
        )
        return Manifest(
            source=source_info("requirements", "requirements.txt", salt), packages=packages
        )

    return diff_report(manifest("1.0", "a"), manifest("1.0", "b"))


def test_markdown_stays_under_the_comment_cap() -> None:
    report = _big_diff_report(2000)
    assert len(report.findings) == 2000
    rendered = markdown.render_report(report)
    assert len(rendered) <= markdown.MAX_CHARS
    assert "truncated" in rendered
    assert rendered.startswith("### envaudit diff")
    assert "| 🔴 error | `EA506`" in rendered  # the risky rows come first


def test_github_annotations_respect_limits() -> None:
    rendered = github.render_report(_big_diff_report(50))
    annotations = [line for line in rendered.splitlines() if line.startswith("::")]
    assert len([a for a in annotations if a.startswith("::error")]) == 10
    assert annotations[-1].startswith("::notice title=envaudit::40 more finding(s)")


def test_github_escapes_properties() -> None:
    from envaudit.analysis.rules.base import Finding, Location
    from envaudit.analysis.rules.catalogue import RULES

    finding = Finding(RULES["EA101"], "50%\nnext", Location("a,b:c.txt", line=3))
    line = github._annotation(finding)
    assert (
        line == "::warning file=a%2Cb%3Ac.txt,line=3,title=EA101 unpinned-requirement::50%25%0Anext"
    )
