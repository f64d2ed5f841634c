"""The conda explicit spec parser, on the real samples and on small variants."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Hash, Manifest, Package, SourceKind
from envaudit.sources.conda_explicit import FORMAT_ID, parse

SAMPLES = Path(__file__).parents[2] / "samples" / "conda-explicit"
MD5 = "0c96522c6bdaed4b1566d11387caaf45"
SHA256 = "a" * 64
CF = "https://conda.anaconda.org/conda-forge"


def _parse_sample(name: str) -> Manifest:
    path = SAMPLES / name
    return parse(path.read_text(encoding="utf-8"), origin=name)


def _by_name(manifest: Manifest, name: str) -> list[Package]:
    return [p for p in manifest.packages if p.name == name]


@pytest.mark.parametrize(
    ("name", "count", "platform", "channels", "hashed"),
    [
        ("ChoiInYeol__ChartPortfolio__spec-file.txt", 493, "linux-64", 3, 0),
        ("Leezs33__kyoto-nmt__conda-explicit.txt", 109, "win-64", 3, 0),
        ("Quasars__quasar__win-conda-spec.txt", 262, "win-64", 1, 262),
        ("ctrahey__m1-tensorflow-config__conda-explicit.txt", 94, "osx-arm64", 2, 0),
        ("jupyterlab__jupyterlab-desktop__conda-osx-arm64.lock", 263, "osx-arm64", 1, 263),
        ("jupyterlab__jupyterlab-desktop__conda-win-64.lock", 262, "win-64", 1, 262),
    ],
)
def test_samples(name: str, count: int, platform: str, channels: int, hashed: int) -> None:
    manifest = _parse_sample(name)
    assert manifest.source.format == FORMAT_ID
    packages = manifest.packages
    assert len(packages) == count
    assert manifest.platforms == (platform,)
    assert len(manifest.channels) == channels
    assert sum(1 for p in packages if p.hashes) == hashed
    assert all(p.ecosystem is Ecosystem.CONDA and p.version and p.build for p in packages)
    assert all(p.platform == platform for p in packages)  # noarch -> the file's platform
    assert all(p.source.kind is SourceKind.REGISTRY and p.source.url for p in packages)


def test_pytorch_cuda_builds_and_channels_from_the_linux_sample() -> None:
    manifest = _parse_sample("ChoiInYeol__ChartPortfolio__spec-file.txt")
    assert manifest.channels == ("pkgs/main", "nvidia", "pytorch")
    [torch] = _by_name(manifest, "pytorch")
    assert torch.version == "2.4.1"
    assert torch.build == "py3.11_cuda12.4_cudnn9.1.0_0"
    assert torch.channel == "pytorch"
    [cudart] = _by_name(manifest, "cuda-cudart")
    assert (cudart.version, cudart.build, cudart.channel) == ("12.4.127", "0", "nvidia")
    assert cudart.origin == "ChoiInYeol__ChartPortfolio__spec-file.txt:8"


def test_created_by_and_conda_lock_headers_go_to_meta() -> None:
    manifest = _parse_sample("Leezs33__kyoto-nmt__conda-explicit.txt")
    assert manifest.meta == {"created-by": "conda 25.7.0"}
    manifest = _parse_sample("jupyterlab__jupyterlab-desktop__conda-osx-arm64.lock")
    assert manifest.meta == {
        "generator": "conda-lock",
        "input_hash": "a1313259635302dda3a1dcc9a3f0a8a32861724256fbdd1261011cce3fd46a26",
    }


def test_md5_fragments_and_apple_channel() -> None:
    manifest = _parse_sample("Quasars__quasar__win-conda-spec.txt")
    [mutex] = _by_name(manifest, "_py-xgboost-mutex")
    assert mutex.hashes == (Hash("md5", "39626bb9350110a075f8be857850695f"),)
    manifest = _parse_sample("ctrahey__m1-tensorflow-config__conda-explicit.txt")
    assert manifest.channels == ("conda-forge", "apple")


def test_hash_forms_and_line_origins() -> None:
    text = (
        "# platform: linux-64\n"
        "@EXPLICIT\n"
        f"{CF}/noarch/font-ttf-2.37-hab24e00_0.tar.bz2#{MD5.upper()}\n"
        "\n"
        f"{CF}/linux-64/numpy-1.24.3-py311h_0.conda#sha256:{SHA256}\n"
        f"{CF}/linux-64/zlib-1.2.13-h_0.conda#{SHA256}\r\n"
    )
    manifest = parse(text, origin="spec.txt")
    found = {p.name: p for p in manifest.packages}
    assert found["font-ttf"].hashes == (Hash("md5", MD5),)
    assert found["font-ttf"].platform == "linux-64"
    assert found["numpy"].hashes == (Hash("sha256", SHA256),)
    assert found["numpy"].origin == "spec.txt:5"
    assert found["zlib"].hashes == (Hash("sha256", SHA256),)
    assert found["zlib"].source.url == f"{CF}/linux-64/zlib-1.2.13-h_0.conda"


def test_without_platform_comment_noarch_stays_and_platforms_come_from_subdirs() -> None:
    text = (
        f"@EXPLICIT\n{CF}/noarch/tzdata-2024a-h0c530f3_0.conda\n{CF}/osx-64/zlib-1.2.13-h_0.conda\n"
    )
    manifest = parse(text, origin="spec.txt")
    assert manifest.platforms == ("osx-64",)
    assert {p.platform for p in manifest.packages} == {"noarch", "osx-64"}


def test_credentials_in_urls_are_redacted() -> None:
    text = "@EXPLICIT\nhttps://user:s3cret@conda.example.com/private/linux-64/pkg-1.0-0.conda\n"
    manifest = parse(text, origin="spec.txt")
    [package] = manifest.packages
    assert package.source.url is not None
    assert "s3cret" not in package.source.url
    assert "s3cret" not in (package.channel or "")
    assert "s3cret" not in manifest.to_json()


@pytest.mark.parametrize(
    "text",
    ["", "\ufeff", "# platform: linux-64\n", "@EXPLICIT\n", "# comment only\n\n"],
)
def test_empty_documents_give_an_empty_manifest(text: str) -> None:
    manifest = parse(text, origin="spec.txt")
    assert manifest.packages == ()


def test_bom_is_stripped() -> None:
    manifest = parse(f"\ufeff@EXPLICIT\r\n{CF}/linux-64/zlib-1.2.13-h_0.conda\r\n", origin="x")
    assert [p.name for p in manifest.packages] == ["zlib"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (f"# platform: linux-64\n{CF}/linux-64/zlib-1.2.13-h_0.conda\n", 1, "expected @EXPLICIT"),
        ("@EXPLICIT\nnumpy=1.24\n", 2, "expected a package URL"),
        (f"@EXPLICIT\n{CF}/linux-64/zlib.conda\n", 2, "expected a package URL"),
        (f"@EXPLICIT\n{CF}/linux-64/zlib-1.2.13-h_0.whl\n", 2, "expected a package URL"),
        (f"@EXPLICIT\n\n{CF}/linux-64/zlib-1-h_0.conda#nothex\n", 3, "invalid hash fragment"),
        (f"@EXPLICIT\n{CF}/linux-64/zlib-1-h_0.conda#abc123\n", 2, "invalid hash fragment"),
        (f"@EXPLICIT\n{CF}/linux-64/zlib-1-h_0.conda#\n", 2, "invalid hash fragment"),
        (f"@EXPLICIT\n{CF}/linux-64/zlib-1-h_0.conda#sha256:abc\n", 2, "invalid hash"),
        ("@EXPLICIT\n@IMPLICIT\n", 2, "unknown directive '@IMPLICIT'"),
        ("# platform: linux-64\n# platform: win-64\n", 2, "conflicting '# platform:'"),
        ("# platform:\n", 1, "expected a platform"),
    ],
)
def test_malformed_input_is_located(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, origin="spec.txt")
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"spec.txt:{line}: ")


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, origin="fuzz.txt")


@given(
    st.lists(
        st.sampled_from(
            [
                "@EXPLICIT",
                "# platform: linux-64",
                f"{CF}/linux-64/zlib-1.2.13-h_0.conda",
                f"{CF}/noarch/a-b-c-d.tar.bz2#{MD5}",
                f"{CF}/linux-64/x-1-0.conda#sha256:{SHA256}",
                "https://h/x-1-0.conda",
                "# input_hash: abc",
                "",
            ]
        ),
        max_size=8,
    )
)
def test_line_combinations_parse_or_raise_parse_error(lines: list[str]) -> None:
    with contextlib.suppress(ParseError):
        parse("\n".join(lines), origin="fuzz.txt")
