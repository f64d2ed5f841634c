"""Each rule fires where it should and stays silent where it should not."""

from __future__ import annotations

import pytest

from envaudit.analysis.diff import diff_manifests
from envaudit.analysis.rules import RULES, all_rules, run_diff_rules, run_manifest_rules
from envaudit.analysis.rules.base import Severity, parse_origin, selected
from envaudit.loader import load, load_text
from tests.conftest import ROOT

SHA_A = "sha256:" + "a" * 64
SHA_B = "sha256:" + "b" * 64

# rule id -> (format, text that fires, text that does not)
CASES: dict[str, tuple[str, str, str]] = {
    "EA101": ("requirements", "numpy\n", "numpy==1.26.4\n"),
    "EA102": ("requirements", "numpy>=1.20\n", "numpy==1.26.4\n"),
    "EA103": (
        "conda-env",
        "dependencies:\n  - python=3.11.9\n  - numpy=1.24\n",
        "dependencies:\n  - python==3.11.9\n  - numpy==1.24.3\n",
    ),
    "EA104": ("requirements", "numpy==1.26.4\n", f"numpy==1.26.4 --hash={SHA_A}\n"),
    "EA105": (
        "requirements",
        f"numpy==1.26.4 --hash={SHA_A}\nscipy==1.13.0\n",
        f"numpy==1.26.4 --hash={SHA_A}\nscipy==1.13.0 --hash={SHA_B}\n",
    ),
    "EA106": (
        "requirements",
        "pkg @ git+https://github.com/o/pkg@main\n",
        "pkg @ git+https://github.com/o/pkg@" + "1" * 40 + "\n",
    ),
    "EA107": ("requirements", "pkg @ file:///home/me/pkg-1.0-py3-none-any.whl\n", "pkg==1.0\n"),
    "EA108": ("pip-freeze", "numpy @ file:///croot/numpy_1700/work\n", "numpy==1.26.4\n"),
    "EA109": ("requirements", "-e ./mypkg\n", "mypkg==1.0\n"),
    "EA110": (
        "requirements",
        "pkg @ https://example.com/pkg-1.0-py3-none-any.whl\n",
        f"pkg @ https://example.com/pkg-1.0-py3-none-any.whl#sha256={'a' * 64}\n",
    ),
    "EA111": (
        "conda-env",
        "dependencies:\n  - python=3.11.9\n  - pytorch==2.1.0\n",
        "dependencies:\n  - python=3.11.9\n  - pytorch==2.1.0\n  - pytorch-cuda==12.1\n",
    ),
    "EA112": (
        "conda-env",
        "dependencies:\n  - numpy==1.26.4\n",
        "dependencies:\n  - python==3.11.9\n  - numpy==1.26.4\n",
    ),
    "EA113": (
        "conda-env",
        "dependencies:\n  - python==3.11.9\n  - pip:\n    - requests>=2\n",
        "dependencies:\n  - python==3.11.9\n  - pip:\n    - requests==2.32.3\n",
    ),
    "EA114": ("requirements", "numpy==1.26.4\nnumpy==1.25.0\n", "numpy==1.26.4\nscipy==1.13.0\n"),
    "EA115": (
        "requirements",
        "-c https://example.com/constraints.txt\nnumpy==1.0\n",
        "numpy==1.0\n",
    ),
    "EA116": ("requirements", "--no-binary=:all:\nnumpy==1.0\n", "numpy==1.0\n"),
    "EA117": ("requirements", "--pre\nnumpy==1.0\n", "numpy==1.0\n"),
    "EA301": (
        "requirements",
        "--extra-index-url https://download.pytorch.org/whl/cu121\nnumpy==1.0\n",
        "--index-url https://download.pytorch.org/whl/cu121\nnumpy==1.0\n",
    ),
    "EA302": (
        "requirements",
        "--index-url https://user:pw@pypi.example.com/simple\nnumpy==1.0\n",
        "--index-url https://pypi.example.com/simple\nnumpy==1.0\n",
    ),
    "EA303": (
        "requirements",
        "--index-url http://pypi.example.com/simple\nnumpy==1.0\n",
        "--index-url https://pypi.example.com/simple\nnumpy==1.0\n",
    ),
    "EA304": ("requirements", "--trusted-host pypi.example.com\nnumpy==1.0\n", "numpy==1.0\n"),
    "EA305": (
        "conda-env",
        "channels:\n  - defaults\n  - conda-forge\ndependencies:\n  - python==3.11.9\n",
        "channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python==3.11.9\n",
    ),
    "EA306": (
        "conda-env",
        "channels:\n  - conda-forge\ndependencies:\n  - python==3.11.9\n  - pytorch::pytorch==2.1.0=*cuda*\n",
        "channels:\n  - pytorch\n  - conda-forge\ndependencies:\n  - python==3.11.9\n  - pytorch::pytorch==2.1.0=*cuda*\n",
    ),
    "EA307": (
        "conda-env",
        "dependencies:\n  - python==3.11.9\n  - numpy==1.26.4\n  - pip:\n    - numpy==1.26.4\n",
        "dependencies:\n  - python==3.11.9\n  - numpy==1.26.4\n  - pip:\n    - requests==2.32.3\n",
    ),
    "EA308": (
        "requirements",
        "--find-links https://example.com/wheels/\nnumpy==1.0\n",
        "numpy==1.0\n",
    ),
    "EA309": (
        "requirements",
        "--index-url https://pypi.example.com/simple\nnumpy==1.0\n",
        "--index-url https://pypi.org/simple\nnumpy==1.0\n",
    ),
    "EA402": (
        "requirements",
        "torch==2.3.0\n",
        "--index-url https://download.pytorch.org/whl/cu121\ntorch==2.3.0+cu121\n",
    ),
    "EA403": (
        "requirements",
        "torch==2.3.0+cu118\nnvidia-cublas-cu12==12.1.3.1\n",
        "torch==2.3.0+cu121\nnvidia-cublas-cu12==12.1.3.1\n",
    ),
}
NAMES = {
    "requirements": "requirements.txt",
    "pip-freeze": "freeze.txt",
    "conda-env": "environment.yml",
}


def _ids(fmt: str, text: str) -> set[str]:
    manifest = load_text(text, origin=NAMES[fmt], fmt=fmt)
    return {finding.rule.id for finding in run_manifest_rules(manifest)}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    fmt, firing, _ = CASES[rule_id]
    assert rule_id in _ids(fmt, firing)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_stays_silent(rule_id: str) -> None:
    fmt, _, quiet = CASES[rule_id]
    assert rule_id not in _ids(fmt, quiet)


def test_catalogue_size_and_shape() -> None:
    rules = all_rules()
    assert len(rules) >= 30
    families = {rule.family for rule in rules}
    assert families >= {"EA1xx", "EA3xx", "EA4xx", "EA5xx"}
    for rule in rules:
        assert rule.rationale.endswith(".") and rule.fix
        assert rule.severity in Severity


def test_selection_prefixes() -> None:
    assert selected("EA101", ["EA1"], [])
    assert not selected("EA301", ["EA1"], [])
    assert not selected("EA101", [], ["EA10"])
    assert not selected("EA101", ["EA1"], ["EA101"])


def test_origin_parsing() -> None:
    assert parse_origin("r.txt:12", "x").line == 12
    location = parse_origin("poetry.lock:package[3].files[0]", "poetry.lock")
    assert (location.path, location.key_path) == ("poetry.lock", "package[3].files[0]")


def _sample(path: str) -> set[tuple[str, int | None]]:
    manifest = load(ROOT / path)
    return {(f.rule.id, f.location.line) for f in run_manifest_rules(manifest)}


def test_real_samples_show_the_headline_risks() -> None:
    """The issue's acceptance list, each found with its file and line on a real sample."""
    found = _sample("samples/requirements/facebookresearch__dinov2__requirements.txt")
    assert ("EA301", 1) in found  # --extra-index-url download.pytorch.org
    assert ("EA101", 4) in found  # omegaconf unpinned
    assert ("EA104", None) in found  # no hashes at all
    found = _sample("samples/pip-freeze/Saurabhbhati__DASS__pip_freeze.txt")
    assert any(rule == "EA108" and line for rule, line in found)
    found = _sample("samples/requirements/CINPLA__cinpla-base__requirements.txt")
    assert any(rule == "EA106" and line for rule, line in found)  # -e git+...@dev
    found = _sample("samples/environment-yml/ashleve__lightning-hydra-template__environment.yaml")
    assert any(rule == "EA103" for rule, _ in found)  # pytorch=2.*


def test_drift_rules_on_crafted_pairs() -> None:
    def drift(name: str) -> dict[str, str]:
        old = load(ROOT / f"samples/requirements/{name}__v1.txt")
        new = load(ROOT / f"samples/requirements/{name}__v2.txt")
        return {f.rule.id: f.message for f in run_diff_rules(diff_manifests(old, new))}

    swap = drift("crafted-cuda-swap")
    assert "EA507" in swap and "cu121" in swap["EA507"] and "cpu" in swap["EA507"]
    assert not {"EA503", "EA504", "EA505"} & set(swap)  # not reported as a version change
    rehash = drift("crafted-hash-change")
    assert set(rehash) == {"EA506"}
    assert RULES["EA506"].severity is Severity.ERROR
