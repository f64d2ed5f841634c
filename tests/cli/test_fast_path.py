"""`envaudit check` and `show` without click: the same answers as click's commands, or click
decides."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import click
import pytest

from envaudit.cli import commands, main
from envaudit.cli.common import CheckRequest, ShowRequest
from envaudit.cli.fast_path import (
    CHECK_OPTIONS,
    REPEATABLE,
    SHOW_OPTIONS,
    Options,
    parse_check,
    parse_show,
    plain_job,
)
from envaudit.record import fields
from tests.conftest import ROOT

REQ = "samples/requirements/Stability-AI__stablediffusion__requirements.txt"
HASHED = "samples/requirements/crafted-hash-change__v1.txt"
CUDA = "samples/requirements/crafted-cuda-swap__v1.txt"
POETRY = "samples/poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v1.lock"
UV = "samples/uv-lock/Comfy-Org__comfy-cli__uv.lock"
CONDA_LOCK = "samples/conda-lock/01-ai__Yi__conda-lock.yml"

# command lines the hook, CI jobs and people write: read without click
PLAIN = [
    ["check", REQ],
    ["check", "--fail-on", "warning", REQ, HASHED],
    ["check", "--fail-on=note", CUDA],
    ["check", REQ, "--fail-on", "never"],
    ["check", "--format", "json", CUDA],
    ["check", "--format=sarif", REQ],
    ["check", "--format", "markdown", REQ, CUDA],
    ["check", "--format", "github", CUDA],
    ["check", "--format", "html", HASHED],
    ["check", "--select", "EA1", "--select=ea5", CUDA],
    ["check", "--ignore", "EA101,EA102", "--ignore=EA5", REQ],
    ["check", "--select="],
    ["check", "--from", "requirements", HASHED],
    ["check", "--from", "poetry-lock", REQ],  # the wrong format: a parse error, exit 2
    ["check", "--allow-outside", POETRY],
    ["check", "--max-size", "10", REQ],  # too large: exit 2
    ["check", "--max-size=0100000000", REQ],
    ["check", "--", CUDA],
    ["check", "--pre-commit", REQ, HASHED],
    ["check", "--pre-commit", "--fail-on", "never", CUDA],
    ["check", "--fail-on", "error", "--fail-on", "warning", REQ],  # the last one wins
    ["check", "samples/requirements/no-such-file.txt"],
    ["check", "HEAD:no/such/file.txt"],
    ["show", REQ],
    ["show", "--format", "json", POETRY],
    ["show", "--format=json", UV],
    ["show", UV, "--format", "text"],
    ["show", "--platform", "linux-64", CONDA_LOCK],
    ["show", "--platform=win-64", "--format", "json", CONDA_LOCK],
    ["show", "--platform", "no-such-platform", CONDA_LOCK],
    ["show", "--from", "requirements", HASHED],
    ["show", "--from", "uv-lock", REQ],  # the wrong format: a parse error, exit 2
    ["show", "--allow-outside", POETRY],
    ["show", "--max-size", "10", REQ],
    ["show", "--", HASHED],
    ["show", "samples/requirements/no-such-file.txt"],
    ["show", "HEAD:samples/requirements/crafted-hash-change__v1.txt"],
]
# anything else goes to click, which answers with its own usage messages
TO_CLICK = [
    [],
    ["--version"],
    ["check"],
    ["check", "--help"],
    ["check", "-h", REQ],
    ["check", "--fail-on"],
    ["check", "--fail-on", "bogus", REQ],
    ["check", "--fail-on", "Error", REQ],
    ["check", "--format=xml", REQ],
    ["check", "--max-size", "0", REQ],
    ["check", "--max-size", "+5", REQ],
    ["check", "--max-size", "1_000", REQ],
    ["check", "--max-size", "x", REQ],
    ["check", "--allow-outside=yes", REQ],
    ["check", "--pre-commit=1", REQ],
    ["check", "--select", "--ignore", REQ],
    ["check", "--unknown", REQ],
    ["check", "--fail", "error", REQ],
    ["check", "-", REQ],
    ["check", "samples/requirements"],
    ["check", "--", "samples"],
    ["show"],
    ["show", REQ, HASHED],
    ["show", "--help"],
    ["show", "--format", "sarif", REQ],
    ["show", "--fail-on", "error", REQ],
    ["show", "--platform", REQ],
    ["show", "--max-size", "0", REQ],
    ["show", "samples/requirements"],
    ["diff", REQ, HASHED],
]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _by_click(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = commands.run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _by_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _click_command(name: str) -> click.Command:
    command = commands.cli.commands[name]  # type: ignore[attr-defined]
    assert isinstance(command, click.Command)
    return command


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_lines_skip_click_and_answer_as_click_does(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    if args == ["check", "--select="]:
        assert plain_job(args) is None  # no file: click says what is missing
        return
    assert plain_job(args) is not None
    assert _by_main(args, capsys) == _by_click(args, capsys)


@pytest.mark.parametrize("args", TO_CLICK, ids=lambda args: " ".join(args) or "(none)")
def test_other_lines_go_to_click(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert plain_job(args) is None
    assert _by_main(args, capsys) == _by_click(args, capsys)


def test_the_findings_and_exit_codes_are_the_real_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _by_main(["check", "--fail-on", "warning", REQ], capsys)
    assert code == 1 and "EA101 unpinned-requirement: opencv-python is not pinned" in out
    code, out, _ = _by_main(["check", "--fail-on", "warning", CUDA], capsys)
    assert code == 0 and "EA309" in out
    code, _, _ = _by_main(["check", "--fail-on", "note", CUDA], capsys)
    assert code == 1
    code, _, err = _by_main(["check", "--max-size", "10", REQ], capsys)
    assert code == 2 and REQ in err and err[-1] == "\n" and err.count("\n") == 1


def test_a_request_holds_what_click_would_pass() -> None:
    request = parse_check(
        ["check", "a.txt", "--select", "EA1", "--format=json", "--select=EA5", "--allow-outside"]
    )
    assert request == CheckRequest(
        files=("a.txt",), output_format="json", select=("EA1", "EA5"), allow_outside=True
    )
    request = parse_show(["show", "--platform=linux-64", "a.lock", "--from", "uv-lock"])
    assert request == ShowRequest(file="a.lock", platform="linux-64", input_format="uv-lock")
    assert parse_check(["show", "a.lock"]) is None and parse_show(["check", "a.lock"]) is None


@pytest.mark.parametrize(
    ("name", "options", "request_type"),
    [("check", CHECK_OPTIONS, CheckRequest), ("show", SHOW_OPTIONS, ShowRequest)],
)
def test_option_table_is_the_click_commands(
    name: str, options: Options, request_type: type[object]
) -> None:
    """Every option click's command has is read the same way here, with the same default."""
    defaults = {field.name: field.default for field in fields(request_type)}  # type: ignore[arg-type]
    seen = set()
    for param in _click_command(name).params:
        if isinstance(param, click.Argument):
            (argument,) = [field for field in defaults if field in ("files", "file")]
            assert param.name == argument and param.required
            assert param.nargs == (-1 if argument == "files" else 1)
            assert isinstance(param.type, click.Path) and not param.type.dir_okay
            continue
        assert isinstance(param, click.Option)
        if param.name == "help":
            continue
        (long_name,) = [opt for opt in param.opts if opt.startswith("--")]
        assert param.secondary_opts == [] and len(param.opts) == 1  # no short forms to read
        parameter, kind = options[long_name]
        seen.add(long_name)
        assert parameter == param.name
        assert param.envvar is None
        if param.is_flag:
            assert kind == "flag" and defaults[parameter] is False
            continue
        elif isinstance(param.type, click.Choice):
            assert kind == tuple(param.type.choices) and param.type.case_sensitive
        elif isinstance(param.type, click.IntRange):
            assert kind == "int>=1" and param.type.min == 1 and param.type.max is None
        else:
            assert kind == "text" and param.type is click.STRING
        if param.multiple:
            assert parameter in REPEATABLE and defaults[parameter] == ()
        else:
            assert parameter not in REPEATABLE and defaults[parameter] == param.default
    assert seen == set(options)


@pytest.mark.parametrize("name", ["check", "show"])
def test_plain_lines_do_not_import_click(name: str) -> None:
    code = (
        "import sys\n"
        "from envaudit.cli import main\n"
        "main(sys.argv[1:])\n"
        "print([m for m in sys.modules if m == 'click' or m.startswith('click.')])\n"
    )
    argv = [sys.executable, "-c", code]
    plain = ["check", "--fail-on", "warning"] if name == "check" else ["show", "--format=json"]
    hook = subprocess.run(
        [*argv, *plain, HASHED],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert hook.stdout.rstrip().endswith("[]")
    help_ = subprocess.run(
        [*argv, name, "--help"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert "'click'" in help_.stdout


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return False


def test_a_closed_pipe_exits_1_quietly_as_with_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """`envaudit check … | head -1`: click exits 1 and silences later flushes; so does this."""
    args = ["check", "--fail-on", "never", CUDA]
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    with pytest.raises(SystemExit) as by_click:
        commands.run(args)
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(args) == by_click.value.code == 1
    sys.stdout.flush()  # the quiet wrapper: no error at exit


@pytest.mark.parametrize("size", ["99999999", "+99999999"], ids=["without-click", "click"])
def test_a_reader_that_went_away(tmp_path: Path, size: str) -> None:
    """`envaudit check … | head -1`: exit 1, nothing on stderr, on both paths."""
    lines = "".join(f"package-{n}>=1.{n}\n" for n in range(300))
    (tmp_path / "requirements.txt").write_text(lines, encoding="utf-8")
    argv = ["check", "--format", "json", "--max-size", size, "requirements.txt"]
    assert (parse_check(argv) is None) == size.startswith("+")
    process = subprocess.Popen(
        [sys.executable, "-m", "envaudit", *argv],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the report is written
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait() == 1
    assert stderr == b""


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "json", "requirements.txt"],
        ["check", "--fail-on", "never", "requirements.txt"],
        ["check", "missing.txt"],
        ["check", "--format", "json", "--max-size", "+99999999", "requirements.txt"],  # click
        ["show", "--format", "json", "requirements.txt"],
    ],
    ids=["findings", "clean", "error", "click", "show"],
)
def test_the_program_hands_over_everything_before_it_ends(
    tmp_path: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`envaudit` ends without tearing Python down after a check: nothing may be lost."""
    lines = "".join(f"package-{n}>=1.{n}\n" for n in range(2000))  # ~600 KB of JSON
    (tmp_path / "requirements.txt").write_text(lines, encoding="utf-8")
    with (tmp_path / "out").open("wb") as out, (tmp_path / "err").open("wb") as err:
        code = subprocess.run(
            [sys.executable, "-m", "envaudit", *args],
            check=False,
            cwd=tmp_path,
            stdout=out,
            stderr=err,
        ).returncode
    monkeypatch.chdir(tmp_path)
    expected = _by_main(args, capsys)
    assert (code, (tmp_path / "out").read_text(), (tmp_path / "err").read_text()) == expected
