"""Data files shipped with envaudit (JSON Schema, knowledge tables)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
MANIFEST_SCHEMA = DATA_DIR / "manifest.schema.json"
