"""Diffs of real same-project pairs: exactly the changes a reviewer sees by hand."""

from __future__ import annotations

import pytest

from envaudit.analysis.diff import ChangeKind, diff_manifests
from envaudit.loader import load
from tests.conftest import SAMPLES

A, R, U, B, V, S = (
    ChangeKind.ADDED,
    ChangeKind.REMOVED,
    ChangeKind.UPGRADED,
    ChangeKind.BUILD_CHANGED,
    ChangeKind.VERSION_CHANGED,
    ChangeKind.SOURCE_CHANGED,
)
TGI_CHANGES = {
    "certifi": U, "charset-normalizer": U, "click": U, "cmake": A, "googleapis-common-protos": U,
    "grpcio": U, "grpcio-reflection": U, "grpcio-status": U, "lit": A, "numpy": U,
    "protobuf": U, "pyyaml": U, "torch": B, "triton": A, "urllib3": U,
}  # fmt: skip

# pattern (v1/v2), the exact set of changed keys with their kind (checked by hand with diff -u)
PAIRS = {
    "poetry-lock/python-poetry__poetry__poetry-lock__{}.lock": {"tomlkit": U},
    "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__{}.lock": {
        **TGI_CHANGES,
        "datasets": U,  # the lock also bumps datasets (an extra the requirements export omits)
        "grpcio-tools": U,
        "xxhash": U,
    },
    "requirements/huggingface__text-generation-inference__server-requirements__{}.txt": TGI_CHANGES,
    "requirements/facebookresearch__ImageBind__requirements__{}.txt": {
        "decord": R,
        "eva-decord": A,
        "numpy": V,
        "pytorchvideo": S,
        "torch": V,
        "torchaudio": V,
        "torchvision": V,
    },
    "environment-yml/sdatkinson__neural-amp-modeler__environment_gpu__{}.yml": {"pytorch-cuda": V},
    # the same environment re-saved from UTF-16LE+CRLF to UTF-8: nothing changed
    "environment-yml/daveshap__raven__environment__{}.yml": {},
}


@pytest.mark.parametrize("pattern", sorted(PAIRS))
def test_same_project_pair(pattern: str) -> None:
    old = load(SAMPLES / pattern.format("v1"))
    new = load(SAMPLES / pattern.format("v2"))
    result = diff_manifests(old, new)
    assert {change.key: change.kind for change in result.changes} == PAIRS[pattern]


def test_tgi_torch_moves_to_the_cuda_index() -> None:
    pattern = "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__{}.lock"
    result = diff_manifests(
        load(SAMPLES / pattern.format("v1")), load(SAMPLES / pattern.format("v2"))
    )
    torch = next(change for change in result.changes if change.key == "torch")
    assert torch.new is not None and torch.new.index == "https://download.pytorch.org/whl/cu118"
    assert {a.value for a in torch.aspects} >= {"version", "build", "index"}


def test_requirements_vs_poetry_lock_of_the_same_commit() -> None:
    """Across formats: the lock has the same pins as its requirements export."""
    req = load(
        SAMPLES / "requirements/huggingface__text-generation-inference__server-requirements__v2.txt"
    )
    lock = load(
        SAMPLES / "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock"
    )
    changed = [c for c in diff_manifests(req, lock).changes if c.kind is not ChangeKind.ADDED]
    assert changed == [], [(c.key, c.kind) for c in changed]
