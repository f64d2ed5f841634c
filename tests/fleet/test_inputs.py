"""What ``fleet`` reads: files, directories, globs, a JSON-lines stream; bad captures skipped."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from envaudit.cli import history_commands as cli
from envaudit.cli import main
from envaudit.errors import UsageError
from envaudit.fleet import analyse_fleet
from envaudit.fleet.inputs import FleetOptions, expand_arguments
from tests.fleet.synthetic import BASELINE, FleetWriter, build_capture


@pytest.fixture
def caps(tmp_path: Path) -> Path:
    writer = FleetWriter(tmp_path / "caps")
    for name in ("a1", "a2", "a3"):
        writer.write(replace(BASELINE, filler=10), name)
    writer.write(replace(BASELINE, filler=10, python="3.12.4"), "b1")
    return tmp_path / "caps"


def test_directories_globs_and_files_expand(caps: Path) -> None:
    (caps / "notes.txt").write_text("not a capture")
    assert [Path(p).name for p in expand_arguments([str(caps)])] == [
        "a1.json",
        "a2.json",
        "a3.json",
        "b1.json",
    ]
    assert [Path(p).name for p in expand_arguments([str(caps / "a*.json")])] == [
        "a1.json",
        "a2.json",
        "a3.json",
    ]
    assert expand_arguments(["-", "x.json"]) == ["-", "x.json"]
    with pytest.raises(UsageError, match="no file matches"):
        expand_arguments([str(caps / "zz*.json")])


def test_unreadable_captures_are_reported_and_skipped(
    caps: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (caps / "broken.json").write_text('{"capture_version": "1.0",\n  nope\n}')
    (caps / "other.json").write_text('{"lock": 1}')
    report = analyse_fleet([str(caps), str(caps / "missing.json")])
    assert report.machines == 4
    assert report.problem_count == 3
    problems = {Path(p.origin).name: p.message for p in report.problems}
    assert problems == {
        "broken.json": f"{caps}/broken.json:2: invalid JSON: Expecting property name enclosed "
        "in double quotes",
        "other.json": f"{caps}/other.json: capture_version: unsupported capture version None: "
        "expected 1.0",
        "missing.json": f"{caps}/missing.json: no such file",
    }
    assert main(["fleet", str(caps), "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "2 unreadable captures skipped" in out
    assert "unreadable captures (skipped):" in out


def test_a_symlink_to_a_file_outside_is_refused_unless_allowed(
    caps: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A capture folder from a pull request can hold `node9.json -> ~/.netrc`.
    secret = tmp_path / "outside" / "netrc"
    secret.parent.mkdir()
    secret.write_text("machine example.com password s3cr3t\n")
    (caps / "node9.json").symlink_to(secret)
    monkeypatch.chdir(caps)
    report = analyse_fleet(["."])
    problems = {Path(p.origin).name: p.message for p in report.problems}
    assert "is a symlink to a file outside its directory" in problems["node9.json"]
    assert report.machines == 4
    allowed = analyse_fleet(["."], replace(FleetOptions(), allow_outside=True))
    assert (
        "invalid JSON" in {Path(p.origin).name: p.message for p in allowed.problems}["node9.json"]
    )


def test_json_lines_on_stdin(
    caps: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(
            build_capture(replace(BASELINE, filler=10), hostname=f"s{i}", captured_at="t").to_dict()
        )
        for i in range(3)
    ]
    lines.insert(1, "")  # blank lines are skipped
    lines.append("{broken")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert (
        main(["fleet", "-", str(caps / "b1.json"), "--format", "json", "--fail-on", "never"]) == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["machines"] == 4
    assert document["problem_count"] == 1
    assert document["problems"][0]["origin"] == "-:5"
    python = next(f for f in document["fields"] if f["field"] == "python.version")
    assert python["baseline"] == {"value": "3.11.9", "count": 3, "machines": []}
    assert python["outliers"] == [{"value": "3.12.4", "count": 1, "machines": ["b1"]}]


def test_examples_option_bounds_names(caps: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["fleet", str(caps), "--examples", "1", "--format", "json", "--fail-on", "never"])
    clusters = json.loads(capsys.readouterr().out)["clusters"]
    assert [(c["count"], c["machines"]) for c in clusters] == [(3, ["a1"]), (1, ["b1"])]


def test_ignore_field_merges_environments(caps: Path) -> None:
    report = analyse_fleet([str(caps)], FleetOptions(ignore_fields=("python.*",)))
    assert len(report.clusters) == 1
    assert report.varying == ()


def test_output_file_and_html(caps: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["fleet", str(caps), "--format", "html", "-o", str(out), "--fail-on", "never"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html  # no network, even for a crafted value
    assert 'text-anchor="end">b1</text>' in html  # b1 is a heat-map row


def test_progress_only_on_a_terminal_after_one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", stream)
    clock = iter([100.0, 100.5, 101.6, 101.7])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    progress = cli._DelayedProgress(4, "captures")
    progress(1)  # 0.5 s: nothing yet
    assert stream.getvalue() == ""
    progress(2)  # 1.6 s: the bar appears, caught up to 3 of 4
    progress(1)
    progress.close()
    assert "captures" in stream.getvalue()
    quiet = io.StringIO()  # not a terminal: never a bar
    monkeypatch.setattr(sys, "stderr", quiet)
    silent = cli._DelayedProgress(4, "captures")
    silent(4)
    silent.close()
    assert quiet.getvalue() == ""
