"""EA4xx rules on captures, and machine drift between two captures."""

from __future__ import annotations

import pytest

from envaudit.analysis.diff import diff_manifests
from envaudit.analysis.rules import run_diff_rules, run_manifest_rules
from envaudit.model import Manifest, source_info


def capture(**meta: str) -> Manifest:
    return Manifest(
        source=source_info("capture", "env.json", ""),
        meta={key.replace("__", "."): value for key, value in meta.items()},
    )


def ids(manifest: Manifest) -> set[str]:
    return {finding.rule.id for finding in run_manifest_rules(manifest)}


GPU_NODE = {
    "gpu__driver": "550.54.15",
    "torch__version": "2.4.0+cu121",
    "cuda__torch": "12.1",
    "cuda__torch__driver": "minor-version-compatibility",
    "env__CUBLAS_WORKSPACE_CONFIG": ":4096:8",
    "env__PYTHONHASHSEED": "0",
}


def test_a_consistent_gpu_node_is_clean() -> None:
    assert ids(capture(**GPU_NODE)) == set()


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"cuda__torch": "12.8", "cuda__torch__driver": "no"}, "EA401"),
        ({"cuda__toolkit": "11.8.89"}, "EA404"),
        ({"gpu__driver": None}, "EA406"),
        (
            {"cuda__torch": None, "cuda__torch__driver": None, "torch__version": "2.4.0+cpu"},
            "EA407",
        ),
        ({"cudnn__wheel": "9.1.0", "cudnn__header": "8.9.7"}, "EA405"),
        ({"env__CUBLAS_WORKSPACE_CONFIG": None}, "EA408"),
    ],
)
def test_each_machine_rule_fires(change: dict[str, str | None], rule: str) -> None:
    meta = {**GPU_NODE, **change}
    assert rule in ids(capture(**{k: v for k, v in meta.items() if v is not None}))


def test_toolkit_matching_torch_is_fine() -> None:
    assert "EA404" not in ids(capture(**GPU_NODE, cuda__toolkit="12.1.105"))


def test_machine_drift_between_captures() -> None:
    old = capture(**GPU_NODE, os__libc="glibc 2.35", capture__hostname="a")
    new = capture(
        **{**GPU_NODE, "gpu__driver": "535.104.05"}, os__libc="glibc 2.36", capture__hostname="b"
    )
    result = diff_manifests(old, new)
    sections = {s.section: (s.old, s.new) for s in result.sections}
    assert sections == {
        "gpu.driver": ("550.54.15", "535.104.05"),
        "os.libc": ("glibc 2.35", "glibc 2.36"),
    }
    assert {f.rule.id for f in run_diff_rules(result)} == {"EA512"}
