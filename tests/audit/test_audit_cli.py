"""`envaudit audit` on three fixture repositories: consistent, Python/CUDA and numpy drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from envaudit.audit.runner import audit_directory
from envaudit.cli import main
from tests.conftest import ROOT

FIXTURES = "tests/audit/fixtures"
CONSISTENT = f"{FIXTURES}/consistent"
PYTHON_CUDA = f"{FIXTURES}/python-cuda-mismatch"
NUMPY = f"{FIXTURES}/numpy-pin-mismatch"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["audit", *args])
    return code, capsys.readouterr().out


def _findings(directory: str) -> list[tuple[str, str, str]]:
    report = audit_directory(directory).report
    return [(f.rule.id, str(f.location), f.message) for f in report.findings]


def test_consistent_repository_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, CONSISTENT, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["findings"] == []
    kinds = {Path(f["path"]).name: f["kind"] for f in data["files"]}
    assert kinds == {
        "tests.yml": "github-workflow",
        ".python-version": "python-version",
        "Dockerfile": "dockerfile",
        "environment.yml": "conda-env",
        "pyproject.toml": "pyproject",
        "requirements.txt": "requirements",
        "uv.lock": "uv-lock",
    }


def test_consistent_repository_is_clean_even_at_note_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run(capsys, CONSISTENT, "--fail-on", "note")
    assert code == 0


def test_python_and_cuda_disagreements_name_both_sides() -> None:
    findings = _findings(PYTHON_CUDA)
    assert [(rule, where) for rule, where, _ in findings] == [
        ("EA605", f"{PYTHON_CUDA}/Dockerfile:1"),
        ("EA601", f"{PYTHON_CUDA}/Dockerfile:5"),
    ]
    cuda, python = findings[0][2], findings[1][2]
    assert "CUDA 11.8.0 here" in cuda
    assert f"CUDA 12.1 in {PYTHON_CUDA}/requirements.txt:2 (torch==2.3.0+cu121)" in cuda
    assert "Python 3.10 here (apt-get install python3.10)" in python
    assert f"Python 3.11 in {PYTHON_CUDA}/environment.yml:7 (python=3.11)" in python


def test_numpy_pin_disagreement_names_both_sides() -> None:
    findings = _findings(NUMPY)
    assert findings == [
        (
            "EA603",
            f"{NUMPY}/environment.yml:6",
            f"numpy=1.24.4 here excludes 1.26.4 pinned in {NUMPY}/poetry.lock:41",
        )
    ]
    lock = (ROOT / NUMPY / "poetry.lock").read_text().splitlines()
    assert lock[41 - 1 : 41 + 2] == ["[[package]]", 'name = "numpy"', 'version = "1.26.4"']


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((CONSISTENT,), 0),
        ((PYTHON_CUDA,), 1),
        ((NUMPY,), 1),
        ((NUMPY, "--fail-on", "never"), 0),
        ((NUMPY, "--ignore", "EA603"), 0),
        ((PYTHON_CUDA, "--select", "EA601"), 1),
        ((PYTHON_CUDA, "--ignore", "EA601,EA605"), 0),
        ((PYTHON_CUDA, "--exclude", "Dockerfile"), 0),
        ((f"{FIXTURES}/no-such-directory",), 2),
    ],
)
def test_exit_codes(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: int
) -> None:
    code, _ = run(capsys, *args)
    assert code == expected


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("fixture", [CONSISTENT, PYTHON_CUDA, NUMPY])
def test_report_snapshots(
    capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion, fixture: str, fmt: str
) -> None:
    _, out = run(capsys, fixture, "--format", fmt)
    assert out == snapshot


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_machine_formats_locate_findings(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out = run(capsys, PYTHON_CUDA, "--format", fmt)
    assert code == 1
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        lines = sorted(
            r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results
        )
        assert lines == [1, 5]
    else:
        assert f"::error file={PYTHON_CUDA}/Dockerfile,line=1," in out
