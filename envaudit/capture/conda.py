"""The conda probe: ``conda-meta/*.json`` of a prefix, read without running conda."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from envaudit.capture import fs
from envaudit.capture.model import CondaInfo, CondaPackage, Unknown
from envaudit.redact import redact_url

_RECORD_LIMIT = 64 << 20  # records list every installed file; some are large


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and value else None


def parse_conda_record(text: str) -> CondaPackage | None:
    """One ``conda-meta`` record (what ``conda list --explicit --md5`` prints), or None."""
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    name, version = _text(record, "name"), _text(record, "version")
    if name is None or version is None:
        return None
    channel, url = _text(record, "channel"), _text(record, "url")
    return CondaPackage(
        name=name,
        version=version,
        build=_text(record, "build"),
        channel=redact_url(channel) if channel else None,
        subdir=_text(record, "subdir"),
        md5=(_text(record, "md5") or "").lower() or None,
        sha256=(_text(record, "sha256") or "").lower() or None,
        url=redact_url(url) if url else None,
    )


def read_conda_prefix(root: Path, prefix: str) -> CondaInfo | Unknown:
    meta = fs.join(prefix, "conda-meta")
    if not fs.is_dir(root, meta):
        return Unknown(f"not a conda environment: {meta} absent")
    packages = []
    for name in fs.list_dir(root, meta):
        if not name.endswith(".json"):
            continue
        text = fs.read_text(root, fs.join(meta, name), limit=_RECORD_LIMIT)
        record = parse_conda_record(text) if text is not None else None
        if record is not None:
            packages.append(record)
    packages.sort(key=lambda p: (p.name, p.version, p.build or ""))
    return CondaInfo(prefix=prefix, packages=tuple(packages))


def probe_conda(root: Path, prefixes: Sequence[str]) -> CondaInfo | Unknown:
    """The first of ``prefixes`` (explicit --prefix, sys.prefix, base prefix) that is conda."""
    unknown: Unknown | None = None
    for prefix in dict.fromkeys(prefixes):
        found = read_conda_prefix(root, prefix)
        if isinstance(found, CondaInfo):
            return found
        unknown = unknown or found
    return unknown or Unknown("no prefix to look at")
