"""``envaudit log``: a test repository with 20 scripted commits, and the drift each one made."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from envaudit import gitrev, history
from envaudit.cli import main
from envaudit.errors import UsageError

H = {name: f"--hash=sha256:{digit * 64}" for name, digit in (("a", "a"), ("b", "b"), ("c", "c"),
     ("d", "d"), ("e", "e"), ("f", "f"), ("g", "1"), ("h", "2"))}  # fmt: skip
BASE, RENAMED = "requirements.txt", "requirements/base.txt"


def lines(*entries: str) -> str:
    return "".join(f"{entry}\n" for entry in entries)


@dataclass(frozen=True)
class Step:
    """One scripted commit: what it writes (None deletes; a tuple renames) and the drift."""

    subject: str
    content: str | tuple[str, str] | None
    packages: int | None
    drift: dict[str, int] = field(default_factory=dict)
    new_rules: tuple[str, ...] = ()
    resolved_rules: tuple[str, ...] = ()
    drift_rules: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    error: bool = False


HASHED = lines(f"numpy==1.26.4 {H['a']}", f"pandas==2.0.3 {H['b']}", f"torch==2.1.0+cu121 {H['c']}")
WITH_SCIPY = lines(f"numpy==1.26.4 {H['d']}", f"pandas==2.0.3 {H['b']}",
                   f"torch==2.1.0+cu121 {H['c']}", f"scipy==1.11.0 {H['e']}")  # fmt: skip
INDEX = "--extra-index-url https://download.pytorch.org/whl/cu121\n"
RANGE = INDEX + lines(f"numpy==1.26.4 {H['d']}", "pandas>=2.0", f"torch==2.1.0+cu121 {H['c']}",
                      f"scipy==1.12.0 {H['f']}")  # fmt: skip
SWAPPED = INDEX + lines(f"numpy==1.26.4 {H['d']}", "pandas>=2.0", f"torch==2.1.0+cu121 {H['c']}",
                        f"attrs==23.1.0 {H['g']}", f"click==8.1.7 {H['h']}")  # fmt: skip
STEPS = (
    Step("initial", lines("numpy==1.26.0", "requests==2.31.0", "torch==2.1.0+cu118"), 3,
         {"added": 3}, new_rules=("EA104",), drift_rules=("EA501",)),
    Step("numpy patch", lines("numpy==1.26.4", "requests==2.31.0", "torch==2.1.0+cu118"), 3,
         {"upgraded": 1}, drift_rules=("EA504",)),
    Step("add pandas", lines("numpy==1.26.4", "requests==2.31.0", "torch==2.1.0+cu118",
                             "pandas==2.1.0"), 4, {"added": 1}, drift_rules=("EA501",)),
    Step("torch to cu121", lines("numpy==1.26.4", "requests==2.31.0", "torch==2.1.0+cu121",
                                 "pandas==2.1.0"), 4, {"build-changed": 1}, drift_rules=("EA507",)),
    Step("drop requests", lines("numpy==1.26.4", "torch==2.1.0+cu121", "pandas==2.1.0"), 3,
         {"removed": 1}, drift_rules=("EA502",)),
    Step("pandas back", lines("numpy==1.26.4", "torch==2.1.0+cu121", "pandas==2.0.3"), 3,
         {"downgraded": 1}, drift_rules=("EA505",)),
    Step("hash everything", HASHED, 3, resolved_rules=("EA104",)),
    Step("numpy rebuilt", HASHED.replace(H["a"], H["d"]), 3, {"hashes-changed": 1},
         drift_rules=("EA506",)),
    Step("move under requirements/", (BASE, RENAMED), 3),
    Step("broken edit", HASHED.replace(H["a"], H["d"]) + "scipy==1.11.0 --hash=sha256:zz\n",
         None, error=True),
    Step("add scipy", WITH_SCIPY, 4, {"added": 1}, drift_rules=("EA501",)),
    Step("pytorch index, loose pandas, scipy minor",
         RANGE, 4, {"upgraded": 1, "version-changed": 1}, new_rules=("EA102", "EA105", "EA301"),
         drift_rules=("EA504", "EA511", "EA513"), sections=("indexes",)),
    Step("swap scipy for attrs and click", SWAPPED, 5, {"added": 2, "removed": 1},
         drift_rules=("EA501", "EA502")),
    Step("comment only", "# base requirements\n" + SWAPPED, 5),
    Step("delete", None, 0, {"removed": 5}, resolved_rules=("EA102", "EA105", "EA301"),
         drift_rules=("EA502", "EA511"), sections=("indexes",)),
    Step("restore", "# base requirements\n" + SWAPPED, 5, {"added": 5},
         new_rules=("EA102", "EA105", "EA301"), drift_rules=("EA501", "EA511"),
         sections=("indexes",)),
    Step("torch back to cu118", "# base requirements\n" + SWAPPED.replace("+cu121", "+cu118"), 5,
         {"build-changed": 1}, drift_rules=("EA507",)),
    Step("click minor", "# base requirements\n" + SWAPPED.replace("+cu121", "+cu118")
         .replace("8.1.7", "8.2.0"), 5, {"upgraded": 1}, drift_rules=("EA504",)),
    Step("numpy back", "# base requirements\n" + SWAPPED.replace("+cu121", "+cu118")
         .replace("8.1.7", "8.2.0").replace("1.26.4", "1.26.0"), 5, {"downgraded": 1},
         drift_rules=("EA505",)),
    Step("pin pandas", "# base requirements\n" + SWAPPED.replace("+cu121", "+cu118")
         .replace("8.1.7", "8.2.0").replace("1.26.4", "1.26.0")
         .replace("pandas>=2.0", f"pandas==2.2.0 {H['b']}"), 5, {"version-changed": 1},
         resolved_rules=("EA102", "EA105"), drift_rules=("EA513",)),
)  # fmt: skip


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def _commit(repo: Path, step: Step, index: int) -> str:
    target = repo / (BASE if index < 8 else RENAMED)
    if isinstance(step.content, tuple):
        (repo / "requirements").mkdir()
        git(repo, "mv", *step.content)
    elif step.content is None:
        git(repo, "rm", "-q", str(target.relative_to(repo)))
    else:
        target.parent.mkdir(exist_ok=True)  # git rm removed the emptied directory
        target.write_text(step.content, encoding="utf-8")
        git(repo, "add", str(target.relative_to(repo)))
    (repo / "other.txt").write_text(f"unrelated {index}\n")  # the file log must skip
    git(repo, "add", "other.txt")
    date = f"2025-01-{index + 1:02d}T12:00:00+00:00"
    subprocess.run(["git", "commit", "-q", "-m", step.subject], cwd=repo, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})  # fmt: skip
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "CI")
    commits = [_commit(repo, step, index) for index, step in enumerate(STEPS)]
    return repo, commits


@pytest.fixture
def in_repo(scripted: tuple[Path, list[str]]) -> Iterator[Path]:
    cwd = Path.cwd()
    os.chdir(scripted[0])
    try:
        yield scripted[0]
    finally:
        os.chdir(cwd)


def _expected(step: Step, commit: str) -> dict[str, object]:
    return {
        "commit": commit,
        "subject": step.subject,
        "packages": step.packages,
        "drift": step.drift,
        "new_rules": list(step.new_rules),
        "resolved_rules": list(step.resolved_rules),
        "drift_rules": list(step.drift_rules),
        "sections": list(step.sections),
        "deleted": step.content is None,
        "error": step.error,
    }


def _observed(entry: dict[str, object]) -> dict[str, object]:
    keys = ("commit", "subject", "packages", "drift", "new_rules", "resolved_rules", "drift_rules",
            "sections", "deleted")  # fmt: skip
    return {key: entry[key] for key in keys} | {"error": entry["error"] is not None}


def test_twenty_commits_reproduce_the_scripted_drift(
    scripted: tuple[Path, list[str]], in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, commits = scripted
    assert main(["log", RENAMED, "--reverse", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["order"] == "oldest-first" and document["base"] is None
    observed = [_observed(entry) for entry in document["commits"]]
    assert observed == [
        _expected(step, commit) for step, commit in zip(STEPS, commits, strict=True)
    ]
    paths = [entry["path"] for entry in document["commits"]]
    assert paths == [BASE] * 8 + [RENAMED] * 12  # the rename is followed


def test_text_is_newest_first_like_git_log(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["log", RENAMED]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 20
    assert out[0].endswith("| pin pandas") and " 2025-01-20 " in out[0]
    assert "1 respecified; resolved EA102, EA105; drift EA513" in out[0]
    assert out[-1].endswith("   3 pkgs  +3; new EA104; drift EA501  | initial")
    broken = next(line for line in out if line.endswith("| broken edit"))
    assert "   ? pkgs  unparseable, skipped: " in broken
    assert "invalid hash 'sha256:zz'" in broken
    deleted = next(line for line in out if line.endswith("| delete"))
    assert "   0 pkgs  file deleted; -5" in deleted
    torch = next(line for line in out if line.endswith("| torch to cu121"))
    assert "1 variant; drift EA507" in torch


def test_max_count_uses_the_commit_before_as_base(
    scripted: tuple[Path, list[str]], in_repo: Path
) -> None:
    _, commits = scripted
    result = history.file_history(RENAMED, max_count=3)
    assert result.base == commits[16]
    assert [e.commit.subject for e in result.entries] == ["click minor", "numpy back", "pin pandas"]
    assert [e.drift for e in result.entries] == [{"upgraded": 1}, {"downgraded": 1},
                                                 {"version-changed": 1}]  # fmt: skip


def test_since_compares_with_the_file_at_that_revision(
    scripted: tuple[Path, list[str]], in_repo: Path
) -> None:
    _, commits = scripted
    result = history.file_history(RENAMED, since=commits[2])
    assert result.base == commits[2]
    assert len(result.entries) == 17
    assert result.entries[0].commit.subject == "torch to cu121"
    assert result.entries[0].drift == {"build-changed": 1}  # not "+4": the base is commit 3


def test_since_and_max_count_together(scripted: tuple[Path, list[str]], in_repo: Path) -> None:
    _, commits = scripted
    newest = history.file_history(RENAMED, since=commits[2], max_count=2)
    assert newest.base == commits[17]
    assert [e.commit.subject for e in newest.entries] == ["numpy back", "pin pandas"]
    everything = history.file_history(RENAMED, since=commits[17], max_count=5)
    assert everything.base == commits[17]
    assert [e.drift for e in everything.entries] == [{"downgraded": 1}, {"version-changed": 1}]


def test_parallel_parsing_gives_the_same_history(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = history.file_history(RENAMED, options=history.LogOptions(jobs=1))
    monkeypatch.setattr(history, "PARALLEL_MIN_REVISIONS", 2)
    parallel = history.file_history(RENAMED, options=history.LogOptions(jobs=2))
    assert parallel == sequential


def test_each_revision_is_parsed_once(in_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    original = history.parse_revision

    def counting(
        repo: gitrev.GitRepo, commit: str, path: str, options: history.LogOptions
    ) -> history.ParsedRevision:
        parsed.append(commit)
        return original(repo, commit, path, options)

    monkeypatch.setattr(history, "parse_revision", counting)
    history.file_history(RENAMED, max_count=5)
    assert len(parsed) == len(set(parsed)) == 6  # five shown and the base


def test_markdown_and_html(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["log", RENAMED, "--format", "markdown", "-n", "2"])
    out = capsys.readouterr().out
    assert out.startswith("### envaudit log `requirements/base.txt`")
    assert "| 5 | 1 respecified; resolved EA102, EA105; drift EA513 | pin pandas |" in out
    main(["log", RENAMED, "--format", "html", "-o", "log.html"])
    html = (in_repo / "log.html").read_text(encoding="utf-8")
    (in_repo / "log.html").unlink()
    assert html.count('<g class="commit">') == 20


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1\n")
    with pytest.raises(UsageError, match="not a git repository"):
        history.file_history("requirements.txt", cwd=tmp_path)


def test_a_file_in_a_repository_is_logged_from_outside_it(
    scripted: tuple[Path, list[str]], tmp_path: Path
) -> None:
    # `envaudit log ~/project/requirements.txt` from another folder: the repository is the
    # file's, and the path stays relative to where the command runs.
    repo, commits = scripted
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = os.path.relpath(repo / RENAMED, outside)
    result = history.file_history(target, cwd=outside)
    assert [entry.commit.commit for entry in result.entries] == commits


def test_unknown_since_revision(in_repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git revision 'nope'"):
        history.file_history(RENAMED, since="nope")


def test_parse_log_keeps_the_newer_path_for_a_merge() -> None:
    output = "\x1eabc\x001700000000\x00merge\x00\x1edef\x001600000000\x00old\x00\nold.txt\x00"
    commits = history.parse_log(output, "new.txt")
    assert [(c.commit, c.path) for c in commits] == [("abc", "new.txt"), ("def", "old.txt")]
