"""No secret leaves envaudit: every command x every --format over token-bearing inputs.

The corpus (tests/security/secret_corpus.py) hides 40 distinct credentials in every place
a file can hold one; the environment holds more while the commands run. None may appear
in stdout, stderr or any written file — redacted as ``***`` or left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import cli
from envaudit.loader import load
from tests.security.secret_corpus import CORPUS, SECRET_PREFIX, CorpusFile, all_secrets
from tests.security.workspace import (
    INVOCATIONS,
    SECRET_ENVIRONMENT,
    build_workspace,
    command_formats,
    run_cli,
)

PAIRS = command_formats()
REDACTING = {"show", "diff", "export", "capture"}  # commands that print the redacted URLs


def test_corpus_holds_twenty_or_more_distinct_secrets() -> None:
    assert len(all_secrets()) >= 20
    assert len({item.fmt for item in CORPUS}) >= 12


def test_every_command_has_an_invocation() -> None:
    missing = sorted({name for name, _ in PAIRS} - set(INVOCATIONS))
    assert not missing, f"add invocations for {missing} to tests/security/workspace.py"


@pytest.mark.parametrize("item", CORPUS, ids=[item.name for item in CORPUS])
def test_parsers_store_no_secret(tmp_path: Path, item: CorpusFile) -> None:
    """Redaction happens when a URL is stored, not only when output is rendered."""
    workspace = build_workspace(tmp_path)
    manifest = load(workspace.root / item.name)
    assert manifest.packages
    stored = manifest.to_json()
    assert SECRET_PREFIX not in stored
    assert "***" in stored


@pytest.mark.parametrize(("command", "fmt"), PAIRS, ids=[f"{c}-{f or 'default'}" for c, f in PAIRS])
def test_no_secret_in_any_output(
    command: str,
    fmt: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if command not in INVOCATIONS:
        pytest.fail(f"no invocation for {command}")
    for name, value in SECRET_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    workspace = build_workspace(tmp_path / "project")
    monkeypatch.chdir(workspace.root)
    runs = INVOCATIONS[command](workspace, fmt)
    assert runs
    codes, printed = [], []
    for args in runs:
        code, out, err = run_cli(args, capsys)
        codes.append(code)
        printed.append(out)
        leaked = SECRET_PREFIX in out or SECRET_PREFIX in err
        assert not leaked, f"envaudit {' '.join(args)} leaked: {_context(out + err)}"
    for written in workspace.outputs():
        text = written.read_text(encoding="utf-8", errors="replace")
        assert SECRET_PREFIX not in text, f"{written.name} leaked: {_context(text)}"
    assert any(code in (0, 1) for code in codes), f"every run failed: {codes}"
    if command in REDACTING:
        assert "***" in "".join(printed), "the credentials should show up redacted"


def _context(text: str) -> str:
    at = text.find(SECRET_PREFIX)
    return text[max(0, at - 120) : at + 40]


def test_cli_module_is_the_one_under_test() -> None:
    assert hasattr(cli, "main")
