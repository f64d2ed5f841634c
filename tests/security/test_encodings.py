"""Encodings on disk: decoded the same, or refused with a clear, located message."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from envaudit.cli import main
from envaudit.errors import ParseError
from envaudit.loader import load

REQUIREMENTS = "# pinned\nnumpy==1.26.4\nscipy>=1.11 ; python_version >= '3.10'\n"
ENVIRONMENT = "name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - numpy=1.26\n  - pip\n"
EXPLICIT = (
    "# platform: linux-64\n@EXPLICIT\n"
    "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda\n"
)
POETRY = '[[package]]\nname = "numpy"\nversion = "1.26.4"\n\n[metadata]\nlock-version = "2.0"\n'
DOCUMENTS = {
    "requirements.txt": REQUIREMENTS,
    "environment.yml": ENVIRONMENT,
    "conda-explicit.txt": EXPLICIT,
    "poetry.lock": POETRY,
}
ENCODINGS = {
    "utf-8": b"",
    "utf-8-bom": codecs.BOM_UTF8,
    "utf-16-le-bom": codecs.BOM_UTF16_LE,
    "utf-16-be-bom": codecs.BOM_UTF16_BE,
    "utf-32-le-bom": codecs.BOM_UTF32_LE,
}
_CODEC = {
    "utf-8": "utf-8",
    "utf-8-bom": "utf-8",
    "utf-16-le-bom": "utf-16-le",
    "utf-16-be-bom": "utf-16-be",
    "utf-32-le-bom": "utf-32-le",
}


def _summary(path: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(p.name, p.version, p.spec, p.markers) for p in load(path).packages]


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_encoding_and_line_ending_reads_the_same(
    tmp_path: Path, name: str, encoding: str, crlf: bool
) -> None:
    text = DOCUMENTS[name]
    reference = tmp_path / "reference" / name
    reference.parent.mkdir()
    reference.write_text(text, encoding="utf-8", newline="")
    encoded = tmp_path / "encoded" / name
    encoded.parent.mkdir()
    body = text.replace("\n", "\r\n") if crlf else text
    encoded.write_bytes(ENCODINGS[encoding] + body.encode(_CODEC[encoding]))
    expected = _summary(reference)
    assert expected
    assert _summary(encoded) == expected


def test_crlf_does_not_leak_into_values(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"numpy==1.26.4\r\n-i https://pypi.example/simple\r\n")
    manifest = load(path)
    assert manifest.packages[0].version == "1.26.4"
    assert manifest.indexes[0].url == "https://pypi.example/simple"


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("requirements.txt", b"numpy==1.26.4\n# caf\xe9 au lait\nscipy\n", 2),
        ("environment.yml", b"name: demo\ndependencies:\n  - numpy  # na\xefve\n", 3),
        ("conda-explicit.txt", b"@EXPLICIT\n# \xa9 2024\n", 2),
        ("poetry.lock", b'[[package]]\nname = "x"\n# \xff\n', 3),
    ],
)
def test_stray_latin1_byte_is_refused_with_its_line(
    tmp_path: Path, name: str, data: bytes, line: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ParseError) as caught:
        load(path)
    assert caught.value.line == line
    assert "not UTF-8 text (byte 0x" in caught.value.message


def test_stray_byte_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"numpy==1.26.4\n# caf\xe9\n")
    assert main(["show", str(path)]) == 2
    assert f"{path}:2: not UTF-8 text (byte 0xe9)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (codecs.BOM_UTF16_LE + b"n\x00u\x00m", "invalid utf-16-le text"),
        (codecs.BOM_UTF8 + b"numpy\xff\n", "invalid utf-8 text"),
        (b"numpy==1.0\n\x00\x00\x00", r"not a text file \(NUL byte found\)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"not a text file \(NUL byte found\)"),
    ],
    ids=["odd-utf16", "bad-utf8-after-bom", "nul", "binary"],
)
def test_broken_or_binary_files_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(data)
    with pytest.raises(ParseError, match=message):
        load(path)


def test_utf16_without_bom_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("numpy==1.26.4\n".encode("utf-16-le"))
    with pytest.raises(ParseError, match="NUL byte"):
        load(path)
