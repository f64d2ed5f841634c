"""Refusing paths outside the project: includes, symlinks (resolved first), devices."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.cli import main
from envaudit.errors import IncludeError, UsageError
from envaudit.loader import load, read_file
from envaudit.sources.requirements import MAX_INCLUDE_DEPTH, MAX_INCLUDES
from tests.security.budget import cpu_bound


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp/project`` (the working directory) next to ``tmp/outside.txt`` and a secret."""
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("leftpad==1.0\n", encoding="utf-8")
    (tmp_path / "netrc").write_text("machine h login me password hunter2\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _include_error(path: Path) -> IncludeError:
    with pytest.raises(IncludeError) as caught:
        load(path)
    return caught.value


@pytest.mark.parametrize(
    "target",
    [
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "../outside.txt",
        r"..\\outside.txt",  # shlex-split like pip: the file holds ..\\, the target ..\
        "file:../outside.txt",
        "sub/../../outside.txt",
    ],
)
def test_include_outside_the_top_files_directory_is_refused(project: Path, target: str) -> None:
    top = _write(project / "requirements.txt", f"numpy==1.26.4\n-r {target}\n")
    error = _include_error(top)
    assert error.line == 2
    assert "resolves outside" in error.message
    assert "--allow-outside" in error.message


def test_absolute_file_url_include_is_refused(project: Path, tmp_path: Path) -> None:
    outside = (tmp_path / "outside.txt").as_uri()
    error = _include_error(_write(project / "requirements.txt", f"-c {outside}\n"))
    assert "resolves outside" in error.message


def test_allow_outside_permits_the_include(project: Path) -> None:
    top = _write(project / "requirements.txt", "-r ../outside.txt\n")
    manifest = load(top, allow_outside=True)
    assert [p.name for p in manifest.packages] == ["leftpad"]


def test_nested_include_escaping_from_a_subdirectory_is_refused(project: Path) -> None:
    _write(project / "reqs" / "base.txt", "-r ../../outside.txt\n")
    top = _write(project / "requirements.txt", "-r reqs/base.txt\n")
    error = _include_error(top)
    assert error.path.endswith("base.txt")
    assert error.line == 1


def test_dotdot_that_stays_inside_is_fine(project: Path) -> None:
    _write(project / "common.txt", "six==1.16.0\n")
    _write(project / "reqs" / "dev.txt", "-r ../common.txt\n")
    top = _write(project / "requirements.txt", "-r reqs/dev.txt\n")
    assert [p.name for p in load(top).packages] == ["six"]


def test_symlinked_include_pointing_outside_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "base.txt").symlink_to(tmp_path / "outside.txt")
    error = _include_error(_write(project / "requirements.txt", "-r base.txt\n"))
    assert "resolves outside" in error.message


def test_symlinked_directory_pointing_outside_is_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    _write(tmp_path / "elsewhere" / "x.txt", "leftpad==1.0\n")
    (project / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    error = _include_error(_write(project / "requirements.txt", "-r linked/x.txt\n"))
    assert "resolves outside" in error.message


def test_symlink_inside_the_project_is_followed(project: Path) -> None:
    _write(project / "reqs" / "base.txt", "six==1.16.0\n")
    (project / "base.txt").symlink_to(project / "reqs" / "base.txt")
    top = _write(project / "requirements.txt", "-r base.txt\n")
    assert [p.name for p in load(top).packages] == ["six"]


def test_environment_yml_pip_include_outside_is_refused(project: Path) -> None:
    text = "dependencies:\n  - pip:\n    - -r ../outside.txt\n"
    with pytest.raises(IncludeError, match="resolves outside"):
        load(_write(project / "environment.yml", text))


def test_top_level_symlink_to_a_secret_outside_is_refused(project: Path, tmp_path: Path) -> None:
    # A pull request can add ``requirements.txt -> ~/.netrc``; parse errors quote lines.
    link = project / "requirements.txt"
    link.symlink_to(tmp_path / "netrc")
    with pytest.raises(UsageError, match="symlink to a file outside"):
        load(link)
    with pytest.raises(UsageError, match="symlink to a file outside"):
        read_file(link, "requirements.txt")


def test_top_level_symlink_refusal_through_the_cli(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "conda-explicit.txt").symlink_to(tmp_path / "netrc")
    for command in (["show"], ["check"], ["export", "--to", "requirements"]):
        assert main([*command, "conda-explicit.txt"]) == 2
        err = capsys.readouterr().err
        assert "symlink to a file outside" in err
        assert "hunter2" not in err
    assert main(["audit", "."]) == 1
    assert "hunter2" not in capsys.readouterr().out


def test_top_level_symlink_within_the_project_is_read(project: Path) -> None:
    _write(project / "reqs" / "base.txt", "six==1.16.0\n")
    (project / "requirements.txt").symlink_to(Path("reqs") / "base.txt")
    assert [p.name for p in load(project / "requirements.txt").packages] == ["six"]


def test_cli_allow_outside(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(project / "requirements.txt", "-r ../outside.txt\n")
    assert main(["show", "requirements.txt"]) == 2
    assert "--allow-outside" in capsys.readouterr().err
    assert main(["show", "requirements.txt", "--allow-outside"]) == 0
    assert "leftpad" in capsys.readouterr().out


def test_device_is_read_only_up_to_the_size_limit(project: Path) -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero")
    with cpu_bound(), pytest.raises(UsageError, match="over the 1000-byte limit"):
        read_file(zero, "/dev/zero", max_size=1000, allow_outside=True)


def test_include_of_a_device_is_bounded(project: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    (project / "zeros.txt").symlink_to("/dev/zero")
    top = _write(project / "requirements.txt", "-r zeros.txt\n")
    with cpu_bound(), pytest.raises(IncludeError):
        load(top, max_size=4096)
    with cpu_bound(), pytest.raises(IncludeError, match="limit"):
        load(top, max_size=4096, allow_outside=True)


# --- include depth, cycles, fan-out --------------------------------------------------


def _chain(project: Path, length: int) -> Path:
    for index in range(length):
        _write(project / f"r{index}.txt", f"-r r{index + 1}.txt\n")
    _write(project / f"r{length}.txt", "six==1.16.0\n")
    return project / "r0.txt"


def test_include_depth_up_to_32_is_followed(project: Path) -> None:
    top = _chain(project, MAX_INCLUDE_DEPTH)
    assert [p.name for p in load(top).packages] == ["six"]


def test_include_depth_over_32_is_refused(project: Path) -> None:
    _chain(project, MAX_INCLUDE_DEPTH + 1)
    error = _include_error(Path("r0.txt"))
    assert "nested more than 32 levels deep" in error.message
    assert error.path == f"r{MAX_INCLUDE_DEPTH}.txt"


def test_include_cycle_is_refused(project: Path) -> None:
    _write(project / "a.txt", "six==1.16.0\n-r b.txt\n")
    _write(project / "b.txt", "-c a.txt\n")
    error = _include_error(Path("a.txt"))
    assert error.message == "include cycle: a.txt -> b.txt -> a.txt"
    assert (error.path, error.line) == ("b.txt", 1)


def test_self_include_is_refused(project: Path) -> None:
    _write(project / "requirements.txt", "-r ./requirements.txt\n")
    assert "include cycle" in _include_error(project / "requirements.txt").message


def test_include_fan_out_bomb_is_refused(project: Path) -> None:
    # Each file includes the next twice: 2**32 reads without a total bound (it hung).
    for index in range(MAX_INCLUDE_DEPTH):
        _write(project / f"f{index}.txt", f"-r f{index + 1}.txt\n-r f{index + 1}.txt\n")
    _write(project / f"f{MAX_INCLUDE_DEPTH}.txt", "six==1.16.0\n")
    with cpu_bound():
        error = _include_error(project / "f0.txt")
    assert error.message == f"more than {MAX_INCLUDES} includes in all"


def test_many_distinct_includes_below_the_bound_are_read(project: Path) -> None:
    lines = [f"-r part{i}.txt" for i in range(100)]
    for index in range(100):
        _write(project / f"part{index}.txt", f"pkg{index}==1.0\n")
    manifest = load(_write(project / "requirements.txt", "\n".join(lines) + "\n"))
    assert len(manifest.packages) == 100


def test_symlink_loop_is_refused_cleanly(project: Path) -> None:
    (project / "loop-a.txt").symlink_to("loop-b.txt")
    (project / "loop-b.txt").symlink_to("loop-a.txt")
    top = _write(project / "requirements.txt", "-r loop-a.txt\n")
    with pytest.raises(IncludeError) as caught:
        load(top)
    assert caught.value.line == 1
    assert "symlink loop" in caught.value.message


def test_top_level_symlink_loop_is_a_clean_read_error(project: Path) -> None:
    (project / "loop-a.txt").symlink_to("loop-b.txt")
    (project / "loop-b.txt").symlink_to("loop-a.txt")
    with pytest.raises(UsageError, match=r"loop-a\.txt: cannot read"):
        load(project / "loop-a.txt")


def test_symlink_in_a_subfolder_to_a_sibling_folder_is_read(project: Path) -> None:
    """The containment roots are the link's own folder (resolved) and the cwd."""
    _write(project / "locks" / "real.txt", "numpy==1.26.4\n")
    (project / "env").mkdir()
    (project / "env" / "requirements.txt").symlink_to(Path("..") / "locks" / "real.txt")
    assert [p.name for p in load(project / "env" / "requirements.txt").packages] == ["numpy"]
    assert [p.name for p in load("env/requirements.txt").packages] == ["numpy"]
