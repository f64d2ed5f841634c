"""Parsing ``pip freeze`` output: the requirements grammar plus freeze's editable comments."""

from __future__ import annotations

import re

from envaudit.model import Manifest, Package, SourceKind
from envaudit.sources.interface import IncludeReader
from envaudit.sources.requirements import FREEZE_DIALECT, parse_requirements_text

FORMAT_ID = "pip-freeze"

# Where conda-build leaves the source trees and wheels that pip then records as
# ``name @ file:///...``: such an install cannot be reproduced from the freeze file.
_CONDA_BUILD_PATH = re.compile(
    r"file://(?:localhost)?/(?:tmp/build/|(?:[^#]*/)?(?:croot|conda-bld|feedstock_root)/)",
    re.IGNORECASE,
)
CONDA_BUILT_META = "conda_built"


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """``pip freeze`` output -> Manifest.

    ``# Editable install with no version control (name==1.0)`` names the ``-e /path`` line
    that follows it. Packages installed from conda-build trees (``@ file:///croot/...``)
    keep that URL and are listed in ``meta["conda_built"]``.
    """
    manifest = parse_requirements_text(
        text, origin=origin, reader=reader, format_id=FORMAT_ID, dialect=FREEZE_DIALECT
    )
    conda_built = sorted({package.key for package in manifest.packages if is_conda_built(package)})
    if not conda_built:
        return manifest
    return manifest.replace(meta={**manifest.meta, CONDA_BUILT_META: ",".join(conda_built)})


def is_conda_built(package: Package) -> bool:
    """True for ``@ file:///croot/...``, ``/tmp/build/...``, ``conda-bld``, ``feedstock_root``."""
    source = package.source
    if source.kind not in (SourceKind.FILE, SourceKind.DIRECTORY) or not source.url:
        return False
    return _CONDA_BUILD_PATH.match(source.url) is not None
