"""Git revisions as sources: REV:PATH arguments, `diff --git`, includes inside a revision."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from envaudit.cli import main
from envaudit.errors import IncludeError, UsageError
from envaudit.gitrev import (
    LoadOptions,
    load_revision_argument,
    open_repo,
    pre_commit_base,
    revision_pairs,
    split_revision_argument,
)
from tests.gitutil import GIT_ENV, isolated_git_config

_git_config = pytest.fixture(scope="module", autouse=True)(isolated_git_config)


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits: the second bumps numpy (top file) and requests (an included file)."""
    root = tmp_path / "repo"
    root.mkdir()
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    monkeypatch.delenv("PRE_COMMIT_TO_REF", raising=False)
    git(root, "init", "-q", "-b", "main")
    write(root, "requirements.txt", "numpy==1.26.4\n-r req/base.txt\n")
    write(root, "req/base.txt", "requests==2.31.0\n")
    commit_all(root, "one")
    write(root, "requirements.txt", "numpy==2.0.0\n-r req/base.txt\n")
    write(root, "req/base.txt", "requests==2.32.0\n")
    commit_all(root, "bump numpy")
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_diff_git_reports_the_bump_of_the_last_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "diff", "--git", "HEAD~1")
    assert code == 0, err  # a major upgrade is a warning; the default --fail-on is error
    assert out.startswith("--- HEAD~1:requirements.txt (requirements)\n+++ requirements.txt")
    assert re.search(r"upgraded\s+numpy\s+1\.26\.4 → 2\.0\.0 \(major\)", out)
    # the -r include was read from the same revision, not from the work tree
    assert re.search(r"upgraded\s+requests\s+2\.31\.0 → 2\.32\.0", out)
    assert "requirements.txt:1: warning EA503 major-upgrade" in out
    code, _, _ = run(capsys, "diff", "--git", "HEAD~1", "--fail-on", "warning")
    assert code == 1


def test_unknown_revision_is_a_one_line_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "diff", "--git", "no-such-branch")
    assert (code, out, err) == (2, "", "unknown git revision 'no-such-branch'\n")
    code, _, err = run(capsys, "diff", "--git", "--upload-pack=touch x")
    assert code == 2
    assert err == "unknown git revision '--upload-pack=touch x'\n"
    assert not (repo / "x").exists()


def test_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = run(capsys, "diff", "--git", "HEAD")
    assert code == 2
    assert err == f"not a git repository: {outside}\n"
    code, _, err = run(capsys, "diff", "main:requirements.txt", "requirements.txt")
    assert code == 2
    assert err == (
        "main:requirements.txt: no such file, and not a REV:PATH"
        f" (not a git repository: {outside})\n"
    )


def test_rev_path_arguments(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "HEAD~1:requirements.txt", "requirements.txt")
    assert code == 0
    assert "--- HEAD~1:requirements.txt (requirements)" in out
    assert re.search(r"upgraded\s+requests\s+2\.31\.0 → 2\.32\.0", out)
    code, out, _ = run(capsys, "show", "--format", "json", "main~1:requirements.txt")
    data = json.loads(out)
    assert data["source"]["path"] == "main~1:requirements.txt"
    origins = {p["name"]: p["origin"] for p in data["packages"]}
    assert origins == {"numpy": "main~1:requirements.txt:1", "requests": "main~1:req/base.txt:1"}


def test_rev_path_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diff", "mian:requirements.txt", "requirements.txt")
    assert code == 2
    assert err == "mian:requirements.txt: no such file, and 'mian' is not a known git revision\n"
    code, _, err = run(capsys, "show", "HEAD:missing.txt")
    assert (code, err) == (2, "HEAD:missing.txt: 'missing.txt' does not exist in HEAD\n")
    code, _, err = run(capsys, "show", "HEAD:req")
    assert (code, err) == (2, "HEAD:req: is a tree, expected a file\n")
    code, _, err = run(capsys, "show", "HEAD:../outside.txt")
    assert code == 2
    assert "outside the git repository" in err


def test_rev_path_from_a_subdirectory_follows_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo / "req")
    code, out, _ = run(capsys, "show", "HEAD~1:./base.txt")  # ./ = relative to cwd, as git
    assert code == 0
    assert re.search(r"requests\s+2\.31\.0", out)
    code, out, _ = run(capsys, "show", "HEAD~1:requirements.txt")  # else from the top
    assert code == 0
    assert re.search(r"numpy\s+1\.26\.4", out)


def test_an_existing_file_with_a_colon_wins(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "HEAD:requirements.txt", "scipy==1.13.0\n")
    code, out, _ = run(capsys, "show", "HEAD:requirements.txt")
    assert code == 0
    assert "scipy" in out
    assert "numpy" not in out


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("main:poetry.lock", ("main", "poetry.lock")),
        ("origin/main:sub/uv.lock", ("origin/main", "sub/uv.lock")),
        ("HEAD~1:a:b.txt", ("HEAD~1", "a:b.txt")),
        (":requirements.txt", ("", "requirements.txt")),
        ("C:\\work\\requirements.txt", None),
        ("c:/work/requirements.txt", None),
        ("https://example.com/requirements.txt", None),
        ("requirements.txt", None),
        ("main:", None),
        ("--output:x", None),
    ],
)
def test_split_revision_argument(argument: str, expected: tuple[str, str] | None) -> None:
    assert split_revision_argument(argument) == expected


def test_staged_copy_from_the_index(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "requirements.txt", "numpy==2.1.0\n-r req/base.txt\n")
    git(repo, "add", "requirements.txt")
    write(repo, "requirements.txt", "numpy==9.9.9\n")  # unstaged: not what is committed
    code, out, _ = run(capsys, "check", "--fail-on", "never", ":requirements.txt")
    assert code == 0
    assert "(:requirements.txt)" in out
    manifest = load_revision_argument(":requirements.txt")
    assert {p.name: p.version for p in manifest.packages} == {
        "numpy": "2.1.0",
        "requests": "2.32.0",
    }


def test_includes_stay_inside_the_revision(repo: Path) -> None:
    write(repo, "docs/requirements.txt", "-r ../requirements.txt\n")
    write(repo, "docs/escape.txt", "-r ../../../etc/passwd\n")
    write(repo, "docs/absolute.txt", "-r /etc/passwd\n")
    commit_all(repo, "docs")
    with pytest.raises(IncludeError, match=r"resolves outside docs \(pass --allow-outside"):
        load_revision_argument("HEAD:docs/requirements.txt")
    allowed = load_revision_argument("HEAD:docs/requirements.txt", LoadOptions(allow_outside=True))
    assert {p.name for p in allowed.packages} == {"numpy", "requests"}
    with pytest.raises(IncludeError) as escape:
        load_revision_argument("HEAD:docs/escape.txt", LoadOptions(allow_outside=True))
    assert str(escape.value) == (
        "HEAD:docs/escape.txt:1: include '../../../etc/passwd' resolves outside the repository"
    )
    with pytest.raises(IncludeError, match="absolute path; not read from a revision"):
        load_revision_argument("HEAD:docs/absolute.txt", LoadOptions(allow_outside=True))


def test_missing_include_in_the_revision(repo: Path) -> None:
    write(repo, "requirements.txt", "-r gone.txt\n")
    commit_all(repo, "broken include")
    with pytest.raises(IncludeError) as error:
        load_revision_argument("HEAD:requirements.txt")
    assert str(error.value) == (
        "HEAD:requirements.txt:1: cannot include 'gone.txt': HEAD:gone.txt: no such file"
    )


def test_symlinks_are_followed_only_inside_the_tree(repo: Path) -> None:
    (repo / "linked.txt").symlink_to("req/base.txt")
    (repo / "leaving.txt").symlink_to("/etc/hostname")
    commit_all(repo, "links")
    manifest = load_revision_argument("HEAD:linked.txt")
    assert [p.name for p in manifest.packages] == ["requests"]
    with pytest.raises(UsageError, match="symbolic link that leaves the repository"):
        load_revision_argument("HEAD:leaving.txt")


def test_max_size_applies_to_blobs(repo: Path) -> None:
    with pytest.raises(UsageError, match=r"file is \d+ bytes, over the 8-byte limit"):
        load_revision_argument("HEAD:requirements.txt", LoadOptions(max_size=8))


def test_added_deleted_and_ignored_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "environment.yml", "name: x\ndependencies:\n  - python=3.11\n")
    write(repo, "requirements/gpu.txt", "torch==2.3.0\n")
    write(repo, "MANIFEST.in", "include README.md\n")
    write(repo, ".github/workflows/env.yml", "on: push\njobs: {}\n")
    write(repo, "ci/env-vars.yml", "FOO: 1\n")  # an env-ish name without conda content
    commit_all(repo, "more")
    (repo / "environment.yml").unlink()
    write(repo, "requirements/gpu.txt", "torch==2.3.1\n")
    write(repo, "MANIFEST.in", "include README.md LICENSE\n")
    write(repo, ".github/workflows/env.yml", "on: pull_request\njobs: {}\n")
    write(repo, "ci/env-vars.yml", "FOO: 2\n")
    write(repo, "requirements-dev.txt", "pytest==8.2.0\n")  # untracked: only when named
    pairs = revision_pairs("HEAD")
    assert [pair.path for pair in pairs] == ["environment.yml", "requirements/gpu.txt"]
    deleted = pairs[0]
    assert [p.name for p in deleted.old.packages] == ["python"]
    assert deleted.new.packages == ()
    assert deleted.new.source.path == "environment.yml"
    named = revision_pairs("HEAD", ["requirements-dev.txt", "requirements"])
    assert [pair.path for pair in named] == ["requirements-dev.txt", "requirements/gpu.txt"]
    assert named[0].old.source.path == "HEAD:requirements-dev.txt"
    assert named[0].old.packages == ()
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "requirements-dev.txt")
    assert code == 0
    assert re.search(r"added\s+pytest\s+8\.2\.0", out)


def test_nothing_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "--git", "HEAD")
    assert (code, out) == (0, "diff: no lock or environment file changed since HEAD\n")
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "markdown")
    assert out == "### envaudit diff\n\nno lock or environment file changed since HEAD\n"


def test_machine_formats_of_several_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "requirements-gpu.txt", "torch==2.3.0+cpu\nflask==3.0.0\n")
    commit_all(repo, "gpu")
    write(repo, "requirements-gpu.txt", "torch==2.3.0+cu121\n")
    write(repo, "requirements.txt", "numpy==2.0.1\n-r req/base.txt\n")
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "json")
    assert code == 1  # the CUDA variant swap (EA507) is an error
    documents = json.loads(out)
    assert [d["inputs"][1]["path"] for d in documents] == [
        "requirements-gpu.txt",
        "requirements.txt",
    ]
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    removed = next(r for r in results if r["ruleId"] == "EA502")  # flask removed
    # the old side (HEAD:requirements-gpu.txt) is no file code scanning knows: point at the
    # work-tree file instead, without the old line number
    assert removed["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "requirements-gpu.txt"}
    }
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "github")
    assert "::error file=requirements-gpu.txt,line=1,title=EA507" in out
    assert out.rstrip().endswith("envaudit diff: 1 error, 0 warnings, 2 notes")
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "markdown")
    assert out.count("### envaudit diff: ") == 2


def test_markdown_of_many_files_stays_under_the_comment_limit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(12):
        write(repo, f"req{number}/requirements.txt", "".join(f"p{i}==1.0\n" for i in range(600)))
    commit_all(repo, "many")
    for number in range(12):
        write(repo, f"req{number}/requirements.txt", "".join(f"p{i}==2.0\n" for i in range(600)))
    code, out, _ = run(capsys, "diff", "--git", "HEAD", "--format", "markdown")
    assert code == 0
    assert len(out) <= 65536 - 256
    assert "### envaudit diff: `HEAD:req0/requirements.txt`" in out
    assert "Details left out (comment limit)" in out or "more changed file(s)" in out


def test_exit_code_flag(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "requirements.txt", "numpy==2.0.0\n-r req/base.txt\n# a comment\n")
    code, _, _ = run(capsys, "diff", "--git", "HEAD", "--exit-code")
    assert code == 0  # the file changed, its packages did not
    code, _, _ = run(capsys, "diff", "--git", "HEAD~1", "--exit-code")
    assert code == 1


def test_diff_needs_two_files_without_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diff", "requirements.txt")
    assert code == 2
    assert "expected OLD and NEW (or --git REV [FILES]...)" in err


def test_pre_commit_base(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pre_commit_base(None, None) == "HEAD"
    first = git(repo, "rev-parse", "HEAD~1").strip()
    assert pre_commit_base(first, None) == first
    git(repo, "checkout", "-q", "-b", "topic", "HEAD~1")
    write(repo, "other.txt", "x\n")
    commit_all(repo, "topic")
    # pre-commit lists FROM...TO: the merge base of main and topic is the first commit
    assert pre_commit_base("main", "topic") == first


def test_pre_commit_flag_reads_the_environment(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "requirements.txt", "numpy==2.0.1\n-r req/base.txt\n")
    code, out, _ = run(capsys, "diff", "--pre-commit", "requirements.txt")
    assert code == 0
    assert "--- HEAD:requirements.txt" in out
    assert re.search(r"upgraded\s+numpy\s+2\.0\.0 → 2\.0\.1", out)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "HEAD~1")
    code, out, _ = run(capsys, "diff", "--pre-commit", "requirements.txt")
    assert "--- HEAD~1:requirements.txt" in out
    assert re.search(r"upgraded\s+numpy\s+1\.26\.4 → 2\.0\.1", out)


def test_pre_commit_in_a_repository_without_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "requirements.txt", "numpy==2.0.0\n")
    git(tmp_path, "add", "requirements.txt")
    monkeypatch.chdir(tmp_path)
    assert pre_commit_base(None, None) is None
    code, out, _ = run(capsys, "diff", "--pre-commit", "requirements.txt")
    assert code == 0
    assert "--- (no commit):requirements.txt" in out
    assert re.search(r"added\s+numpy\s+2\.0\.0", out)


def test_paths_outside_the_repository_are_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("numpy\n")
    with pytest.raises(UsageError, match="outside the git repository"):
        revision_pairs("HEAD", [str(elsewhere)])


def test_open_repo_finds_the_top_level(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = open_repo(repo / "req")
    assert found.root.resolve() == repo.resolve()
    assert found.relative("base.txt") == "req/base.txt"
    assert found.display("requirements.txt") == "../requirements.txt"


def readme_block(section: str, language: str) -> str:
    text = (Path(__file__).parents[1] / "README.md").read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", body, re.DOTALL)
    assert len(blocks) == 1, section
    return str(blocks[0])


def test_readme_code_review_snippet(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every command of README "In code review", run as written in a repository like the text."""
    samples = Path(__file__).parents[1] / "samples" / "poetry-lock"
    old = samples / "huggingface__text-generation-inference__server-poetry-lock__v1.lock"
    new = samples / "huggingface__text-generation-inference__server-poetry-lock__v2.lock"
    (repo / "poetry.lock").write_bytes(old.read_bytes())
    commit_all(repo, "poetry.lock")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    (repo / "poetry.lock").write_bytes(new.read_bytes())
    commands = [line for line in readme_block("In code review", "bash").splitlines() if line]
    assert len(commands) == 3
    for command in commands:
        words = shlex.split(command, comments=True)
        assert words[0] == "envaudit"
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        code, out, err = run(capsys, *words[1:])
        assert code == 1, (command, err)  # the torch CUDA variant swap (EA507) is an error
        assert "torch" in out
        if target:
            (repo / target).write_text(out)
    report = (repo / "envaudit.md").read_text()
    assert report.startswith("### envaudit diff: `origin/main:poetry.lock` → `poetry.lock`")


def test_page_formats_show_one_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "requirements-dev.txt", "pytest==8.2.0\n")
    git(repo, "add", "requirements-dev.txt")
    code, _, err = run(capsys, "diff", "--git", "HEAD~1", "--format", "html")
    assert (code, err) == (2, "--format html shows one file; name it after --git REV\n")
    code, out, _ = run(capsys, "diff", "--git", "HEAD~1", "requirements.txt", "--format", "html")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")
