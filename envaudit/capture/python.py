"""The Python probe: which interpreter, what kind of prefix, its ABI and the flags that matter."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envaudit.capture import fs
from envaudit.capture.model import PythonInfo, PythonKind
from envaudit.errors import UsageError

PROBE_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True)
class InterpreterFacts:
    """What the probe script reports about an interpreter (see ``probe_script.collect``)."""

    implementation: str
    version: str
    executable: str
    prefix: str
    base_prefix: str
    sys_path: tuple[str, ...]
    platform: str = "linux"
    machine: str = ""
    abiflags: str = ""
    soabi: str | None = None
    cache_tag: str | None = None
    free_threaded: bool = False
    pointer_bits: int = 64
    flags: Mapping[str, int] = field(default_factory=dict)
    libc: str | None = None
    usable_cpus: int | None = None

    @classmethod
    def from_probe(cls, data: Any) -> InterpreterFacts:
        """Validate the probe's JSON (it comes from another process); ValueError if malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("probe output is not a JSON object")
        text = {key: _expect(data, key, str) for key in _REQUIRED_TEXT}
        sys_path = data.get("sys_path")
        if not isinstance(sys_path, list) or not all(isinstance(p, str) for p in sys_path):
            raise ValueError("probe output: sys_path is not a list of strings")
        flags = data.get("flags") or {}
        if not isinstance(flags, Mapping):
            raise ValueError("probe output: flags is not an object")
        return cls(
            **text,
            sys_path=tuple(sys_path),
            platform=_optional(data, "platform", str) or "",
            machine=_optional(data, "machine", str) or "",
            abiflags=_optional(data, "abiflags", str) or "",
            soabi=_optional(data, "soabi", str),
            cache_tag=_optional(data, "cache_tag", str),
            free_threaded=bool(data.get("free_threaded")),
            pointer_bits=_optional(data, "pointer_bits", int) or 64,
            flags={str(k): int(v) for k, v in flags.items() if isinstance(v, int)},
            libc=_optional(data, "libc", str),
            usable_cpus=_optional(data, "usable_cpus", int),
        )


_REQUIRED_TEXT = ("implementation", "version", "executable", "prefix", "base_prefix")


def _expect(data: Mapping[str, Any], key: str, kind: type[Any]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise ValueError(f"probe output: {key} is missing or not a {kind.__name__}")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type[Any]) -> Any:
    value = data.get(key)
    if value is None or not isinstance(value, kind) or isinstance(value, bool):
        return None
    return value


def current_interpreter() -> InterpreterFacts:
    """Facts about the interpreter running envaudit (no subprocess)."""
    from envaudit.capture.probe_script import collect

    return InterpreterFacts.from_probe(collect())


def probe_script_source() -> str:
    return (Path(__file__).parent / "probe_script.py").read_text(encoding="utf-8")


def run_interpreter(
    python: str, *, environ: Mapping[str, str] | None = None, timeout: float = PROBE_TIMEOUT_S
) -> InterpreterFacts:
    """Run the stdlib-only probe in another interpreter (``-S``: no site-packages code runs)."""
    import subprocess

    command = [python, "-S", "-c", probe_script_source()]
    env = dict(environ) if environ is not None else None
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        raise UsageError(f"--python {python}: no such interpreter") from None
    except PermissionError:
        raise UsageError(f"--python {python}: not executable") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"--python {python}: the probe did not finish in {timeout:g} s") from None
    except OSError as exc:
        raise UsageError(f"--python {python}: cannot run it: {exc.strerror}") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"--python {python}: the probe failed (Python 3.8+ needed): {last}")
    try:
        return InterpreterFacts.from_probe(json.loads(result.stdout))
    except ValueError as exc:
        raise UsageError(f"--python {python}: unexpected probe output: {exc}") from None


_PYTHON_DIR = re.compile(r"^python(\d+)\.(\d+)(t?)$")


def facts_from_prefix(root: Path, prefix: str, *, platform: str, machine: str) -> InterpreterFacts:
    """Facts read from a (conda) prefix on disk, without running its interpreter."""
    version = _conda_python_version(root, prefix)
    site_dirs: list[str] = []
    for name in fs.list_dir(root, fs.join(prefix, "lib")):
        match = _PYTHON_DIR.match(name)
        site = fs.join(prefix, "lib", name, "site-packages")
        if match and fs.is_dir(root, site):
            site_dirs.append(site)
            version = version or f"{match.group(1)}.{match.group(2)}"
    windows_site = fs.join(prefix, "Lib", "site-packages")
    if fs.is_dir(root, windows_site):
        site_dirs.append(windows_site)
    if version is None:
        raise UsageError(f"--prefix {prefix}: no Python found (no conda-meta/python-*.json)")
    return InterpreterFacts(
        implementation="cpython",
        version=version,
        executable=fs.join(prefix, "bin", "python"),
        prefix=prefix,
        base_prefix=prefix,
        sys_path=tuple(site_dirs),
        platform=platform,
        machine=machine,
    )


def _conda_python_version(root: Path, prefix: str) -> str | None:
    for name in fs.list_dir(root, fs.join(prefix, "conda-meta")):
        if name.startswith("python-") and name.endswith(".json"):
            parts = name[: -len(".json")].rsplit("-", 2)
            if len(parts) == 3 and parts[0] == "python":
                return parts[1]
    return None


def read_pyvenv_cfg(root: Path, prefix: str) -> dict[str, str] | None:
    text = fs.read_text(root, fs.join(prefix, "pyvenv.cfg"), limit=65536)
    if text is None:
        return None
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _kind(root: Path, facts: InterpreterFacts) -> tuple[PythonKind, str | None]:
    cfg = read_pyvenv_cfg(root, facts.prefix)
    if cfg is not None:
        for tool in ("uv", "virtualenv"):
            if tool in cfg:
                return PythonKind.VENV, f"{tool} {cfg[tool]}"
        return PythonKind.VENV, "venv"
    if fs.is_dir(root, fs.join(facts.prefix, "conda-meta")):
        return PythonKind.CONDA, None
    if "/uv/python/" in facts.prefix.replace("\\", "/") + "/":
        return PythonKind.UV_MANAGED, None
    return PythonKind.SYSTEM, None


def probe_python(root: Path, facts: InterpreterFacts) -> PythonInfo:
    kind, creator = _kind(root, facts)
    return PythonInfo(
        implementation=facts.implementation,
        version=facts.version,
        executable=facts.executable,
        prefix=facts.prefix,
        base_prefix=facts.base_prefix,
        kind=kind,
        venv_creator=creator,
        abi=facts.soabi,
        abiflags=facts.abiflags,
        cache_tag=facts.cache_tag,
        free_threaded=facts.free_threaded,
        pointer_bits=facts.pointer_bits,
        flags=dict(sorted(facts.flags.items())),
    )
