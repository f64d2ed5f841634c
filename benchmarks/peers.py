"""The peer tools' own virtual environment (never a dependency of envaudit)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

# What each baseline needs; installed one by one so that one failure leaves the others.
PEER_PACKAGES = ("cyclonedx-bom", "PyYAML", "torch==2.13.0")
_STAMP = ".envaudit-bench-installed"


@dataclass(frozen=True)
class Peers:
    """Where the peer tools are; a missing tool is ``None`` and its row says why."""

    python: Path
    site_packages: Path
    cyclonedx: Path | None
    has_pyyaml: bool
    has_torch: bool
    versions: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def _base_python() -> str:
    """The interpreter the envaudit venv was made from (so peers run the same Python)."""
    return str(getattr(sys, "_base_executable", sys.executable))


def _site_packages(venv: Path) -> Path:
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    return Path(purelib)


def _venv_python(venv: Path) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return venv / scripts / ("python.exe" if sys.platform == "win32" else "python")


def _pip_install(python: Path, requirement: str) -> str | None:
    """Install one requirement; the error's last line, or None on success."""
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return f"pip install {requirement} failed: {lines[-1] if lines else result.returncode}"


def _versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json\n"
        "names = ('cyclonedx-bom', 'PyYAML', 'torch', 'pip')\n"
        "out = {}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return {}
    import json

    versions: dict[str, str] = json.loads(result.stdout)
    return versions


def ensure_peers(venv: Path, *, install: bool = True) -> Peers | None:
    """Create and fill the peers venv on first use; later runs reuse it."""
    python = _venv_python(venv)
    problems: list[str] = []
    if not python.exists():
        if not install:
            return None
        subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True)
    stamp = venv / _STAMP
    if install and not stamp.exists():
        print(f"installing peer baselines into {venv} ...", file=sys.stderr, flush=True)
        problems = [p for p in (_pip_install(python, r) for r in PEER_PACKAGES) if p]
        if not problems:
            stamp.write_text("ok\n")
    versions = _versions(python)
    scripts = python.parent
    cyclonedx = scripts / "cyclonedx-py"
    return Peers(
        python=python,
        site_packages=_site_packages(venv),
        cyclonedx=cyclonedx if cyclonedx.exists() else None,
        has_pyyaml="PyYAML" in versions,
        has_torch="torch" in versions,
        versions=versions,
        problems=tuple(problems),
    )


def ensure_bench_venv(venv: Path) -> Path:
    """A venv that sees envaudit's dependencies like a plain ``pip install`` would.

    The development venv may hold an editable install, whose ``.pth`` import hook runs at
    every interpreter start (measured: ``python -c pass`` 34 ms there, 18 ms in a clean
    venv) and would inflate F and flatter every ratio to F. This venv has no packages of its
    own: one ``.pth`` line puts the development venv's site-packages on ``sys.path``, and
    ``.pth`` files found there are not executed. envaudit itself comes from PYTHONPATH.
    """
    python = _venv_python(venv)
    if not python.exists():
        subprocess.run([_base_python(), "-m", "venv", "--without-pip", str(venv)], check=True)
    link = _site_packages(venv) / "_envaudit_bench_deps.pth"
    deps = sysconfig.get_paths()["purelib"]
    if not link.exists() or link.read_text().strip() != deps:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.write_text(deps + "\n")
    return python
