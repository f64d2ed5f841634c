"""Finding a repository's environment files: git's file list (or a walk), then names."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from envaudit.record import record
from envaudit.sources.detect import sniff_name

# Kinds that are read for what they declare, not parsed into package manifests.
PYTHON_VERSION, PYPROJECT, SETUP_CFG = "python-version", "pyproject", "setup-cfg"
GITHUB_WORKFLOW, GITLAB_CI, TOX_INI, NOXFILE = "github-workflow", "gitlab-ci", "tox-ini", "noxfile"
_BY_NAME = {
    ".python-version": PYTHON_VERSION,
    "pyproject.toml": PYPROJECT,
    "setup.cfg": SETUP_CFG,
    ".gitlab-ci.yml": GITLAB_CI,
    "tox.ini": TOX_INI,
    "noxfile.py": NOXFILE,
}
# Outside git, these directories hold tools and builds, never the project's own files.
_SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "build", "dist", "site-packages",
     ".hypothesis"}
)  # fmt: skip
# File names a registry pattern would match but that are never environment files.
_NOT_ENVIRONMENT_SUFFIXES = (
    ".py", ".pyi", ".pyc", ".md", ".rst", ".ipynb", ".sh", ".bat", ".ps1", ".html", ".j2",
    ".jinja", ".tmpl", ".template", ".example", ".orig", ".bak", ".swp", ".png", ".svg",
)  # fmt: skip
_NOT_ENVIRONMENT_NAMES = frozenset(
    {"manifest.in", "makefile.in", "doxyfile.in", "configure.in", "setup.py.in", "config.h.in"}
)


@record(order=True)
class FoundFile:
    """A file to audit: ``path`` as it should be shown (relative to the working directory)."""

    path: str
    kind: str  # a source format id, or one of the declaration-only kinds above


def discover(root: str, *, excludes: Sequence[str] = ()) -> list[FoundFile]:
    """Every environment file under ``root`` (git-tracked or untracked-but-not-ignored)."""
    relative_paths = _git_files(root)
    if relative_paths is None:
        relative_paths = _walk(root)
    found: list[FoundFile] = []
    for relative in relative_paths:
        if is_excluded(relative, excludes):
            continue
        kind = file_kind(relative)
        if kind is None:
            continue
        path = relative if root in ("", ".") else posixpath.join(root, relative)
        if Path(path).is_file():
            found.append(FoundFile(path, kind))
    return sorted(found)


def file_kind(relative: str) -> str | None:
    """The kind a repository-relative path is audited as, or None when it is not audited."""
    base = posixpath.basename(relative).lower()
    if base in _BY_NAME:
        return _BY_NAME[base]
    directory = posixpath.dirname(relative)
    if directory.endswith(".github/workflows") and base.endswith((".yml", ".yaml")):
        return GITHUB_WORKFLOW
    if base.endswith(_NOT_ENVIRONMENT_SUFFIXES) or base in _NOT_ENVIRONMENT_NAMES:
        return None
    if base.endswith(".in") and base.count(".") > 1:
        return None  # config.h.in, setup.cfg.in...: templates, not pip-tools inputs
    return sniff_name(relative)


def is_excluded(relative: str, excludes: Iterable[str]) -> bool:
    """``--exclude`` globs match the path or any directory above it (``samples``, ``tests/*/x``)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for written in excludes:
        pattern = written.strip().rstrip("/").removeprefix("./").removesuffix("/**")
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


def _git_files(root: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, relative to ``root``; None outside git."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root or ".",
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


def _walk(root: str) -> list[str]:
    found: list[str] = []
    base = Path(root or ".")
    for directory, subdirectories, files in os.walk(base):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_DIRECTORIES)
        relative_directory = Path(directory).relative_to(base).as_posix()
        for name in files:
            found.append(name if relative_directory == "." else f"{relative_directory}/{name}")
    return sorted(found)
