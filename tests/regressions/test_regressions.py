"""Every crasher the fuzzers found, replayed: it must parse or fail with a located error.

Each file lives in ``tests/regressions/<format>/<what-it-shows>.<ext>`` and is read as that
format. A file that should parse cleanly is listed in ``EXPECTED_PACKAGES``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.loader import decode, load_text
from envaudit.sources.registry import FORMATS
from tests.security.budget import cpu_bound

HERE = Path(__file__).parent
CRASHERS = sorted(
    path for path in HERE.glob("*/*") if path.is_file() and not path.parent.name.startswith("_")
)
# Crashers that are valid documents: how many packages each must yield.
EXPECTED_PACKAGES = {
    "conda-explicit/ipv6-unclosed-bracket-channel.txt": 1,
}


def _id(path: Path) -> str:
    return path.relative_to(HERE).as_posix()


def test_every_crasher_names_a_registered_format() -> None:
    assert CRASHERS
    assert {path.parent.name for path in CRASHERS} <= set(FORMATS)


@pytest.mark.parametrize("path", CRASHERS, ids=_id)
def test_crasher_parses_or_fails_with_a_location(path: Path) -> None:
    origin = _id(path)
    fmt = path.parent.name
    try:
        with cpu_bound():
            manifest = load_text(decode(path.read_bytes(), origin), origin=origin, fmt=fmt)
    except ParseError as error:
        assert origin not in EXPECTED_PACKAGES, f"expected a manifest, got {error}"
        assert error.path == origin
        assert error.line is not None or error.key_path is not None
        return
    assert len(manifest.packages) == EXPECTED_PACKAGES.get(origin, len(manifest.packages))


def test_vcs_ref_query_token_stays_redacted() -> None:
    # Found by the requirements grammar fuzzer: the query string after ``@main`` was read as
    # part of the ref, where URL redaction never looked, so the token reached the manifest.
    path = HERE / "requirements" / "vcs-ref-query-token-leak.txt"
    manifest = load_text(path.read_text(encoding="utf-8"), origin="r.txt", fmt="requirements")
    sources = [p.source for p in manifest.packages if p.source.vcs]
    assert [(s.url, s.ref) for s in sources] == [("https://pypi.org/simple?token=***", "main")]
    assert "fuzzS3cr3tTOKEN" not in manifest.to_json()
