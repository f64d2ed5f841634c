"""`envaudit check`, `rules` and the exit-code matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.cli import main
from tests.conftest import ROOT

DINOV2 = "samples/requirements/facebookresearch__dinov2__requirements.txt"
SWAP = "samples/requirements/crafted-cuda-swap__{}.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_rules_json_lists_at_least_30(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    assert len(rules) >= 30
    assert {"id", "severity", "rationale", "fix"} <= set(rules[0])


def test_docs_rules_md_is_in_sync(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "rules", "--format", "markdown")
    assert code == 0
    assert (ROOT / "docs" / "rules.md").read_text() == out, (
        "run: envaudit rules --format markdown > docs/rules.md"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", DINOV2), 0),  # warnings only; default --fail-on error
        (("check", "--fail-on", "warning", DINOV2), 1),
        (("check", "--fail-on", "note", "--select", "EA104", DINOV2), 1),
        (("check", "--fail-on", "warning", "--ignore", "EA1,EA3", DINOV2), 0),
        (("check", "--fail-on", "never", DINOV2), 0),
        (("check", "no/such/file.txt"), 2),
        (("check", "--fail-on", "sometimes", DINOV2), 2),
        (("diff", SWAP.format("v1"), SWAP.format("v1")), 0),
        (("diff", "--exit-code", SWAP.format("v1"), SWAP.format("v1")), 0),
        (("diff", SWAP.format("v1"), SWAP.format("v2")), 1),  # EA507 is an error
        (("diff", "--fail-on", "never", SWAP.format("v1"), SWAP.format("v2")), 0),
        (("diff", "--fail-on", "never", "--exit-code", SWAP.format("v1"), SWAP.format("v2")), 1),
        (("diff", "--ignore", "EA507", SWAP.format("v1"), SWAP.format("v2")), 0),
    ],
)
def test_exit_code_matrix(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: int
) -> None:
    assert run(capsys, *args)[0] == expected


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "github"])
def test_check_every_format(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out = run(capsys, "check", "--format", fmt, DINOV2)
    assert code == 0
    assert "EA301" in out


def test_inline_ignore_and_project_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text(
        "numpy  # envaudit: ignore[EA101]\nscipy\nrequests>=2  # envaudit: ignore\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out = run(capsys, "check", "--format", "json", "requirements.txt")
    found = {(f["rule"], f["location"]["line"]) for f in json.loads(out)["findings"]}
    assert ("EA101", 2) in found
    assert ("EA101", 1) not in found
    assert not any(line == 3 for _, line in found)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.envaudit]\nignore = ["EA104"]\nfail-on = "warning"\n'
    )
    code, out = run(capsys, "check", "--format", "json", "requirements.txt")
    assert code == 1  # fail-on warning from the config
    assert "EA104" not in {f["rule"] for f in json.loads(out)["findings"]}


@pytest.mark.parametrize(
    ("config", "args", "code"),
    [
        (None, [], 1),  # the hook's default: warnings fail
        ('fail-on = "error"', [], 0),  # the project's fail-on wins over the hook's default
        ('fail-on = "error"', ["--fail-on", "warning"], 1),  # and --fail-on over both
        (None, ["--fail-on", "never"], 0),
    ],
)
def test_the_hook_default_gives_way_to_the_project_config(
    config: str | None,
    args: list[str],
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if config is not None:
        (tmp_path / "pyproject.toml").write_text(f"[tool.envaudit]\n{config}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--pre-commit", *args, str(ROOT / DINOV2)]) == code
    assert "EA1" in capsys.readouterr().out  # the warnings are reported either way


def test_bad_project_config_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1.0\n")
    (tmp_path / "pyproject.toml").write_text('[tool.envaudit]\nfail-on = "sometimes"\n')
    monkeypatch.chdir(tmp_path)
    code = main(["check", "requirements.txt"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pyproject.toml: tool.envaudit.fail-on: expected one of" in err


def test_config_exclude_feeds_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "requirements.txt").write_text("numpy==1.0\n")
    (tmp_path / "requirements.txt").write_text("numpy==2.0\n")
    monkeypatch.chdir(tmp_path)
    code, out = run(capsys, "audit", "--format", "json", ".")
    assert "EA603" in out  # numpy pinned to two versions
    (tmp_path / "pyproject.toml").write_text('[tool.envaudit]\nexclude = ["vendor"]\n')
    code, out = run(capsys, "audit", "--format", "json", ".")
    assert code == 0
    assert "EA603" not in out


def test_yaml_and_toml_findings_get_line_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(
        capsys,
        "check",
        "--format",
        "json",
        "samples/environment-yml/facebookresearch__dinov2__conda.yaml",
    )
    found = {
        (f["rule"], f["location"]["line"], f["location"]["key_path"])
        for f in json.loads(out)["findings"]
    }
    assert ("EA103", 9, "dependencies[0]") in found  # python=3.9 on line 9
    assert ("EA103", 10, "dependencies[1]") in found
