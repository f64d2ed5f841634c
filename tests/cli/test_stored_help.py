"""`envaudit --help` from the stored text: click's own, byte for byte, or click prints it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit.cli import commands, main
from envaudit.cli.fast_path import plain_job
from tests.conftest import ROOT

STORED = ROOT / "envaudit" / "data" / "cli_help.txt"
REFRESH = "ENVAUDIT_REFRESH_HELP"  # set to 1 to rewrite the stored text from click's


def _click_help(capsys: pytest.CaptureFixture[str]) -> str:
    assert commands.run(["--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", ["80", "200"])
def test_the_stored_text_is_clicks_help(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    expected = _click_help(capsys)
    if os.environ.get(REFRESH) == "1":
        STORED.write_text(expected, encoding="utf-8")
    assert STORED.read_text(encoding="utf-8") == expected, (
        f"a command's help changed: refresh the stored text with {REFRESH}=1 pytest {__file__}"
    )


@pytest.mark.parametrize("args", [["--help"], ["-h"]])
def test_help_is_served_without_click_at_80_columns_and_up(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert plain_job(args) is not None
    assert main(args) == 0
    assert capsys.readouterr().out == STORED.read_text(encoding="utf-8")


def test_narrower_terminals_get_clicks_wrapping(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert plain_job(["--help"]) is None
    assert main(["--help"]) == 0
    narrow = capsys.readouterr().out
    assert narrow == _click_help(capsys)
    assert max(map(len, narrow.splitlines())) <= 58 < max(map(len, STORED.read_text().splitlines()))


def test_the_program_prints_it_without_importing_click(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from envaudit.cli import main\n"
        "main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m == 'click' or m.startswith('click.')))\n"
    )
    env = {**os.environ, "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-c", code, "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert result.stdout == STORED.read_text(encoding="utf-8") + "[]\n"
    program = subprocess.run(
        [sys.executable, "-m", "envaudit", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert program.stdout == STORED.read_text(encoding="utf-8")
