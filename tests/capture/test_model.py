"""The capture model: deterministic JSON, round trip, schema, located load errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from envaudit.capture.model import Capture
from envaudit.capture.probe import capture
from envaudit.capture.serialize import CaptureDataError
from tests.capture.fakes import FakeMachine
from tests.capture.machines import MACHINES

SCHEMA_PATH = Path(__file__).parents[2] / "envaudit" / "data" / "capture.schema.json"


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def fake_capture(machine: FakeMachine, name: str = "gpu_node_cu121") -> Capture:
    interpreter, environ = MACHINES[name](machine)
    return capture(machine.root, environ=environ, include_meta=False, interpreter=interpreter)


def test_schema_is_valid_and_accepts_every_fake_machine(machine: FakeMachine) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    for name in MACHINES:
        jsonschema.validate(json.loads(fake_capture(machine, name).to_json()), schema())


def test_schema_accepts_this_machine_with_and_without_meta() -> None:
    with_meta = json.loads(capture().to_json())
    assert set(with_meta["meta"]) == {"captured_at", "generator", "hostname"}
    jsonschema.validate(with_meta, schema())
    without = json.loads(capture(include_meta=False).to_json())
    assert "meta" not in without
    jsonschema.validate(without, schema())


def test_schema_rejects_unknown_sections() -> None:
    document = json.loads(capture(include_meta=False).to_json())
    document["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())


def test_json_is_deterministic_and_round_trips(machine: FakeMachine) -> None:
    first = fake_capture(machine)
    again = fake_capture(machine)
    assert first.to_json() == again.to_json()
    assert Capture.from_json(first.to_json()) == first
    assert first.to_json().startswith('{\n  "capture_version": "1.0",')


@pytest.mark.parametrize(
    ("edit", "key_path", "message"),
    [
        (lambda d: d.pop("gpu"), "gpu", "missing required field"),
        (lambda d: d.update(capture_version="2.0"), "capture_version", "unsupported capture"),
        (lambda d: d["gpu"].update(devices="many"), "gpu.devices", "expected a list, got a string"),
        (
            lambda d: d["cuda"]["runtimes"][0].update(driver_verdict="maybe"),
            "cuda.runtimes[0].driver_verdict",
            "expected one of full, minor-version-compatibility, no, unknown",
        ),
        (lambda d: d["python"].update(pointer_bits=True), "python.pointer_bits", "an integer"),
        (lambda d: d["system"].update(extra=1), "system.extra", "unknown field"),
        (lambda d: d["env"].update(X=3), "env.X", "expected a string, got an integer"),
    ],
)
def test_load_errors_name_the_key(
    machine: FakeMachine, edit: Any, key_path: str, message: str
) -> None:
    data = json.loads(fake_capture(machine).to_json())
    edit(data)
    with pytest.raises(CaptureDataError) as caught:
        Capture.from_dict(data)
    assert caught.value.key_path == key_path
    assert message in caught.value.message
