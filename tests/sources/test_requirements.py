"""The requirements.txt parser: real samples, every line variant, includes and errors."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from envaudit.errors import IncludeError, ParseError
from envaudit.loader import FileIncludeReader
from envaudit.model import Hash, IncludeKind, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.requirements import FORMAT_ID, parse, parse_logical_lines

SAMPLES = Path(__file__).parents[2] / "samples"
REQUIREMENTS = SAMPLES / "requirements"
SHA_A = "a" * 64
SHA_B = "b" * 64
COMMIT = "28fe037d212663c6a24f373b94cc5d478c8c1a1d"


class FakeReader:
    """Include reader over a dict of files, resolving relative to the including file."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.calls: list[tuple[str, str]] = []

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        self.calls.append((target, including))
        origin = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
        if origin not in self.files:
            raise IncludeError(including, f"cannot include {target!r}: no such file")
        return origin, self.files[origin]


def _sample(relative: str) -> Manifest:
    path = REQUIREMENTS / relative
    return parse(path.read_text(encoding="utf-8"), origin=relative)


def _one(text: str, **files: str) -> Package:
    manifest = parse(text, origin="req.txt", reader=FakeReader(files))
    assert len(manifest.packages) == 1, manifest.packages
    return manifest.packages[0]


def _by_name(manifest: Manifest) -> dict[str, list[Package]]:
    grouped: dict[str, list[Package]] = {}
    for package in manifest.packages:
        grouped.setdefault(package.key, []).append(package)
    return grouped


def _error(text: str, reader: FakeReader | None = None) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="req.txt", reader=reader)
    return caught.value


# --- real samples ----------------------------------------------------------------------


def test_imagebind_extra_index_torch_pin_and_pep508_git_commit() -> None:
    manifest = _sample("facebookresearch__ImageBind__requirements__v1.txt")
    assert manifest.source.format == FORMAT_ID
    assert [(i.kind, i.url) for i in manifest.indexes] == [
        (IndexKind.EXTRA_INDEX_URL, "https://download.pytorch.org/whl/cu113")
    ]
    packages = _by_name(manifest)
    assert len(manifest.packages) == 16
    assert packages["torch"][0].version == "1.13.0"
    video = packages["pytorchvideo"][0].source
    assert video.kind is SourceKind.VCS
    assert video.url == "https://github.com/facebookresearch/pytorchvideo.git"
    assert video.ref == video.commit == COMMIT
    assert packages["ftfy"][0].version is None
    assert packages["ftfy"][0].spec is None


def test_detectron2_bare_wheel_urls_bare_git_url_and_duplicates() -> None:
    manifest = _sample("facebookresearch__detectron2__docs-requirements.txt")
    packages = _by_name(manifest)
    assert len(manifest.packages) == 21
    torch = packages["torch"][0]
    assert (torch.version, torch.build, torch.source.kind) == ("1.8.1+cpu", "cpu", SourceKind.URL)
    assert torch.source.url is not None
    assert torch.source.url.endswith("torch-1.8.1%2Bcpu-cp37-cp37m-linux_x86_64.whl")
    assert packages["torchvision"][0].version == "0.9.1+cpu"
    fvcore = packages["fvcore"][0]
    assert fvcore.source.kind is SourceKind.VCS
    assert (fvcore.source.ref, fvcore.source.commit) == (None, None)
    assert len(packages["termcolor"]) == 2
    assert packages["omegaconf"][0].spec == ">=2.1.0.dev24"
    assert manifest.packages[0].origin is not None


def test_cinpla_editable_vcs_branches_and_duplicate() -> None:
    manifest = _sample("CINPLA__cinpla-base__requirements.txt")
    packages = _by_name(manifest)
    assert len(manifest.packages) == 40
    assert len(packages["packaging"]) == 2
    pyxona = packages["pyxona"][0]
    assert pyxona.source.editable
    assert (pyxona.source.kind, pyxona.source.vcs, pyxona.source.ref) == (
        SourceKind.VCS,
        "git",
        "dev",
    )
    assert pyxona.source.commit is None
    assert pyxona.origin == "CINPLA__cinpla-base__requirements.txt:37"
    editables = [p.name for p in manifest.packages if p.source.editable]
    assert sorted(editables) == [
        "expipe-io-neuro",
        "expipe-plugin-cinpla",
        "expipe-templates-cinpla",
        "pyxona",
    ]


def test_spiketools_per_requirement_no_binary_and_utf8_comments() -> None:
    manifest = _sample("CINPLA__cinpla-base__requirements-spiketools-windows.txt")
    packages = _by_name(manifest)
    assert len(manifest.packages) == 9
    assert packages["spyking-circus"][0].version == "0.9.6"
    assert packages["herdingspikes"][0].version == "0.3.7"
    assert "ml-ms4alg" not in packages  # commented out
    assert manifest.options == ()  # pip ignores file options after a requirement


def test_quasar_options_with_equals_and_compatible_release() -> None:
    manifest = _sample("Quasars__quasar__macos-requirements.txt")
    assert [(i.kind, i.url) for i in manifest.indexes] == [
        (IndexKind.FIND_LINKS, "https://orange.biolab.si/download/files/wheelhouse"),
        (IndexKind.EXTRA_INDEX_URL, "https://pypi.anaconda.org/ales-erjavec/simple"),
    ]
    assert manifest.indexes[0].origin == "Quasars__quasar__macos-requirements.txt:3"
    assert manifest.options == ("--only-binary=numpy,scipy,scikit-learn,PyQt5,opentsne",)
    packages = _by_name(manifest)
    assert packages["numpy"][0].spec == "~=2.1.0"
    assert packages["python-louvain"][0].spec == ">=0.13"
    assert packages["keyrings-alt"][0].name == "keyrings.alt"


def test_stablediffusion_trailing_editable_dot() -> None:
    manifest = _sample("Stability-AI__stablediffusion__requirements.txt")
    local = [p for p in manifest.packages if p.source.editable]
    assert len(local) == 1
    assert (local[0].name, local[0].source.kind, local[0].source.url) == (
        ".",
        SourceKind.DIRECTORY,
        ".",
    )


def test_lightning_template_inline_comments_and_commented_requirements() -> None:
    manifest = _sample("ashleve__lightning-hydra-template__requirements.txt")
    packages = _by_name(manifest)
    assert len(manifest.packages) == 11
    assert packages["rootutils"][0].spec is None
    assert packages["torch"][0].spec == ">=2.0.0"
    assert "aim" not in packages and "sh" not in packages


def test_text_generation_inference_markers_and_local_version() -> None:
    manifest = _sample("huggingface__text-generation-inference__server-requirements__v2.txt")
    packages = _by_name(manifest)
    torch = packages["torch"][0]
    assert (torch.version, torch.build) == ("2.0.1+cu118", "cu118")
    assert torch.markers == 'python_version >= "3.9" and python_version < "4.0"'
    colorama = packages["colorama"][0]
    assert colorama.markers is not None
    assert '(sys_platform == "win32" or platform_system == "Windows")' in colorama.markers
    assert [i.url for i in manifest.indexes] == ["https://download.pytorch.org/whl/cu118"]


def test_uv_compiled_output_with_index_url_header() -> None:
    manifest = _sample("Comfy-Org__comfy-cli__requirements.compiled")
    assert [(i.kind, i.url) for i in manifest.indexes] == [
        (IndexKind.INDEX_URL, "https://pypi.org/simple")
    ]
    assert [(p.name, p.version) for p in manifest.packages] == [
        ("mpmath", "1.3.0"),
        ("numpy", "2.0.2"),
        ("sympy", "1.13.0"),
        ("tqdm", "4.66.4"),
    ]


def test_pip_compile_hashes_with_continuations() -> None:
    manifest = _sample("pypa__warehouse/requirements/main.txt")
    assert len(manifest.packages) == 122
    assert all(package.hashes for package in manifest.packages)
    alembic = _by_name(manifest)["alembic"][0]
    assert alembic.version == "1.4.3"
    assert alembic.origin == "pypa__warehouse/requirements/main.txt:7"
    assert [h.value[:8] for h in alembic.hashes] == ["4e02ed2a", "5334f323"]


def test_warehouse_includes_without_reader_are_listed_unresolved() -> None:
    manifest = _sample("pypa__warehouse/requirements.txt")
    assert manifest.packages == ()
    assert [(i.target, i.resolved, i.reason) for i in manifest.includes] == [
        (f"requirements/{name}.txt", False, "no reader")
        for name in ("main", "deploy", "docs", "lint", "tests")
    ]


def test_warehouse_includes_through_the_sample_tree(in_samples: Path) -> None:
    origin = "samples/requirements/pypa__warehouse/requirements.txt"
    reader = FileIncludeReader(root=Path("samples/requirements/pypa__warehouse"))
    manifest = parse(Path(origin).read_text(encoding="utf-8"), origin=origin, reader=reader)
    assert len(manifest.packages) == 215
    assert all(include.resolved for include in manifest.includes)
    assert [include.kind for include in manifest.includes] == [IncludeKind.REQUIREMENTS] * 5
    assert manifest.includes[0].origin == f"{origin}:2"
    alembic = _by_name(manifest)["alembic"][0]
    assert alembic.origin == "samples/requirements/pypa__warehouse/requirements/main.txt:7"


def test_openedx_constraints_with_nested_remote_constraint(in_samples: Path) -> None:
    folder = "samples/requirements/openedx__XBlock/requirements"
    origin = f"{folder}/dev.in"
    reader = FileIncludeReader(root=Path(folder))
    manifest = parse(Path(origin).read_text(encoding="utf-8"), origin=origin, reader=reader)
    includes = [(i.target, i.kind, i.resolved, i.reason) for i in manifest.includes]
    remote = "https://raw.githubusercontent.com/edx/edx-lint/master/edx_lint/files/common_constraints.txt"
    assert includes == [
        ("constraints.txt", IncludeKind.CONSTRAINTS, True, None),
        (remote, IncludeKind.CONSTRAINTS, False, "remote include not fetched"),
        ("pip-tools.txt", IncludeKind.REQUIREMENTS, True, None),
        ("test.txt", IncludeKind.REQUIREMENTS, True, None),
        ("ci.txt", IncludeKind.REQUIREMENTS, True, None),
    ]
    assert manifest.includes[1].origin == f"{folder}/constraints.txt:12"
    assert manifest.constraints == ()
    assert len(manifest.packages) == 88


def test_horovod_wildcard_pins_and_no_binary_option_line() -> None:
    path = SAMPLES / "environment-yml/kaust-vislab__horovod-gpu-data-science-project"
    manifest = parse((path / "requirements.txt").read_text(encoding="utf-8"), origin="r.txt")
    assert [(p.name, p.version, p.spec) for p in manifest.packages] == [
        ("horovod", None, "==0.19.*"),
        ("jupyter-tensorboard", None, "==0.2.*"),
        ("jupyterlab-nvdashboard", None, "==0.3.*"),
    ]
    assert manifest.options == ("--no-binary=horovod",)


# --- line grammar ----------------------------------------------------------------------


def test_empty_and_comment_only_files_are_empty_manifests() -> None:
    for text in ("", "\n\n", "# only a comment\n   # another\n"):
        manifest = parse(text, origin="req.txt")
        assert manifest.packages == () and manifest.includes == () and manifest.options == ()


def test_comment_needs_whitespace_and_url_fragment_is_not_a_comment() -> None:
    text = f"https://host/dl/foo-1.0.tar.gz#sha256={SHA_A}   # the foo sdist\n"
    package = _one(text)
    assert (package.name, package.version) == ("foo", "1.0")
    assert package.hashes == (Hash("sha256", SHA_A),)
    assert package.source.url == "https://host/dl/foo-1.0.tar.gz"


def test_continuations_keep_the_first_line_as_origin() -> None:
    text = (
        "# header\n"
        "foo==1.0 \\\n"
        f"    --hash=sha256:{SHA_B.upper()} \\\n"
        f"    --hash=sha256:{SHA_A} \\\n"
        f"    --hash=sha256:{SHA_A}\n"
        "bar==2.0\n"
    )
    manifest = parse(text, origin="req.txt")
    foo, bar = _by_name(manifest)["foo"][0], _by_name(manifest)["bar"][0]
    assert foo.origin == "req.txt:2"
    assert foo.hashes == (Hash("sha256", SHA_A), Hash("sha256", SHA_B))
    assert bar.origin == "req.txt:6"


def test_bom_and_crlf_are_handled() -> None:
    manifest = parse("\ufefffoo==1.0\r\nbar>=2\r\n", origin="req.txt")
    assert [(p.name, p.version, p.spec) for p in manifest.packages] == [
        ("bar", None, ">=2"),
        ("foo", "1.0", None),
    ]


def test_env_vars_are_kept_literal_and_listed() -> None:
    text = (
        "--extra-index-url https://${PIP_USER}:${PIP_TOKEN}@pkgs.example.com/simple\n"
        "foo @ https://${HOST}/foo-1.0.whl\n"
        "bar==1.0  # ${IN_COMMENT} and ${lower} do not count\n"
    )
    manifest = parse(text, origin="req.txt")
    assert manifest.meta == {"env_vars": "HOST,PIP_TOKEN,PIP_USER"}
    assert manifest.indexes[0].url == "https://***@pkgs.example.com/simple"
    assert _by_name(manifest)["foo"][0].source.url == "https://${HOST}/foo-1.0.whl"


def test_pep508_markers_extras_and_specs_as_written() -> None:
    package = _one("Foo_Bar[zeta, alpha]>=1.2,<2 ; python_version<'3.12' and os_name=='posix'")
    assert (package.name, package.key) == ("Foo_Bar", "foo-bar")
    assert package.extras == ("alpha", "zeta")
    assert package.spec == ">=1.2,<2"
    assert package.version is None
    assert package.markers == 'python_version < "3.12" and os_name == "posix"'
    assert _one("foo (>= 1.0, < 2)").spec == ">=1.0,<2"


@pytest.mark.parametrize(
    ("line", "version", "spec", "build"),
    [
        ("foo==1.2.3", "1.2.3", None, None),
        ("foo == 1.2.3", "1.2.3", None, None),
        ("foo==1.2.*", None, "==1.2.*", None),
        ("foo===1.0-custom", "1.0-custom", None, None),
        ("torch==2.0.1+cu118", "2.0.1+cu118", None, "cu118"),
        ("foo!=1.0", None, "!=1.0", None),
        ("foo==1.0,!=1.0.1", None, "==1.0,!=1.0.1", None),
        ("foo", None, None, None),
    ],
)
def test_exact_pins_and_specs(
    line: str, version: str | None, spec: str | None, build: str | None
) -> None:
    package = _one(line)
    assert (package.version, package.spec, package.build) == (version, spec, build)
    assert package.source.kind is SourceKind.REGISTRY


@pytest.mark.parametrize(
    "line",
    [
        "foo==1.0",
        "Foo.Bar_baz == 2024.1.15",
        "torch==2.4.0+cu121",
        "flash_attn==2.5.8+cu122torch2.3cxx11abiFALSE",
        "x==1!2.0rc3.post4.dev5",
        "google-api-core[grpc]==1.23.0",
        "pkg[ b , A ]==0.1a1",
    ],
)
def test_simple_pin_fast_path_matches_packaging(line: str) -> None:
    from envaudit.sources import requirements_specs
    from envaudit.sources.requirements_lines import Location

    location = Location.from_label("req.txt:1", "req.txt")
    hashes = [Hash("sha256", SHA_B), Hash("sha256", SHA_A)]
    assert requirements_specs._SIMPLE_PIN.fullmatch(line) is not None
    fast = requirements_specs.requirement_package(line, hashes=hashes, location=location)
    slow = requirements_specs._pep508_package(line, hashes, location)
    assert fast == slow


def test_direct_references() -> None:
    wheel = _one(
        f"flash-attn @ https://h/dl/flash_attn-2.5.8+cu122-cp311-cp311-linux_x86_64.whl#sha256={SHA_A}"
    )
    assert (wheel.source.kind, wheel.version, wheel.build) == (
        SourceKind.URL,
        "2.5.8+cu122",
        "cu122",
    )
    assert wheel.hashes == (Hash("sha256", SHA_A),)
    local_wheel = _one("scipy @ file:///opt/dist/scipy-1.17.1-cp311-cp311-linux_x86_64.whl")
    assert (local_wheel.source.kind, local_wheel.version) == (SourceKind.FILE, "1.17.1")
    directory = _one("sam-2 @ file:///home/me/src/sam2")
    assert (directory.source.kind, directory.source.url) == (
        SourceKind.DIRECTORY,
        "file:///home/me/src/sam2",
    )
    marked = _one('foo @ https://h/foo-1.0.tar.gz ; python_version < "3.10"')
    assert (marked.markers, marked.version) == ('python_version < "3.10"', "1.0")


def test_bare_urls_and_paths() -> None:
    wheel = _one("https://download.pytorch.org/whl/torch-1.8.1%2Bcpu-cp39-cp39-linux_x86_64.whl")
    assert (wheel.name, wheel.version, wheel.build) == ("torch", "1.8.1+cpu", "cpu")
    egg = _one("https://h/archive/main.zip#egg=mypkg")
    assert (egg.name, egg.source.kind) == ("mypkg", SourceKind.URL)
    sdist = _one("./downloads/foo-bar-2.0.tar.gz")
    assert (sdist.name, sdist.version, sdist.source.kind) == ("foo-bar", "2.0", SourceKind.FILE)
    marked = _one('https://h/foo-1.0.tar.gz; sys_platform == "linux"')
    assert marked.markers == 'sys_platform == "linux"'
    named = _one("git+https://github.com/org/fvcore.git@v1.0#egg=fvcore")
    assert (named.name, named.source.ref, named.source.editable) == ("fvcore", "v1.0", False)


def test_vcs_requirements() -> None:
    sha = "c" * 40
    git = _one(f"-e git+https://user:secret@host/org/repo.git@{sha}#egg=Repo&subdirectory=sub/pkg")
    assert (git.name, git.key) == ("Repo", "repo")
    assert git.source.url == "https://***@host/org/repo.git"
    assert (git.source.ref, git.source.commit, git.source.subdirectory) == (sha, sha, "sub/pkg")
    assert git.source.editable
    ssh = _one("-e git+ssh://git@github.com/org/d4rl.git@main#egg=D4RL[extra]")
    assert ssh.source.url == "ssh://git@github.com/org/d4rl.git"
    assert (ssh.source.ref, ssh.source.commit, ssh.extras) == ("main", None, ("extra",))
    hg = _one("hg+https://hg.example.com/repo@tip#egg=hgpkg")
    assert (hg.source.vcs, hg.source.ref, hg.source.editable) == ("hg", "tip", False)


def test_editable_paths() -> None:
    assert _one("-e .").source == _one("--editable=.").source
    pkg = _one("-e ./pkg[test,dev]")
    assert (pkg.name, pkg.extras, pkg.source.kind) == (
        "./pkg",
        ("dev", "test"),
        SourceKind.DIRECTORY,
    )
    absolute = _one("-e /abs/src/thing")
    assert (absolute.source.url, absolute.source.editable) == ("/abs/src/thing", True)
    named = _one("-e ./libs/x#egg=xlib")
    assert (named.name, named.key) == ("xlib", "xlib")


def test_options_in_both_spellings() -> None:
    text = (
        "-i https://user:pw@idx.example.com/simple\n"
        "--extra-index-url=https://extra.example.com/simple\n"
        "-f ./wheels\n"
        "--trusted-host idx.example.com\n"
        "--no-index --pre\n"
        "--no-binary :all:\n"
        "--only-binary=a,b\n"
        "--prefer-binary\n"
        "--require-hashes\n"
        "--use-feature truststore\n"
    )
    manifest = parse(text, origin="req.txt")
    assert [(i.kind, i.url, i.origin) for i in manifest.indexes] == [
        (IndexKind.INDEX_URL, "https://***@idx.example.com/simple", "req.txt:1"),
        (IndexKind.EXTRA_INDEX_URL, "https://extra.example.com/simple", "req.txt:2"),
        (IndexKind.FIND_LINKS, "./wheels", "req.txt:3"),
        (IndexKind.TRUSTED_HOST, "idx.example.com", "req.txt:4"),
    ]
    assert manifest.options == (
        "--no-index",
        "--pre",
        "--no-binary=:all:",
        "--only-binary=a,b",
        "--prefer-binary",
        "--require-hashes",
        "--use-feature=truststore",
    )


def test_per_requirement_options() -> None:
    package = _one(
        f"foo==1.0 --global-option=--no-cython -C key=value --config-settings k2=v2 "
        f"--no-binary=mpi4py --hash=SHA256:{SHA_A} --hash sha256:{SHA_A}"
    )
    assert package.version == "1.0"
    assert package.hashes == (Hash("sha256", SHA_A),)


# --- includes --------------------------------------------------------------------------


def test_requirement_and_constraint_includes_in_every_spelling() -> None:
    reader = FakeReader(
        {
            "reqs/a.txt": "alpha==1\n",
            "reqs/b.txt": "beta==2\n",
            "reqs/c.txt": "-r sub/d.txt\n",
            "reqs/sub/d.txt": "delta==4\n",
            "reqs/constraints.txt": "alpha<2\n-r e.txt  # pip reads -r in -c files as requirements\n",
            "reqs/e.txt": "epsilon\n",
            "/abs/f.txt": "phi==6\n",
        }
    )
    text = (
        "-r a.txt\n"
        "--requirement=b.txt\n"
        "-rc.txt\n"
        "--constraint constraints.txt\n"
        "-r file:///abs/f.txt\n"
    )
    manifest = parse(text, origin="reqs/main.txt", reader=reader)
    assert sorted(p.name for p in manifest.packages) == ["alpha", "beta", "delta", "epsilon", "phi"]
    assert [(p.name, p.spec) for p in manifest.constraints] == [("alpha", "<2")]
    assert _by_name(manifest)["delta"][0].origin == "reqs/sub/d.txt:1"
    assert [(i.target, i.kind, i.origin) for i in manifest.includes] == [
        ("a.txt", IncludeKind.REQUIREMENTS, "reqs/main.txt:1"),
        ("b.txt", IncludeKind.REQUIREMENTS, "reqs/main.txt:2"),
        ("c.txt", IncludeKind.REQUIREMENTS, "reqs/main.txt:3"),
        ("sub/d.txt", IncludeKind.REQUIREMENTS, "reqs/c.txt:1"),
        ("constraints.txt", IncludeKind.CONSTRAINTS, "reqs/main.txt:4"),
        ("e.txt", IncludeKind.REQUIREMENTS, "reqs/constraints.txt:2"),
        ("file:///abs/f.txt", IncludeKind.REQUIREMENTS, "reqs/main.txt:5"),
    ]
    assert ("sub/d.txt", "reqs/c.txt") in reader.calls
    assert ("/abs/f.txt", "reqs/main.txt") in reader.calls


def test_file_relative_include_is_a_local_path() -> None:
    reader = FakeReader({"requirements.txt": "horovod==0.19.*\n"})
    manifest = parse("-r file:requirements.txt\n", origin="environment.txt", reader=reader)
    assert reader.calls == [("requirements.txt", "environment.txt")]
    assert manifest.includes[0].target == "file:requirements.txt"
    assert manifest.packages[0].spec == "==0.19.*"


def test_remote_includes_are_never_fetched() -> None:
    reader = FakeReader({})
    manifest = parse(
        "-c https://tok:secret@example.com/constraints.txt\n-r http://example.com/r.txt\n",
        origin="req.txt",
        reader=reader,
    )
    assert reader.calls == []
    assert [(i.target, i.kind, i.resolved, i.reason) for i in manifest.includes] == [
        (
            "https://***@example.com/constraints.txt",
            IncludeKind.CONSTRAINTS,
            False,
            "remote include not fetched",
        ),
        ("http://example.com/r.txt", IncludeKind.REQUIREMENTS, False, "remote include not fetched"),
    ]


def test_include_cycle_is_an_error_naming_the_cycle() -> None:
    reader = FakeReader({"a.txt": "x==1\n-r b.txt\n", "b.txt": "\n-r a.txt\n"})
    with pytest.raises(IncludeError) as caught:
        parse("-r b.txt\n", origin="a.txt", reader=reader)
    assert caught.value.path == "b.txt"
    assert caught.value.line == 2
    assert "include cycle: a.txt -> b.txt -> a.txt" in caught.value.message


def test_include_depth_is_limited() -> None:
    files = {f"f{n}.txt": f"-r f{n + 1}.txt\n" for n in range(40)}
    with pytest.raises(IncludeError) as caught:
        parse(files["f0.txt"], origin="f0.txt", reader=FakeReader(files))
    assert caught.value.path == "f32.txt"
    assert "more than 32 levels" in caught.value.message


def test_missing_include_is_located_at_the_include_line() -> None:
    with pytest.raises(IncludeError) as caught:
        parse("foo\n-r missing.txt\n", origin="req.txt", reader=FakeReader({}))
    assert (caught.value.path, caught.value.line) == ("req.txt", 2)
    assert "cannot include 'missing.txt'" in caught.value.message


def test_errors_in_included_files_carry_their_own_location() -> None:
    reader = FakeReader({"inc.txt": "ok==1\nbad >= 1 x\n"})
    error = _error("-r inc.txt\n", reader)
    assert (error.path, error.line) == ("inc.txt", 2)


# --- parse_logical_lines (used by environment.yml's pip: list) ----------------------------


def test_parse_logical_lines_with_key_path_labels() -> None:
    reader = FakeReader({"envs/requirements.txt": "torch==2.1.0\n"})
    parts = parse_logical_lines(
        [
            ("numpy==1.26.4 --hash=sha256:" + SHA_A, "envs/env.yml:dependencies[7].pip[0]"),
            ("-r file:requirements.txt", "envs/env.yml:dependencies[7].pip[1]"),
            (
                "--extra-index-url https://x.example.com/simple",
                "envs/env.yml:dependencies[7].pip[2]",
            ),
            ("scipy  # trailing comment", "envs/env.yml:dependencies[7].pip[3]"),
        ],
        path="envs/env.yml",
        reader=reader,
    )
    assert reader.calls == [("requirements.txt", "envs/env.yml")]
    assert [(p.name, p.origin) for p in parts.packages] == [
        ("numpy", "envs/env.yml:dependencies[7].pip[0]"),
        ("torch", "envs/requirements.txt:1"),
        ("scipy", "envs/env.yml:dependencies[7].pip[3]"),
    ]
    assert parts.packages[0].hashes == (Hash("sha256", SHA_A),)
    assert parts.includes[0].origin == "envs/env.yml:dependencies[7].pip[1]"
    assert parts.indexes[0].kind is IndexKind.EXTRA_INDEX_URL
    assert parts.constraints == () and parts.options == () and parts.env_vars == ()


def test_parse_logical_lines_errors_use_the_key_path() -> None:
    with pytest.raises(ParseError) as caught:
        parse_logical_lines(
            [
                ("numpy", "env.yml:dependencies[3].pip[0]"),
                ("x >= 1 y", "env.yml:dependencies[3].pip[1]"),
            ],
            path="env.yml",
            reader=None,
        )
    assert (caught.value.key_path, caught.value.line) == ("dependencies[3].pip[1]", None)
    assert caught.value.message.startswith("invalid requirement: ")


def test_parse_logical_lines_without_reader_records_the_include() -> None:
    parts = parse_logical_lines([("-r more.txt", "env.yml:x")], path="env.yml", reader=None)
    assert [(i.target, i.resolved, i.reason) for i in parts.includes] == [
        ("more.txt", False, "no reader")
    ]


# --- malformed input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("ok\nfoo >= 1 bar\n", 2, "invalid requirement: Expected comma"),
        ("ok\n\n--frobnicate\n", 3, "unknown option '--frobnicate'"),
        ("foo==1 --hash=sha256:abc\n", 1, "invalid hash 'sha256:abc'"),
        ("ok\nfoo\x00bar\n", 2, "not a text file"),
        ("https://example.com/download?id=3\n", 1, "cannot tell the package name"),
        ("https://h/foo-1.0.whl;python_version<'3'\n", 1, "needs a space before ';'"),
        ("x\n-r\n", 2, "option -r expects a value"),
        ("--pre=yes\n", 1, "option --pre does not take a value"),
        (f"--hash=sha256:{SHA_A}\n", 1, "--hash must follow a requirement"),
        ("-e ./a -e ./b\n", 1, "expected one -e per line"),
        ("foo -e ./b\n", 1, "not both"),
        ("foo --global-option 'unterminated\n", 1, "cannot split options"),
        ("-e git+https://\n", 1, "invalid VCS URL"),
        ("https://h/x.zip#egg=bad!name\n", 1, "invalid #egg="),
        ("https://h/foo-1.0.tar.gz; python_version <\n", 1, "invalid marker"),
        ("foo\\\n  >= 1 bar\n", 1, "invalid requirement"),
    ],
)
def test_malformed_lines_are_located(text: str, line: int, message: str) -> None:
    error = _error(text)
    assert (error.path, error.line) == ("req.txt", line)
    assert message in error.message


def test_editable_in_constraints_file_is_an_error() -> None:
    reader = FakeReader({"c.txt": "foo<2\n-e ./local\n"})
    error = _error("-c c.txt\n", reader)
    assert (error.path, error.line) == ("c.txt", 2)
    assert "editable requirements are not allowed as constraints" in error.message


def test_credentials_never_reach_errors() -> None:
    error = _error("-e git+https://user:hunter2@host\n")
    assert "hunter2" not in str(error)
