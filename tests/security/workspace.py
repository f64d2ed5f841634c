"""A scratch project of token-bearing inputs, and how to run every CLI command over it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from envaudit.cli import commands as cli
from envaudit.cli import main
from tests.security.secret_corpus import BROKEN, CORPUS, S, write_corpus

CAPTURE_SEED = Path(__file__).parents[1] / "fuzz" / "seeds" / "capture" / "gpu_node_cu121.json"
# Environment variables whose values carry secrets while the CLI runs (capture reads them).
SECRET_ENVIRONMENT = {
    "PIP_PASSWORD": "pw-" + S[1],
    "PIP_INDEX_URL": f"https://ci:{S[2]}@pypi.internal.example/simple",
    "PIP_EXTRA_INDEX_URL": f"https://__token__:{S[3]}@upload.pypi.example/simple",
    "UV_INDEX_URL": f"https://u:{S[4]}@uv.internal.example/simple",
    "CONDA_CHANNEL_ALIAS": f"https://conda.example/t/{S[5]}/",
}


@dataclass
class Workspace:
    root: Path
    inputs: list[Path]  # parseable, token-bearing files of every format
    broken: list[Path]  # malformed files whose errors could quote a token
    capture: Path
    prefix: Path  # a fake environment prefix for capture/verify --prefix
    empty: Path
    out: Path  # where -o writes
    faithful: Path  # where pin writes the user's rewritten file (tokens kept on purpose)

    def outputs(self) -> list[Path]:
        return sorted(p for p in self.out.rglob("*") if p.is_file())


def _fake_prefix(root: Path) -> Path:
    prefix = root / "env-prefix"
    dist = prefix / "lib" / "python3.11" / "site-packages" / "numpy-1.26.4.dist-info"
    dist.mkdir(parents=True)
    (prefix / "conda-meta").mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n")
    (dist / "INSTALLER").write_text("pip\n")
    return prefix


def _secret_capture(root: Path) -> Path:
    """A capture whose allow-listed variables hold credentials (as a careless tool wrote it)."""
    document = json.loads(CAPTURE_SEED.read_text(encoding="utf-8"))
    document["env"]["PIP_EXTRA_INDEX_URL"] = f"https://user:{S[6]}@download.example/whl/cu121"
    document["env"]["PIP_INDEX_URL"] = f"https://pypi.example/simple?token={S[7]}"
    path = root / "captures" / "node1.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def build_workspace(root: Path) -> Workspace:
    paths = write_corpus(root)
    parseable = {item.name for item in CORPUS}
    empty = root / "empty-requirements.txt"
    empty.write_text("", encoding="utf-8")
    (root / "out").mkdir()
    (root / "faithful").mkdir()
    return Workspace(
        root=root,
        inputs=[p for p in paths if p.relative_to(root).as_posix() in parseable],
        broken=[p for p in paths if p.relative_to(root).as_posix() in {b.name for b in BROKEN}],
        capture=_secret_capture(root),
        prefix=_fake_prefix(root),
        empty=empty,
        out=root / "out",
        faithful=root / "faithful",
    )


def format_choices(command: click.Command) -> tuple[str, ...]:
    """The choices of a command's ``--format`` (or ``--to``) option; ``("",)`` when none."""
    for param in command.params:
        if isinstance(param, click.Option) and ("--format" in param.opts or "--to" in param.opts):
            assert isinstance(param.type, click.Choice)
            return tuple(str(choice) for choice in param.type.choices)
    return ("",)


def _fmt(fmt: str) -> list[str]:
    return ["--format", fmt] if fmt else []


def _show(ws: Workspace, fmt: str) -> list[list[str]]:
    return [["show", str(p), *_fmt(fmt)] for p in [*ws.inputs, ws.capture, *ws.broken]]


def _check(ws: Workspace, fmt: str) -> list[list[str]]:
    return [["check", str(p), *_fmt(fmt)] for p in [*ws.inputs, ws.capture, *ws.broken]]


def _diff(ws: Workspace, fmt: str) -> list[list[str]]:
    runs = []
    for path in [*ws.inputs, ws.capture]:
        runs.append(["diff", str(ws.empty), str(path), *_fmt(fmt)])
        runs.append(["diff", str(path), str(ws.empty), *_fmt(fmt)])
    runs.append(["diff", str(ws.broken[0]), str(ws.empty), *_fmt(fmt)])
    return runs


def _rules(ws: Workspace, fmt: str) -> list[list[str]]:
    return [["rules", *_fmt(fmt)]]


def _capture(ws: Workspace, fmt: str) -> list[list[str]]:
    out = ws.out / f"capture-{fmt}.out"
    return [
        ["capture", "--prefix", str(ws.prefix), *_fmt(fmt)],
        ["capture", "--prefix", str(ws.prefix), *_fmt(fmt), "-o", str(out)],
    ]


def _verify(ws: Workspace, fmt: str) -> list[list[str]]:
    return [["verify", str(p), "--prefix", str(ws.prefix), *_fmt(fmt)] for p in ws.inputs]


def _pin(ws: Workspace, fmt: str) -> list[list[str]]:
    """pin rewrites the user's own environment.yml: its channel tokens stay (in the
    rewritten document, written to ``faithful/``); its messages must not carry them."""
    env = next(p for p in ws.inputs if p.name == "environment.yml")
    runs = []
    for source in ws.inputs:
        if source.name in {"conda-lock.yml", "pixi.lock", "conda-linux-64-explicit.txt"}:
            runs.append(["pin", str(env), "--from", str(source), "--check"])
            out = ws.faithful / f"pinned-from-{source.name}.yml"
            runs.append(["pin", str(env), "--from", str(source), "-o", str(out)])
    runs.append(["pin", str(env), "--from", str(ws.capture), "-o", str(ws.faithful / "p.yml")])
    return runs


def _export(ws: Workspace, target: str) -> list[list[str]]:
    runs = []
    for path in [*ws.inputs, ws.capture]:
        runs.append(["export", str(path), "--to", target])
        out = ws.out / f"export-{path.name}.{target}"
        runs.append(["export", str(path), "--to", target, "-o", str(out)])
    return runs


def _audit(ws: Workspace, fmt: str) -> list[list[str]]:
    return [["audit", str(ws.root), *_fmt(fmt)]]


def _fleet(ws: Workspace, fmt: str) -> list[list[str]]:
    out = ws.out / f"fleet.{fmt}"
    directory = str(ws.capture.parent)
    return [
        ["fleet", directory, *_fmt(fmt), "-j", "1"],
        ["fleet", directory, *_fmt(fmt), "-o", str(out)],
    ]


def _git_history(ws: Workspace) -> str:
    """Make the project a repository whose requirements.txt changed twice (token-bearing).

    Returns the path relative to the project root, where the test runs (``log`` reads
    the repository of the working directory).
    """
    git = ["git", "-C", str(ws.root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    git += ["-c", "commit.gpgsign=false"]
    tracked = ws.root / "requirements.txt"
    if not (ws.root / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
        source = tracked.read_text(encoding="utf-8")
        for number, text in enumerate(
            [source, source.replace("1.26.4", "1.26.5"), source + "x==1\n"]
        ):
            tracked.write_text(text, encoding="utf-8")
            subprocess.run([*git, "add", "requirements.txt"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", f"v{number}"], check=True)
    return "requirements.txt"


def _log(ws: Workspace, fmt: str) -> list[list[str]]:
    tracked = _git_history(ws)
    out = ws.out / f"log.{fmt}"
    return [["log", tracked, *_fmt(fmt), "-j", "1"], ["log", tracked, *_fmt(fmt), "-o", str(out)]]


INVOCATIONS: dict[str, Callable[[Workspace, str], list[list[str]]]] = {
    "show": _show,
    "check": _check,
    "diff": _diff,
    "rules": _rules,
    "capture": _capture,
    "verify": _verify,
    "pin": _pin,
    "export": _export,
    "audit": _audit,
    "fleet": _fleet,
    "log": _log,
}


def command_formats() -> list[tuple[str, str]]:
    """Every (command, output format) pair the CLI offers today."""
    assert isinstance(cli.cli, click.Group)
    return [
        (name, fmt)
        for name, command in sorted(cli.cli.commands.items())
        for fmt in format_choices(command)
    ]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
