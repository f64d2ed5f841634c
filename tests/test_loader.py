"""Decoding and file reading at the I/O edge."""

from __future__ import annotations

import codecs

import pytest

from envaudit.errors import ParseError
from envaudit.loader import decode


def test_utf16le_bom_crlf_is_decoded() -> None:
    data = codecs.BOM_UTF16_LE + "name: x\r\ndependencies:\r\n  - numpy\r\n".encode("utf-16-le")
    assert decode(data, "e.yml").splitlines() == ["name: x", "dependencies:", "  - numpy"]


def test_utf8_bom_is_stripped() -> None:
    assert decode(codecs.BOM_UTF8 + b"numpy\n", "r.txt") == "numpy\n"


def test_latin1_is_refused_with_line() -> None:
    with pytest.raises(ParseError) as info:
        decode(b"a\nb\ncaf\xe9\n", "r.txt")
    assert info.value.line == 3


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(ParseError, match="not a text file"):
        decode(b"\x00\x01", "r.txt")
