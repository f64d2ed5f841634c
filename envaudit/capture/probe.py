"""The capture orchestrator: run every probe against one root and one interpreter."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from envaudit.capture.conda import probe_conda
from envaudit.capture.cuda import DriverContext, probe_cuda
from envaudit.capture.cudnn import probe_cudnn
from envaudit.capture.env import probe_env
from envaudit.capture.gpu import probe_gpu
from envaudit.capture.libs import loader_dirs
from envaudit.capture.model import Capture, DriverInfo
from envaudit.capture.nccl import probe_nccl
from envaudit.capture.nvlibs import SearchPlaces
from envaudit.capture.packages import normalize, scan_packages
from envaudit.capture.python import (
    InterpreterFacts,
    current_interpreter,
    facts_from_prefix,
    probe_python,
    run_interpreter,
)
from envaudit.capture.system import probe_system

ROOT = Path("/")


def capture(
    root: Path = ROOT,
    *,
    sys_path: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    include_meta: bool = True,
    interpreter: InterpreterFacts | None = None,
    prefix: str | None = None,
    hostname: str | None = None,
) -> Capture:
    """Capture the machine under ``root`` as seen by one interpreter.

    ``interpreter`` defaults to the running one (``prefix`` instead describes a conda prefix
    read from disk, without running it); ``sys_path`` defaults to the interpreter's;
    ``environ`` to ``os.environ``. Never raises for a missing or odd fact: those become
    :class:`Unknown` sections.
    """
    environ = os.environ if environ is None else environ
    if interpreter is None:
        interpreter = (
            facts_from_prefix(root, prefix, platform=sys.platform, machine=_machine())
            if prefix
            else current_interpreter()
        )
    scan = scan_packages(root, interpreter.sys_path if sys_path is None else sys_path)
    gpu = probe_gpu(root)
    prefixes = [prefix] if prefix else [interpreter.prefix, interpreter.base_prefix]
    conda = probe_conda(root, prefixes)
    driver = DriverContext(
        gpu.driver.version if isinstance(gpu.driver, DriverInfo) else None,
        windows=interpreter.platform == "win32",
    )
    loader = loader_dirs(root, environ)
    cuda = probe_cuda(
        root,
        environ=environ,
        installed=list(scan.installed),
        conda=conda,
        driver=driver,
        loader_dirs=loader,
    )
    places = SearchPlaces(
        packages={normalize(p.name): p for p in scan.installed if not p.shadowed},
        toolkits=cuda.toolkits,
        conda=conda,
        loader_dirs=tuple(loader),
    )
    return Capture(
        python=probe_python(root, interpreter),
        system=probe_system(root, interpreter),
        packages=scan,
        gpu=gpu,
        cuda=cuda,
        cudnn=probe_cudnn(root, places),
        nccl=probe_nccl(root, places),
        conda=conda,
        env=probe_env(environ),
        meta=capture_meta(hostname) if include_meta else {},
    )


def capture_python(
    python: str,
    *,
    root: Path = ROOT,
    environ: Mapping[str, str] | None = None,
    include_meta: bool = True,
) -> Capture:
    """``envaudit capture --python PATH``: probe that interpreter (stdlib-only script, -S)."""
    facts = run_interpreter(python, environ=environ)
    return capture(root, environ=environ, include_meta=include_meta, interpreter=facts)


def _machine() -> str:
    uname = getattr(os, "uname", None)
    return str(uname().machine) if uname else ""


def hostname() -> str:
    import socket

    return socket.gethostname()


def capture_meta(host: str | None = None) -> dict[str, str]:
    """The only values that change between captures of an unchanged machine."""
    from datetime import UTC, datetime

    from envaudit import __version__

    return {
        "captured_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "hostname": host or hostname(),
        "generator": f"envaudit {__version__}",
    }


def expand_output_template(template: str, host: str | None = None) -> str:
    """``-o FILE`` templates: ``%h`` short host name, ``%N`` full host name, ``%%`` a ``%``."""
    full = host or hostname()
    short = full.split(".", 1)[0]
    out: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        following = template[index + 1 : index + 2]
        if char == "%" and following in ("h", "N", "%"):
            out.append({"h": short, "N": full, "%": "%"}[following])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)
