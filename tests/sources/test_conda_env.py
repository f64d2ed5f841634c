"""The environment.yml parser, on the real samples and on small variants."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.errors import IncludeError, ParseError
from envaudit.model import Ecosystem, Hash, IncludeKind, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.conda_env import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "environment-yml"


def _read(name: str) -> str:
    data = (SAMPLES / name).read_bytes()
    if data.startswith(b"\xff\xfe"):
        return data.decode("utf-16")
    return data.decode("utf-8")


def _parse_sample(name: str) -> Manifest:
    return parse(_read(name), origin=name)


def _conda(manifest: Manifest) -> dict[str, Package]:
    return {p.name: p for p in manifest.packages if p.ecosystem is Ecosystem.CONDA}


def _pypi(manifest: Manifest) -> dict[str, Package]:
    return {p.name: p for p in manifest.packages if p.ecosystem is Ecosystem.PYPI}


# (file, conda packages, pip packages)
SAMPLE_COUNTS = [
    ("CINPLA__cinpla-base__environment.yml", 30, 35),
    ("GaoYifei0205__RNARepresentation__environment_gpu.yml", 33, 4),
    ("GeoSense-Freiburg__DepthMap__environment.yaml", 9, 1),
    ("NVlabs__stylegan3__environment.yml", 13, 5),
    ("Stability-AI__stablediffusion__environment.yaml", 6, 17),
    ("ashleve__lightning-hydra-template__environment.yaml", 10, 3),
    ("daveshap__raven__environment__v1.yml", 17, 62),
    ("daveshap__raven__environment__v2.yml", 17, 62),
    ("facebookresearch__dinov2__conda-extras.yaml", 10, 4),
    ("facebookresearch__dinov2__conda.yaml", 10, 2),
    ("garywei944__evagpt__environment.yml", 71, 9),
    ("gboeing__conda-scripts__linux-environment.yml", 185, 25),
    ("gboeing__conda-scripts__win-environment.yml", 170, 0),
    ("jupyterlab__jupyterlab-desktop__jlab_server.yaml", 10, 0),
    ("kaust-vislab__horovod-gpu-data-science-project/environment.yml", 15, 2),
    ("sdatkinson__neural-amp-modeler__environment_gpu__v1.yml", 21, 6),
    ("sdatkinson__neural-amp-modeler__environment_gpu__v2.yml", 21, 6),
    ("xarray-contrib__xarray-tutorial__binder-environment.yml", 38, 0),
]


@pytest.mark.parametrize(("name", "conda", "pip"), SAMPLE_COUNTS)
def test_sample_package_counts(name: str, conda: int, pip: int) -> None:
    manifest = _parse_sample(name)
    assert manifest.source.format == FORMAT_ID
    assert len(_conda(manifest)) == conda
    assert sum(1 for p in manifest.packages if p.ecosystem is Ecosystem.PYPI) == pip
    assert all(p.origin and p.origin.startswith(f"{name}:dependencies[") for p in manifest.packages)


def test_utf16_windows_export_matches_its_utf8_resave() -> None:
    v1 = _parse_sample("daveshap__raven__environment__v1.yml")
    v2 = _parse_sample("daveshap__raven__environment__v2.yml")
    assert _summary(v1) == _summary(v2)
    assert len(_summary(v1)) == 79
    conda = _conda(v1)
    assert (conda["vc"].version, conda["vc"].build) == ("14.2", "h21ff451_1")
    assert conda["vs2015_runtime"].build == "h5e58377_2"
    assert v1.python.version == "3.10.9"
    assert v1.channels == ("defaults",)
    assert v1.meta == {"name": "RAVEN"}
    assert "prefix" not in v1.meta


def _summary(manifest: Manifest) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [(p.ecosystem.value, p.name, p.version, p.spec, p.build) for p in manifest.packages]


def test_bom_and_crlf_are_accepted() -> None:
    text = "\ufeffname: x\r\nchannels:\r\n  - conda-forge\r\ndependencies:\r\n  - numpy=1.24\r\n"
    manifest = parse(text, origin="environment.yml")
    assert manifest.meta == {"name": "x"}
    assert [p.spec for p in manifest.packages] == ["=1.24"]


def test_space_separated_and_exact_specs() -> None:
    manifest = _parse_sample("jupyterlab__jupyterlab-desktop__jlab_server.yaml")
    conda = _conda(manifest)
    assert (conda["jupyterlab"].version, conda["jupyterlab"].spec) == ("4.6.3", None)
    assert conda["ipywidgets"].spec == ">=8.0.1"
    assert manifest.python.requires == "3.12*"
    assert manifest.platforms == ("linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64")
    assert conda["numpy"].version is None and conda["numpy"].spec is None


def test_wildcards_ranges_and_double_equals() -> None:
    conda = _conda(_parse_sample("ashleve__lightning-hydra-template__environment.yaml"))
    assert (conda["pytorch"].version, conda["pytorch"].spec) == (None, "=2.*")
    assert conda["pip"].spec == ">=23"
    conda = _conda(_parse_sample("GaoYifei0205__RNARepresentation__environment_gpu.yml"))
    assert conda["torchvision"].version == "0.4.2"  # '==' in conda is exact
    assert (conda["cudatoolkit"].version, conda["cudatoolkit"].spec) == (None, "=10.0")
    assert "cuda10.0" in conda
    conda = _conda(_parse_sample("xarray-contrib__xarray-tutorial__binder-environment.yml"))
    assert conda["jupyter-book"].spec == ">=1.0.4.post1,<2"
    conda = _conda(_parse_sample("sdatkinson__neural-amp-modeler__environment_gpu__v1.yml"))
    assert conda["onnxruntime"].spec == "!=1.16.0"
    assert conda["pytorch-cuda"].spec == "=11.7"
    conda = _conda(_parse_sample("GeoSense-Freiburg__DepthMap__environment.yaml"))
    assert conda["numpy"].spec == "<=2.0"


def test_channel_prefixed_specs_and_build_patterns() -> None:
    manifest = _parse_sample("garywei944__evagpt__environment.yml")
    conda = _conda(manifest)
    assert manifest.meta["name"] == "evagpt"
    assert manifest.channels == ("nvidia", "conda-forge", "anaconda", "defaults")
    torch = conda["pytorch"]
    assert (torch.channel, torch.version, torch.spec, torch.build) == (
        "conda-forge",
        None,
        None,
        "*cuda*",
    )
    jaxlib = conda["jaxlib"]
    assert (jaxlib.channel, jaxlib.spec, jaxlib.build) == ("conda-forge", ">=0.7.2", "*cuda*")
    assert manifest.python.requires == ">=3.13"
    conda = _conda(_parse_sample("facebookresearch__dinov2__conda.yaml"))
    assert (conda["pytorch-cuda"].channel, conda["pytorch-cuda"].spec) == ("pytorch", "=11.7.0")
    assert conda["xformers"].channel == "xformers"


def test_conda_env_export_with_builds_and_prefix() -> None:
    manifest = _parse_sample("gboeing__conda-scripts__win-environment.yml")
    conda = _conda(manifest)
    assert manifest.meta == {"name": "base", "prefix": "C:\\Users\\Geoff\\miniconda3"}
    assert manifest.python.version == "3.9.6"
    assert (conda["anaconda-clean"].version, conda["anaconda-clean"].build) == (
        "1.1.0",
        "py39haa95532_1",
    )
    assert conda["m2-msys2-runtime"].version == "2.5.0.17080.65c939c"
    assert all(p.version and p.build for p in conda.values())
    linux = _parse_sample("gboeing__conda-scripts__linux-environment.yml")
    assert linux.meta["prefix"].startswith("/home/")
    assert _conda(linux)["_libgcc_mutex"].build == "conda_forge"


def test_channels_are_stripped_and_names_may_be_null() -> None:
    manifest = _parse_sample("GaoYifei0205__RNARepresentation__environment_gpu.yml")
    assert manifest.channels[0] == "pytorch"  # written 'pytorch ' with a trailing space
    manifest = _parse_sample("kaust-vislab__horovod-gpu-data-science-project/environment.yml")
    assert "name" not in manifest.meta
    assert manifest.python.requires == "=3.7"
    assert _conda(manifest)["nvcc_linux-64"].spec == "=10.1"


def test_numeric_name_is_kept_as_text() -> None:
    assert parse("name: 2023\n", origin="environment.yml").meta == {"name": "2023"}


def test_no_channels_key() -> None:
    manifest = _parse_sample("CINPLA__cinpla-base__environment.yml")
    assert manifest.channels == ()
    assert manifest.python.requires == "=3.5"


def test_origins_use_the_yaml_key_path() -> None:
    manifest = _parse_sample("NVlabs__stylegan3__environment.yml")
    conda = _conda(manifest)
    assert conda["python"].origin == "NVlabs__stylegan3__environment.yml:dependencies[0]"
    assert conda["imageio"].origin == "NVlabs__stylegan3__environment.yml:dependencies[12]"


def test_pip_section_editable_vcs_lines() -> None:
    name = "CINPLA__cinpla-base__environment.yml"
    pypi = _pypi(_parse_sample(name))
    neo = pypi["python-neo"]
    assert neo.source.kind is SourceKind.VCS
    assert neo.source.editable
    assert (neo.source.vcs, neo.source.ref) == ("git", "expipe")
    assert neo.origin == f"{name}:dependencies[30].pip[13]"
    assert pypi["elephant"].origin == f"{name}:dependencies[30].pip[34]"  # after the -e lines
    assert sum(1 for p in pypi.values() if p.source.editable) == 21


def test_pip_section_pins_extras_and_local_editable() -> None:
    pypi = _pypi(_parse_sample("Stability-AI__stablediffusion__environment.yaml"))
    assert pypi["opencv-python"].version == "4.6.0.66"
    assert pypi["test-tube"].spec == ">=0.7.5"
    local = pypi["."]
    assert (local.source.kind, local.source.editable) == (SourceKind.DIRECTORY, True)
    pypi = _pypi(_parse_sample("garywei944__evagpt__environment.yml"))
    assert pypi["tensorflow"].extras == ("and-cuda",)
    assert pypi["sh"].spec == ">=2.2.2"
    pypi = _pypi(_parse_sample("sdatkinson__neural-amp-modeler__environment_gpu__v1.yml"))
    assert pypi["wavio"].spec == ">=0.0.5"
    assert pypi["transformers"].spec == ">=4"  # the '# See requirements.txt' comment is gone


def test_pip_section_options_and_vcs_url() -> None:
    name = "facebookresearch__dinov2__conda.yaml"
    manifest = _parse_sample(name)
    [index] = manifest.indexes
    assert (index.url, index.kind) == ("https://pypi.nvidia.com", IndexKind.EXTRA_INDEX_URL)
    assert index.origin == f"{name}:dependencies[10].pip[1]"
    submitit = _pypi(manifest)["submitit"]
    assert (submitit.source.kind, submitit.source.url) == (
        SourceKind.VCS,
        "https://github.com/facebookincubator/submitit",
    )


def test_pip_section_anywhere_and_more_than_once() -> None:
    text = """
dependencies:
  - pip:
    - requests==2.31.0
    - --pre
  - numpy
  - pip:
    - urllib3>=2
    - --pre
"""
    manifest = parse(text, origin="env.yml")
    pypi = _pypi(manifest)
    assert pypi["requests"].origin == "env.yml:dependencies[0].pip[0]"
    assert pypi["urllib3"].origin == "env.yml:dependencies[2].pip[0]"
    assert _conda(manifest)["numpy"].origin == "env.yml:dependencies[1]"
    assert manifest.options == ("--pre",)


def test_pip_requirements_include_is_read_through_the_reader() -> None:
    folder = SAMPLES / "kaust-vislab__horovod-gpu-data-science-project"
    origin = "kaust-vislab__horovod-gpu-data-science-project/environment.yml"
    calls: list[tuple[str, str]] = []

    def reader(target: str, *, including: str) -> tuple[str, str]:
        calls.append((target, including))
        name = target.removeprefix("file:")
        return f"{origin.rsplit('/', 1)[0]}/{name}", (folder / name).read_text(encoding="utf-8")

    manifest = parse(_read(origin), origin=origin, reader=reader)
    assert calls == [("requirements.txt", origin)]  # the file: prefix is dropped
    pypi = _pypi(manifest)
    assert pypi["mxnet-cu101mkl"].spec == "==1.6.*"
    assert len(pypi) > 2  # the included file's requirements were merged
    included = [p for p in pypi.values() if p.origin and "requirements.txt:" in p.origin]
    assert included
    [include] = manifest.includes
    assert (include.kind, include.resolved) == (IncludeKind.REQUIREMENTS, True)


def test_pip_requirements_include_without_a_reader_is_recorded_unresolved() -> None:
    name = "kaust-vislab__horovod-gpu-data-science-project/environment.yml"
    [include] = _parse_sample(name).includes
    assert (include.target, include.resolved) == ("file:requirements.txt", False)
    assert include.origin == f"{name}:dependencies[11].pip[2]"


def test_pip_include_errors_propagate() -> None:
    def reader(target: str, *, including: str) -> tuple[str, str]:
        raise IncludeError(including, f"{target}: no such file")

    text = "dependencies:\n  - pip:\n    - -r missing.txt\n"
    with pytest.raises(IncludeError, match=r"missing\.txt"):
        parse(text, origin="env.yml", reader=reader)


def test_inline_variants() -> None:
    text = """
name: demo
channels: [conda-forge, "https://user:secret@conda.example.com/private"]
variables:
  CUDA_HOME: /usr/local/cuda
  API_TOKEN: do-not-store
platforms: [linux-64]
category: main
dependencies:
  - conda-forge/linux-64::numpy 1.24.3 py311h_0
  - numpy[version='>=1.2',build=py*]
  - zlib[md5=0C96522C6BDAED4B1566D11387CAAF45]
  - https://conda.anaconda.org/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
  - python
  - python=3.11
"""
    manifest = parse(text, origin="env.yml")
    assert manifest.channels == ("conda-forge", "https://***@conda.example.com/private")
    assert manifest.meta == {
        "name": "demo",
        "variables": "API_TOKEN,CUDA_HOME",
        "ignored_keys": "category",
    }
    assert "do-not-store" not in manifest.to_json()
    numpy = [p for p in manifest.packages if p.name == "numpy"]
    pinned = next(p for p in numpy if p.version)
    assert (pinned.channel, pinned.platform, pinned.build) == (
        "conda-forge",
        "linux-64",
        "py311h_0",
    )
    ranged = next(p for p in numpy if not p.version)
    assert (ranged.spec, ranged.build) == (">=1.2", "py*")
    zlib = next(p for p in manifest.packages if p.name == "zlib")
    assert zlib.hashes == (Hash("md5", "0c96522c6bdaed4b1566d11387caaf45"),)
    tzdata = next(p for p in manifest.packages if p.name == "tzdata")
    assert (tzdata.version, tzdata.source.kind, tzdata.channel) == (
        "2024a",
        SourceKind.URL,
        "conda-forge",
    )
    assert manifest.python.requires == "=3.11"  # the first python entry with a constraint


@pytest.mark.parametrize(
    "text", ["", "\ufeff", "# only a comment\n", "---\n", "name: empty\n", "dependencies:\n"]
)
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = parse(text, origin="environment.yml")
    assert manifest.packages == ()
    assert manifest.channels == ()


@pytest.mark.parametrize(
    ("text", "key_path", "message"),
    [
        ("dependencies: numpy\n", "dependencies", "expected a list, got a string"),
        ("dependencies:\n  - numpy\n  - 42\n", "dependencies[1]", "expected a MatchSpec string"),
        (
            "dependencies:\n  - numpy\n  - {conda: [x]}\n",
            "dependencies[1]",
            "expected a MatchSpec string or a 'pip:' list, got a mapping with keys 'conda'",
        ),
        (
            "dependencies:\n  - a\n  - b\n  - c\n  - numpy==\n",
            "dependencies[3]",
            "invalid MatchSpec 'numpy==': expected a version after '=='",
        ),
        ("dependencies:\n  - pip: pkg\n", "dependencies[0].pip", "expected a list, got a string"),
        ("dependencies:\n  - pip: [1.0]\n", "dependencies[0].pip[0]", "expected a string"),
        (
            "dependencies:\n  - numpy\n  - pip:\n    - ok\n    - 'numpy @@ x'\n",
            "dependencies[1].pip[1]",
            "invalid requirement",
        ),
        ("channels: conda-forge\n", "channels", "expected a list"),
        ("channels: [conda-forge, [x]]\n", "channels[1]", "expected a string"),
        ("channels: [conda-forge, '  ']\n", "channels[1]", "expected a non-empty string"),
        ("name: [a, b]\n", "name", "expected a string, got a list"),
        ("name: true\n", "name", "expected a string, got a boolean"),
        ("prefix: {a: 1}\n", "prefix", "expected a string, got a table"),
        ("variables: [A]\n", "variables", "expected a table"),
        ("platforms: linux-64\n", "platforms", "expected a list"),
    ],
)
def test_structure_errors_name_the_key_path(text: str, key_path: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="environment.yml")
    assert caught.value.key_path == key_path
    assert message in caught.value.message
    assert caught.value.path == "environment.yml"


def test_a_top_level_list_is_an_error() -> None:
    with pytest.raises(ParseError, match="expected a mapping") as caught:
        parse("- numpy\n- scipy\n", origin="environment.yml")
    assert caught.value.key_path is None


def test_yaml_syntax_errors_carry_the_line() -> None:
    with pytest.raises(ParseError, match="invalid YAML") as caught:
        parse("name: x\ndependencies:\n  - numpy\n - [unclosed\n", origin="environment.yml")
    assert caught.value.line == 4


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, origin="fuzz.yml")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=12),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["name", "channels", "dependencies", "pip", "prefix", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_structure_parses_or_raises_parse_error(document: object) -> None:
    import json

    with contextlib.suppress(ParseError):
        parse(json.dumps(document), origin="fuzz.yml")
