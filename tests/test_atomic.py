"""Atomic writes: temp file in the same directory, fsync, rename, mode kept, nothing half."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from envaudit.atomic import atomic_write
from envaudit.errors import UsageError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_replaces_content_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "environment.yml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write(target, "new\r\nkept as written\n")
    assert target.read_bytes() == b"new\r\nkept as written\n"
    assert _mode(target) == 0o640
    assert _leftovers(tmp_path) == []


def test_new_file_gets_the_usual_mode_not_0600(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "out.txt", "x")
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "out.txt") == 0o644


def test_encoding_is_applied(tmp_path: Path) -> None:
    target = tmp_path / "environment.yml"
    atomic_write(target, "name: é\n", encoding="utf-16")
    assert target.read_bytes().decode("utf-16") == "name: é\n"


def test_temp_file_is_made_in_the_target_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[Path, Path]] = []
    real_replace = Path.replace

    def spy(self: Path, target: Path) -> Path:
        renames.append((self, Path(target)))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", spy)
    atomic_write(tmp_path / "a.txt", "x")
    ((temp, target),) = renames
    assert temp.parent == target.parent == tmp_path
    assert temp.name.startswith(".a.txt.")


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_failure_mid_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "requirements.txt"
    target.write_text("numpy==1.26.4\n", encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    elif failing == "replace":
        monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises((UsageError, UnicodeEncodeError)):
        atomic_write(target, "numpy==2.0.0\n" if failing != "write" else "bad \udcff\n")
    assert target.read_text(encoding="utf-8") == "numpy==1.26.4\n"
    assert _leftovers(tmp_path) == []


def test_interrupt_mid_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "requirements.txt"
    target.write_text("numpy==1.26.4\n", encoding="utf-8")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "numpy==2.0.0\n")
    assert target.read_text(encoding="utf-8") == "numpy==1.26.4\n"
    assert _leftovers(tmp_path) == []


def test_unwritable_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        atomic_write(tmp_path / "missing-dir" / "out.txt", "x")


def test_directory_target_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="cannot write"):
        atomic_write(tmp_path / "out", "x")
    assert _leftovers(tmp_path) == []


def test_symlink_is_replaced_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "project-environment.yml"
    link.symlink_to(outside)
    atomic_write(link, "new\n")
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "new\n"


def test_a_device_is_written_through_not_replaced() -> None:
    import stat

    from envaudit.atomic import atomic_write

    atomic_write("/dev/null", "discarded\n")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
