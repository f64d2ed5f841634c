"""Every real sample: detected right, parsed, schema-valid, round-trips, snapshotted."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from envaudit.data import MANIFEST_SCHEMA
from envaudit.loader import load
from envaudit.model import Manifest
from envaudit.sources.detect import detect_format
from tests.conftest import ROOT, expected_format, sample_files, sample_id
from tests.conftest import SAMPLES as SAMPLES_DIR

SAMPLES = sample_files()
# Samples that legitimately hold no package: openedx's constraints.txt has only comments
# and a remote `-c https://...` (recorded as an unresolved include, never fetched).
NO_PACKAGES = {"requirements/openedx__XBlock/requirements/constraints.txt"}


class JSONSnapshot(SingleFileSnapshotExtension):
    file_extension = "json"
    _write_mode = WriteMode.TEXT


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(MANIFEST_SCHEMA.read_text())
    return loaded


def _load(path: Path, monkeypatch: pytest.MonkeyPatch) -> Manifest:
    monkeypatch.chdir(ROOT)
    return load(path.relative_to(ROOT).as_posix())


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_sample_format_is_detected(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
    if path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = path.read_bytes().decode("utf-16")
    assert detect_format(path.name, text) == expected_format(path)


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_sample_parses_validates_and_round_trips(
    path: Path, monkeypatch: pytest.MonkeyPatch, schema: dict[str, object]
) -> None:
    manifest = _load(path, monkeypatch)
    assert manifest.source.format == expected_format(path)
    if path.relative_to(SAMPLES_DIR).as_posix() in NO_PACKAGES:
        assert manifest.packages == ()
    else:
        assert manifest.packages, "a sample with packages parsed to an empty manifest"
    text = manifest.to_json()
    jsonschema.validate(json.loads(text), schema)
    again = Manifest.from_json(text)
    assert again == manifest
    assert again.to_json() == text


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_sample_manifest_snapshot(
    path: Path, monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion
) -> None:
    manifest = _load(path, monkeypatch)
    assert manifest.to_json() == snapshot(extension_class=JSONSnapshot)
