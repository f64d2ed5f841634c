"""Package-name normalization: PEP 503 for PyPI, lower-case for conda."""

from __future__ import annotations

import re
from functools import cache

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


# Corrections to the upstream table (see envaudit/data/conda_pypi.README.md): these beat it.
CONDA_PYPI_OVERRIDES: dict[str, str | None] = {
    "jaxlib": "jaxlib",  # upstream maps to jax-cuda12-pjrt
    "libopencv": None,  # the C++ library, not the Python binding
    "pytorch-cuda": None,  # a metapackage selecting the CUDA variant
    "pytorch-cpu": "torch",
    "pytorch-gpu": "torch",
    "cudatoolkit": None,
    "python": None,
}


@cache
def _conda_pypi_table() -> dict[str, str | None]:
    import json

    from envaudit.data import DATA_DIR

    table: dict[str, str | None] = json.loads((DATA_DIR / "conda_pypi.json").read_text())
    pytorch = json.loads((DATA_DIR / "conda_pypi_pytorch.json").read_text())
    for name, pypi_names in pytorch.items():
        table[name] = pypi_names[0] if pypi_names else None
    table.update(CONDA_PYPI_OVERRIDES)
    return table


def conda_to_pypi(conda_name: str) -> str | None:
    """The PyPI name of a conda package; None when it has no PyPI equivalent or is unknown.

    Use :func:`conda_pypi_known` to tell "no equivalent" from "not in the table".
    """
    return _conda_pypi_table().get(conda_key(conda_name))


def conda_pypi_known(conda_name: str) -> bool:
    return conda_key(conda_name) in _conda_pypi_table()
