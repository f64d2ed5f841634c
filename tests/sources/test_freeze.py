"""The pip-freeze parser: real freezes (conda-built installs, editables, UTF-16) and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.errors import ParseError
from envaudit.loader import decode
from envaudit.model import Hash, Manifest, Package, SourceKind
from envaudit.sources.freeze import FORMAT_ID, is_conda_built, parse
from envaudit.sources.requirements import parse as parse_requirements

FREEZES = Path(__file__).parents[2] / "samples" / "pip-freeze"


def _sample(name: str) -> Manifest:
    path = FREEZES / name
    return parse(decode(path.read_bytes(), name), origin=name)


def _by_key(manifest: Manifest) -> dict[str, Package]:
    return {package.key: package for package in manifest.packages}


def test_editable_comments_git_editables_and_conda_wheels() -> None:
    manifest = _sample("Adam-code-line__EmbodMocap_my__pip_freeze.txt")
    assert manifest.source.format == FORMAT_ID
    assert len(manifest.packages) == 237
    packages = _by_key(manifest)
    mmcv = packages["mmcv"]
    assert (mmcv.version, mmcv.source.kind, mmcv.source.editable) == (
        "1.7.2",
        SourceKind.DIRECTORY,
        True,
    )
    assert mmcv.source.url == "/home/wubin/third_src/mmcv-1.7.2"
    assert mmcv.origin == "Adam-code-line__EmbodMocap_my__pip_freeze.txt:97"
    assert packages["t3drender"].version == "1.0"
    mocap = packages["embod-mocap"].source
    assert (mocap.kind, mocap.editable, mocap.subdirectory) == (SourceKind.VCS, True, "embod_mocap")
    assert mocap.url == "ssh://git@github.com/WenjiaWang0312/EmbodMocap_dev.git"
    assert mocap.commit == "eb88d641aa68a55494b87e8192a010c44b733f70"
    scipy = packages["scipy"]
    assert (scipy.source.kind, scipy.version, len(scipy.hashes)) == (SourceKind.FILE, "1.17.1", 1)
    assert packages["sam-2"].source.kind is SourceKind.DIRECTORY
    assert not is_conda_built(packages["sam-2"])
    assert (packages["torch"].version, packages["torch"].build) == ("2.4.0+cu121", "cu121")
    assert manifest.meta == {"conda_built": "chumpy,scipy"}


def test_anaconda_tmp_build_and_conda_bld_paths() -> None:
    manifest = _sample("AllenNeuralDynamics__foraging-behavior-browser__pip_freeze.txt")
    assert len(manifest.packages) == 248
    packages = _by_key(manifest)
    assert packages["cffi"].source.url == "file:///opt/conda/conda-bld/cffi_1642701102775/work"
    assert packages["cffi"].source.kind is SourceKind.DIRECTORY
    assert packages["cffi"].version is None
    conda_built = manifest.meta["conda_built"].split(",")
    assert len(conda_built) == 10  # the 12 "@" lines include 2 git URLs
    assert {"cffi", "colorama", "pyopenssl", "tqdm"} <= set(conda_built)
    training = packages["aind-auto-train"].source
    assert (training.kind, training.commit) == (
        SourceKind.VCS,
        "ad2a7f3b152f4d9f3379c01a60ffeaa23fcdcf8e",
    )


def test_croot_and_feedstock_paths_and_local_directory() -> None:
    manifest = _sample("Saurabhbhati__DASS__pip_freeze.txt")
    assert len(manifest.packages) == 154
    packages = _by_key(manifest)
    numpy = packages["numpy"]
    assert (numpy.source.kind, numpy.version) == (SourceKind.FILE, "1.26.4")
    assert numpy.hashes == (
        Hash("sha256", "1d700f51d8b4fa684d858c9e3b56b1656bc5c82b6b79ff08d4e3b491c430059f"),
    )
    conda_built = set(manifest.meta["conda_built"].split(","))
    assert {"numpy", "debugpy", "brotli", "asttokens"} <= conda_built
    assert "selective-scan" not in conda_built
    assert packages["selective-scan"].source.kind is SourceKind.DIRECTORY
    assert packages["torch"].version == "2.3.0"


def test_editable_without_vcs_and_ssh_editable() -> None:
    manifest = _sample("PBarde__moma-ppo__pip_freeze.txt")
    assert len(manifest.packages) == 88
    packages = _by_key(manifest)
    alfred = packages["alfred"]
    assert (alfred.version, alfred.source.editable) == ("0.0.1", True)
    d4rl = packages["d4rl"]
    assert (d4rl.name, d4rl.source.editable, d4rl.source.ref) == (
        "D4RL",
        True,
        "cf0efbd75a9e05f34dfee2f566e163abfa512485",
    )
    dm_control = packages["dm-control"].source
    assert (dm_control.kind, dm_control.editable, dm_control.url) == (
        SourceKind.VCS,
        False,
        "https://github.com/deepmind/dm_control",
    )


def test_remote_wheels_with_hash_fragments() -> None:
    manifest = _sample("Excedrin__nix_python_cuda_flake__pip_freeze.txt")
    assert len(manifest.packages) == 48
    flash = _by_key(manifest)["flash-attn"]
    assert flash.source.kind is SourceKind.URL
    assert flash.version == "2.5.8+cu122torch2.3cxx11abiFALSE"
    assert flash.build == "cu122torch2.3cxx11abiFALSE"
    assert len(flash.hashes) == 1
    assert "conda_built" not in manifest.meta


def test_utf16_windows_freeze_after_decoding() -> None:
    manifest = _sample("AnibalPocket__ComfyUI-PW__requirements-frozen.txt")
    assert len(manifest.packages) == 299
    packages = _by_key(manifest)
    assert (packages["torch"].version, packages["torch"].build) == ("2.5.1+cu124", "cu124")
    assert packages["torch"].origin == "AnibalPocket__ComfyUI-PW__requirements-frozen.txt:263"
    assert packages["swarm"].source.commit == "9db581cecaacea0d46a933d6453c312b034dbf47"


def test_uv_style_freeze_with_cuda_wheels() -> None:
    manifest = _sample("Borg93__nemo-asr__requirements-frozen.txt")
    assert len(manifest.packages) == 153
    packages = _by_key(manifest)
    assert packages["cuda-toolkit"].version == "12.8.1"
    assert packages["torch"].build == "cu128"
    assert packages["nemo-toolkit"].source.commit == "dcd715329a1c2dfbe620641e5f0a46ea561ea6bd"


def test_plain_pins_freeze() -> None:
    manifest = _sample("MrDote__GSOC24_DeepLense__requirements.txt")
    assert len(manifest.packages) == 51
    assert all(package.version for package in manifest.packages)
    assert _by_key(manifest)["jinja2"].name == "Jinja2"


def test_bom_is_stripped_and_repository_location_comment_ignored() -> None:
    text = "\ufeff## !! Could not determine repository location\nfoo==1.0\nbar==2.0\n"
    manifest = parse(text, origin="freeze.txt")
    assert [(p.name, p.version, p.origin) for p in manifest.packages] == [
        ("bar", "2.0", "freeze.txt:3"),
        ("foo", "1.0", "freeze.txt:2"),
    ]


def test_editable_comment_names_only_the_next_editable() -> None:
    text = (
        "# Editable Git install with no remote (mylib==0.3)\n"
        "-e /home/me/mylib\n"
        "# Editable install with no version control (other==1.0)\n"
        "requests==2.0\n"
        "-e /home/me/unnamed\n"
    )
    packages = {p.origin: p for p in parse(text, origin="f.txt").packages}
    assert (packages["f.txt:2"].name, packages["f.txt:2"].version) == ("mylib", "0.3")
    assert (packages["f.txt:5"].name, packages["f.txt:5"].version) == ("/home/me/unnamed", None)
    plain = parse_requirements(text, origin="f.txt").packages
    assert [p.version for p in plain if p.source.editable] == [None, None]


def test_editable_comment_version_applies_to_matching_egg() -> None:
    text = (
        "# Editable Git install with no remote (pkg==2.1)\n"
        "-e git+https://host/org/pkg.git@v2#egg=pkg\n"
    )
    package = parse(text, origin="f.txt").packages[0]
    assert (package.name, package.version, package.source.ref) == ("pkg", "2.1", "v2")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("ok==1\nbroken===\n", 2, "invalid requirement"),
        ("ok==1\n\x00\x00\n", 2, "not a text file"),
        ("ok==1\n-e\n", 2, "option -e expects a value"),
        ("x @ https://h/x-1.0.whl#sha256=abc\n", 1, "invalid hash"),
        ("https://h/download\n", 1, "cannot tell the package name"),
        ("ok==1 --user\n", 1, "unknown option '--user'"),
    ],
)
def test_malformed_freeze_lines(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="freeze.txt")
    assert (caught.value.path, caught.value.line) == ("freeze.txt", line)
    assert message in caught.value.message
