"""The command line: show, diff, exit codes, and one-line located errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit.cli import main
from tests.conftest import ROOT

HF_V1 = "samples/poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v1.lock"
HF_V2 = "samples/poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_show_text_lists_packages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", HF_V2)
    assert code == 0, err
    assert out.startswith(f"{HF_V2}: poetry-lock 2.0,")
    assert re.search(r"^  torch\s+2\.0\.1\+cu118\s+cu118", out, re.MULTILINE)


def test_show_json_is_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--format", "json", HF_V2)
    assert code == 0
    data = json.loads(out)
    assert data["source"]["format"] == "poetry-lock"
    torch = next(p for p in data["packages"] if p["key"] == "torch")
    assert torch["version"] == "2.0.1+cu118"


def test_diff_exit_code_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "--fail-on", "never", HF_V1, HF_V2)
    assert code == 0
    assert re.search(r"build-changed\s+torch\s+2\.0\.1 → 2\.0\.1\+cu118", out)
    code, _, _ = run(capsys, "diff", HF_V1, HF_V2)
    assert code == 1  # the torch variant swap (EA507) is an error-level finding
    code, _, _ = run(capsys, "diff", "--fail-on", "never", "--exit-code", HF_V1, HF_V2)
    assert code == 1
    code, out, _ = run(capsys, "diff", "--exit-code", HF_V1, HF_V1)
    assert code == 0
    assert "no differences (78 packages identical)" in out


def test_diff_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "--format", "json", HF_V1, HF_V2)
    assert code == 1
    data = json.loads(out)["diff"]
    kinds = {c["key"]: c["kind"] for c in data["changes"]}
    assert kinds["torch"] == "build-changed"
    assert kinds["numpy"] == "upgraded"
    assert data["summary"]["added"] == 3


def test_show_via_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "envaudit", "show", HF_V1],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0
    assert "torch" in result.stdout


def test_empty_file_is_an_empty_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "requirements.txt"
    empty.write_text("")
    code, out, _ = run(capsys, "show", "--format", "json", str(empty))
    assert code == 0
    assert json.loads(out)["packages"] == []


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "show")[0] == 2
    assert run(capsys, "show", "--from", "nonsense", HF_V1)[0] == 2
    code, _, err = run(capsys, "show", "no/such/file.txt")
    assert code == 2
    assert err.strip() == "no/such/file.txt: no such file"


# (file name, content, expected one-line error: a regex matched against stderr)
MALFORMED: list[tuple[str, str | bytes, str]] = [
    ("poetry.lock", '[[package]]\nname = "a"\nversion = ', r"poetry\.lock:3: invalid TOML"),
    ("poetry.lock", '[[package]]\nname = "a"\n', r"poetry\.lock: package\[0\].*version"),
    (
        "poetry.lock",
        '[[package]]\nname = "a"\nversion = 1\n',
        r"poetry\.lock: package\[0\]\.version: .*string",
    ),
    ("poetry.lock", 'package = "x"\n', r"poetry\.lock: package: .*list"),
    (
        "environment.yml",
        "dependencies:\n  - numpy[version='>=1\n",
        r"environment\.yml: dependencies\[0\]: ",
    ),
    ("environment.yml", "dependencies: numpy\n", r"environment\.yml: dependencies: .*list"),
    ("environment.yml", "dependencies: [numpy,\n", r"environment\.yml:\d+: invalid YAML"),
    ("requirements.txt", "-r missing.txt\n", r"requirements\.txt(:1)?: .*missing\.txt"),
    ("requirements.txt", "numpy==1.0 --hash=sha256:xyz\n", r"requirements\.txt:1: .*hash"),
    ("requirements.txt", b"numpy\x00\x01\x02garbage", r"requirements\.txt:1: not a text file"),
    ("requirements.txt", "numpy\nfoo bar baz\n", r"requirements\.txt:2: invalid requirement"),
    ("requirements.txt", "--frobnicate\n", r"requirements\.txt:1: .*--frobnicate"),
    ("requirements.txt", b"numpy==1.0\ncaf\xe9\n", r"requirements\.txt:2: not UTF-8"),
    ("spec.txt", "@EXPLICIT\nhttps://x.org/c/linux-64/not-a-package.txt\n", r"spec\.txt:2: "),
    (
        "spec.txt",
        "@EXPLICIT\nhttps://conda.anaconda.org/c/linux-64/a-1.0-h1_0.conda#zz\n",
        r"spec\.txt:2: .*(hash|md5|sha256)",
    ),
    ("Pipfile.lock", '{"_meta": {}, "default": {', r"Pipfile\.lock:1: invalid JSON"),
    ("manifest.json", '{"schema_version": "9.0"}', r"manifest\.json: schema_version: unsupported"),
    (
        "uv.lock",
        'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\nsource = { nonsense = "x" }\n',
        r"uv\.lock: package\[0\]\.source",
    ),
    (
        "pylock.toml",
        'lock-version = "2.0"\n[[packages]]\nname = "a"\n',
        r"pylock\.toml: lock-version",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    MALFORMED,
    ids=[f"{i:02d}-{m[0]}" for i, m in enumerate(MALFORMED)],
)
def test_malformed_input_gives_one_located_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    expected: str,
) -> None:
    target = tmp_path / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "show", name)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.match(expected, lines[0]), lines[0]


def test_include_cycle_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\n")
    (tmp_path / "b.txt").write_text("numpy\n-r a.txt\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "show", "--from", "requirements", "a.txt")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "cycle" in err.lower()


def test_include_outside_root_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.txt").write_text("numpy\n")
    (project / "requirements.txt").write_text("-r ../secret.txt\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "show", "project/requirements.txt")
    assert code == 2
    assert "outside" in err
    code, out, _ = run(capsys, "show", "--allow-outside", "project/requirements.txt")
    assert code == 0
    assert "numpy" in out


def test_credentials_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text(
        "--extra-index-url https://user:s3cret@pypi.example.com/simple\nnumpy==1.0\n"
    )
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json"):
        code, out, _ = run(capsys, "show", "--format", fmt, "requirements.txt")
        assert code == 0
        assert "s3cret" not in out
        assert "pypi.example.com" in out


def test_input_format_choices_match_the_registry() -> None:
    from envaudit.cli.common import INPUT_FORMATS as _INPUT_FORMATS
    from envaudit.sources.registry import FORMATS

    assert set(_INPUT_FORMATS) == set(FORMATS)


def test_capture_round_trips_through_show_and_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cap-%h.json"
    code, out, err = run(capsys, "capture", "--no-meta", "-o", str(target))
    assert code == 0, err
    assert out == ""
    (written,) = tmp_path.glob("cap-*.json")
    assert "%h" not in written.name
    data = json.loads(written.read_text())
    assert "capture_version" in data
    assert "captured_at" not in written.read_text()
    code, out, _ = run(capsys, "show", "--format", "json", str(written))
    assert code == 0
    assert json.loads(out)["source"]["format"] == "capture"
    code, out, _ = run(capsys, "diff", "--exit-code", str(written), str(written))
    assert code == 0
    assert "no differences" in out


def test_capture_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "capture", "--format", "text", "--no-meta")
    assert code == 0
    assert "gpu driver:" in out
    assert "packages:" in out
