"""pin on mangled environment files: a result or an EnvauditError, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit.errors import EnvauditError
from envaudit.model import Ecosystem, Manifest, Package, source_info
from envaudit.writers.pin import pin_environment
from envaudit.writers.yaml_splice import split_lines
from tests.writers.conftest import sample_text

BASES = [
    sample_text("environment-yml/garywei944__evagpt__environment.yml"),
    sample_text("environment-yml/facebookresearch__dinov2__conda.yaml"),
    "dependencies: [numpy, 'python>=3', {pip: [requests, '-r x.txt']}]\n",
]
FRAGMENTS = ["  - numpy", "- 'a''b'", '  - "x\\"', "  - &a numpy", "  - *a", "  - !!str numpy",
             "  - pip:", "    - requests==1", "dependencies:", "  - [", "\t- x", "  - numpy # c",
             "  - python 3.1*", "  - |", "    numpy", "\r", "\ufeff", "  - ? x", "  - numpy=1=b"]  # fmt: skip
SOURCE = Manifest(
    source=source_info("conda-lock", "lock.yml", ""),
    packages=(
        Package(name="numpy", key="numpy", ecosystem=Ecosystem.CONDA, version="1.26.4", build="b"),
        Package(name="python", key="python", ecosystem=Ecosystem.CONDA, version="3.11.9"),
        Package(name="requests", key="requests", ecosystem=Ecosystem.PYPI, version="2.32.3"),
    ),
)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    lines = split_lines(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, len(lines)))
        if draw(st.booleans()) and lines:
            del lines[min(position, len(lines) - 1)]
        else:
            lines.insert(position, draw(st.sampled_from(FRAGMENTS)) + "\n")
    return "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(mangled(), st.text(max_size=80)))
def test_pin_returns_or_refuses(text: str) -> None:
    try:
        result = pin_environment(text, SOURCE, origin="environment.yml")
    except EnvauditError:
        return
    before, after = split_lines(text), split_lines(result.text)
    assert len(before) == len(after)
    changed = {change.line for change in result.changes}
    pairs = enumerate(zip(before, after, strict=True), start=1)
    assert all(old == new for number, (old, new) in pairs if number not in changed)
