"""Regenerate tests/fuzz/seeds/ from samples/: ``python -m tests.fuzz.make_seeds``.

Small samples are copied whole; big ones are shrunk (every list cut to its first few
items, pixi environments kept consistent with their package records) so that a mutated
seed parses in milliseconds. Only seeds that parse cleanly are written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from envaudit.errors import EnvauditError
from envaudit.formats.json import render_manifest
from envaudit.loader import decode, load_text
from tests.conftest import expected_format, sample_files
from tests.fuzz import documents
from tests.fuzz.corpus import DOCUMENT_KIND, SEEDS, load_tree

SMALL = 12_000  # samples up to this many characters are used whole
KEEP = (4, 8, 16)  # bigger ones keep the first KEEP items of every list (first that parses)


def _parses(text: str, fmt: str) -> bool:
    try:
        load_text(text, origin=f"seed.{fmt}", fmt=fmt)
    except EnvauditError:
        return False
    return True


def _dump_tree(tree: Any, kind: str) -> str:
    if kind == "toml":
        return documents.to_toml(tree)
    if kind == "yaml":
        return documents.to_yaml(tree)
    return documents.to_json(tree)


def _keep_referenced_packages(tree: Any, full: Any) -> Any:
    """pixi.lock: keep the package records the (truncated) environments refer to."""
    if not isinstance(tree, dict) or not isinstance(tree.get("environments"), dict):
        return tree
    referenced = set()
    for environment in tree["environments"].values():
        for entries in (environment.get("packages") or {}).values():
            for entry in entries:
                referenced.update(v for v in entry.values() if isinstance(v, str))
    tree["packages"] = [
        record
        for record in full.get("packages") or []
        if any(isinstance(v, str) and v in referenced for v in record.values())
    ]
    return tree


def _shrink(text: str, fmt: str) -> str | None:
    kind = DOCUMENT_KIND[fmt]
    if kind == "lines":
        head = text[:SMALL]
        return head[: head.rfind("\n") + 1]
    tree = load_tree(text, kind)
    for keep in KEEP:
        small = _keep_referenced_packages(documents.truncate_wide_tables(tree, keep), tree)
        shrunk = _dump_tree(small, kind)
        if _parses(shrunk, fmt):
            return shrunk
    return None


def build() -> dict[str, dict[str, str]]:
    seeds: dict[str, dict[str, str]] = {}
    for path in sample_files():
        fmt = expected_format(path)
        text = decode(path.read_bytes(), str(path))
        if len(text) > SMALL:
            text = _shrink(text, fmt) or ""
        if text and _parses(text, fmt):
            seeds.setdefault(fmt, {})[path.name] = text
    rendered = {}
    for fmt in ("requirements", "conda-env", "uv-lock", "conda-lock"):
        name, text = sorted(seeds[fmt].items())[0]
        manifest = load_text(text, origin=f"seed.{fmt}", fmt=fmt)
        rendered[f"{name}.json"] = render_manifest(manifest)
    seeds["manifest"] = rendered
    seeds["capture"] = _captures()
    seeds["dockerfile"] = {"crafted.Dockerfile": CRAFTED_DOCKERFILE}
    return seeds


CRAFTED_DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS base
ENV PIP_NO_CACHE_DIR=1
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \\
    && pip install torch==2.1.0+cu121 --index-url https://download.pytorch.org/whl/cu121
RUN conda install -y -c conda-forge numpy=1.26 "scipy>=1.11" && conda clean -afy
RUN python -m pip install "fastapi[all]>=0.100,<1" git+https://github.com/org/repo@v1.2.3
FROM python:3.11-slim@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN pip install uvicorn==0.23.2
"""


def _captures() -> dict[str, str]:
    """Captures of the four fake machines the capture tests build (no real machine read)."""
    import sys
    import tempfile

    from envaudit.capture.probe import capture
    from tests.capture.fakes import FakeMachine
    from tests.capture.machines import MACHINES

    sys.modules["pynvml"] = None  # type: ignore[assignment]
    found = {}
    for name, build_machine in MACHINES.items():
        with tempfile.TemporaryDirectory() as scratch:
            machine = FakeMachine(Path(scratch) / "root")
            machine.root.mkdir()
            interpreter, environ = build_machine(machine)
            result = capture(machine.root, environ=environ, interpreter=interpreter, hostname="n")
            found[f"{name}.json"] = result.to_json()
    return found


def main() -> None:
    shutil.rmtree(SEEDS, ignore_errors=True)
    for fmt, files in build().items():
        folder = SEEDS / fmt
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", newline="")
    index = {fmt.name: len(list(fmt.iterdir())) for fmt in sorted(SEEDS.iterdir())}
    print(json.dumps(index, indent=1))


if __name__ == "__main__":
    main()
