"""``envaudit capture`` speed, as ratios measured in one run (DESIGN.md "Performance budget").

    python benchmarks/capture_bench.py [--rounds N] [--torch-venv DIR] [--setup]

* listing ratio  = package listing (``list_distributions``: the dist-info scan capture runs,
                   names, versions, INSTALLER, REQUESTED, direct_url.json, in a fresh process)
                   / ``python -c pass``                               budget <= 2x
                   (``listing + model`` also builds the frozen PackageScan; shown for context)
* capture ratio  = whole capture of the torch venv (``capture_python``: probe script + every
                   probe) / ``python -m torch.utils.collect_env`` in that venv   budget <= 0.1x

The torch venv lives in ``benchmarks/.work/torch-venv`` (git-ignored); ``--setup`` creates it
with ``pip install torch==2.13.0`` (a CPU wheel on this machine's local disk). Every command
runs in a fresh process, rounds are interleaved, and the median is reported. Bytecode caching
is left on (PYTHONDONTWRITEBYTECODE removed) and one warm-up round is discarded, as a user's
second run would see it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TORCH_VENV = REPO / "benchmarks" / ".work" / "torch-venv"

LISTING = (
    "import sys\n"
    "from envaudit.capture.packages import list_distributions\n"
    "paths, found, problems = list_distributions('/', sys.path)\n"
    "sys.stdout.write(''.join(f'{d[0]}=={d[1]}\\n' for d in found))\n"
)
LISTING_MODEL = (
    "import sys\n"
    "from pathlib import Path\n"
    "from envaudit.capture.packages import scan_packages\n"
    "scan = scan_packages(Path('/'), sys.path)\n"
    "sys.stdout.write(''.join(f'{p.name}=={p.version}\\n' for p in scan.installed))\n"
)
CAPTURE = (
    "import sys\n"
    "from envaudit.capture.probe import capture_python\n"
    "sys.stdout.write(capture_python(sys.argv[1]).to_json())\n"
)


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)
    return env


def _time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    quiet = subprocess.DEVNULL
    subprocess.run(command, env=env, check=True, stdout=quiet, stderr=quiet)
    return time.perf_counter() - start


def setup_torch_venv(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)


def measure(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    env = _environment()
    for command in commands.values():  # warm-up: compile .pyc files, fill the page cache
        _time(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            samples[name].append(_time(command, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--collect-env-rounds", type=int, default=3)
    parser.add_argument("--torch-venv", type=Path, default=DEFAULT_TORCH_VENV)
    parser.add_argument("--setup", action="store_true", help="create the torch venv if missing")
    args = parser.parse_args()

    python = sys.executable
    fast = {
        "python -c pass": [python, "-c", "pass"],
        "package listing": [python, "-c", LISTING],
        "listing + model": [python, "-c", LISTING_MODEL],
        "pip list": [python, "-m", "pip", "list", "--disable-pip-version-check"],
    }
    torch_python = args.torch_venv / "bin" / "python"
    if args.setup and not torch_python.exists():
        setup_torch_venv(args.torch_venv)
    has_torch = torch_python.exists()
    if has_torch:
        fast["capture (torch venv)"] = [python, "-c", CAPTURE, str(torch_python)]
    results = measure(fast, args.rounds)
    if has_torch:
        slow = {"collect_env": [str(torch_python), "-m", "torch.utils.collect_env"]}
        results |= measure(slow, args.collect_env_rounds)

    print(f"python: {sys.version.split()[0]} ({python}); rounds: {args.rounds}")
    for name, seconds in results.items():
        print(f"  {name:<22} {seconds * 1000:8.1f} ms")
    listing = results["package listing"] / results["python -c pass"]
    print(f"listing ratio  (package listing / python -c pass) = {listing:.2f}  (budget <= 2)")
    if has_torch:
        ratio = results["capture (torch venv)"] / results["collect_env"]
        print(f"capture ratio  (capture / torch collect_env)      = {ratio:.3f}  (budget <= 0.1)")
    else:
        print(f"capture ratio: skipped, no torch venv at {args.torch_venv} (run with --setup)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
