"""Shared test helpers: where the real samples live and what format each one is."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# samples/<dir>/ -> the format id every file in it must be detected as.
SAMPLE_DIR_FORMATS = {
    "requirements": "requirements",
    "pip-freeze": "pip-freeze",
    "environment-yml": "conda-env",
    "conda-explicit": "conda-explicit",
    "poetry-lock": "poetry-lock",
    "uv-lock": "uv-lock",
    "pipfile-lock": "pipfile-lock",
    "pdm-lock": "pdm-lock",
    "pylock": "pylock",
    "conda-lock": "conda-lock",
    "pixi-lock": "pixi-lock",
}
# Files whose format differs from their directory's (per samples/SOURCES.tsv).
SAMPLE_FORMAT_EXCEPTIONS = {
    "environment-yml/kaust-vislab__horovod-gpu-data-science-project/requirements.txt": (
        "requirements"
    ),
    # a plain `pip freeze` committed as requirements.txt: only == pins, nothing that marks
    # it as freeze output, so it is (correctly) read as a requirements file.
    "pip-freeze/MrDote__GSOC24_DeepLense__requirements.txt": "requirements",
    "pip-freeze/Borg93__nemo-asr__requirements-frozen.txt": "pip-freeze",
}


def sample_files() -> list[Path]:
    return sorted(
        path for path in SAMPLES.rglob("*") if path.is_file() and path.name != "SOURCES.tsv"
    )


def sample_id(path: Path) -> str:
    """A test id that is also a valid snapshot file name (no slashes)."""
    return path.relative_to(SAMPLES).as_posix().replace("/", "__")


def expected_format(path: Path) -> str:
    rel = path.relative_to(SAMPLES).as_posix()
    return SAMPLE_FORMAT_EXCEPTIONS.get(rel) or SAMPLE_DIR_FORMATS[rel.split("/")[0]]


@pytest.fixture
def in_samples(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the working directory at the repository root, so origins are stable."""
    monkeypatch.chdir(ROOT)
    return ROOT
