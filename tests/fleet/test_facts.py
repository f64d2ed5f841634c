"""The fast fact reader agrees with the full capture parser, and falls back to it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.fleet.facts import (
    facts_from_bytes,
    facts_from_data,
    facts_from_manifest,
    field_category,
    machine_name_from_origin,
)
from envaudit.fleet.inputs import facts_from_text, read_capture
from envaudit.sources.capture_json import parse
from tests.fleet.synthetic import BASELINE, build_capture

SEEDS = sorted((Path(__file__).parents[1] / "fuzz" / "seeds" / "capture").glob("*.json"))


def _reference(text: str, origin: str) -> dict[str, str]:
    return facts_from_manifest(parse(text, origin=origin)).fields


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_fast_path_matches_the_full_parser_on_real_captures(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    reference = _reference(text, str(path))
    assert facts_from_bytes(text.encode(), str(path)).fields == reference
    assert facts_from_data(json.loads(text), str(path)).fields == reference


def test_seed_captures_cover_conda_gpu_and_shadowed_packages() -> None:
    fields = {p.stem: read_capture(str(p)).fields for p in SEEDS}
    assert fields["conda_cuda11"]["conda:cudatoolkit"].startswith("11.")
    assert "(" in fields["conda_cuda11"]["conda:cudatoolkit"]  # the channel is part of it
    assert fields["gpu_node_cu121"]["gpu.driver"] == "535.104.05"
    assert fields["gpu_node_cu121"]["cuda.torch"] == "12.1"
    assert fields["cpu_laptop"]["pypi:numpy"] == "1.26.4"  # user site first: 2.0.0 is shadowed


def test_fast_path_matches_on_generated_and_compact_captures() -> None:
    capture = build_capture(replace(BASELINE, filler=20), hostname="n1", captured_at="t")
    text = capture.to_json()
    reference = _reference(text, "n1.json")
    assert read_capture.__name__  # the file reader is exercised in test_inputs
    assert facts_from_bytes(text.encode(), "n1.json").fields == reference
    compact = json.dumps(capture.to_dict())  # a JSON-lines stream carries compact documents
    assert facts_from_text(compact, "-:1").fields == reference
    assert facts_from_bytes(compact.encode(), "-:1").fields == reference


def test_name_and_time_come_from_meta_else_from_the_file_name() -> None:
    capture = build_capture(BASELINE, hostname="gpu-a17", captured_at="2025-01-02T03:04:05+00:00")
    facts = facts_from_text(capture.to_json().encode(), "caps/whatever.json")
    assert (facts.name, facts.captured_at) == ("gpu-a17", "2025-01-02T03:04:05+00:00")
    data = capture.to_dict()
    del data["meta"]
    facts = facts_from_text(json.dumps(data), "caps/node-9.example.org.json")
    assert (facts.name, facts.captured_at) == ("node-9.example.org", None)
    assert "capture.hostname" not in facts.fields  # meta never makes two machines differ


def test_unexpected_shape_falls_back_to_the_located_parser_error() -> None:
    data = build_capture(BASELINE).to_dict()
    data["gpu"]["driver"] = {"version": 550}
    with pytest.raises(ParseError) as error:
        facts_from_text(json.dumps(data, indent=2), "caps/n1.json")
    assert error.value.key_path == "gpu.driver.version"
    assert "expected a string" in error.value.message


@pytest.mark.parametrize(
    ("text", "key_path", "message"),
    [
        ('{"capture_version": "9.0"}', "capture_version", "unsupported capture version"),
        ("[1, 2]", "$", "expected an object"),
        ('{"capture_version": "1.0"}', "python", "missing required field"),
        ('{"capture_version": "1.0", "python": 3}', "python", "expected an object"),
    ],
)
def test_malformed_captures_raise_located_errors(text: str, key_path: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        facts_from_text(text, "bad.json")
    assert error.value.key_path == key_path
    assert message in error.value.message


def test_invalid_json_raises_with_a_line() -> None:
    with pytest.raises(ParseError) as error:
        facts_from_text(b'{\n  "capture_version": "1.0",\n  oops\n}', "bad.json")
    assert error.value.line == 3


def test_a_region_lookalike_inside_a_string_is_not_a_region() -> None:
    capture = build_capture(replace(BASELINE, filler=3))
    data = capture.to_dict()
    data["env"]["NOTE"] = '"installed": [ and ],\n    "paths": ['
    text = json.dumps(data, indent=2, sort_keys=True)
    assert facts_from_bytes(text.encode(), "x.json").fields == _reference(text, "x.json")


def test_entry_by_entry_decoding_matches_with_duplicates_and_escapes() -> None:
    profile = replace(BASELINE, filler=4, overrides=(('odd"name\\x', "1.0+é"),))
    data = build_capture(profile).to_dict()
    installed = data["packages"]["installed"]
    installed.append(dict(installed[0], location="/elsewhere"))  # a second, unshadowed copy
    installed.append(dict(installed[1], shadowed=True, version="0.0.1"))
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    reference = _reference(text, "x.json")
    assert reference['pypi:odd"name\\x'] == "1.0+é"
    first = installed[0]
    assert reference[f"pypi:{first['name']}"] == first["version"]  # the same version twice
    assert facts_from_bytes(text.encode(), "x.json").fields == reference
    data["packages"]["installed"] = installed[:3]  # another list sharing entries
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    assert facts_from_bytes(text.encode(), "y.json").fields == _reference(text, "y.json")


@pytest.mark.parametrize(
    ("field", "category"),
    [
        ("pypi:torch", "packages"),
        ("conda:numpy", "packages"),
        ("cudnn.wheel", "cuda"),
        ("torch.version", "cuda"),
        ("gpu.driver", "gpu"),
        ("env.PYTHONHASHSEED", "env"),
        ("python.version", "python"),
        ("os.libc", "system"),
    ],
)
def test_field_categories(field: str, category: str) -> None:
    assert field_category(field) == category


def test_machine_name_from_origin() -> None:
    assert machine_name_from_origin("caps/node-07.json") == "node-07"
    assert machine_name_from_origin(r"C:\caps\node-07.json") == "node-07"
    assert machine_name_from_origin("-:3") == "-:3"
