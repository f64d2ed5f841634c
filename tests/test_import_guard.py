"""The click app stays light: heavy or optional modules load only when a command needs them."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "deepdiff",
    "tomlkit",
    "ruamel",
    "pynvml",
    "importlib.metadata",
    "packaging.requirements",
)


def test_cli_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, envaudit.cli.commands\n"
        f"bad = [m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {FORBIDDEN!r})]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
