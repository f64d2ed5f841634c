"""Key paths of findings become line numbers, in TOML and in YAML bodies under any name."""

from __future__ import annotations

from pathlib import Path

from envaudit.audit.lines import Locator

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _line_of(path: Path, origin_key: str) -> int | None:
    text = path.read_text(encoding="utf-8")
    return Locator({"f": text}).locate(f"f:{origin_key}", "f").line


def test_yaml_lock_under_a_non_yaml_name_is_read_as_yaml() -> None:
    # pixi.lock v4 saved as `..._lockv4.lock`: `packages[58]` is the 59th root package,
    # not the first `packages:` key a TOML-style scan would stop at.
    path = SAMPLES / "pixi-lock" / "prefix-dev__parselmouth__lockv4.lock"
    line = _line_of(path, "packages[58]")
    assert line is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[line - 1] == "- kind: pypi"
    assert lines[line] == "  name: parselmouth"


def test_toml_table_entries_are_found_in_order() -> None:
    path = SAMPLES / "uv-lock" / "Comfy-Org__comfy-cli__uv.lock"
    lines = path.read_text(encoding="utf-8").splitlines()
    headers = [n + 1 for n, text in enumerate(lines) if text.strip() == "[[package]]"]
    locator = Locator({"f": path.read_text(encoding="utf-8")})
    found = [locator.locate(f"f:package[{i}]", "f").line for i in (0, 5, len(headers) - 1)]
    assert found == [headers[0], headers[5], headers[-1]]
