"""MatchSpec parsing: exact pins vs wildcards, builds, channels, brackets, malformed specs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.sources.matchspec import MatchSpec, MatchSpecError, parse_matchspec


@pytest.mark.parametrize(
    ("text", "version", "spec", "build"),
    [
        ("numpy", None, None, None),
        ("numpy 1.24", "1.24", None, None),  # space form: exactly 1.24
        ("numpy=1.24", None, "=1.24", None),  # single '=': 1.24.*
        ("numpy==1.24", "1.24", None, None),
        ("numpy=1.24.3=py311h_0", "1.24.3", None, "py311h_0"),
        ("numpy 1.24.3 py311h_0", "1.24.3", None, "py311h_0"),
        ("numpy==1.24.3=py311h_0", "1.24.3", None, "py311h_0"),
        ("pytorch=*=*cuda*", None, None, "*cuda*"),
        ("numpy * openblas_0", None, None, "openblas_0"),
        ("numpy >=1.2,<2", None, ">=1.2,<2", None),
        ("numpy >=1.0 , < 2.0 py34_0", None, ">=1.0,<2.0", "py34_0"),
        ("numpy >=1.0 , < 2.0 =py34_0", None, ">=1.0,<2.0", "py34_0"),
        ("python >= 3.8", None, ">=3.8", None),
        ("python 3.12*", None, "3.12*", None),
        ("numpy>=1.20", None, ">=1.20", None),
        ("numpy<=2.0", None, "<=2.0", None),
        ("python<3.11", None, "<3.11", None),
        ("onnxruntime!=1.16.0", None, "!=1.16.0", None),
        ("pip>=23", None, ">=23", None),
        ("jupyter-book >=1.0.4.post1,<2", None, ">=1.0.4.post1,<2", None),
        ("numpy 1.2.*", None, "1.2.*", None),
        ("numpy ==1.24.*", None, "==1.24.*", None),
        ("pytorch=2.*", None, "=2.*", None),
        ("python=3.5", None, "=3.5", None),
        ("numpy 1.2|1.3", None, "1.2|1.3", None),
        ("numpy ~=1.2", None, "~=1.2", None),
        ("torchvision==0.4.2", "0.4.2", None, None),
        ("tzdata=2022g=h04d1e81_0", "2022g", None, "h04d1e81_0"),
        ("m2-msys2-runtime=2.5.0.17080.65c939c=3", "2.5.0.17080.65c939c", None, "3"),
        ("_libgcc_mutex=0.1=conda_forge", "0.1", None, "conda_forge"),
        ("numpy=1.24.*=py311h_0", None, "=1.24.*", "py311h_0"),
        ("jaxlib>=0.7.2=*cuda*", None, ">=0.7.2", "*cuda*"),
        ("numpy 1!2.0", None, "1!2.0", None),  # epochs count as a spec (contains '!')
    ],
)
def test_version_and_build(
    text: str, version: str | None, spec: str | None, build: str | None
) -> None:
    parsed = parse_matchspec(text)
    assert (parsed.version, parsed.spec, parsed.build) == (version, spec, build)
    assert parsed.raw == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("boolean.py=3.7=py_0", "boolean.py"),
        ("cuda10.0", "cuda10.0"),
        ("ruamel.yaml", "ruamel.yaml"),
        ("nvcc_linux-64=10.1", "nvcc_linux-64"),
        ("_openmp_mutex=4.5=1_gnu", "_openmp_mutex"),
        ("  numpy  ", "numpy"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert parse_matchspec(text).name == name


def test_channel_prefix() -> None:
    parsed = parse_matchspec("conda-forge::numpy")
    assert (parsed.channel, parsed.subdir, parsed.name) == ("conda-forge", None, "numpy")
    parsed = parse_matchspec("conda-forge/linux-64::numpy=1.24.3=py311h_0")
    assert (parsed.channel, parsed.subdir, parsed.version) == ("conda-forge", "linux-64", "1.24.3")
    parsed = parse_matchspec("pytorch/label/nightly::pytorch")
    assert (parsed.channel, parsed.subdir) == ("pytorch/label/nightly", None)
    parsed = parse_matchspec("https://conda.anaconda.org/conda-forge::numpy")
    assert parsed.channel == "https://conda.anaconda.org/conda-forge"
    parsed = parse_matchspec("conda-forge::jaxlib>=0.7.2=*cuda*")
    assert (parsed.channel, parsed.spec, parsed.build) == ("conda-forge", ">=0.7.2", "*cuda*")


def test_bracket_form() -> None:
    parsed = parse_matchspec("numpy[version='>=1.2',build=py*]")
    assert parsed == MatchSpec(
        name="numpy",
        raw="numpy[version='>=1.2',build=py*]",
        spec=">=1.2",
        build="py*",
    )
    parsed = parse_matchspec('numpy[version="1.24.3", build="py311h_0", channel=conda-forge]')
    assert (parsed.version, parsed.build, parsed.channel) == ("1.24.3", "py311h_0", "conda-forge")
    parsed = parse_matchspec("numpy 1.2 [build_number=3 md5=" + "A" * 32 + "]")
    assert parsed.version == "1.2"
    assert parsed.attributes == (("build_number", "3"), ("md5", "A" * 32))
    parsed = parse_matchspec("numpy[channel=conda-forge/osx-arm64, subdir=osx-arm64]")
    assert (parsed.channel, parsed.subdir) == ("conda-forge", "osx-arm64")


def test_bracket_values_override_positional_ones() -> None:
    parsed = parse_matchspec("numpy=1.2=py_0[build=py_1]")
    assert (parsed.version, parsed.build) == ("1.2", "py_1")


def test_package_url() -> None:
    url = "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.24.3-py311h_0.conda"
    parsed = parse_matchspec(f"{url}#{'ab' * 16}")
    assert (parsed.name, parsed.version, parsed.build) == ("numpy", "1.24.3", "py311h_0")
    assert (parsed.url, parsed.subdir) == (url, "linux-64")
    assert parsed.attributes == (("md5", "ab" * 16),)


def test_trailing_comment_without_space_is_dropped() -> None:
    assert parse_matchspec("numpy=1.24#pinned").spec == "=1.24"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a package name, got an empty string"),
        ("   ", "expected a package name, got an empty string"),
        (">=1.2", "expected a package name at the start of '>=1.2'"),
        ("numpy==", "expected a version after '=='"),
        ("numpy>=", "expected a version after '>='"),
        ("numpy >=1.2,", "expected a version between ',' or '|'"),
        ("numpy=1.2=", "expected a build string after '='"),
        ("numpy 1.2 py_0 extra", "expected 'VERSION [BUILD]' after the name"),
        ("numpy 1.2=py_0 py_1", "expected one build string, got two"),
        ("numpy 1.2 py<0", "invalid build string 'py<0'"),
        ("numpy ===1.2", "invalid version constraint '===1.2'"),
        ("numpy 1.2&3", "invalid version constraint '1.2&3'"),
        ("num,py", "invalid package name 'num,py'"),
        ("::numpy", "expected a channel name before '::'"),
        ("conda-forge:numpy", "expected 'channel::name' (two colons)"),
        ("numpy[version=1.2", "expected one '[key=value, ...]' section at the end"),
        ("numpy[version=1.2] py_0", "expected one '[key=value, ...]' section at the end"),
        ("numpy[color=red]", "unknown MatchSpec key 'color'"),
        ("numpy[version='']", "expected a value for 'version'"),
        ("numpy[version]", "expected key=value inside brackets"),
        ("numpy[]", "expected key=value inside brackets, got nothing"),
        ("numpy[md5=xyz]", "invalid md5 'xyz': expected 32 hex digits"),
        ("numpy (optional)", "parenthesised MatchSpec options are not supported"),
        ("#comment", "expected a package name before '#'"),
        ("https://example.com/linux-64/numpy.conda", "expected a package URL"),
        (
            "https://example.com/linux-64/numpy-1-0.conda#zz",
            "invalid hash fragment 'zz'",
        ),
    ],
)
def test_malformed_specs_raise_with_a_precise_message(text: str, message: str) -> None:
    with pytest.raises(MatchSpecError) as caught:
        parse_matchspec(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_matchspec_error(text: str) -> None:
    try:
        parsed = parse_matchspec(text)
    except MatchSpecError:
        return
    assert parsed.name
    assert parsed.version is None or parsed.spec is None


@given(st.text(alphabet="numpy=<>!~*,|. 0123456789_[]'\":/#abc-", max_size=30))
def test_spec_like_text_parses_or_raises_matchspec_error(text: str) -> None:
    try:
        parse_matchspec(text)
    except MatchSpecError:
        return
