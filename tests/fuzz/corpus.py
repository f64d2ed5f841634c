"""Seed documents for the fuzzers: shrunk real samples, read from tests/fuzz/seeds/."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).parent / "seeds"

# How each registered format is written; a new format must be added here (a test checks).
DOCUMENT_KIND = {
    "requirements": "lines",
    "pip-freeze": "lines",
    "conda-explicit": "lines",
    "conda-env": "yaml",
    "conda-lock": "yaml",
    "pixi-lock": "yaml",
    "poetry-lock": "toml",
    "uv-lock": "toml",
    "pdm-lock": "toml",
    "pylock": "toml",
    "pipfile-lock": "json",
    "manifest": "json",
    "capture": "json",
    "dockerfile": "lines",
}
STRUCTURED = sorted(fmt for fmt, kind in DOCUMENT_KIND.items() if kind != "lines")
# Formats registered later than their seeds: a minimal document to start from.
_FALLBACK_SEEDS: dict[str, tuple[str, ...]] = {}


def load_tree(text: str, kind: str) -> Any:
    """TOML/YAML/JSON text as plain data, read by the same libraries envaudit uses."""
    if kind == "toml":
        import tomllib

        return tomllib.loads(text)
    if kind == "yaml":
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=False).load(text)
    return json.loads(text)


@functools.cache
def seeds(fmt: str) -> tuple[str, ...]:
    """The seed texts of ``fmt``, shortest first (never empty: ``""`` at worst)."""
    folder = SEEDS / fmt
    if folder.is_dir():
        texts = [path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())]
        return tuple(sorted(texts, key=len))
    return _FALLBACK_SEEDS.get(fmt, ("",))


@functools.cache
def trees(fmt: str) -> tuple[Any, ...]:
    """The seeds of a TOML/YAML/JSON format as plain data, for tree mutation."""
    kind = DOCUMENT_KIND[fmt]
    return tuple(load_tree(text, kind) for text in seeds(fmt))
