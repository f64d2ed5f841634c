"""Reading back envaudit's own manifest JSON (``envaudit show --format json``)."""

from __future__ import annotations

from envaudit.errors import ParseError
from envaudit.model import SCHEMA_VERSION, Manifest
from envaudit.sources.interface import IncludeReader
from envaudit.sources.structured import expect_table, load_json

FORMAT_ID = "manifest"


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    data = expect_table(load_json(text, origin), origin, "$")
    version = data.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ParseError(
            origin,
            f"unsupported schema_version {version!r}: expected {SCHEMA_VERSION}",
            key_path="schema_version",
        )
    try:
        return Manifest.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ParseError(origin, f"not a valid envaudit manifest: {exc}") from None
