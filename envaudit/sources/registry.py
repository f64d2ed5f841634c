"""The explicit registry of formats: id -> module holding its ``parse`` (imported lazily)."""

from __future__ import annotations

import importlib
from typing import cast

from envaudit.record import record
from envaudit.sources.interface import Parser


@record
class FormatInfo:
    """One supported input format."""

    id: str
    title: str
    module: str
    filenames: tuple[str, ...]  # fnmatch patterns on the lower-cased base name

    def parser(self) -> Parser:
        return cast(Parser, importlib.import_module(self.module).parse)


# Order matters for file-name detection: the first matching pattern wins.
_FORMATS = (
    FormatInfo(
        "pip-freeze",
        "pip freeze output",
        "envaudit.sources.freeze",
        ("*freeze*.txt", "*frozen*.txt"),
    ),
    FormatInfo(
        "requirements",
        "pip requirements file",
        "envaudit.sources.requirements",
        ("requirements*.txt", "*requirements*.txt", "*.in", "requirements*", "constraints*.txt"),
    ),
    FormatInfo(
        "conda-env",
        "conda environment.yml",
        "envaudit.sources.conda_env",
        (
            "environment*.yml",
            "environment*.yaml",
            "*env*.yml",
            "*env*.yaml",
            "conda*.yml",
            "conda*.yaml",
        ),
    ),
    FormatInfo(
        "conda-explicit",
        "conda explicit spec (@EXPLICIT)",
        "envaudit.sources.conda_explicit",
        ("*spec*.txt", "*explicit*.txt", "conda-*.lock"),
    ),
    FormatInfo(
        "poetry-lock",
        "poetry.lock",
        "envaudit.sources.poetry_lock",
        ("poetry.lock", "poetry.lock.*"),
    ),
    FormatInfo("uv-lock", "uv.lock", "envaudit.sources.uv_lock", ("uv.lock",)),
    FormatInfo("pipfile-lock", "Pipfile.lock", "envaudit.sources.pipfile_lock", ("pipfile.lock",)),
    FormatInfo("pdm-lock", "pdm.lock", "envaudit.sources.pdm_lock", ("pdm.lock", "pdm.*.lock")),
    FormatInfo(
        "pylock",
        "pylock.toml (PEP 751)",
        "envaudit.sources.pylock",
        ("pylock.toml", "pylock.*.toml"),
    ),
    FormatInfo(
        "conda-lock",
        "conda-lock.yml",
        "envaudit.sources.conda_lock",
        ("conda-lock.yml", "conda-lock.yaml", "*.conda-lock.yml"),
    ),
    FormatInfo("pixi-lock", "pixi.lock", "envaudit.sources.pixi_lock", ("pixi.lock",)),
    FormatInfo(
        "dockerfile",
        "Dockerfile / Containerfile",
        "envaudit.sources.dockerfile",
        ("dockerfile", "dockerfile.*", "*.dockerfile", "containerfile"),
    ),
    FormatInfo(
        "capture", "envaudit capture JSON (envaudit capture)", "envaudit.sources.capture_json", ()
    ),
    FormatInfo(
        "manifest",
        "envaudit manifest JSON (the output of show --format json)",
        "envaudit.sources.manifest_json",
        (),
    ),
)

FORMATS: dict[str, FormatInfo] = {info.id: info for info in _FORMATS}
