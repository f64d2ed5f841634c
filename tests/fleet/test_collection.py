"""The collection recipes of docs/fleet.md, run against simulated nodes.

Each recipe's ``envaudit capture`` command is taken from the documentation, run once per
simulated node (host name and machine facts patched, as if the launcher ran it there), the
launcher's own file handling is imitated, and ``envaudit fleet`` must name every node.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from envaudit.capture import probe
from envaudit.cli import main
from envaudit.fleet import analyse_fleet
from envaudit.fleet.model import FleetReport
from tests.fleet.synthetic import BASELINE, build_capture

DOCS = Path(__file__).parents[2] / "docs" / "fleet.md"
NODES = ("gpu001", "gpu002", "gpu003")
OLD_DRIVER = replace(BASELINE, driver="535.104.05", filler=5)
PROFILES = {"gpu001": replace(BASELINE, filler=5), "gpu002": OLD_DRIVER,
            "gpu003": replace(BASELINE, filler=5)}  # fmt: skip


def recipe(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {name} -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert match, f"docs/fleet.md lost its {name} recipe"
    return match.group(1)


def capture_command(block: str) -> list[str]:
    match = re.search(r"envaudit capture [^'\"\n]*", block)
    assert match
    return shlex.split(match.group(0))[1:]


def run_on_node(monkeypatch: pytest.MonkeyPatch, node: str, argv: list[str], root: Path) -> None:
    """``envaudit ARGV`` as ``node`` would run it; absolute paths land under ``root``."""
    monkeypatch.setattr(probe, "hostname", lambda: f"{node}.cluster.local")
    monkeypatch.setattr(
        probe,
        "capture",
        lambda **_: build_capture(
            PROFILES[node],
            hostname=f"{node}.cluster.local",
            captured_at="2025-06-01T00:00:00+00:00",
        ),
    )
    local = [str(root / a.lstrip("/")) if a.startswith("/") else a for a in argv]
    for path in local:
        if path.endswith(".json"):
            Path(path.replace("%N", "x").replace("%h", "x")).parent.mkdir(
                parents=True, exist_ok=True
            )
    assert main(local) == 0


def assert_names_every_node(report: FleetReport) -> None:
    assert report.machines == len(NODES)
    off = {machine: dict(cluster.deviations) for machine, cluster in report.outlier_machines()}
    assert off == {"gpu002.cluster.local": {"gpu.driver": "535.104.05"}}
    names = {name for cluster in report.clusters for name in cluster.machines}
    assert names == {f"{node}.cluster.local" for node in NODES}


def test_slurm_srun_once_per_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    block = recipe("slurm")
    assert "#SBATCH --ntasks-per-node=1" in block
    srun = next(line for line in block.splitlines() if line.startswith("srun "))
    assert srun.startswith("srun --ntasks-per-node=1 envaudit capture -o /shared/caps/%N.json")
    for node in NODES:  # what srun does: the same argv on every node of the allocation
        run_on_node(monkeypatch, node, capture_command(block), tmp_path)
    files = sorted(p.name for p in (tmp_path / "shared" / "caps").iterdir())
    assert files == [f"{node}.cluster.local.json" for node in NODES]
    assert_names_every_node(analyse_fleet([str(tmp_path / "shared" / "caps")]))


def test_kubernetes_daemonset_per_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    manifest = YAML(typ="safe").load(recipe("kubernetes"))
    assert manifest["kind"] == "DaemonSet"
    pod = manifest["spec"]["template"]["spec"]
    (capture,) = pod["initContainers"]
    assert capture["env"][0]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    assert {"name": "caps", "mountPath": "/caps"} in capture["volumeMounts"]
    for node in NODES:  # the kubelet expands $(NODE_NAME) from the container's env
        argv = [arg.replace("$(NODE_NAME)", node) for arg in capture["args"]]
        run_on_node(monkeypatch, node, [*capture["command"][1:], *argv], tmp_path)
    assert sorted(p.name for p in (tmp_path / "caps").iterdir()) == [f"{n}.json" for n in NODES]
    assert_names_every_node(analyse_fleet([str(tmp_path / "caps")]))


def test_pdsh_then_rpdcp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    block = recipe("pdsh")
    argv = capture_command(block)
    collected = tmp_path / "caps"
    collected.mkdir()
    for node in NODES:
        node_root = tmp_path / "nodes" / node  # each node has its own /tmp
        run_on_node(monkeypatch, node, argv, node_root)
        # rpdcp copies the remote file back with ".<host>" appended
        shutil.copy(node_root / "tmp" / "envaudit-capture.json",
                    collected / f"envaudit-capture.json.{node}")  # fmt: skip
    assert "envaudit fleet caps/*" in block
    assert_names_every_node(analyse_fleet([str(p) for p in sorted(collected.iterdir())]))


def test_ansible_command_then_fetch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    block = recipe("ansible")
    argv = capture_command(block)
    fetch = re.search(r"src=(\S+) dest=(.+?) flat=yes", block)
    assert fetch
    source, destination = fetch.groups()
    for node in NODES:
        node_root = tmp_path / "nodes" / node
        run_on_node(monkeypatch, node, argv, node_root)
        target = tmp_path / destination.replace("{{ inventory_hostname }}", node)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(node_root / source.lstrip("/"), target)
    assert_names_every_node(analyse_fleet([str(tmp_path / "caps")]))
