"""The composite GitHub Action: its shell steps, run locally against a temporary repository.

The simulation does what the runner does for a composite action's `run` steps: evaluates the
`${{ }}` expressions of each step's `env`, runs the script with `bash --noprofile --norc -eo
pipefail`, and reads `$GITHUB_OUTPUT` back as `steps.<id>.outputs`. The install step is
replaced by an `envaudit` on PATH that runs this checkout (the real pip install is exercised by
tests/test_precommit.py); the `uses:` step (upload-sarif) only has its inputs checked; `gh` is
a fake that records the API calls.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT
from tests.gitutil import GIT_ENV, isolated_git_config

ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text())
_git_config = pytest.fixture(scope="module", autouse=True)(isolated_git_config)


_EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
_FAKE_GH = """#!/bin/sh
# records every call; answers the comment listing with $FAKE_GH_EXISTING (a comment id)
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
for arg in "$@"; do
  case "$arg" in body=@*) cp "${arg#body=@}" "$FAKE_GH_LOG.body" ;; esac
done
case "$*" in *--paginate*) [ -n "${FAKE_GH_EXISTING:-}" ] && echo "$FAKE_GH_EXISTING" ;; esac
exit 0
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@dataclass
class Runner:
    """A stand-in for the GitHub runner executing this action's steps."""

    workspace: Path
    temp: Path
    inputs: dict[str, str]
    github: dict[str, Any]
    environ: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    logs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return (self.temp / "summary.md").read_text()

    def evaluate(self, text: str) -> str:
        def lookup(match: re.Match[str]) -> str:
            scope, _, rest = match.group(1).partition(".")
            value: Any = {"inputs": self.inputs, "github": self.github, "steps": self.outputs}[
                scope
            ]
            for part in rest.split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            return str(value)

        return _EXPRESSION.sub(lookup, text)

    def run_step(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        output_file = self.temp / "output.txt"
        output_file.write_text("")
        script = self.temp / "step.sh"
        script.write_text(step["run"])
        env = {**self.environ, "GITHUB_OUTPUT": str(output_file)}
        env.update({key: self.evaluate(str(value)) for key, value in step["env"].items()})
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        pairs = (line.split("=", 1) for line in output_file.read_text().splitlines() if line)
        self.outputs[step["id"]] = {"outputs": dict(pairs)}  # type: ignore[dict-item]
        self.logs[step["id"]] = result
        return result

    def run_all(self) -> int:
        """Every step in order, as GitHub would (a failing step stops the job)."""
        for step in ACTION["runs"]["steps"]:
            if "uses" in step:
                continue
            if step["id"] == "install":
                continue  # replaced by the envaudit shim on PATH
            result = self.run_step(step)
            if result.returncode != 0:
                return result.returncode
        return 0

    def output(self, name: str) -> str:
        return self.evaluate(ACTION["outputs"][name]["value"])


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A bare origin with main, and a clone on a PR branch that swaps torch's CUDA variant."""
    origin = tmp_path / "origin.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(work))
    git(work, "checkout", "-q", "-b", "main")
    (work / "requirements.txt").write_text("torch==2.3.0+cpu\nnumpy==1.26.4\nflask==3.0.0\n")
    (work / "README.md").write_text("hello\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "base")
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "pr")
    (work / "requirements.txt").write_text("torch==2.3.0+cu121\nnumpy==2.0.0\n")
    (work / "README.md").write_text("hello again\n")
    git(work, "commit", "-q", "-am", "pr")
    # a fresh PR checkout has not fetched the base branch: the action must fetch it
    git(work, "update-ref", "-d", "refs/remotes/origin/main")
    return work


def make_runner(workspace: Path, tmp_path: Path, **inputs: str) -> Runner:
    temp = tmp_path / "runner-temp"
    tools = tmp_path / "tools"
    temp.mkdir()
    tools.mkdir()
    executable(
        tools / "envaudit",
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m envaudit "$@"\n',
    )
    executable(tools / "gh", _FAKE_GH)
    (temp / "summary.md").write_text("")
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))},
        **GIT_ENV,
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(temp),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        "GITHUB_PATH": str(temp / "path.txt"),
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_BASE_REF": "main",
        "GITHUB_EVENT_NAME": "pull_request",
        "FAKE_GH_LOG": str(tmp_path / "gh.log"),
    }
    github = {
        "action_path": str(ROOT),
        "token": "fake-token",
        "event": {"pull_request": {"number": "7"}},
    }
    defaults["github-token"] = "fake-token"
    return Runner(workspace, temp, {**defaults, **inputs}, github, environ)


def gh_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "gh.log"
    return log.read_text().splitlines() if log.exists() else []


def test_pull_request_report_summary_annotations_and_comment(
    pull_request: Path, tmp_path: Path
) -> None:
    runner = make_runner(pull_request, tmp_path)
    code = runner.run_all()
    report = runner.logs["report"]
    assert code == 1  # the verdict step fails: EA507 (CUDA variant swap) is an error
    assert runner.output("exit-code") == "1"
    assert runner.output("changed") == "true"
    # the job summary gets the Markdown report
    summary = runner.summary
    assert summary.startswith(
        "### envaudit diff: `origin/main:requirements.txt` → `requirements.txt`\n"
    )
    assert "| 🔴 error | `EA507` variant-changed-same-version | torch |" in summary
    assert "| upgraded | numpy | 1.26.4 | 2.0.0 |" in summary
    # annotations on the report step's stdout
    assert "::error file=requirements.txt,line=1,title=EA507" in report.stdout
    assert "::warning file=requirements.txt,line=2,title=EA503" in report.stdout
    # one comment, created (no earlier one), body = marker + report, under GitHub's cap
    calls = gh_calls(tmp_path)
    assert calls[0].startswith("api repos/octo/demo/issues/7/comments --paginate --jq")
    assert calls[1].startswith("api --method POST repos/octo/demo/issues/7/comments -F body=@")
    body = (tmp_path / "gh.log.body").read_text()
    assert body == "<!-- envaudit-report -->\n" + Path(runner.output("report")).read_text()
    assert len(body) < 65536
    verdict = runner.logs["verdict"]
    assert "::error title=envaudit::drift findings at or above 'error'" in verdict.stdout


def test_existing_comment_is_updated_and_sarif_written(
    pull_request: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = make_runner(pull_request, tmp_path, sarif="true")
    runner.environ["FAKE_GH_EXISTING"] = "4242"
    runner.run_all()
    calls = gh_calls(tmp_path)
    assert len(calls) == 2
    assert calls[1].startswith("api --method PATCH repos/octo/demo/issues/comments/4242 -F body=@")
    sarif = json.loads(Path(runner.output("sarif")).read_text())
    assert sarif["version"] == "2.1.0"
    rules = {result["ruleId"] for result in sarif["runs"][0]["results"]}
    assert {"EA507", "EA503", "EA502"} <= rules
    upload = next(step for step in ACTION["runs"]["steps"] if "uses" in step)
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert runner.evaluate(upload["with"]["sarif_file"]) == runner.output("sarif")
    assert upload["if"] == "inputs.sarif == 'true'"


def test_fail_on_never_and_no_comment(pull_request: Path, tmp_path: Path) -> None:
    runner = make_runner(pull_request, tmp_path, **{"fail-on": "never", "comment": "false"})
    assert runner.run_all() == 0
    assert gh_calls(tmp_path) == []
    assert "EA507" in runner.summary


def test_push_without_lock_changes_posts_nothing(pull_request: Path, tmp_path: Path) -> None:
    git(pull_request, "commit", "-q", "--allow-empty", "-m", "nothing")
    runner = make_runner(pull_request, tmp_path, base="HEAD~1")
    runner.environ.pop("GITHUB_BASE_REF")
    assert runner.run_all() == 0
    assert (
        runner.summary == "### envaudit diff\n\nno lock or environment file changed since HEAD~1\n"
    )
    assert runner.output("changed") == "false"
    assert gh_calls(tmp_path)[0].startswith("api repos/octo/demo/issues/7/comments")
    assert len(gh_calls(tmp_path)) == 1  # no earlier comment to update, nothing to say


def test_a_parse_error_fails_with_exit_2_and_is_reported(
    pull_request: Path, tmp_path: Path
) -> None:
    (pull_request / "poetry.lock").write_text('[[package]]\nname = "x"\nversion = [1]\n')
    git(pull_request, "add", "poetry.lock")
    git(pull_request, "commit", "-q", "-m", "broken lock")
    runner = make_runner(pull_request, tmp_path)
    assert runner.run_all() == 2
    assert runner.summary.startswith("### envaudit diff failed\n\n```\npoetry.lock")
    assert "expected a string" in runner.summary


def test_a_huge_diff_keeps_the_comment_under_the_limit(pull_request: Path, tmp_path: Path) -> None:
    git(pull_request, "checkout", "-q", "main")
    for number in range(6):
        pins = "".join(f"package-number-{i}==1.0.{number}\n" for i in range(1500))
        (pull_request / f"svc{number}").mkdir()
        (pull_request / f"svc{number}" / "requirements.txt").write_text(pins)
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-q", "-m", "many")
    git(pull_request, "push", "-q", "origin", "main")
    git(pull_request, "checkout", "-q", "-b", "big")
    for number in range(6):
        pins = "".join(f"package-number-{i}==2.0.{number}\n" for i in range(1500))
        (pull_request / f"svc{number}" / "requirements.txt").write_text(pins)
    git(pull_request, "commit", "-q", "-am", "bump all")
    runner = make_runner(pull_request, tmp_path, **{"fail-on": "never"})
    assert runner.run_all() == 0
    body = (tmp_path / "gh.log.body").read_text()
    assert len(body) <= 65536
    assert body.count("### envaudit diff: ") == 6
    report = runner.logs["report"].stdout
    assert report.count("::warning ") == 10  # GitHub shows 10 per level and step
    assert "more finding(s) not annotated" in report


def test_steps_take_their_inputs_from_env_only() -> None:
    """Scripts never interpolate ${{ }} (script injection); the simulation relies on it too."""
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["id"]
            assert step["shell"] == "bash"
    assert ACTION["runs"]["using"] == "composite"


def test_install_step_installs_this_checkout() -> None:
    install = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]
    syntax = subprocess.run(["bash", "-n"], input=install["run"], text=True, check=False)
    assert syntax.returncode == 0


def readme_workflow() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text()
    body = text.split("\n## In CI\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", body, re.DOTALL)
    assert len(blocks) == 1
    workflow: dict[str, Any] = YAML(typ="safe").load(blocks[0])
    return workflow


def test_readme_workflow_runs_this_action(pull_request: Path, tmp_path: Path) -> None:
    workflow = readme_workflow()
    assert workflow["on"] == "pull_request"
    assert workflow["permissions"]["pull-requests"] == "write"  # the comment
    assert workflow["permissions"]["security-events"] == "write"  # sarif: true
    steps = workflow["jobs"]["envaudit"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    ours = steps[-1]
    assert ours["uses"].split("@")[0] == "envaudit/envaudit"
    assert set(ours["with"]) <= set(ACTION["inputs"])
    inputs = {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in ours["with"].items()
    }
    runner = make_runner(pull_request, tmp_path, **inputs)
    assert runner.run_all() == 1
    assert "`EA507`" in runner.summary
    assert json.loads(Path(runner.output("sarif")).read_text())["version"] == "2.1.0"
