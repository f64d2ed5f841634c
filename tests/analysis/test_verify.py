"""`envaudit verify` logic: a lock against a captured (fake) environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.analysis.verify import MismatchKind, VerifyResult, verify_environment
from envaudit.capture.probe import capture
from envaudit.formats.verify import render_json, render_text
from envaudit.loader import load_text
from envaudit.sources.capture_json import capture_to_manifest
from tests.capture.fakes import SITE, FakeMachine, facts

CONDA_PREFIX = "/opt/conda/envs/ml"
CONDA_SITE = f"{CONDA_PREFIX}/lib/python3.11/site-packages"


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    fake = FakeMachine(tmp_path / "root")
    fake.base_system()
    return fake


def verify(
    machine: FakeMachine, lock_text: str, origin: str = "requirements.txt", **kwargs: object
) -> VerifyResult:
    interpreter = kwargs.pop("interpreter", facts())
    captured = capture(machine.root, interpreter=interpreter, environ={}, include_meta=False)  # type: ignore[arg-type]
    live = capture_to_manifest(captured, text="", origin="live")
    lock = load_text(lock_text, origin=origin)
    return verify_environment(lock, captured, live, target="/opt/venv/bin/python", **kwargs)  # type: ignore[arg-type]


def messages(result: VerifyResult) -> list[tuple[str, str]]:
    return [(m.kind.value, m.message) for m in result.mismatches]


def test_an_environment_that_matches(machine: FakeMachine) -> None:
    machine.dist("numpy", "2.0.0")
    machine.dist("torch", "2.3.0+cu121")
    machine.dist("pip", "24.0")  # installers' own tools are never "extra"
    result = verify(machine, "numpy==2.0.0\ntorch==2.3.0+cu121\n")
    assert result.ok
    assert result.matched == 2
    assert render_text(result).endswith("verify: OK; 2 locked package(s) match\n")


def test_every_kind_of_pypi_mismatch(machine: FakeMachine) -> None:
    machine.dist("numpy", "2.0.1")
    machine.dist("torch", "2.3.0+cpu")
    machine.dist(
        "mylib",
        "0.3.0",
        direct_url={"url": "file:///src/mylib", "dir_info": {"editable": True}},
    )
    machine.dist("rich", "13.7.1")
    lock = (
        "numpy==2.0.0\n"
        "torch==2.3.0+cu121\n"
        "mylib==0.3.0\n"
        "requests==2.32.3\n"
        "scipy==1.13.0 ; python_version < '3.0'\n"  # not for this interpreter
    )
    result = verify(machine, lock)
    assert messages(result) == [
        (
            "wrong-source",
            "mylib: installed from editable file:///src/mylib, lock says an index"
            " (requirements.txt:3)",
        ),
        ("wrong-version", "numpy: installed 2.0.1, lock says 2.0.0 (requirements.txt:1)"),
        ("missing", "requests 2.32.3 is not installed (requirements.txt:4)"),
        (
            "wrong-variant",
            "torch: installed 2.3.0+cpu (cpu), lock says 2.3.0+cu121 (cu121) (requirements.txt:2)",
        ),
        ("extra", "rich 13.7.1 is installed but not in the lock"),
    ]
    assert result.not_applicable == 1
    text = render_text(result)
    assert text.splitlines()[0] == "verify requirements.txt against /opt/venv/bin/python"
    assert "  wrong-variant  torch: installed 2.3.0+cpu (cpu)" in text
    assert text.rstrip().endswith(
        "verify: 5 mismatches (1 extra, 1 missing, 1 wrong-source, 1 wrong-variant,"
        " 1 wrong-version); 0 locked package(s) match, 1 not for this platform/interpreter"
        " or optional"
    )
    data = json.loads(render_json(result))
    assert data["ok"] is False
    assert data["mismatches"][0]["origin"] == "requirements.txt:3"


def test_ranges_and_unpinned_names(machine: FakeMachine) -> None:
    machine.dist("numpy", "1.26.4")
    machine.dist("pandas", "2.2.2")
    result = verify(machine, "numpy>=2\npandas\n")
    assert messages(result) == [
        ("wrong-version", "numpy: installed 1.26.4 does not satisfy >=2 (requirements.txt:1)")
    ]
    assert result.matched == 1


def test_extras_only_for_complete_locks(machine: FakeMachine) -> None:
    machine.dist("numpy", "2.0.0")
    machine.dist("rich", "13.7.1")
    assert verify(machine, "numpy>=1.26\n").ok  # loose requirements: not a full list
    assert not verify(machine, "numpy==2.0.0\n").ok  # every line pinned: a full list
    assert verify(machine, "numpy==2.0.0\n", allow_extra=True).ok


def test_vcs_commit_must_match(machine: FakeMachine) -> None:
    sha_locked, sha_installed = "a" * 40, "b" * 40
    machine.dist(
        "tool",
        "1.0",
        direct_url={
            "url": "https://github.com/o/tool",
            "vcs_info": {"vcs": "git", "commit_id": sha_installed},
        },
    )
    result = verify(machine, f"tool @ git+https://github.com/o/tool@{sha_locked}\n")
    assert messages(result) == [
        (
            "wrong-source",
            f"tool: installed commit {sha_installed[:12]}, lock says {sha_locked[:12]}"
            " (requirements.txt:1)",
        )
    ]


def test_python_version_of_the_lock(machine: FakeMachine) -> None:
    poetry = (
        '[[package]]\nname = "numpy"\nversion = "2.0.0"\noptional = false\n'
        'python-versions = "*"\nfiles = []\n\n'
        '[metadata]\nlock-version = "2.0"\npython-versions = ">=3.12"\ncontent-hash = "x"\n'
    )
    machine.dist("numpy", "2.0.0")
    result = verify(machine, poetry, origin="poetry.lock")
    assert messages(result) == [("wrong-python", "python: running 3.11.9, lock requires >=3.12")]


def test_conda_lock_against_conda_meta(machine: FakeMachine) -> None:
    def record(name: str, version: str, build: str) -> None:
        machine.write(
            f"{CONDA_PREFIX}/conda-meta/{name}-{version}-{build}.json",
            json.dumps(
                {
                    "name": name,
                    "version": version,
                    "build": build,
                    "channel": "https://conda.anaconda.org/conda-forge/linux-64",
                    "subdir": "linux-64",
                }
            ),
        )

    record("python", "3.11.9", "hb806964_0_cpython")
    record("numpy", "1.26.4", "py311h64a7726_0")
    record("pytorch", "2.3.0", "cpu_py311h_0")
    machine.dist("numpy", "1.26.4", CONDA_SITE, installer="conda")
    explicit = (
        "# platform: linux-64\n@EXPLICIT\n"
        "https://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-hb806964_0_cpython.conda\n"
        "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda\n"
        "https://conda.anaconda.org/conda-forge/linux-64/pytorch-2.3.0-cuda120_py311h_0.conda\n"
        "https://conda.anaconda.org/conda-forge/linux-64/libblas-3.9.0-22_linux64_openblas.conda\n"
    )
    interpreter = facts(prefix=CONDA_PREFIX, sys_path=(CONDA_SITE,), version="3.11.9")
    result = verify(machine, explicit, origin="explicit.txt", interpreter=interpreter)
    kinds = {(m.kind, m.name) for m in result.mismatches}
    assert kinds == {(MismatchKind.WRONG_VARIANT, "pytorch"), (MismatchKind.MISSING, "libblas")}
    swap = next(m for m in result.mismatches if m.name == "pytorch")
    assert swap.message == (
        "pytorch: installed 2.3.0 (cpu_py311h_0), lock says 2.3.0 (cuda120_py311h_0)"
        " (explicit.txt:5)"
    )
    assert result.matched == 2  # python and numpy; numpy's conda dist-info is no "extra"


def test_a_lock_for_another_platform(machine: FakeMachine) -> None:
    explicit = (
        "# platform: osx-arm64\n@EXPLICIT\n"
        "https://conda.anaconda.org/conda-forge/osx-arm64/numpy-1.26.4-py311h_0.conda\n"
    )
    result = verify(machine, explicit, origin="explicit.txt")
    assert messages(result)[0] == ("wrong-platform", "the lock covers osx-arm64, this is linux-64")


def test_markers_use_the_captured_interpreter(machine: FakeMachine) -> None:
    machine.dist("tomli", "2.0.1")
    lock = (
        'tomli==2.0.1 ; python_version < "3.11"\nexceptiongroup==1.2.0 ; sys_platform == "win32"\n'
    )
    result = verify(machine, lock, interpreter=facts(version="3.10.14"), allow_extra=True)
    assert result.ok
    assert (result.matched, result.not_applicable) == (1, 1)


def test_optional_and_dev_group_packages_may_be_absent(machine: FakeMachine) -> None:
    machine.dist("numpy", "2.0.0")
    poetry = (
        '[[package]]\nname = "numpy"\nversion = "2.0.0"\noptional = false\n'
        'python-versions = "*"\ngroups = ["main"]\nfiles = []\n\n'
        '[[package]]\nname = "pytest"\nversion = "8.2.0"\noptional = false\n'
        'python-versions = "*"\ngroups = ["dev"]\nfiles = []\n\n'
        '[metadata]\nlock-version = "2.1"\npython-versions = "^3.11"\ncontent-hash = "x"\n'
    )
    result = verify(machine, poetry, origin="poetry.lock")
    assert result.ok, messages(result)
    assert (result.matched, result.not_applicable) == (1, 1)
    assert SITE  # the fake venv's site-packages
