"""The pin and export commands: exit codes, atomic in-place writes, notes on stderr."""

from __future__ import annotations

import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from envaudit.cli import machine_commands as cli
from envaudit.cli import main
from envaudit.writers.interface import EXPORT_TARGETS
from tests.writers.conftest import SAMPLES

ENV = SAMPLES / "environment-yml/GeoSense-Freiburg__DepthMap__environment.yaml"
LOCK = str(SAMPLES / "conda-lock/GeoSense-Freiburg__DepthMap__conda-lock.yml")
UV = str(SAMPLES / "uv-lock/Comfy-Org__comfy-cli__uv.lock")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    target = tmp_path / "environment.yml"
    shutil.copyfile(ENV, target)
    target.chmod(0o640)
    return target


def test_pin_check_reports_and_exits_1_without_writing(
    capsys: pytest.CaptureFixture[str], env_file: Path
) -> None:
    before = env_file.read_bytes()
    code, out, err = run(capsys, "pin", str(env_file), "--from", LOCK, "--platform", "linux-64",
                         "--check")  # fmt: skip
    assert code == 1
    assert f"{env_file}:13: dependencies[6]: numpy<=2.0 -> numpy=1.26.4=py311h64a7726_0" in out
    assert "left as is: pip entry omegaconf" in err
    assert env_file.read_bytes() == before


def test_pin_in_place_then_check_is_clean(
    capsys: pytest.CaptureFixture[str], env_file: Path
) -> None:
    code, out, err = run(capsys, "pin", str(env_file), "--from", LOCK, "--platform", "linux-64")
    assert (code, out) == (0, "")
    assert "numpy<=2.0 -> numpy=1.26.4=py311h64a7726_0" in err
    assert "  - numpy=1.26.4=py311h64a7726_0\n" in env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o640
    assert [p.name for p in env_file.parent.iterdir()] == ["environment.yml"]  # no temp left
    code, out, _ = run(capsys, "pin", str(env_file), "--from", LOCK, "--platform", "linux-64",
                       "--check")  # fmt: skip
    assert (code, out) == (0, "")


def test_pin_to_stdout_and_to_another_file(
    capsys: pytest.CaptureFixture[str], env_file: Path, tmp_path: Path
) -> None:
    before = env_file.read_bytes()
    code, out, _ = run(capsys, "pin", str(env_file), "--from", LOCK, "--platform", "win-64",
                       "-o", "-")  # fmt: skip
    assert code == 0 and "  - python=3.11.10=h4607a30_0\n" in out
    pinned = tmp_path / "pinned.yml"
    code, _, _ = run(capsys, "pin", str(env_file), "--from", LOCK, "--platform", "win-64",
                     "-o", str(pinned))  # fmt: skip
    assert code == 0 and pinned.read_text() == out
    assert env_file.read_bytes() == before


def test_pin_keeps_utf16_and_crlf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "environment.yml"
    text = ENV.read_text().replace("\n", "\r\n")
    target.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    code, _, _ = run(capsys, "pin", str(target), "--from", LOCK, "--platform", "osx-64")
    assert code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xff\xfe")
    decoded = data[2:].decode("utf-16-le")
    assert decoded.count("\r\n") == text.count("\r\n")
    assert "  - pip:\r\n    - omegaconf\r\n" in decoded


def test_pin_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], env_file: Path) -> None:
    code, _, err = run(capsys, "pin", str(env_file), "--from", LOCK)
    assert code == 2 and "pass --platform" in err
    code, _, err = run(capsys, "pin", str(env_file))
    assert code == 2 and "--from" in err
    code, _, err = run(capsys, "pin", str(env_file), "--from", "missing.yml")
    assert code == 2 and "missing.yml: no such file" in err


def test_export_to_stdout_with_notes_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", UV, "--to", "pylock")
    assert code == 0
    assert len(Pylock.from_dict(tomllib.loads(out)).packages) == 62
    assert err == ""
    code, out, err = run(capsys, "export", LOCK, "--to", "explicit", "--platform", "osx-64")
    assert code == 0 and "@EXPLICIT" in out
    assert "dropped: 1 PyPI package (explicit specs hold conda packages only)" in err


def test_export_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "requirements.txt"
    code, out, err = run(capsys, "export", UV, "--to", "requirements", "-o", str(target))
    assert (code, out) == (0, "")
    assert "dropped: the Python requirement >=3.10" in err
    assert "anyio==4.10.0 \\\n    --hash=sha256:" in target.read_text()


def test_export_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", UV, "--to", "conda")
    assert code == 2 and "Invalid value for '--to'" in err
    code, _, err = run(capsys, "export", LOCK, "--to", "explicit")
    assert code == 2 and "locks 3 platforms; pass --platform" in err


def test_cli_targets_match_the_writer_registry() -> None:
    assert set(cli._EXPORT_TARGETS) == set(EXPORT_TARGETS)
