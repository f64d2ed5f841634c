"""What files declare: Python/CUDA/cuDNN/OS from manifests, CI, tox, nox, pyproject, setup.cfg."""

from __future__ import annotations

import pytest

from envaudit.audit.declarations import (
    Declaration,
    Fact,
    Strength,
    cuda_from_digits,
    exact_minor,
    manifest_declarations,
)
from envaudit.audit.declared_files import file_declarations
from envaudit.audit.pyproject import parse_pyproject
from envaudit.audit.python_versions import satisfies
from envaudit.loader import load_text


def _values(declarations: list[Declaration], fact: Fact) -> list[tuple[str, str, str]]:
    return [(d.value, d.strength.value, d.origin) for d in declarations if d.fact is fact]


def test_github_workflow_matrix_and_setup_python() -> None:
    text = (
        "jobs:\n"
        "  test:\n"
        "    strategy:\n"
        "      matrix:\n"
        "        python:\n"
        "          - '3.10'\n"
        "          - 3.11  # unquoted: read as written\n"
        "    steps:\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        "          python-version: ${{ matrix.python }}\n"
        "  lint:\n"
        "    steps:\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        '          python-version: "3.12"\n'
    )
    found = file_declarations("github-workflow", text, "ci.yml")
    assert _values(found, Fact.PYTHON) == [
        ("3.10", "matrix", "ci.yml:6"),
        ("3.11", "matrix", "ci.yml:7"),
        ("3.12", "matrix", "ci.yml:16"),
    ]


def test_tox_envlist_with_braces_and_continuation_lines() -> None:
    text = "[tox]\nenvlist =\n    py{39,310}-django\n    py311\n    lint\n[testenv]\ndeps = py312\n"
    found = file_declarations("tox-ini", text, "tox.ini")
    assert [(v, o) for v, _, o in _values(found, Fact.PYTHON)] == [
        ("3.11", "tox.ini:4"),
    ]


def test_tox_factors_on_one_line() -> None:
    found = file_declarations("tox-ini", "[tox]\nenv_list = py310, py311\n", "tox.ini")
    assert [v for v, _, _ in _values(found, Fact.PYTHON)] == ["3.10", "3.11"]


def test_noxfile_literals_gitlab_images_python_version_and_setup_cfg() -> None:
    nox = '@nox.session(python=["3.10", "3.11"])\ndef tests(session):\n    ...\n'
    assert [
        v for v, _, _ in _values(file_declarations("noxfile", nox, "noxfile.py"), Fact.PYTHON)
    ] == [
        "3.10",
        "3.11",
    ]
    gitlab = "image: python:3.11-slim\ngpu:\n  image:\n    name: nvidia/cuda:12.1.1-runtime-ubuntu22.04\n"
    found = file_declarations("gitlab-ci", gitlab, ".gitlab-ci.yml")
    assert _values(found, Fact.PYTHON) == [("3.11", "matrix", ".gitlab-ci.yml:1")]
    assert _values(found, Fact.CUDA) == [("12.1.1", "matrix", ".gitlab-ci.yml:4")]
    pyenv = file_declarations("python-version", "# pyenv\n3.12.3\n3.11\n", ".python-version")
    assert _values(pyenv, Fact.PYTHON) == [("3.12.3", "exact", ".python-version:2")]
    cfg = "[metadata]\nname = x\n[options]\npython_requires = >=3.9\n"
    assert _values(file_declarations("setup-cfg", cfg, "setup.cfg"), Fact.PYTHON) == [
        (">=3.9", "constraint", "setup.cfg:4")
    ]


def test_pyproject_project_groups_and_poetry() -> None:
    text = (
        "[project]\n"
        'name = "x"\n'
        'requires-python = ">=3.10"\n'
        'dependencies = ["numpy==1.26.4", "pandas>=2"]\n'
        "[dependency-groups]\n"
        'test = ["pytest>=8", {include-group = "lint"}]\n'
        "[tool.poetry.dependencies]\n"
        'python = "^3.10"\n'
        'scipy = "1.13.0"\n'
        'torch = {version = "^2.3", source = "pytorch"}\n'
    )
    manifest, declarations = parse_pyproject(text, "pyproject.toml")
    packages = {p.name: p for p in manifest.packages}
    assert packages["numpy"].version == "1.26.4"
    assert packages["numpy"].origin == "pyproject.toml:4"
    assert packages["pytest"].groups == ("test",)
    assert packages["scipy"].version == "1.13.0"
    assert packages["torch"].spec == "^2.3"
    assert _values(declarations, Fact.PYTHON) == [
        (">=3.10", "constraint", "pyproject.toml:3"),
        ("^3.10", "constraint", "pyproject.toml:8"),
    ]


def test_manifest_cuda_and_cudnn_from_wheels_indexes_and_conda_builds() -> None:
    requirements = (
        "--extra-index-url https://download.pytorch.org/whl/cu118\n"
        "torch==2.1.0+cu118\n"
        "nvidia-cuda-runtime-cu12==12.1.105\n"
        "nvidia-cudnn-cu12==8.9.2.26\n"
        "cupy-cuda11x==12.3.0\n"
    )
    found = manifest_declarations(load_text(requirements, origin="r.txt", fmt="requirements"))
    assert sorted(_values(found, Fact.CUDA), key=lambda v: v[2]) == [
        ("11.8", "exact", "r.txt:2"),  # the +cu118 torch; its index (line 1) says the same
        ("12.1", "exact", "r.txt:3"),
        ("12", "exact", "r.txt:4"),
        ("11", "exact", "r.txt:5"),
    ]
    assert _values(found, Fact.CUDNN) == [("8", "exact", "r.txt:4")]
    env = (
        "dependencies:\n"
        "  - python=3.9\n"
        "  - pytorch=1.12.1=py3.9_cuda11.3_cudnn8.3.2_0\n"
        "  - cudatoolkit=11.3\n"
        "  - cudnn 8.2.1\n"
    )
    found = manifest_declarations(load_text(env, origin="environment.yml", fmt="conda-env"))
    assert _values(found, Fact.PYTHON) == [("3.9", "exact", "environment.yml:dependencies[0]")]
    assert [v for v, _, _ in _values(found, Fact.CUDA)] == ["11.3"]
    assert [v for v, _, _ in _values(found, Fact.CUDNN)] == ["8"]


def test_lock_python_constraints_point_at_their_key() -> None:
    lock = (
        '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.10,<3.13"\ncontent-hash = "ab"\n'
    )
    found = manifest_declarations(load_text(lock, origin="poetry.lock", fmt="poetry-lock"))
    assert _values(found, Fact.PYTHON) == [
        (">=3.10,<3.13", "constraint", "poetry.lock:metadata.python-versions")
    ]


def test_dockerfile_declares_each_stage_and_run_python() -> None:
    text = (
        "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS build\n"
        "FROM python:3.11-slim-bookworm\n"
        "RUN apt-get install -y python3.12\n"
    )
    found = manifest_declarations(load_text(text, origin="Dockerfile", fmt="dockerfile"))
    assert _values(found, Fact.CUDA) == [("12.4.1", "exact", "Dockerfile:1")]
    assert _values(found, Fact.CUDNN) == []  # "cudnn" without a major names none
    assert _values(found, Fact.OS) == [
        ("ubuntu22.04", "exact", "Dockerfile:1"),
        ("debian12", "exact", "Dockerfile:2"),
    ]
    assert [(v, o) for v, _, o in _values(found, Fact.PYTHON)] == [
        ("3.11", "Dockerfile:2"),
        ("3.12", "Dockerfile:3"),
    ]
    assert all(d.strength is Strength.EXACT for d in found)


@pytest.mark.parametrize(
    ("spec", "minor"),
    [
        ("=3.10", "3.10"),
        ("3.10.*", "3.10"),
        ("==3.11.4", "3.11"),
        ("3.12*", "3.12"),
        (">=3.9", None),
    ],
)
def test_exact_minor(spec: str, minor: str | None) -> None:
    assert exact_minor(spec) == minor


def test_cuda_digits() -> None:
    assert [cuda_from_digits(d) for d in ("121", "118", "92", "130")] == [
        "12.1",
        "11.8",
        "9.2",
        "13.0",
    ]


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("3.11", ">=3.10,<3.13", True),
        ("3.13", ">=3.10,<3.13", False),
        ("3.12", "^3.10", True),
        ("4.0", "^3.10", False),
        ("3.9", "~3.9", True),
        ("3.10", "~3.9", False),
        ("3.9", ">=3.9.22", True),
        ("2.7", "~2.7 || ^3.5", True),
        ("3.10", "=3.10", True),
        ("3.11", "not a constraint", None),
    ],
)
def test_satisfies(version: str, constraint: str, expected: bool | None) -> None:
    assert satisfies(version, constraint) is expected
