"""One capture as flat machine facts (``gpu.driver``, ``pypi:torch``...), read fast from JSON.

``fleet`` reads thousands of captures, so it does not build the typed :class:`Capture` (the
reflective loader costs ~45 ms for 300 packages): :func:`facts_from_data` walks the decoded
JSON directly and yields the same keys as ``capture_json.machine_meta`` plus one field per
installed package. Anything it does not expect raises :class:`UnexpectedShapeError`; the caller then
falls back to the full parser (:func:`facts_from_manifest`), which reports a located error or
agrees with the fast path (a test holds both to the same output).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envaudit.analysis.names import conda_key, pypi_key
from envaudit.model import Ecosystem, Manifest

PYPI_PREFIX = "pypi:"
CONDA_PREFIX = "conda:"
CAPTURE_META_PREFIX = "capture."
_UNKNOWN = "unknown"
_FIELD_CACHE_LIMIT = 200_000
_pypi_fields: dict[str, str] = {}
# The bytes around packages.installed in Capture.to_json output (indent=2, sorted keys). A
# real newline and fixed indentation can only occur between JSON tokens, never in a string.
_INSTALLED_OPEN = b'"installed": ['
_INSTALLED_CLOSE = b'],\n    "paths": ['
_INSTALLED_EMPTY = b'"installed": []'
_INSTALLED_CACHE_LIMIT = 64
_ENTRY_SEPARATOR = b"},\n      {"  # between two entries of packages.installed
_ENTRY_CACHE_LIMIT = 50_000
_entry_cache: dict[bytes, tuple[str, str] | None] = {}
_installed_cache: dict[bytes, dict[str, str]] = {}


class UnexpectedShapeError(Exception):
    """The fast path met something it does not know; the full parser decides."""


@dataclass(frozen=True, slots=True)
class MachineFacts:
    """One machine: its name, when it was captured, and its facts (field -> value)."""

    name: str
    origin: str
    captured_at: str | None
    fields: dict[str, str]


def field_category(field: str) -> str:
    """``pypi:numpy`` -> packages, ``gpu.driver`` -> gpu, ``cudnn.wheel`` -> cuda..."""
    if field.startswith((PYPI_PREFIX, CONDA_PREFIX)):
        return "packages"
    head = field.split(".", 1)[0]
    if head in {"cuda", "cudnn", "nccl", "torch"}:
        return "cuda"
    if head in {"gpu", "env", "python"}:
        return head
    return "system"


def _is_unknown(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and _UNKNOWN in value


def _section(data: Mapping[str, Any], key: str) -> Any:
    try:
        return data[key]
    except (KeyError, TypeError):
        raise UnexpectedShapeError(key) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise UnexpectedShapeError(repr(value)[:40])
    return value


def _optional_text(value: Any) -> str:
    if value is None:
        return ""
    return _text(value)


def _joined(values: list[str]) -> str:
    return ", ".join(sorted(set(values)))


def _python_system(data: Mapping[str, Any], out: dict[str, str]) -> None:
    python = _section(data, "python")
    if not _is_unknown(python):
        out["python.implementation"] = _text(python["implementation"])
        out["python.kind"] = _text(python["kind"])
        out["python.version"] = _text(python["version"])
        out["python.abi"] = _optional_text(python["abi"])
    conda = _section(data, "conda")
    if not _is_unknown(conda):
        out["conda.prefix"] = _text(conda["prefix"])
    system = _section(data, "system")
    out["system.platform"] = _text(system["platform"])
    out["system.machine"] = _text(system["machine"])
    os_release = system["os"]
    if not _is_unknown(os_release):
        out["os.id"] = _optional_text(os_release["id"])
        out["os.version_id"] = _optional_text(os_release["version_id"])
        out["os.pretty_name"] = _optional_text(os_release["pretty_name"])
    for key, field in (("kernel", "os.kernel"), ("libc", "os.libc")):
        if isinstance(system[key], str):
            out[field] = system[key]
    cpu = system["cpu"]
    if not _is_unknown(cpu):
        out["cpu.model"] = _optional_text(cpu["model"])
        out["cpu.isa"] = ",".join(_text(flag) for flag in cpu["isa_flags"])


def _gpu(data: Mapping[str, Any], out: dict[str, str]) -> None:
    gpu = _section(data, "gpu")
    driver = gpu["driver"]
    if not _is_unknown(driver):
        out["gpu.driver"] = _text(driver["version"])
    if isinstance(gpu["cuda_driver_api"], str):
        out["gpu.cuda_driver_api"] = gpu["cuda_driver_api"]
    devices = gpu["devices"]
    if _is_unknown(devices):
        return
    out["gpu.count"] = str(len(devices))
    for device in devices:
        index = device["index"]
        if not isinstance(index, int):
            raise UnexpectedShapeError("gpu.devices.index")
        out[f"gpu.{index}.name"] = _text(device["name"])
        if device["compute_capability"]:
            out[f"gpu.{index}.compute_capability"] = _text(device["compute_capability"])


def _cuda(data: Mapping[str, Any], out: dict[str, str]) -> None:
    cuda = _section(data, "cuda")
    torch = cuda["torch"]
    if torch is not None and not _is_unknown(torch):
        out["torch.version"] = _text(torch["version"])
        if torch["git_version"]:
            out["torch.git_version"] = _text(torch["git_version"])
    by_source: dict[str, list[str]] = {}
    for runtime in cuda["runtimes"]:
        source = _text(runtime["source"])
        by_source.setdefault(f"cuda.{source}", []).append(_text(runtime["version"]))
        by_source.setdefault(f"cuda.{source}.driver", []).append(_text(runtime["driver_verdict"]))
    out.update((key, _joined(values)) for key, values in by_source.items())
    if cuda["nvcc_on_path"]:
        out["cuda.nvcc_on_path"] = _text(cuda["nvcc_on_path"])


def _libraries(data: Mapping[str, Any], section: str, out: dict[str, str]) -> None:
    by_source: dict[str, list[str]] = {}
    for install in _section(data, section):
        version = install["version"]
        by_source.setdefault(f"{section}.{_text(install['source'])}", []).append(
            "?" if version is None else _text(version)
        )
    out.update((key, _joined(values)) for key, values in by_source.items())


def _pypi_field(name: str) -> str:
    """``PyYAML`` -> ``pypi:pyyaml``, cached: a fleet repeats the same names thousands of times."""
    field = _pypi_fields.get(name)
    if field is None:
        if len(_pypi_fields) > _FIELD_CACHE_LIMIT:
            _pypi_fields.clear()
        field = _pypi_fields[name] = PYPI_PREFIX + pypi_key(_text(name))
    return field


def _add(out: dict[str, str], field: str, value: str) -> None:
    """A second entry of one package (two copies, neither shadowed) joins the first."""
    previous = out.get(field)
    out[field] = value if previous is None else _joined([*previous.split(", "), value])


def _pypi_packages(installed: Any, out: dict[str, str]) -> None:
    # The hot loop of a fleet run (300 entries per capture): inlined on purpose.
    for entry in installed:
        if entry["shadowed"] is True:
            continue
        name, version = entry["name"], entry["version"]
        field = _pypi_fields.get(name) or _pypi_field(name)
        if type(version) is not str:
            raise UnexpectedShapeError("version")
        if field in out:
            _add(out, field, version)
        else:
            out[field] = version


def conda_value(version: str, build: str | None, channel: str | None) -> str:
    """``1.26.4=py311h_0 (conda-forge)``: what a conda package's field holds."""
    value = f"{version}={build}" if build else version
    return f"{value} ({channel})" if channel else value


def _short_channel(channel: str, subdir: str | None) -> str:
    text = channel.rstrip("/")
    if subdir and text.endswith("/" + subdir):
        text = text[: -len(subdir) - 1]
    for prefix in ("https://conda.anaconda.org/", "https://repo.anaconda.com/"):
        text = text.removeprefix(prefix)
    return text


def _conda_packages(data: Mapping[str, Any], out: dict[str, str]) -> None:
    conda = _section(data, "conda")
    if _is_unknown(conda):
        return
    for entry in conda["packages"]:
        channel = entry["channel"]
        short = _short_channel(_text(channel), entry["subdir"]) if channel else None
        value = conda_value(_text(entry["version"]), entry["build"] or None, short)
        _add(out, CONDA_PREFIX + conda_key(_text(entry["name"])), value)


def facts_from_data(data: Any, origin: str) -> MachineFacts:
    """The facts of one decoded capture document; :class:`UnexpectedShapeError` when unsure."""
    try:
        if not isinstance(data, dict) or not isinstance(data.get("capture_version"), str):
            raise UnexpectedShapeError("capture_version")
        fields: dict[str, str] = {}
        _python_system(data, fields)
        fields = {key: value for key, value in fields.items() if value}
        _gpu(data, fields)
        _cuda(data, fields)
        _libraries(data, "cudnn", fields)
        _libraries(data, "nccl", fields)
        env = _section(data, "env")
        fields.update((f"env.{_text(name)}", _text(value)) for name, value in env.items())
        _pypi_packages(_section(data, "packages")["installed"], fields)
        _conda_packages(data, fields)
        meta = data.get("meta") or {}
        name, captured_at = meta.get("hostname"), meta.get("captured_at")
    except (KeyError, TypeError, AttributeError) as exc:
        raise UnexpectedShapeError(str(exc)) from None
    return MachineFacts(
        name=name if isinstance(name, str) and name else machine_name_from_origin(origin),
        origin=origin,
        captured_at=captured_at if isinstance(captured_at, str) else None,
        fields=fields,
    )


def _entry_field(part: bytes) -> tuple[str, str] | None:
    """One ``packages.installed`` entry -> (``pypi:<key>``, version); None when shadowed."""
    entry = part if part.startswith(b"{") else b"{" + part
    entry = entry if entry.endswith(b"}") else entry + b"}"
    try:
        decoded = json.loads(entry)
        if decoded["shadowed"] is True:
            return None
        name, version = decoded["name"], decoded["version"]
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedShapeError(str(exc)) from None
    return _pypi_fields.get(name) or _pypi_field(name), _text(version)


def _decode_installed(region: bytes) -> dict[str, str]:
    """The list entry by entry: an entry seen on another machine is not decoded again."""
    body = region.strip()[1:-1].strip()  # without the brackets
    fields: dict[str, str] = {}
    if not body:
        return fields
    parts = body.split(_ENTRY_SEPARATOR)
    if len(parts) != body.count(b'"metadata": '):  # one key per entry, never inside a string
        raise UnexpectedShapeError("packages.installed layout")
    if len(_entry_cache) > _ENTRY_CACHE_LIMIT:
        _entry_cache.clear()
    for part in parts:
        if part in _entry_cache:
            found = _entry_cache[part]
        else:
            found = _entry_cache[part] = _entry_field(part)
        if found is None:
            continue
        field, version = found
        if field in fields:
            _add(fields, field, version)
        else:
            fields[field] = version
    return fields


def _installed_fields(region: bytes) -> dict[str, str]:
    fields = _installed_cache.get(region)
    if fields is None:
        if len(_installed_cache) >= _INSTALLED_CACHE_LIMIT:
            _installed_cache.clear()
        fields = _installed_cache[region] = _decode_installed(region)
    return fields


def facts_from_bytes(data: bytes, origin: str) -> MachineFacts:
    """Facts of one capture file as ``envaudit capture`` writes it (indented, sorted keys).

    Nodes of one image have byte-identical ``packages.installed`` lists, so that list is
    decoded once per distinct content (the bytes are the cache key), and a new list only
    decodes the entries no earlier machine had; the rest of the document, a few KB, is
    decoded per file. Other layouts are decoded whole.
    """
    start = data.find(_INSTALLED_OPEN)
    end = data.rfind(_INSTALLED_CLOSE)  # near the end: python and system follow
    if start < 0 or end < start:
        return facts_from_data(json.loads(data), origin)
    region = data[start + len(_INSTALLED_OPEN) - 1 : end + 1]
    facts = facts_from_data(json.loads(data[:start] + _INSTALLED_EMPTY + data[end + 1 :]), origin)
    facts.fields.update(_installed_fields(region))  # no pypi: field is set yet
    return facts


def machine_name_from_origin(origin: str) -> str:
    """``caps/node-07.json`` -> ``node-07`` (the ``%N``/``%h`` part of ``capture -o``)."""
    base = origin.replace("\\", "/").rsplit("/", 1)[-1]
    return base.removesuffix(".json") or origin


def facts_from_manifest(manifest: Manifest) -> MachineFacts:
    """The reference path: facts of a capture loaded by the full parser (``capture_json``)."""
    fields = {
        key: value
        for key, value in manifest.meta.items()
        if not key.startswith(CAPTURE_META_PREFIX)
    }
    for package in manifest.packages:
        if package.ecosystem is Ecosystem.PYPI:
            _add(fields, PYPI_PREFIX + package.key, package.version or "")
        else:
            value = conda_value(package.version or "", package.build, package.channel)
            _add(fields, CONDA_PREFIX + package.key, value)
    origin = manifest.source.path
    name = manifest.meta.get("capture.hostname") or machine_name_from_origin(origin)
    return MachineFacts(name, origin, manifest.meta.get("capture.captured_at"), fields)
