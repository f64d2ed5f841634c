"""Whether a locked conda/PyPI version satisfies the spec it would replace."""

from __future__ import annotations

import pytest

from envaudit.sources.matchspec import parse_matchspec
from envaudit.writers.spec_match import matchspec_allows, specifier_allows


@pytest.mark.parametrize(
    ("spec", "version", "build", "allowed"),
    [
        ("numpy", "1.26.4", "py_0", True),
        ("numpy=1.26", "1.26.4", "py_0", True),
        ("numpy=1.2", "1.26.4", "py_0", False),
        ("numpy 1.26.*", "1.26.0", None, True),
        ("python 3.12*", "3.12.13", None, True),
        ("numpy<=2.0", "1.26.4", None, True),
        ("numpy>=1.2,<1.20", "1.26.4", None, False),
        ("numpy<1.20|>=1.26", "1.26.4", None, True),
        ("numpy!=1.26.4", "1.26.4", None, False),
        ("numpy~=1.26.0", "1.26.4", None, True),
        ("numpy~=1.26.0", "1.27.0", None, False),
        ("jupyterlab 4.6.3", "4.6.3", None, True),
        ("jupyterlab 4.6.3", "4.6.1", None, False),
        ("pytorch=*=*cuda*", "2.1.0", "py3.10_cuda11.8_0", True),
        ("pytorch=*=*cuda*", "2.1.0", "cpu_generic_0", False),
        ("ruamel.yaml>=0.17.1.post1", "0.18.0", None, True),
    ],
)
def test_matchspec_allows(spec: str, version: str, build: str | None, allowed: bool) -> None:
    assert matchspec_allows(parse_matchspec(spec), version, build) is allowed


def test_unreadable_versions_are_unknown() -> None:
    assert matchspec_allows(parse_matchspec("numpy>=1.2"), "1..2", None) is None
    assert specifier_allows(">=2", "not a version") is None
    assert specifier_allows(">=2,<3", "2.32.3") is True
    assert specifier_allows("<2", "2.32.3") is False
    assert specifier_allows(">=1", "2.0rc1") is True
