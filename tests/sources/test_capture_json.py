"""A capture JSON read as a manifest: PyPI and conda packages, python, machine facts in meta."""

from __future__ import annotations

import contextlib
import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.analysis.diff import ChangeKind, diff_manifests
from envaudit.capture.probe import capture
from envaudit.errors import ParseError
from envaudit.loader import load
from envaudit.model import Ecosystem, Hash, IndexKind, Manifest, SourceKind
from envaudit.sources import capture_json
from envaudit.sources.capture_json import parse
from tests.capture.fakes import FakeMachine, facts, fake_nvml
from tests.capture.machines import MACHINES

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    fake = FakeMachine(tmp_path / "root")
    fake.root.mkdir()
    return fake


@pytest.fixture(autouse=True)
def no_nvml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)


@pytest.fixture
def install_nvml(monkeypatch: pytest.MonkeyPatch) -> Callable[[types.ModuleType], None]:
    def install(module: types.ModuleType) -> None:
        monkeypatch.setitem(sys.modules, "pynvml", module)

    return install


def capture_text(machine: FakeMachine, name: str) -> str:
    interpreter, environ = MACHINES[name](machine)
    result = capture(machine.root, environ=environ, interpreter=interpreter, hostname="node7")
    return result.to_json()


def by_key(manifest: Manifest, ecosystem: Ecosystem = Ecosystem.PYPI) -> dict[str, Any]:
    return {p.key: p for p in manifest.packages if p.ecosystem is ecosystem}


def test_gpu_node_packages_python_and_meta(machine: FakeMachine, install_nvml: Any) -> None:
    install_nvml(fake_nvml(driver="535.104.05", cuda=12020))
    manifest = parse(capture_text(machine, "gpu_node_cu121"), origin="env.json")
    assert manifest.source.format == "capture"
    assert manifest.source.format_version == "1.0"
    assert manifest.python.version == "3.11.9"
    assert manifest.platforms == ("linux-64",)
    packages = by_key(manifest)
    torch = packages["torch"]
    assert (torch.version, torch.build, torch.spec) == ("2.1.2+cu121", "cu121", None)
    assert torch.source.kind is SourceKind.REGISTRY
    assert torch.origin == "env.json:packages.installed[4]"
    assert packages["nvidia-cudnn-cu12"].version == "8.9.2.26"
    assert manifest.indexes[0].kind is IndexKind.EXTRA_INDEX_URL
    assert manifest.indexes[0].url == "https://***@download.pytorch.org/whl/cu121"
    assert manifest.indexes[0].origin == "env.json:env.PIP_EXTRA_INDEX_URL"
    meta = manifest.meta
    assert meta["gpu.driver"] == "535.104.05"
    assert meta["gpu.cuda_driver_api"] == "12.2"
    assert meta["gpu.count"] == "1"
    assert meta["cuda.torch"] == "12.1"
    assert meta["cuda.torch.driver"] == "full"
    assert meta["cuda.toolkit"] == "12.4.1"
    assert meta["cuda.toolkit.driver"] == "minor-version-compatibility"
    assert meta["cudnn.wheel"] == "8.9.2.26"
    assert meta["nccl.wheel"] == "2.18.1"
    assert meta["os.libc"] == "glibc 2.35"
    assert meta["os.id"] == "ubuntu"
    assert meta["torch.version"] == "2.1.2+cu121"
    assert meta["capture.hostname"] == "node7"
    assert meta["env.CUDA_VISIBLE_DEVICES"] == "0,1"


def test_conda_packages_and_channels(machine: FakeMachine) -> None:
    manifest = parse(capture_text(machine, "conda_cuda11"), origin="env.json")
    conda = by_key(manifest, Ecosystem.CONDA)
    assert sorted(conda) == ["cudatoolkit", "cudnn", "nccl", "numpy", "python"]
    toolkit = conda["cudatoolkit"]
    assert (toolkit.version, toolkit.build, toolkit.channel, toolkit.platform) == (
        "11.8.0",
        "h4ba93d1_13",
        "conda-forge",
        "linux-64",
    )
    assert toolkit.hashes == (Hash("md5", "0123456789abcdef0123456789abcdef"),)
    assert toolkit.origin == "env.json:conda.packages[0]"
    assert manifest.channels == ("conda-forge", "pkgs/main")
    assert manifest.python.version == "3.10.13"
    assert by_key(manifest)["numpy"].version == "1.24.4"
    assert manifest.meta["cudnn.torch"] == "8"
    assert manifest.meta["conda.prefix"] == "/opt/conda/envs/ml"


def test_shadowed_copies_are_left_out_and_editable_sources_kept(machine: FakeMachine) -> None:
    manifest = parse(capture_text(machine, "cpu_laptop"), origin="env.json")
    packages = by_key(manifest)
    assert packages["numpy"].version == "1.26.4"  # the user-site copy import finds
    assert [p.key for p in manifest.packages].count("numpy") == 1
    mylib = packages["mylib"].source
    assert (mylib.kind, mylib.url, mylib.editable) == (
        SourceKind.DIRECTORY,
        "file:///home/me/src/mylib",
        True,
    )
    assert packages["legacy-pkg"].version == "0.3"
    assert "gpu.driver" not in manifest.meta


def test_vcs_and_archive_direct_urls(machine: FakeMachine) -> None:
    machine.base_system()
    commit = "0123456789abcdef0123456789abcdef01234567"
    machine.dist(
        "fromgit",
        "1.0",
        direct_url={
            "url": "https://github.com/o/fromgit.git",
            "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "v1.0"},
        },
    )
    machine.dist(
        "fromurl",
        "2.0",
        direct_url={
            "url": "https://x.example/fromurl-2.0.whl",
            "archive_info": {"hash": "sha256=AB"},
        },
    )
    machine.dist(
        "fromfile", "3.0", direct_url={"url": "file:///w/fromfile-3.0.whl", "archive_info": {}}
    )
    text = capture(machine.root, environ={}, interpreter=facts(), include_meta=False).to_json()
    packages = by_key(parse(text, origin="env.json"))
    git = packages["fromgit"].source
    assert (git.kind, git.vcs, git.ref, git.commit) == (SourceKind.VCS, "git", "v1.0", commit)
    assert packages["fromurl"].source.kind is SourceKind.URL
    assert packages["fromurl"].hashes == (Hash("sha256", "ab"),)
    assert packages["fromfile"].source.kind is SourceKind.FILE


def test_diff_of_two_captures_and_of_a_lock_against_a_capture(
    machine: FakeMachine, tmp_path: Path
) -> None:
    other = FakeMachine(tmp_path / "other")
    other.root.mkdir()
    old = parse(capture_text(machine, "gpu_node_cu121"), origin="a.json")
    new = parse(capture_text(other, "cu13_old_driver"), origin="b.json")
    kinds = {change.key: change.kind for change in diff_manifests(old, new).changes}
    assert kinds["torch"] is ChangeKind.UPGRADED
    assert kinds["nvidia-cuda-runtime-cu12"] is ChangeKind.REMOVED
    assert kinds["nvidia-cuda-runtime"] is ChangeKind.ADDED
    lock_path = next((SAMPLES / "poetry-lock").glob("*"))
    lock = capture_json_lock(lock_path)
    assert diff_manifests(lock, new).changes  # a lock and a capture diff like any two sources


def capture_json_lock(path: Path) -> Manifest:
    return load(path)


def test_empty_capture_is_an_empty_manifest(machine: FakeMachine) -> None:
    text = capture(machine.root, environ={}, interpreter=facts(sys_path=()), include_meta=False)
    manifest = parse(text.to_json(), origin="env.json")
    assert manifest.packages == ()
    assert manifest.python.version == "3.11.9"


@pytest.mark.parametrize(
    ("text", "line", "key_path", "message"),
    [
        ('{"capture_version": "1.0",\n  oops}', 2, None, "invalid JSON"),
        ("[1, 2]", None, "$", "expected an object, got a list"),
        ('{"python": {}}', None, "capture_version", "unsupported capture version None"),
        ('{"capture_version": "9.0"}', None, "capture_version", "unsupported capture version"),
    ],
)
def test_malformed_documents(
    text: str, line: int | None, key_path: str | None, message: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="env.json")
    assert caught.value.line == line
    assert caught.value.key_path == key_path
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("path", "value", "key_path", "message"),
    [
        (
            ("packages", "installed", 0, "version"),
            3,
            "packages.installed[0].version",
            "expected a string",
        ),
        (("gpu", "devices"), {"x": 1}, "gpu.devices", "expected a list, got an object"),
        (("system", "os"), {"unknown": 5}, "system.os.reason", "expected a string, got an integer"),
        (("python", "kind"), "pyenv", "python.kind", "expected one of venv, conda, system"),
        (("cuda", "extra"), [], "cuda.extra", "unknown field"),
    ],
)
def test_structure_errors_are_located(
    machine: FakeMachine, path: tuple[Any, ...], value: Any, key_path: str, message: str
) -> None:
    data = json.loads(capture_text(machine, "gpu_node_cu121"))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ParseError) as caught:
        parse(json.dumps(data), origin="env.json")
    assert caught.value.key_path == key_path
    assert message in caught.value.message


def test_detection_key_is_the_first_key_of_the_document(machine: FakeMachine) -> None:
    assert capture_json.DETECT_KEY == "capture_version"
    text = capture_text(machine, "cpu_laptop")
    assert text.startswith('{\n  "capture_version": ')
    assert '"schema_version"' not in text


_KEYS = st.sampled_from(["capture_version", "python", "gpu", "unknown", "env", "packages", "x"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_fuzz_only_parse_errors(value: Any) -> None:
    with contextlib.suppress(ParseError):
        parse(json.dumps(value), origin="fuzz.json")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_fuzz_text_only_parse_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, origin="fuzz.json")
