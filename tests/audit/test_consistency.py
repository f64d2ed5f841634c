"""The EA6xx rules, each on a small repository written to a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.audit.runner import audit_directory

DIGEST = "@sha256:" + "0123456789abcdef" * 4


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _findings(root: Path, files: dict[str, str], **options: object) -> list[tuple[str, str, str]]:
    _write(root, files)
    report = audit_directory(".", **options).report  # type: ignore[arg-type]
    return [(f.rule.id, str(f.location), f.message) for f in report.findings]


def test_python_outside_requires_python(repo: Path) -> None:
    findings = _findings(
        repo,
        {
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9,<3.12"\n',
            ".python-version": "3.12.2\n",
        },
    )
    assert findings == [
        (
            "EA602",
            ".python-version:1",
            "Python 3.12.2 here (3.12.2) is outside >=3.9,<3.12 (requires-python, pyproject.toml:3)",
        )
    ]


def test_package_missing_from_a_complete_lock(repo: Path) -> None:
    lock = (
        'version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "numpy"\n'
        'version = "1.26.4"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    findings = _findings(
        repo,
        {
            "uv.lock": lock,
            "requirements.txt": "numpy==1.26.4\ngunicorn==22.0.0\n-e .\n",
            "environment.yml": "dependencies:\n  - python=3.11\n  - pip:\n    - rich==13.7.1\n",
        },
    )
    assert [(rule, where) for rule, where, _ in findings] == [
        ("EA604", "environment.yml:4"),
        ("EA604", "requirements.txt:2"),
    ]
    assert findings[1][2] == (
        "gunicorn is installed here but missing from uv.lock, which lists a complete environment"
    )


def test_cuda_minor_and_cudnn_major_disagreements(repo: Path) -> None:
    findings = _findings(
        repo,
        {
            "Dockerfile": f"FROM nvidia/cuda:12.4.1-cudnn8-runtime-ubuntu22.04{DIGEST}\n",
            "requirements.txt": "torch==2.3.0+cu121\nnvidia-cudnn-cu12==9.1.0.70\n",
            "environment.yml": "dependencies:\n  - pytorch-cuda=12.1\n",
        },
    )
    assert [(rule, where) for rule, where, _ in findings] == [
        ("EA606", "Dockerfile:1"),
        ("EA607", "Dockerfile:1"),
    ]
    assert "CUDA 12.4 here" in findings[0][2]
    assert "cuDNN 9 in requirements.txt:2 (nvidia-cudnn-cu12==9.1.0.70)" in findings[1][2]


def test_dockerfile_pins_and_base_images(repo: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS build\n"
        "RUN pip install --upgrade pip && pip install 'numpy<2' requests==2.31.0\n"
        "FROM ubuntu\n"
        "FROM mambaorg/micromamba:latest\n"
        "RUN micromamba install -y python=3.11 pandas\n"
        "FROM build\n"
    )
    findings = _findings(repo, {"Dockerfile": dockerfile})
    assert [(rule, where) for rule, where, _ in findings] == [
        ("EA608", "Dockerfile:2"),
        ("EA608", "Dockerfile:2"),
        ("EA609", "Dockerfile:3"),
        ("EA609", "Dockerfile:4"),
        ("EA608", "Dockerfile:5"),
        ("EA610", "Dockerfile:1"),
    ]
    messages = sorted(message for rule, _, message in findings if rule == "EA608")
    assert messages == [
        "RUN conda install pandas has no exact version",
        "RUN pip install numpy has no exact version (only <2)",
        "RUN pip install pip has no exact version",
    ]


def test_ci_matrix_missing_the_python_in_use(repo: Path) -> None:
    workflow = (
        'jobs:\n  test:\n    strategy:\n      matrix:\n        python-version: ["3.10", "3.11"]\n'
    )
    findings = _findings(
        repo,
        {
            ".github/workflows/ci.yml": workflow,
            ".github/workflows/nightly.yml": "steps:\n  - with:\n      python-version: 3.x\n",
            "Dockerfile": f"FROM python:3.12-slim{DIGEST}\n",
        },
    )
    assert findings == [
        (
            "EA611",
            ".github/workflows/ci.yml:5",
            "CI tests Python 3.10, 3.11 but not 3.12, which Dockerfile:1 uses"
            " (base image python:3.12-slim)",
        )
    ]


def test_conda_and_pypi_names_are_matched(repo: Path) -> None:
    findings = _findings(
        repo,
        {
            "environment.yml": "dependencies:\n  - pytorch==2.2.2\n  - py-opencv 4.9.0\n",
            "requirements.txt": "torch==2.3.0\nopencv-python==4.9.0.80\n",
        },
    )
    assert [(rule, where) for rule, where, _ in findings] == [("EA603", "environment.yml:2")]
    assert findings[0][2] == "pytorch 2.2.2 here, but 2.3.0 in requirements.txt:1"


def test_marker_split_pins_overlapping_are_not_a_disagreement(repo: Path) -> None:
    findings = _findings(
        repo,
        {
            "requirements.txt": (
                'numpy==1.24.4; python_version < "3.9"\nnumpy==1.26.4; python_version >= "3.9"\n'
            ),
            "requirements-docker.txt": "numpy==1.26.4\n",
        },
    )
    assert findings == []


def test_unreadable_file_is_reported_and_the_rest_still_audited(repo: Path) -> None:
    findings = _findings(
        repo,
        {
            "poetry.lock": "[[package]\n",
            "Dockerfile": "FORM python\n",
            "docs/mkdocs-env.yml": "site_name: not an environment\n",
        },
    )
    assert [(rule, where) for rule, where, _ in findings] == [
        ("EA612", "Dockerfile:1"),
        ("EA612", "poetry.lock:1"),
    ]


def test_inline_ignore_and_select(repo: Path) -> None:
    files = {
        "Dockerfile": (
            f"FROM python:3.11{DIGEST}\n"
            "RUN pip install gunicorn  # envaudit: ignore[EA608]\n"
            "RUN pip install uvicorn\n"
        )
    }
    assert [where for _, where, _ in _findings(repo, files)] == ["Dockerfile:3"]
    assert _findings(repo, files, ignore=["EA6"]) == []
    assert len(_findings(repo, files, honour_inline=False)) == 2
