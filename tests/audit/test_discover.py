"""Discovery: git's file list (ignored files skipped), a walk outside git, --exclude, kinds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from envaudit.audit.discover import FoundFile, discover, file_kind, is_excluded

HAS_GIT = shutil.which("git") is not None


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("requirements/dev.in", "requirements"),
        ("environment.yml", "conda-env"),
        ("poetry.lock", "poetry-lock"),
        ("uv.lock", "uv-lock"),
        ("Dockerfile", "dockerfile"),
        ("docker/Dockerfile.cuda", "dockerfile"),
        ("deploy/api.dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        (".python-version", "python-version"),
        ("pyproject.toml", "pyproject"),
        ("setup.cfg", "setup-cfg"),
        (".github/workflows/ci.yml", "github-workflow"),
        (".github/workflows/conda-env.yaml", "github-workflow"),
        (".gitlab-ci.yml", "gitlab-ci"),
        ("tox.ini", "tox-ini"),
        ("noxfile.py", "noxfile"),
        ("envaudit/sources/requirements.py", None),
        ("MANIFEST.in", None),
        ("config.h.in", None),
        ("docs/requirements.md", None),
        ("README.md", None),
    ],
)
def test_file_kinds(path: str, kind: str | None) -> None:
    assert file_kind(path) == kind


def test_exclude_globs_match_files_and_directories() -> None:
    assert is_excluded("samples/requirements/a.txt", ["samples"])
    assert is_excluded("samples/requirements/a.txt", ["samples/"])
    assert is_excluded("samples/requirements/a.txt", ["samples/**"])
    assert is_excluded("tests/audit/fixtures/x/Dockerfile", ["tests/*/fixtures"])
    assert is_excluded("docker/Dockerfile.gpu", ["*.gpu"])
    assert not is_excluded("src/samples.txt", ["samples"])
    assert not is_excluded("requirements.txt", [])


def test_walk_outside_git_skips_tool_directories(tmp_path: Path) -> None:
    _touch(tmp_path, "requirements.txt", ".venv/lib/requirements.txt", "node_modules/x/uv.lock")
    _touch(tmp_path, "app/Dockerfile", "notes.md")
    found = discover(str(tmp_path))
    names = [Path(f.path).relative_to(tmp_path).as_posix() for f in found]
    assert names == ["app/Dockerfile", "requirements.txt"]


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_repository_respects_gitignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    _touch(tmp_path, "requirements.txt", "generated/requirements.txt", "env/environment.yml")
    monkeypatch.chdir(tmp_path)
    assert discover(".") == [
        FoundFile("env/environment.yml", "conda-env"),
        FoundFile("requirements.txt", "requirements"),
    ]
    assert discover(".", excludes=["env"]) == [FoundFile("requirements.txt", "requirements")]
