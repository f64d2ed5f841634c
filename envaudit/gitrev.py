"""Git revisions as inputs: blobs at ``REV:PATH``, includes inside a revision, changed files.

Everything goes through the ``git`` executable with a fixed argument vector (no shell, no
GitPython): ``git cat-file`` reads blobs, ``git diff --name-only`` lists changed files.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from envaudit.analysis.report import Report, make_report
from envaudit.analysis.rules.base import Finding, Location
from envaudit.errors import IncludeError, UsageError
from envaudit.loader import DEFAULT_MAX_SIZE, FileIncludeReader, decode, load_text, read_file
from envaudit.model import Manifest, source_info
from envaudit.record import record, replace
from envaudit.sources.detect import check_format, detect_format, sniff_content, sniff_name

GIT_TIMEOUT_S = 60
# Options that keep git from running helpers configured in the repository (fsmonitor,
# external diff drivers, textconv filters) or from asking questions on a terminal.
_SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "core.quotePath=false")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:[\\/]")
# The file names `diff --git` discovers; .pre-commit-hooks.yaml uses the same `files`/`exclude`
# (a test keeps them equal). Narrower than detection's name patterns: MANIFEST.in is no
# requirements file and .github/workflows/env.yml is no conda environment.
AUDITED_PATHS = re.compile(
    r"""(?ix)(^|/)(
    [^/]*(requirements|constraints)[^/]*\.(txt|in)
  | requirements
  | requirements[^/]*/[^/]+\.(txt|in)
  | [^/]*(freeze|frozen)[^/]*\.txt
  | [^/]*(spec|explicit)[^/]*\.txt
  | (environment|conda)[^/]*\.ya?ml
  | [^/]*env[^/]*\.ya?ml
  | conda-[^/]*\.lock
  | [^/]*\.conda-lock\.ya?ml
  | poetry\.lock(\.[^/]*)?
  | uv\.lock
  | pipfile\.lock
  | pdm(\.[^/]*)?\.lock
  | pylock(\.[^/]*)?\.toml
  | pixi\.lock
  | (dockerfile|containerfile)(\.[^/]*)?
  | [^/]*\.dockerfile
)$"""
)
EXCLUDED_PATHS = re.compile(r"^\.github/")
_FULL_SHA = re.compile(r"[0-9a-f]{40}")
# Formats whose broad name patterns (*env*.yml, *spec*.txt) need the content to agree.
_CONTENT_CONFIRMED = frozenset({"conda-env", "conda-explicit"})


@record
class GitRepo:
    """A work tree: its top-level directory and the directory commands were run from."""

    root: Path
    cwd: Path

    def relative(self, path: str) -> str:
        """A path given on the command line (relative to cwd) as a path inside the repo."""
        absolute = Path(os.path.normpath(self.cwd / path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            raise UsageError(f"{path}: outside the git repository {self.root}") from None

    def display(self, repo_path: str) -> str:
        """A repo path as the user would type it from cwd (``sub/req.txt`` or ``../req.txt``)."""
        return Path(os.path.relpath(self.root / repo_path, self.cwd)).as_posix()


def _run_git(
    args: Sequence[str], *, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(
            ["git", *_SAFE_CONFIG, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} did not finish within {GIT_TIMEOUT_S} s") from None


def _first_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else "git failed"


def open_repo(cwd: Path | None = None) -> GitRepo:
    """The repository containing ``cwd``; a one-line UsageError when there is none."""
    here = Path.cwd() if cwd is None else cwd
    result = _run_git(["rev-parse", "--show-toplevel"], cwd=here)
    if result.returncode != 0:
        reason = _first_error_line(result)
        if "not a git repository" in reason:
            raise UsageError(f"not a git repository: {here}")
        raise UsageError(f"git: {reason}")
    root = result.stdout.decode("utf-8", "surrogateescape").strip()
    return GitRepo(root=Path(root), cwd=here.resolve())


def repo_of_file(path: str, cwd: Path | None = None) -> GitRepo:
    """The repository holding ``path`` (relative to ``cwd``), found from the file's own folder,
    so ``envaudit log ~/project/uv.lock`` works from anywhere; paths stay relative to cwd."""
    here = (Path.cwd() if cwd is None else cwd).resolve()
    folder = Path(os.path.normpath(here / path)).parent
    while not folder.is_dir() and folder != folder.parent:  # a file deleted with its folder
        folder = folder.parent
    found = open_repo(folder)
    return GitRepo(root=found.root, cwd=here)


def resolve_commit(repo: GitRepo, rev: str) -> str | None:
    """The full commit id ``rev`` names, or None when git does not know it."""
    if not rev or rev.startswith("-") or "\n" in rev:
        return None
    result = _run_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=repo.cwd)
    return result.stdout.decode().strip() if result.returncode == 0 else None


def require_commit(repo: GitRepo, rev: str) -> str:
    commit = resolve_commit(repo, rev)
    if commit is None:
        raise UsageError(f"unknown git revision {rev!r}")
    return commit


def read_blob(
    repo: GitRepo, commit: str, path: str, *, label: str, max_size: int = DEFAULT_MAX_SIZE
) -> bytes | None:
    """The bytes of ``path`` (inside the repo) at ``commit`` ("" = the index), or None.

    Symbolic links are followed while they stay inside the tree; one that leaves it,
    a directory, or a blob over ``max_size`` is refused with a UsageError.
    """
    where = f"{label}:{path}"
    if "\n" in path or not path or path == ".":
        raise UsageError(f"{where}: not a file path")
    check = _run_git(
        ["cat-file", "--batch-check", "--follow-symlinks"],
        cwd=repo.root,
        stdin=f"{commit}:{path}\n".encode("utf-8", "surrogateescape"),
    )
    header = check.stdout.decode("utf-8", "replace").split("\n", 1)[0].split()
    if check.returncode != 0 or len(header) < 2 or header[-1] == "missing":
        return None
    if header[0] in {"symlink", "dangling", "loop", "notdir"}:
        raise UsageError(f"{where}: a symbolic link that leaves the repository ({header[0]})")
    oid, kind, size = header[0], header[1], int(header[2]) if len(header) > 2 else 0
    if kind != "blob":
        raise UsageError(f"{where}: is a {kind}, expected a file")
    if size > max_size:
        raise UsageError(f"{where}: file is {size} bytes, over the {max_size}-byte limit")
    result = _run_git(["cat-file", "blob", oid], cwd=repo.root)
    if result.returncode != 0:
        raise UsageError(f"{where}: {_first_error_line(result)}")
    return result.stdout


def _within(path: str, directory: str) -> bool:
    return not directory or path == directory or path.startswith(directory.rstrip("/") + "/")


@record
class GitIncludeReader:
    """Resolves ``-r``/``-c`` includes inside the same revision as the including file.

    Origins are ``LABEL:path/in/repo``. Paths that leave the repository are always refused;
    paths that leave the top file's directory are refused unless ``allow_outside``.
    """

    repo: GitRepo
    commit: str
    label: str
    top_dir: str
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        prefix = f"{self.label}:"
        if not including.startswith(prefix):
            raise IncludeError(including, f"cannot include {target!r} from outside {self.label}")
        target_path = target.replace("\\", "/")
        if target_path.startswith("/") or _DRIVE_LETTER.match(target_path):
            raise IncludeError(
                including, f"include {target!r} is an absolute path; not read from a revision"
            )
        base = posixpath.dirname(including[len(prefix) :])
        joined = posixpath.normpath(posixpath.join(base, target_path))
        if joined == ".." or joined.startswith("../"):
            raise IncludeError(including, f"include {target!r} resolves outside the repository")
        if not self.allow_outside and not _within(joined, self.top_dir):
            raise IncludeError(
                including,
                f"include {target!r} resolves outside {self.top_dir or '.'}"
                " (pass --allow-outside to permit)",
            )
        origin = f"{prefix}{joined}"
        try:
            data = read_blob(
                self.repo, self.commit, joined, label=self.label, max_size=self.max_size
            )
        except UsageError as exc:
            raise IncludeError(including, f"cannot include {target!r}: {exc}") from None
        if data is None:
            raise IncludeError(including, f"cannot include {target!r}: {origin}: no such file")
        return origin, decode(data, origin)


@record
class LoadOptions:
    """The loader options of the command line, applied to both sides of a pair."""

    fmt: str | None = None
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE


@record
class Revision:
    """A commit ("" for the index) and the label its origins carry (``main:poetry.lock``)."""

    repo: GitRepo
    commit: str
    label: str

    def read(self, path: str, options: LoadOptions) -> bytes | None:
        return read_blob(self.repo, self.commit, path, label=self.label, max_size=options.max_size)

    def parse(self, path: str, data: bytes, options: LoadOptions) -> Manifest:
        origin = f"{self.label}:{path}"
        text = decode(data, origin)
        fmt = check_format(options.fmt) if options.fmt else detect_format(path, text)
        reader = GitIncludeReader(
            self.repo,
            self.commit,
            self.label,
            posixpath.dirname(path),
            options.allow_outside,
            options.max_size,
        )
        return load_text(text, origin=origin, fmt=fmt, reader=reader)


def split_revision_argument(argument: str) -> tuple[str, str] | None:
    """``main:poetry.lock`` -> ("main", "poetry.lock"); None for what cannot be REV:PATH.

    Windows paths (``C:\\x``, ``C:/x``) and URLs are not revisions. ``:path`` (empty REV)
    names the staged copy in the index, as in git.
    """
    if ":" not in argument or _DRIVE_LETTER.match(argument) or "://" in argument:
        return None
    rev, _, path = argument.partition(":")
    if not path or rev.startswith("-"):
        return None
    return rev, path


def load_revision_argument(
    argument: str, options: LoadOptions | None = None, *, cwd: Path | None = None
) -> Manifest:
    """Load ``REV:PATH`` (PATH from the repository root, or ``./``-relative to cwd, as git)."""
    options = options or LoadOptions()
    split = split_revision_argument(argument)
    if split is None:
        raise UsageError(f"{argument}: no such file")
    rev, path = split
    try:
        repo = open_repo(cwd)
    except UsageError as exc:
        raise UsageError(f"{argument}: no such file, and not a REV:PATH ({exc})") from None
    commit = "" if rev == "" else resolve_commit(repo, rev)
    if commit is None:
        raise UsageError(f"{argument}: no such file, and {rev!r} is not a known git revision")
    if path.startswith(("./", "../")):
        path = repo.relative(path)
    path = posixpath.normpath(path)
    if path == ".." or path.startswith(("../", "/")):
        raise UsageError(f"{argument}: {path!r} is outside the repository")
    revision = Revision(repo, commit, rev)
    data = revision.read(path, options)
    if data is None:
        where = "the index" if rev == "" else rev
        raise UsageError(f"{argument}: {path!r} does not exist in {where}")
    return revision.parse(path, data, options)


# --- diff --git REV [PATHS...] -------------------------------------------------------------


@record
class RevisionPair:
    """One file at a revision and in the work tree; a missing side is an empty manifest."""

    path: str  # inside the repository
    old: Manifest
    new: Manifest


def changed_paths(repo: GitRepo, commit: str, pathspecs: Sequence[str] = ()) -> list[str]:
    """Files (repo paths) that differ between ``commit`` and the work tree, deletions too."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv"]
    args += ["--no-relative", commit, "--", *pathspecs]
    result = _run_git(args, cwd=repo.cwd)
    if result.returncode != 0:
        raise UsageError(f"git diff: {_first_error_line(result)}")
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted(name for name in names if name)


def _supported(path: str, texts: Sequence[str]) -> bool:
    """A discovered file is audited when its name is a lock/env name (as the pre-commit hooks'
    ``files``) and, for the broad conda name patterns, its content shows a format."""
    if not AUDITED_PATHS.search(path) or EXCLUDED_PATHS.search(path):
        return False
    by_name = sniff_name(path) or "requirements"  # requirements/base.txt
    return by_name not in _CONTENT_CONFIRMED or any(sniff_content(text) for text in texts)


def _empty(fmt: str, origin: str) -> Manifest:
    return Manifest(source=source_info(fmt, origin, ""))


def _load_work_file(repo: GitRepo, path: str, text: str, options: LoadOptions) -> Manifest:
    fmt = check_format(options.fmt) if options.fmt else detect_format(path, text)
    reader = FileIncludeReader((repo.root / path).parent, options.allow_outside, options.max_size)
    return load_text(text, origin=repo.display(path), fmt=fmt, reader=reader)


def _pair(
    base: Revision | None, repo: GitRepo, path: str, *, explicit: bool, options: LoadOptions
) -> RevisionPair | None:
    old_data = base.read(path, options) if base else None
    old_origin = f"{base.label if base else '(no commit)'}:{path}"
    work_file = repo.root / path
    new_text = (
        read_file(work_file, repo.display(path), max_size=options.max_size)
        if work_file.is_file()
        else None
    )
    old_text = None if old_data is None else decode(old_data, old_origin)
    if old_text == new_text:
        return None  # unchanged (or absent on both sides)
    if not explicit and not _supported(path, [t for t in (old_text, new_text) if t is not None]):
        return None
    new = None if new_text is None else _load_work_file(repo, path, new_text, options)
    if base is None or old_data is None:
        assert new is not None
        return RevisionPair(path, _empty(new.source.format, old_origin), new)
    old = base.parse(path, old_data, options)
    return RevisionPair(path, old, new or _empty(old.source.format, repo.display(path)))


def revision_pairs(
    rev: str | None,
    paths: Sequence[str] = (),
    options: LoadOptions | None = None,
    *,
    cwd: Path | None = None,
    label: str | None = None,
) -> list[RevisionPair]:
    """Every supported file changed between ``rev`` and the work tree, paired by path.

    With ``paths``, only those: existing files are compared even when untracked or unusually
    named; other paths (directories, deleted files) are git pathspecs. ``rev=None`` means no
    base commit (a repository without commits): every file is new. ``label`` names the old
    side in origins (default: ``rev`` as given).
    """
    options = options or LoadOptions()
    repo = open_repo(cwd)
    if rev is not None and label is None:
        label = rev[:12] if _FULL_SHA.fullmatch(rev) else rev
    base = Revision(repo, require_commit(repo, rev), label or "") if rev is not None else None
    explicit = {repo.relative(path) for path in paths if (repo.cwd / path).is_file()}
    discovered: set[str] = set()
    pathspecs = [path for path in paths if not (repo.cwd / path).is_file()]
    if base is not None and (pathspecs or not paths):
        discovered = set(changed_paths(repo, base.commit, pathspecs))
    pairs = [
        _pair(base, repo, path, explicit=path in explicit, options=options)
        for path in sorted(explicit | discovered)
    ]
    return [pair for pair in pairs if pair is not None]


def pre_commit_base(
    from_ref: str | None, to_ref: str | None, cwd: Path | None = None
) -> str | None:
    """The revision the envaudit-diff hook compares against.

    ``pre-commit run --from-ref A --to-ref B`` (and pre-push) set PRE_COMMIT_FROM_REF/TO_REF:
    compare against their merge base, as pre-commit lists ``A...B``; otherwise HEAD. None when
    the repository has no commit yet (everything staged is new).
    """
    repo = open_repo(cwd)
    if from_ref and not from_ref.startswith("-"):
        if to_ref and not to_ref.startswith("-"):
            result = _run_git(["merge-base", from_ref, to_ref], cwd=repo.cwd)
            if result.returncode == 0:
                return result.stdout.decode().strip()
        return from_ref
    return "HEAD" if resolve_commit(repo, "HEAD") else None


def merge_reports(reports: Sequence[Report]) -> Report:
    """One report of every pair's findings, for SARIF upload and annotations.

    A finding located in the old side (``REV:path``, e.g. a removed package) is moved to the
    work-tree file, without a line: code scanning and annotations only point at real files.
    """
    findings: list[Finding] = []
    for report in reports:
        old, new = report.inputs[0].path, report.inputs[-1].path
        findings += [
            replace(finding, location=Location(new))
            if finding.location.path == old and old != new
            else finding
            for finding in report.findings
        ]
    inputs = [source for report in reports for source in report.inputs]
    return make_report("diff", inputs, findings)
