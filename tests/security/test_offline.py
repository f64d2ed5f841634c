"""No network, no spawned programs: typical commands run with sockets and exec disabled.

Sockets raise; ``subprocess``, ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn``
and ``os.fork`` are recorded and refused, except ``git`` for the commands that read git
history or the repository's file list (``audit``, ``log``, ``diff --git``); ``PATH`` holds
only an empty directory, so nothing could be found to run anyway.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.security.workspace import INVOCATIONS, Workspace, build_workspace, run_cli

ALLOWED_PROGRAMS = {"git"}
GIT_COMMANDS = {"audit", "log"}
_EXEC_FUNCTIONS = [
    name
    for name in dir(os)
    if name.startswith(("exec", "spawn", "posix_spawn", "fork")) or name in {"system", "popen"}
]


class ForbiddenCallError(BaseException):
    """Raised (as a BaseException, so no ``except Exception`` can swallow it) on misuse."""


class Recorder:
    def __init__(self) -> None:
        self.real_popen = subprocess.Popen
        self.network: list[str] = []
        self.programs: list[list[str]] = []
        self.forbidden: list[str] = []

    def network_call(self, name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.network.append(f"{name}{args[1:] if args else ''}")
            raise ForbiddenCallError(f"network use: socket {name}")

        return refuse

    def os_call(self, name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.forbidden.append(name)
            raise ForbiddenCallError(f"os.{name} called")

        return refuse


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Recorder]:
    recorder = Recorder()
    for name in ("connect", "connect_ex", "sendto", "sendall", "send", "bind"):
        monkeypatch.setattr(socket.socket, name, recorder.network_call(name))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, recorder.network_call(name))
    for name in _EXEC_FUNCTIONS:
        monkeypatch.setattr(os, name, recorder.os_call(name))
    real_popen = subprocess.Popen

    class GuardedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            argv = [str(a) for a in ([args] if isinstance(args, str | os.PathLike) else args)]
            recorder.programs.append(argv)
            if Path(argv[0]).name not in ALLOWED_PROGRAMS:
                raise ForbiddenCallError(f"spawned {argv}")
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    yield recorder


def _one_sample_per_format() -> list[Path]:
    chosen: dict[str, Path] = {}
    for directory in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        files = sorted(
            p for p in directory.rglob("*") if p.is_file() and p.stat().st_size < 100_000
        )
        if files:
            chosen[directory.name] = files[0]
    return list(chosen.values())


def _first_format(command: str) -> list[str]:
    from tests.security.workspace import command_formats

    formats = [fmt for name, fmt in command_formats() if name == command]
    return formats[:2] or [""]


def _typical_runs(workspace: Workspace) -> list[tuple[str, list[str]]]:
    runs = []
    for command, build in sorted(INVOCATIONS.items()):
        if command == "log":
            continue  # builds a git repository first; run separately below
        for fmt in _first_format(command):
            runs.extend((command, args) for args in build(workspace, fmt))
    runs.append(("capture", ["capture", "--format", "json"]))  # this machine, read-only
    for sample in _one_sample_per_format():
        runs.append(("show", ["show", str(sample), "--format", "json"]))
        runs.append(("check", ["check", str(sample), "--format", "sarif"]))
    return runs


def test_typical_commands_use_no_network_and_spawn_nothing(
    offline: Recorder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = build_workspace(tmp_path / "project")
    monkeypatch.chdir(workspace.root)
    codes = {}
    for command, args in _typical_runs(workspace):
        spawned_before = len(offline.programs)
        try:
            code, _, _ = run_cli(args, capsys)
        except ForbiddenCallError as error:
            pytest.fail(f"envaudit {' '.join(args)}: {error}")
        codes[" ".join(args)] = code
        assert code in (0, 1, 2), args
        spawned = offline.programs[spawned_before:]
        assert command in GIT_COMMANDS or not spawned, f"{args} spawned {spawned}"
    assert not offline.network
    assert not offline.forbidden
    assert {argv[0] for argv in offline.programs} <= ALLOWED_PROGRAMS
    assert sum(code in (0, 1) for code in codes.values()) > len(codes) // 2, codes


def test_git_is_only_run_where_asked(
    offline: Recorder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = build_workspace(tmp_path / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.defpath)  # build the repository with the real git
        patch.setattr(subprocess, "Popen", offline.real_popen)
        runs = INVOCATIONS["log"](workspace, "text")
    offline.programs.clear()
    monkeypatch.chdir(workspace.root)
    for args in runs:
        code, _, _ = run_cli(args, capsys)
        assert code == 2  # git is not on the (empty) PATH: refused, not run from elsewhere
    assert offline.programs and all(argv[0] == "git" for argv in offline.programs)
    assert not offline.network


def test_guard_refuses_an_unexpected_program(offline: Recorder) -> None:
    with pytest.raises(ForbiddenCallError):
        subprocess.run(["python3", "-c", "pass"], check=False)
    with pytest.raises(ForbiddenCallError):
        socket.create_connection(("pypi.org", 443))
    assert offline.programs == [["python3", "-c", "pass"]]
