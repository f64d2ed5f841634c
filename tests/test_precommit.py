"""The pre-commit hooks, run for real with `pre-commit try-repo` in a temporary repository."""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from envaudit.gitrev import AUDITED_PATHS, EXCLUDED_PATHS
from envaudit.sources.registry import FORMATS
from tests.conftest import ROOT
from tests.gitutil import GIT_ENV, isolated_git_config

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
_git_config = pytest.fixture(scope="module", autouse=True)(isolated_git_config)


# What pip prints when it cannot reach an index: the only reason to skip the real run.
_OFFLINE = re.compile(
    r"Temporary failure in name resolution|Failed to establish a new connection"
    r"|No matching distribution found|Network is unreachable"
)

# What the hook repository needs to `pip install` envaudit.
_PACKAGE_FILES = ("envaudit", "setup.cfg", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def hooks() -> dict[str, dict[str, str]]:
    loaded = YAML(typ="safe").load(HOOKS_FILE.read_text())
    return {hook["id"]: hook for hook in loaded}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


# --- the hook definitions ------------------------------------------------------------------


def test_hooks_are_offline_read_only_python_hooks() -> None:
    defined = hooks()
    assert set(defined) == {"envaudit-check", "envaudit-diff"}
    assert defined["envaudit-check"]["entry"] == "envaudit check --pre-commit"
    assert defined["envaudit-diff"]["entry"] == "envaudit diff --pre-commit"
    for hook in defined.values():
        assert hook["language"] == "python"
        assert hook["files"] == defined["envaudit-check"]["files"]


def test_hook_files_are_the_files_diff_git_discovers() -> None:
    hook = hooks()["envaudit-check"]
    assert hook["files"].rstrip("\n") == AUDITED_PATHS.pattern
    assert hook["exclude"] == EXCLUDED_PATHS.pattern


# Each name pattern of the format registry, with a realistic name it stands for.
_REGISTRY_EXAMPLES = {
    "*freeze*.txt": "pip-freeze.txt",
    "*frozen*.txt": "requirements-frozen.txt",
    "requirements*.txt": "requirements-gpu.txt",
    "*requirements*.txt": "dev-requirements.txt",
    "*.in": "requirements.in",
    "requirements*": "requirements",
    "constraints*.txt": "constraints.txt",
    "environment*.yml": "environment.yml",
    "environment*.yaml": "environment-cuda.yaml",
    "*env*.yml": "conda-env.yml",
    "*env*.yaml": "env.yaml",
    "conda*.yml": "conda.yml",
    "conda*.yaml": "conda-linux.yaml",
    "*spec*.txt": "spec-file.txt",
    "*explicit*.txt": "explicit-linux-64.txt",
    "conda-*.lock": "conda-linux-64.lock",
    "poetry.lock": "poetry.lock",
    "poetry.lock.*": "poetry.lock.bak",
    "uv.lock": "uv.lock",
    "pipfile.lock": "Pipfile.lock",
    "pdm.lock": "pdm.lock",
    "pdm.*.lock": "pdm.dev.lock",
    "pylock.toml": "pylock.toml",
    "pylock.*.toml": "pylock.gpu.toml",
    "conda-lock.yml": "conda-lock.yml",
    "conda-lock.yaml": "conda-lock.yaml",
    "*.conda-lock.yml": "predict.conda-lock.yml",
    "pixi.lock": "pixi.lock",
    "dockerfile": "Dockerfile",
    "dockerfile.*": "Dockerfile.cuda",
    "*.dockerfile": "train.dockerfile",
    "containerfile": "Containerfile",
}


def test_hook_files_cover_every_registered_file_name() -> None:
    patterns = {pattern for info in FORMATS.values() for pattern in info.filenames}
    assert patterns == set(_REGISTRY_EXAMPLES), "a new registry pattern needs an example here"
    files = re.compile(hooks()["envaudit-check"]["files"])
    for pattern, name in _REGISTRY_EXAMPLES.items():
        assert fnmatch.fnmatchcase(name.lower(), pattern), (pattern, name)
        for path in (name, f"sub/dir/{name}"):
            assert files.search(path), path
    for extra in ("requirements/base.txt", "requirements/dev.in", "REQUIREMENTS.TXT"):
        assert files.search(extra), extra


@pytest.mark.parametrize(
    "path",
    ["MANIFEST.in", "Makefile.in", "README.md", "setup.cfg", "pyproject.toml", "src/env.py"],
)
def test_hook_files_leave_other_files_alone(path: str) -> None:
    assert not re.search(hooks()["envaudit-check"]["files"], path)


def test_ci_workflows_are_excluded() -> None:
    assert re.search(hooks()["envaudit-check"]["exclude"], ".github/workflows/env.yml")


# --- pre-commit, for real -------------------------------------------------------------------
# `try-repo` builds the hook environment (pip install of envaudit) afresh on every call, so it
# runs twice (the brief's fail/pass pair); the other cases use `pre-commit run` with a config
# naming the same hook repository, whose environment is built once for the module.


def _pre_commit() -> list[str]:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this repository's working tree, as pre-commit clones it."""
    copy = tmp_path_factory.mktemp("hook-repo")
    for name in _PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "envaudit under test")
    return copy


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    for variable in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "VIRTUAL_ENV"):
        env.pop(variable, None)
    result = subprocess.run(
        [*_pre_commit(), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    if "Installing environment" in output and _OFFLINE.search(output):
        pytest.skip("pre-commit could not build the hook environment offline (no index)")
    return result


def readme_config() -> str:
    text = (ROOT / "README.md").read_text()
    body = text.split("\n## As a pre-commit hook\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", body, re.DOTALL)
    assert len(blocks) == 1
    return str(blocks[0])


def use_hooks(project: Path, hook_repo: Path) -> None:
    """README's .pre-commit-config.yaml, with its repo and rev pointing at the hook repository."""
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    config = readme_config()
    assert "repo: https://github.com/envaudit/envaudit\n" in config
    config = config.replace("https://github.com/envaudit/envaudit", str(hook_repo))
    config = re.sub(r"rev: \S+", f"rev: {rev}", config)
    (project / ".pre-commit-config.yaml").write_text(config)
    git(project, "add", ".pre-commit-config.yaml")


def test_try_repo_check_fails_on_unpinned_and_passes_on_pinned(
    project: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    (project / "requirements.txt").write_text("numpy\n")
    git(project, "add", "requirements.txt")
    failed = pre_commit(project, pre_commit_home, "try-repo", str(hook_repo), "envaudit-check",
                        "--files", "requirements.txt")  # fmt: skip
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^envaudit check\.+Failed$", failed.stdout, re.MULTILINE)
    assert "requirements.txt:1: warning EA101 unpinned-requirement: numpy is not pinned" in (
        failed.stdout
    )
    (project / "requirements.txt").write_text("numpy==2.0.0\n")
    git(project, "add", "requirements.txt")
    passed = pre_commit(project, pre_commit_home, "try-repo", str(hook_repo), "envaudit-check",
                        "--files", "requirements.txt")  # fmt: skip
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^envaudit check\.+Passed$", passed.stdout, re.MULTILINE)
    assert (project / "requirements.txt").read_text() == "numpy==2.0.0\n"  # read-only


def test_hooks_on_commits(project: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    use_hooks(project, hook_repo)
    (project / "README.md").write_text("numpy\n")
    git(project, "add", "README.md")
    skipped = pre_commit(project, pre_commit_home, "run")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert re.search(r"^envaudit diff\.+\(no files to check\)Skipped$", skipped.stdout, re.M)
    git(project, "commit", "-q", "-m", "readme")

    # a new, pinned file: everything is "added", nothing fails
    (project / "requirements.txt").write_text("torch==2.3.0+cpu\nnumpy==1.26.4\n")
    git(project, "add", "requirements.txt")
    first = pre_commit(project, pre_commit_home, "run")
    assert first.returncode == 0, first.stdout + first.stderr
    git(project, "commit", "-q", "-m", "cpu torch")

    # a patch bump passes the drift hook (a note)...
    (project / "requirements.txt").write_text("torch==2.3.0+cpu\nnumpy==1.26.5\n")
    git(project, "add", "requirements.txt")
    bump = pre_commit(project, pre_commit_home, "run", "envaudit-diff")
    assert bump.returncode == 0, bump.stdout + bump.stderr

    # ...a CUDA variant swap of the same version fails it (EA507 is an error)
    (project / "requirements.txt").write_text("torch==2.3.0+cu121\nnumpy==1.26.5\n")
    git(project, "add", "requirements.txt")
    swap = pre_commit(project, pre_commit_home, "run", "envaudit-diff")
    assert swap.returncode == 1, swap.stdout + swap.stderr
    assert "--- HEAD:requirements.txt" in swap.stdout
    assert "error EA507 variant-changed-same-version" in swap.stdout
    git(project, "commit", "-q", "--no-verify", "-m", "cuda torch")

    # pre-push / `run --from-ref A --to-ref B`: the hook compares against A
    ranged = pre_commit(project, pre_commit_home, "run", "envaudit-diff",
                        "--from-ref", "HEAD~1", "--to-ref", "HEAD")  # fmt: skip
    assert ranged.returncode == 1, ranged.stdout + ranged.stderr
    assert "torch 2.3.0+cpu → 2.3.0+cu121" in ranged.stdout
