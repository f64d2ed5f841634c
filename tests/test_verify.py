"""`envaudit verify` on a real virtual environment, installed offline from local wheels."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from envaudit.cli import main


def build_wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel (module, METADATA, WHEEL, RECORD), built without tools."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'__version__ = "{version}"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: envaudit-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={encoded},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def pip(venv: Path, wheels: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index",
         "--find-links", str(wheels), "--disable-pip-version-check", *args],
        check=True, capture_output=True, env=env, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A venv with demo-alpha 1.0.0 and demo-beta 2.0.0, installed from requirements.txt."""
    if sys.platform == "win32":
        pytest.skip("the venv layout below is POSIX")
    base = tmp_path_factory.mktemp("verify")
    wheels = base / "wheels"
    wheels.mkdir()
    for name, version in (("demo-alpha", "1.0.0"), ("demo-alpha", "1.1.0"), ("demo-beta", "2.0.0")):
        build_wheel(wheels, name, version)
    (base / "requirements.txt").write_text("demo-alpha==1.0.0\ndemo-beta==2.0.0\n")
    subprocess.run(
        [sys.executable, "-m", "venv", str(base / ".venv")], check=True, capture_output=True
    )
    pip(base / ".venv", wheels, "-r", str(base / "requirements.txt"))
    return base, wheels


def test_verify_passes_then_fails_after_an_upgrade(
    venv: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base, wheels = venv
    monkeypatch.chdir(base)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    python = str(base / ".venv" / "bin" / "python")
    code = main(["verify", "requirements.txt", "--python", python])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == (
        f"verify requirements.txt against {python}\nverify: OK; 2 locked package(s) match\n"
    )

    pip(base / ".venv", wheels, "demo-alpha==1.1.0")
    code = main(["verify", "requirements.txt", "--python", python])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[1] == (
        "  wrong-version  demo-alpha: installed 1.1.0, lock says 1.0.0 (requirements.txt:1)"
    )
    code = main(["verify", "requirements.txt", "--python", python, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert (code, data["ok"], data["matched"]) == (1, False, 1)
    assert data["mismatches"][0]["kind"] == "wrong-version"


def test_verify_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    code = main(["verify", "requirements.txt", "--python", str(tmp_path / "nope")])
    assert code == 2
    assert capsys.readouterr().err == f"--python {tmp_path / 'nope'}: no such interpreter\n"
    code = main(["verify", "requirements.txt", "--python", "x", "--prefix", str(tmp_path)])
    assert code == 2
    assert "mutually exclusive" in capsys.readouterr().err


def readme_commands() -> list[str]:
    text = (Path(__file__).parents[1] / "README.md").read_text()
    body = text.split("\n## On a cluster node\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", body, re.DOTALL)
    assert len(blocks) == 1
    return [line for line in blocks[0].splitlines() if line and not line.startswith("#")]


def test_readme_cluster_node_snippet(
    venv: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README "On a cluster node", run as written: a venv lock and a conda prefix."""
    base, _ = venv
    monkeypatch.chdir(base)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    (base / "requirements.lock").write_text("demo-alpha\ndemo-beta==2.0.0\n")
    subdir = {"x86_64": "linux-64", "aarch64": "linux-aarch64"}.get(platform.machine())
    if subdir is None or sys.platform != "linux":
        pytest.skip("the conda prefix below is a Linux one")
    prefix = base / "conda-env"
    (prefix / "conda-meta").mkdir(parents=True)
    channel = f"https://conda.anaconda.org/conda-forge/{subdir}"
    records = {"python": ("3.11.9", "hb806964_0_cpython"), "zlib": ("1.3.1", "h4ab18f5_1")}
    lines = [f"# platform: {subdir}", "@EXPLICIT"]
    for name, (version, build) in records.items():
        url = f"{channel}/{name}-{version}-{build}.conda"
        record = {"name": name, "version": version, "build": build, "subdir": subdir,
                  "channel": channel, "url": url}  # fmt: skip
        (prefix / "conda-meta" / f"{name}-{version}-{build}.json").write_text(json.dumps(record))
        lines.append(url)
    (base / "conda-linux-64.lock").write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("CONDA_PREFIX", str(prefix))
    commands = readme_commands()
    assert [shlex.split(c)[:2] for c in commands] == [["envaudit", "verify"]] * 2
    for command in commands:
        words = shlex.split(os.path.expandvars(command), comments=True)
        code = main(words[1:])
        out = capsys.readouterr().out
        assert code == 0, (command, out)
        assert "verify: OK; " in out
