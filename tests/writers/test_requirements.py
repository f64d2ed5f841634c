"""export --to requirements: read back by envaudit's parser and by pip's own parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envaudit.errors import UsageError
from envaudit.model import (
    Ecosystem,
    Hash,
    Include,
    IncludeKind,
    Index,
    IndexKind,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.sources import requirements as requirements_parser
from envaudit.writers.requirements import render_requirements
from tests.writers.conftest import load_sample

SHA_A = "a" * 64
SHA_B = "b" * 64
MD5 = "c" * 32
COMMIT = "0123456789abcdef0123456789abcdef01234567"
LOCKS = [
    "uv-lock/Comfy-Org__comfy-cli__uv.lock",
    "uv-lock/3liz__qgis-cartads-plugin__uv.lock",
    "pylock/AlphaSphereDotAI__vocalizr__pylock.toml",
    "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock",
    "pdm-lock/pdm-project__pdm__pdm-lock__v1.lock",
    "pipfile-lock/pypa__pipenv__Pipfile.lock",
]


def pypi(name: str, **fields: object) -> Package:
    return Package(name=name, key=name.lower(), ecosystem=Ecosystem.PYPI, **fields)  # type: ignore[arg-type]


def manifest(*packages: Package, **fields: object) -> Manifest:
    return Manifest(source=source_info("test", "lock", ""), packages=packages, **fields)  # type: ignore[arg-type]


def identity(package: Package) -> tuple[object, ...]:
    """What a requirements line keeps: a local project is known by its path only."""
    source = package.source
    if source.kind is SourceKind.DIRECTORY:
        return (source.kind, source.url.lstrip("./") if source.url else "")
    strong = tuple(h for h in package.hashes if h.alg != "md5")
    if source.kind is SourceKind.VCS:  # a VCS line names a revision, not a version
        url = (source.url or "").removeprefix("git+")  # parsers differ on keeping "git+"
        return (package.key, source.kind, url, source.commit or source.ref, strong)
    return (package.key, package.version, package.extras, package.markers, strong, source.kind)


def pip_parse(text: str, directory: Path) -> list[object]:
    """pip's own requirements-file parser, as ``pip install -r`` runs it (no resolving).

    ``parse_requirements`` + ``install_req_from_parsed_requirement`` check every line,
    option, marker and --hash offline, where ``pip install --dry-run --no-index`` stops
    at the first requirement it cannot find.
    """
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    path = directory / "requirements.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_requirements(str(path), session=PipSession())
    return [install_req_from_parsed_requirement(item) for item in parsed]


@pytest.mark.parametrize("sample", LOCKS)
def test_lock_samples_read_back_by_envaudit(sample: str) -> None:
    source = load_sample(sample)
    text, _ = render_requirements(source)
    back = requirements_parser.parse(text, origin="requirements.txt")
    installable = {identity(p) for p in source.packages if p.source.kind is not SourceKind.VIRTUAL}
    assert {identity(p) for p in back.packages} == installable


@pytest.mark.parametrize("sample", LOCKS)
def test_lock_samples_read_by_pips_parser(
    sample: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = load_sample(sample)
    text, _ = render_requirements(source)
    monkeypatch.chdir(tmp_path)
    for package in source.packages:  # pip checks that local projects exist
        if package.source.kind is SourceKind.DIRECTORY and package.source.url:
            project = tmp_path / package.source.url
            project.mkdir(parents=True, exist_ok=True)
            (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    requirements = pip_parse(text, tmp_path)
    allowed: dict[str, set[str]] = {}
    for requirement in requirements:
        hashes = requirement.hash_options.get("sha256", [])  # type: ignore[attr-defined]
        allowed.setdefault(str(requirement.name).lower(), set()).update(hashes)  # type: ignore[attr-defined]
    hashed = [p for p in source.packages if p.hashes and not p.source.editable]
    named = {p.name.lower() for p in source.packages if p.source.kind is SourceKind.REGISTRY}
    assert named <= set(allowed)
    assert hashed
    for package in hashed:
        assert {h.value for h in package.hashes if h.alg == "sha256"} <= allowed[
            package.name.lower()
        ]


def test_pip_install_dry_run_fails_only_on_resolution(tmp_path: Path) -> None:
    text, _ = render_requirements(load_sample("uv-lock/Comfy-Org__comfy-cli__uv.lock"))
    path = tmp_path / "requirements.txt"
    path.write_text(text.replace("-e .\n", ""), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-r", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "No matching distribution found" in completed.stderr
    assert "Invalid requirement" not in completed.stderr


def test_torch_local_version_and_extra_index_from_poetry() -> None:
    sample = "poetry-lock/huggingface__text-generation-inference__server-poetry-lock__v2.lock"
    text, notes = render_requirements(load_sample(sample))
    lines = text.splitlines()
    assert lines[1] == "--extra-index-url https://download.pytorch.org/whl/cu118"
    assert "torch==2.0.1+cu118 \\" in lines
    assert any(n.startswith("dropped: the Python requirement ^3.9") for n in notes)
    assert any("optional flag of 19 package(s)" in n for n in notes)


def test_index_options_come_first_in_written_order() -> None:
    source = manifest(
        pypi("torch", version="2.1.0+cu121", index="https://download.pytorch.org/whl/cu121"),
        indexes=(
            Index("https://mirror.example/simple", IndexKind.INDEX_URL),
            Index("https://extra.example/simple", IndexKind.EXTRA_INDEX_URL),
            Index("https://links.example/", IndexKind.FIND_LINKS),
            Index("mirror.example", IndexKind.TRUSTED_HOST),
        ),
        options=("--pre", "--no-binary=:all:"),
        includes=(Include("https://example.com/c.txt", IncludeKind.CONSTRAINTS, resolved=False),),
    )
    text, notes = render_requirements(source)
    assert text.splitlines()[1:] == [
        "--index-url https://mirror.example/simple",
        "--extra-index-url https://extra.example/simple",
        "--find-links https://links.example/",
        "--trusted-host mirror.example",
        "--extra-index-url https://download.pytorch.org/whl/cu121",
        "--pre",
        "--no-binary=:all:",
        "-c https://example.com/c.txt",
        "torch==2.1.0+cu121",
    ]
    assert any("pin of torch to the index" in n for n in notes)


def test_direct_sources_editables_and_markers() -> None:
    source = manifest(
        pypi("lib", source=PackageSource(SourceKind.VCS, "https://github.com/o/lib.git",
             vcs="git", ref="main", commit=COMMIT, subdirectory="py")),
        pypi("dev", source=PackageSource(SourceKind.VCS, "https://github.com/o/dev.git",
             vcs="git", ref="v1", editable=True)),
        pypi("wheel", source=PackageSource(SourceKind.URL, "https://x.example/wheel-1-py3-none-any.whl"),
             hashes=(Hash("sha256", SHA_A),), markers='sys_platform == "linux"'),
        pypi("app", source=PackageSource(SourceKind.DIRECTORY, "services/app", editable=True)),
        pypi("tree", source=PackageSource(SourceKind.DIRECTORY, "/abs/tree")),
        pypi("odd", version="2024.01.custom"),
        pypi("root", source=PackageSource(SourceKind.VIRTUAL, ".")),
        pypi("inject", source=PackageSource(SourceKind.URL, "https://x/a.whl\n--index-url https://evil")),
    )  # fmt: skip
    text, notes = render_requirements(source)
    body = text.split("\n", 1)[1]
    assert f"lib @ git+https://github.com/o/lib.git@{COMMIT}#subdirectory=py" in body
    assert "-e git+https://github.com/o/dev.git@v1#egg=dev" in body
    assert (
        'wheel @ https://x.example/wheel-1-py3-none-any.whl ; sys_platform == "linux" \\\n'
        f"    --hash=sha256:{SHA_A}"
    ) in body
    assert "-e ./services/app" in body
    assert "/abs/tree" in body
    assert "odd===2024.01.custom" in body
    assert "root" not in body
    assert "evil" not in body
    assert "a line break or NUL" in " ".join(notes)
    assert "dropped: 1 package (a virtual workspace member" in notes[1]
    back = requirements_parser.parse(text, origin="r.txt")
    kinds = {p.key: p.source.kind for p in back.packages}
    assert kinds["lib"] is SourceKind.VCS and kinds["wheel"] is SourceKind.URL


def test_lossy_conversions_are_noted() -> None:
    conda = Package(name="numpy", key="numpy", ecosystem=Ecosystem.CONDA, version="1.26.4")
    source = manifest(
        conda,
        pypi("a", version="1", hashes=(Hash("md5", MD5), Hash("sha256", SHA_A)), groups=("dev",)),
        pypi("b", version="2", groups=("main",)),
        constraints=(pypi("c", spec="<3"),),
        python=PythonSpec(requires=">=3.10"),
    )
    text, notes = render_requirements(source)
    assert "--hash=md5" not in text
    assert f"--hash=sha256:{SHA_A}" in text
    assert notes == [
        "dropped: 1 conda package (requirements files hold PyPI packages only)",
        "dropped: md5 hashes (pip's --hash accepts sha256/384/512 only)",
        "note: 1 of 2 requirements have no hash; any --hash turns on pip's hash-checking "
        "mode, which will refuse them",
        "dropped: 1 constraint (entries of -c files)",
        "dropped: the Python requirement >=3.10 (pip cannot express it)",
        "dropped: group membership (dev, main): a requirements file has no groups, every "
        "group's packages are written together",
    ]


def test_platform_copies_merge_and_conflicts_need_platform() -> None:
    same = [
        pypi("six", version="1.16.0", hashes=(Hash("sha256", h),), platform=p)
        for h, p in ((SHA_A, "linux-64"), (SHA_B, "win-64"))
    ]
    text, _ = render_requirements(manifest(*same, platforms=("linux-64", "win-64")))
    assert text.count("six==1.16.0") == 1
    assert SHA_A in text and SHA_B in text
    differing = [pypi("six", version="1.16.0", platform="linux-64"),
                 pypi("six", version="1.15.0", platform="win-64")]  # fmt: skip
    conflicting = manifest(*differing, platforms=("linux-64", "win-64"))
    with pytest.raises(UsageError, match=r"six differs across platforms .* pass --platform"):
        render_requirements(conflicting)
    text, _ = render_requirements(conflicting, platform="win-64")
    assert "six==1.15.0" in text and "1.16.0" not in text


def test_conda_lock_pip_entries_for_one_platform() -> None:
    source = load_sample("conda-lock/FSadrieh__BERTchen__conda-lock.yml")
    text, notes = render_requirements(source, platform="linux-64")
    back = requirements_parser.parse(text, origin="r.txt")
    assert len(back.packages) == 7
    assert all(p.version and p.hashes for p in back.packages)
    assert notes[0] == "dropped: 218 conda packages (requirements files hold PyPI packages only)"
