"""Stdlib-only interpreter facts, run inside the interpreter being captured (Python 3.8+).

``envaudit capture --python PATH`` runs this file's source as ``PATH -S -c SOURCE``: ``-S``
keeps ``site`` from executing ``.pth`` import lines (code from site-packages), so the
site directories ``site`` would add are computed here instead. Imported in-process, the
same :func:`collect` describes the running interpreter. Keep it importable on 3.8: no
newer syntax or library calls.
"""

# os.path on purpose: this script must stay cheap to import and run on Python 3.8.
# ruff: noqa: PTH100, PTH109, PTH112, PTH113, PTH118, PTH120, PTH123, PTH208
from __future__ import annotations

import json
import os
import struct
import sys
import sysconfig
from typing import Any

PROBE_VERSION = 1
_FLAG_NAMES = (
    "optimize",
    "dont_write_bytecode",
    "no_user_site",
    "no_site",
    "ignore_environment",
    "isolated",
    "hash_randomization",
    "dev_mode",
    "utf8_mode",
    "safe_path",
    "int_max_str_digits",
    "warn_default_encoding",
)


def _flags() -> dict[str, int]:
    flags: dict[str, int] = {}
    for name in _FLAG_NAMES:
        if hasattr(sys.flags, name):
            flags[name] = int(getattr(sys.flags, name))
    return flags


def _libc() -> str | None:
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        value = None
    if value:
        return value
    try:
        import platform

        name, version = platform.libc_ver()
    except (OSError, ValueError):
        return None
    return f"{name} {version}".strip() or None


def _usable_cpus() -> int | None:
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        try:
            return len(getter(0))
        except OSError:
            pass
    return os.cpu_count()


def _machine() -> str:
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().machine)
    import platform

    return platform.machine()


def _pyvenv_cfg(prefix: str) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        with open(os.path.join(prefix, "pyvenv.cfg"), encoding="utf-8") as handle:
            for line in handle:
                key, sep, value = line.partition("=")
                if sep:
                    values[key.strip().lower()] = value.strip()
    except (OSError, ValueError):
        pass
    return values


def _site_dirs(prefix: str) -> list[str]:
    try:
        import site

        return [str(path) for path in site.getsitepackages([prefix])]
    except (AttributeError, OSError, ValueError):
        paths = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
        return [paths[key] for key in ("purelib", "platlib") if paths.get(key)]


def _user_site() -> str | None:
    if sys.flags.no_user_site:
        return None
    try:
        import site

        return str(site.getusersitepackages())
    except (AttributeError, OSError, ValueError):
        return None


def _pth_dirs(site_dir: str) -> list[str]:
    """Directories that ``site`` would add from ``*.pth`` files (import lines are skipped)."""
    added: list[str] = []
    try:
        names = sorted(name for name in os.listdir(site_dir) if name.endswith(".pth"))
    except OSError:
        return added
    for name in names:
        try:
            with open(os.path.join(site_dir, name), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, ValueError):
            continue
        for raw in lines:
            line = raw.rstrip()
            if not line or line.startswith(("#", "import ", "import\t")):
                continue
            path = os.path.normpath(os.path.join(site_dir, line))
            if os.path.isdir(path) and path not in added:
                added.append(path)
    return added


def _emulated_site_path(base: list[str], prefix: str, base_prefix: str) -> tuple[list[str], str]:
    """``sys.path`` as ``site`` would have built it, without running any ``.pth`` code.

    Same order as ``site.main()``: the venv's site-packages, the user site, then the base
    interpreter's site-packages (for a venv only with include-system-site-packages).
    """
    venv = _venv_prefix()
    site_dirs: list[str] = []
    use_system_site = True
    if venv is not None:
        prefix = venv
        site_dirs.extend(_site_dirs(venv))
        cfg = _pyvenv_cfg(venv)
        use_system_site = cfg.get("include-system-site-packages", "false").lower() == "true"
    user_site = _user_site() if use_system_site else None
    if user_site:
        site_dirs.append(user_site)
    if use_system_site:
        site_dirs.extend(_site_dirs(base_prefix if venv is not None else prefix))
    path = list(base)
    for site_dir in site_dirs:
        if site_dir not in path and os.path.isdir(site_dir):
            path.append(site_dir)
            path.extend(p for p in _pth_dirs(site_dir) if p not in path)
    return path, prefix


def _venv_prefix() -> str | None:
    executable_dir = os.path.dirname(os.path.abspath(sys.executable))
    for candidate in (executable_dir, os.path.dirname(executable_dir)):
        if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
            return candidate
    return None


def collect(*, as_subprocess: bool = False) -> dict[str, Any]:
    """The facts about the running interpreter that no file on disk can tell."""
    prefix = sys.prefix
    base_prefix = getattr(sys, "base_prefix", prefix)
    cwd = os.getcwd()
    entries = sys.path[1:] if as_subprocess else list(sys.path)
    base = [os.path.abspath(entry) if entry else cwd for entry in entries]
    flags = _flags()
    if sys.flags.no_site and as_subprocess:
        path, prefix = _emulated_site_path(base, prefix, base_prefix)
        flags["no_site"] = 0  # -S was the probe's choice, not the interpreter's
    else:
        path = base
    return {
        "probe_version": PROBE_VERSION,
        "implementation": sys.implementation.name,
        "version": sys.version.split()[0],
        "executable": sys.executable,
        "prefix": prefix,
        "base_prefix": base_prefix,
        "sys_path": path,
        "abiflags": getattr(sys, "abiflags", ""),
        "soabi": sysconfig.get_config_var("SOABI"),
        "cache_tag": sys.implementation.cache_tag,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "pointer_bits": struct.calcsize("P") * 8,
        "flags": flags,
        "platform": sys.platform,
        "machine": _machine(),
        "libc": _libc(),
        "usable_cpus": _usable_cpus(),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(collect(as_subprocess=True), sort_keys=True))
