"""The T1–T9 cases of the performance budget (DESIGN.md "Performance budget")."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import inputs
from benchmarks.harness import Command, Samples, child_env
from benchmarks.peers import Peers

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
REAL_POETRY_LOCK = SAMPLES / "poetry-lock" / "UCSD-E4E__baboons-on-the-move__poetry.lock.x86_64"
REAL_CONDA_LOCK = SAMPLES / "conda-lock" / "Clay-foundation__model__conda-lock.yml"

# The modules importing the click app (`envaudit.cli.commands`, what `envaudit --help` loads)
# must not load (tests/test_import_guard.py checks the same).
FORBIDDEN = ("deepdiff", "tomlkit", "ruamel", "pynvml", "importlib.metadata")

_BARE_TOMLLIB = (
    "import json, sys, tomllib\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    data = tomllib.load(f)\n"
    "sys.stdout.write(json.dumps(data))\n"
)
_GUARD = (
    "import sys, envaudit.cli.commands\n"
    f"forbidden = {FORBIDDEN!r}\n"
    "print(','.join(sorted(m for m in sys.modules\n"
    "    if any(m == f or m.startswith(f + '.') for f in forbidden))))\n"
)


# cyclonedx-py (seconds), collect_env (seconds) and pip list are timed in the first rounds only:
# their targets (0.2x, 0.1x, info) have margins far wider than the run-to-run noise.
SLOW_PEER_ROUNDS = 5


@dataclass(frozen=True)
class Sizes:
    """Package counts of the generated inputs (the budget's, or tiny ones for smoke runs)."""

    poetry: int = 420
    uv: int = 400
    uv_changes: int = 40
    requirements: int = 400
    conda_entries: int = 830
    site_packages: int = 300


SMOKE_SIZES = Sizes(40, 40, 4, 40, 83, 30)


@dataclass(frozen=True)
class Inputs:
    root: Path
    poetry_dir: Path
    uv_old: Path
    uv_new: Path
    requirements: Path
    conda_lock: Path
    site_packages: Path


def write_inputs(root: Path, sizes: Sizes) -> Inputs:
    """Generate every input under ``root`` (deterministic: same sizes, same bytes)."""
    poetry_dir = root / "poetry"
    for folder in (poetry_dir, root / "old", root / "new"):
        folder.mkdir(parents=True, exist_ok=True)
    (poetry_dir / "poetry.lock").write_text(inputs.poetry_lock(sizes.poetry))
    (poetry_dir / "pyproject.toml").write_text(inputs.poetry_pyproject(sizes.poetry))
    old, new = inputs.uv_lock_pair(sizes.uv, sizes.uv_changes)
    (root / "old" / "uv.lock").write_text(old)
    (root / "new" / "uv.lock").write_text(new)
    (root / "requirements.txt").write_text(inputs.requirements_hashed(sizes.requirements))
    (root / "conda-lock.yml").write_text(inputs.conda_lock(sizes.conda_entries))
    site = root / f"site-packages-{sizes.site_packages}"
    if not site.exists():
        inputs.fake_site_packages(site, sizes.site_packages)
    return Inputs(
        root,
        poetry_dir,
        root / "old" / "uv.lock",
        root / "new" / "uv.lock",
        root / "requirements.txt",
        root / "conda-lock.yml",
        site,
    )


def capture_scripts() -> tuple[str, str] | None:
    """T8's two scripts (package listing, whole capture), from ``benchmarks/capture_bench.py``.

    The capture issue owns those definitions; T8 is pending until both it and
    ``envaudit.capture`` are there.
    """
    try:
        if importlib.util.find_spec("envaudit.capture.probe") is None:
            return None
        from benchmarks import capture_bench
    except ImportError:
        return None
    listing, whole = (
        getattr(capture_bench, "LISTING", None),
        getattr(capture_bench, "CAPTURE", None),
    )
    return (listing, whole) if isinstance(listing, str) and isinstance(whole, str) else None


@dataclass(frozen=True)
class Plan:
    """Every process to time, keyed by the names the rows refer to."""

    commands: tuple[Command, ...]
    inputs: Inputs


_interpreter = [sys.executable]


def use_interpreter(python: Path) -> None:
    """Run envaudit, F and the in-process workers with this Python (see ensure_bench_venv)."""
    _interpreter[0] = str(python)


def interpreter() -> str:
    return _interpreter[0]


# What pip's console script ``envaudit`` runs (its template, minus the shebang): users type
# ``envaudit``, not ``python -m envaudit`` (runpy adds a few milliseconds of its own).
CONSOLE_SCRIPT = (
    "import re, sys\n"
    "from envaudit.cli import console\n"
    "sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
    "sys.exit(console())\n"
)
# The modules the bare baselines load, then what envaudit's model adds to them.
_BASE_IMPORTS = "import json, sys, tomllib"
_LIBRARY_JSON = (
    "import sys\nfrom envaudit.loader import load\nsys.stdout.write(load(sys.argv[1]).to_json())\n"
)
_LIBRARY_PARSE = "import sys\nfrom envaudit.loader import load\nload(sys.argv[1])\n"
_BARE_TOMLLIB_PARSE = (
    "import sys, tomllib\nwith open(sys.argv[1], 'rb') as f:\n    tomllib.load(f)\n"
)
_BARE_YAML_PARSE = (
    "import sys, yaml\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    yaml.load(f, Loader=yaml.CSafeLoader)\n"
)
_BARE_YAML = (
    "import json, sys, yaml\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    data = yaml.load(f, Loader=yaml.CSafeLoader)\n"
    "sys.stdout.write(json.dumps(data, default=str))\n"
)
LARGEST_UV_LOCK = SAMPLES / "uv-lock" / "UCSD-E4E__fishsense-lite__uv.lock"
LARGEST_PIXI_LOCK = SAMPLES / "pixi-lock" / "xarray-contrib__xarray-tutorial__pixi.lock"


def _envaudit(
    name: str, args: Sequence[str], cwd: Path, ok: Sequence[int] = (0,), columns: str = ""
) -> Command:
    extra = {"PYTHONPATH": str(REPO), "NO_COLOR": "1"} | ({"COLUMNS": columns} if columns else {})
    return Command(
        name,
        (interpreter(), "-c", CONSOLE_SCRIPT, *args),
        cwd=cwd,
        env=child_env(extra),
        ok_codes=frozenset(ok),
    )


def _python(name: str, code: str, *args: str, python: Path | None = None) -> Command:
    return Command(
        name,
        (str(python or interpreter()), "-c", code, *args),
        env=child_env({"PYTHONPATH": str(REPO)} if python is None else {}),
    )


def plan(data: Inputs, peers: Peers | None, selected: Callable[[str], bool]) -> Plan:
    """The commands the selected cases need (F is always measured: most ratios use it)."""
    cwd = data.root
    lock = str(data.poetry_dir / "poetry.lock")
    commands = [_python("F", "pass")]
    if selected("T3") or selected("T6"):
        commands.append(_python("import-base", _BASE_IMPORTS))
        commands.append(_python("import-base-model", _BASE_IMPORTS + ", envaudit.model"))
    if selected("T1"):
        # the stored help text serves terminals of 80 columns and more; click wraps it for
        # narrower ones (an info row: what the click path costs)
        commands.append(_envaudit("help", ["--help"], cwd, columns="100"))
        commands.append(_envaudit("help-click", ["--help"], cwd, columns="60"))
    if selected("T2"):
        commands.append(_envaudit("check", ["check", str(data.requirements)], cwd, (0, 1)))
    if selected("T3") or selected("T7"):
        commands.append(_envaudit("show-json", ["show", "--format", "json", lock], cwd))
        commands.append(_python("tomllib-json", _BARE_TOMLLIB, lock))
        commands.append(_python("library-json", _LIBRARY_JSON, lock))
        real = str(REAL_POETRY_LOCK)
        commands.append(_envaudit("show-json-real", ["show", "--format", "json", real], cwd))
        commands.append(_python("tomllib-json-real", _BARE_TOMLLIB, real))
        commands.append(_python("library-json-real", _LIBRARY_JSON, real))
    if selected("T3"):
        bare = (_BARE_TOMLLIB, _BARE_TOMLLIB_PARSE)
        commands.extend(_largest_lock("uv", LARGEST_UV_LOCK, "tomllib", *bare))
    if selected("T6"):
        bare = (_BARE_YAML, _BARE_YAML_PARSE)
        commands.extend(_largest_lock("pixi", LARGEST_PIXI_LOCK, "pyyaml", *bare))
    if selected("T3") and peers is not None and peers.cyclonedx is not None:
        argv = (str(peers.cyclonedx), "poetry", "--no-validate", str(data.poetry_dir))
        commands.append(Command("cyclonedx", argv, env=child_env(), max_rounds=SLOW_PEER_ROUNDS))
    if selected("T4"):
        args = ["diff", str(data.uv_old), str(data.uv_new)]
        commands.append(_envaudit("diff-uv", args, cwd, (0, 1)))
    scripts = capture_scripts() if selected("T8") else None
    if scripts is not None:
        commands.extend(_capture_commands(scripts, data, peers))
    if selected("T9"):
        commands.append(_python("import-cli", "import envaudit.cli.commands"))
    return Plan(tuple(commands), data)


def _largest_lock(
    tag: str, lock: Path, baseline: str, bare_json: str, bare_parse: str
) -> list[Command]:
    """One lock read four ways: envaudit and the bare parser, each with and without writing
    JSON (``library-json-TAG``, ``BASELINE-json-TAG``, ``parse-TAG``, ``BASELINE-TAG``)."""
    path = str(lock)
    return [
        _python(f"library-json-{tag}", _LIBRARY_JSON, path),
        _python(f"{baseline}-json-{tag}", bare_json, path),
        _python(f"parse-{tag}", _LIBRARY_PARSE, path),
        _python(f"{baseline}-{tag}", bare_parse, path),
    ]


def _capture_commands(scripts: tuple[str, str], data: Inputs, peers: Peers | None) -> list[Command]:
    """Listing: the interpreter's own sys.path plus the fake 300-dist site-packages; whole
    capture: ``capture_python`` of the peers venv (torch in it), against its collect_env."""
    listing, whole = scripts
    site = str(data.site_packages)
    with_site = child_env({"PYTHONPATH": os.pathsep.join((str(REPO), site))})
    target = str(peers.python) if peers is not None else sys.executable
    venv_site = sysconfig.get_paths()["purelib"]
    pip_list = (sys.executable, "-m", "pip", "list", "--path", venv_site, "--path", site)
    commands = [
        Command("capture-packages", (interpreter(), "-c", listing), env=with_site),
        _python("capture-whole", whole, target),
        Command("pip-list", pip_list, env=child_env(), max_rounds=SLOW_PEER_ROUNDS),
    ]
    if peers is not None and peers.has_torch:
        collect = (str(peers.python), "-m", "torch.utils.collect_env")
        commands.append(
            Command("collect-env", collect, env=child_env(), max_rounds=SLOW_PEER_ROUNDS)
        )
    return commands


def import_guard() -> list[str]:
    """The forbidden modules ``import envaudit.cli.commands`` loads (should be none)."""
    result = subprocess.run(
        [interpreter(), "-c", _GUARD],
        capture_output=True,
        text=True,
        check=True,
        env=child_env({"PYTHONPATH": str(REPO)}),
    )
    return [name for name in result.stdout.strip().split(",") if name]


def run_inprocess(request: dict[str, object]) -> dict[str, list[float]]:
    """Run one task of :mod:`benchmarks.inprocess` in a fresh worker process."""
    result = subprocess.run(
        [interpreter(), "-m", "benchmarks.inprocess", json.dumps(request)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=child_env({"PYTHONPATH": str(REPO)}),
    )
    if result.returncode != 0:
        raise RuntimeError(f"in-process task {request['task']} failed:\n{result.stderr[-3000:]}")
    timings: dict[str, list[float]] = json.loads(result.stdout)
    return timings


Results = dict[str, Samples]
