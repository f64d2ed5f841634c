"""Shared helpers for writer tests: loading real samples into manifests."""

from __future__ import annotations

from pathlib import Path

from envaudit.loader import load_text
from envaudit.model import Manifest

SAMPLES = Path(__file__).parents[2] / "samples"


def sample_text(relative: str) -> str:
    return (SAMPLES / relative).read_text(encoding="utf-8")


def load_sample(relative: str) -> Manifest:
    """A sample parsed with its detected format; the origin is its path under samples/."""
    return load_text(sample_text(relative), origin=relative)
