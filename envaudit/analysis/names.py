"""Package-name normalization: PEP 503 for PyPI, lower-case for conda."""

from __future__ import annotations

import re

from envaudit.model import Ecosystem

_PEP503_SEPARATORS = re.compile(r"[-_.]+")


def pypi_key(name: str) -> str:
    """PEP 503 normalized name: ``Foo.Bar_baz`` -> ``foo-bar-baz``."""
    return _PEP503_SEPARATORS.sub("-", name).lower()


def conda_key(name: str) -> str:
    """Conda names are case-insensitive and otherwise compared as written."""
    return name.strip().lower()


def package_key(name: str, ecosystem: Ecosystem) -> str:
    return pypi_key(name) if ecosystem is Ecosystem.PYPI else conda_key(name)
