"""Credentials are redacted from URLs in any text."""

from __future__ import annotations

import pytest

from envaudit.redact import has_credentials, redact_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://user:pw@host/simple", "https://***@host/simple"),
        (
            "--extra-index-url https://TOKEN@pypi.x/simple x",
            "--extra-index-url https://***@pypi.x/simple x",
        ),
        ("git+ssh://git@github.com/a/b.git", "git+ssh://git@github.com/a/b.git"),
        ("git+ssh://git:pw@github.com/a/b.git", "git+ssh://***@github.com/a/b.git"),
        ("https://h/x?token=abc&a=1", "https://h/x?token=***&a=1"),
        ("no url here", "no url here"),
        (
            "https://conda.anaconda.org/t/ab-12cd34/my-channel/linux-64/x-1-0.conda",
            "https://conda.anaconda.org/t/***/my-channel/linux-64/x-1-0.conda",
        ),
    ],
)
def test_redact_text(raw: str, expected: str) -> None:
    assert redact_text(raw) == expected


def test_has_credentials() -> None:
    assert has_credentials("https://u:p@h/")
    assert has_credentials("https://***@h/")
    assert not has_credentials("https://h/simple")
