"""The Python probe: the stdlib-only script in other interpreters, and the prefix kinds."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit.capture.model import PythonKind
from envaudit.capture.packages import scan_packages
from envaudit.capture.probe import capture_python
from envaudit.capture.python import (
    InterpreterFacts,
    current_interpreter,
    facts_from_prefix,
    probe_python,
    probe_script_source,
    run_interpreter,
)
from envaudit.errors import UsageError
from tests.capture.fakes import FakeMachine, facts

PY38 = Path("/root/.pyenv/versions/3.8.18/bin/python3.8")


def test_probe_script_parses_as_python_3_8() -> None:
    ast.parse(probe_script_source(), feature_version=(3, 8))
    assert "import envaudit" not in probe_script_source()


def test_subprocess_probe_of_the_running_interpreter_matches_in_process() -> None:
    here = current_interpreter()
    there = run_interpreter(sys.executable)
    assert (there.version, there.prefix, there.base_prefix) == (
        here.version,
        here.prefix,
        here.base_prefix,
    )
    assert there.implementation == "cpython"
    # -S is the probe's own choice: site-packages are still computed, and no_site reported 0
    assert there.flags["no_site"] == 0
    site_packages = [p for p in here.sys_path if p.endswith(("site-packages", "dist-packages"))]
    assert site_packages and all(p in there.sys_path for p in site_packages)


def _make_venv(tmp_path: Path, base: str) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3.*/site-packages"))
    dist = site / "demo_pkg-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.3\n")
    (site / "demo.pth").write_text(f"{tmp_path}\nimport sys; sys.exit('pth code must not run')\n")
    return venv / "bin" / "python"


def test_probe_of_a_venv_made_here(tmp_path: Path) -> None:
    python = _make_venv(tmp_path, sys.executable)
    interpreter = run_interpreter(str(python))
    assert interpreter.prefix == str(tmp_path / "venv")
    assert str(tmp_path) in interpreter.sys_path  # from demo.pth, without running its import
    info = probe_python(Path("/"), interpreter)
    assert info.kind is PythonKind.VENV
    assert info.venv_creator == "venv"
    scan = scan_packages(Path("/"), interpreter.sys_path)
    assert [(p.name, p.version) for p in scan.installed] == [("demo-pkg", "1.2.3")]


@pytest.mark.skipif(not PY38.exists(), reason="no Python 3.8 interpreter on this machine")
def test_probe_runs_on_python_3_8_venv(tmp_path: Path) -> None:
    python = _make_venv(tmp_path, str(PY38))
    result = capture_python(str(python), include_meta=False)
    assert result.python.version.startswith("3.8.")  # type: ignore[union-attr]
    assert [p.name for p in result.packages.installed] == ["demo-pkg"]


def test_bad_interpreters_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such interpreter"):
        run_interpreter(str(tmp_path / "nope"))
    with pytest.raises(UsageError, match="the probe failed"):
        run_interpreter("/bin/false")
    echo = tmp_path / "echo-python"
    echo.write_text("#!/bin/sh\necho '{\"version\": 3}'\n")
    echo.chmod(0o755)
    with pytest.raises(UsageError, match="unexpected probe output"):
        run_interpreter(str(echo))


def test_from_probe_rejects_malformed_output() -> None:
    good = dict.fromkeys(("implementation", "version", "executable", "prefix", "base_prefix"), "x")
    assert InterpreterFacts.from_probe({**good, "sys_path": ["/a"]}).sys_path == ("/a",)
    for bad in ([], {**good, "sys_path": "/a"}, {**good, "version": 3, "sys_path": []}):
        with pytest.raises(ValueError, match="probe output"):
            InterpreterFacts.from_probe(bad)


@pytest.mark.parametrize(
    ("files", "prefix", "kind", "creator"),
    [
        ({"/p/pyvenv.cfg": "home = /usr/bin\nuv = 0.5.11\n"}, "/p", PythonKind.VENV, "uv 0.5.11"),
        ({"/p/pyvenv.cfg": "virtualenv = 20.26.3\n"}, "/p", PythonKind.VENV, "virtualenv 20.26.3"),
        ({"/p/conda-meta/history": ""}, "/p", PythonKind.CONDA, None),
        (
            {},
            "/root/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu",
            PythonKind.UV_MANAGED,
            None,
        ),
        ({}, "/usr", PythonKind.SYSTEM, None),
    ],
)
def test_prefix_kinds(
    machine: FakeMachine, files: dict[str, str], prefix: str, kind: PythonKind, creator: str | None
) -> None:
    for path, text in files.items():
        machine.write(path, text)
    info = probe_python(machine.root, facts(prefix=prefix))
    assert (info.kind, info.venv_creator) == (kind, creator)


def test_facts_from_a_conda_prefix_without_running_it(machine: FakeMachine) -> None:
    machine.write("/envs/a/conda-meta/python-3.12.4-h194c7f8_0_cpython.json", "{}")
    machine.mkdir("/envs/a/lib/python3.12/site-packages")
    found = facts_from_prefix(machine.root, "/envs/a", platform="linux", machine="x86_64")
    assert found.version == "3.12.4"
    assert found.sys_path == ("/envs/a/lib/python3.12/site-packages",)
    with pytest.raises(UsageError, match="no Python found"):
        facts_from_prefix(machine.root, "/envs/none", platform="linux", machine="x86_64")
