"""Credential redaction for URLs and free text: nothing envaudit prints carries a secret."""

from __future__ import annotations

import re

REDACTED = "***"

# scheme://userinfo@host — userinfo never contains '/', '@' or whitespace.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/@\s'\"]+)@")
_TOKEN_QUERY = re.compile(
    r"(?P<key>[?&;](?:access_token|auth|token|private_token|password|passwd|secret|api_key|apikey|key|sig|signature)=)"
    r"(?P<value>[^&#\s'\"]+)",
    re.IGNORECASE,
)
_SSH_SCHEMES = ("ssh://", "git+ssh://")
# anaconda.org channel tokens live in the path: https://conda.anaconda.org/t/<token>/channel
_CONDA_TOKEN = re.compile(r"(?P<prefix>://[^/\s]+/t/)(?P<token>[^/\s]+)")


def _redact_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match.group("scheme"), match.group("userinfo")
    if userinfo == REDACTED:
        return match.group(0)
    if scheme.lower() in _SSH_SCHEMES and ":" not in userinfo:
        # ``git+ssh://git@github.com`` names an account, not a secret.
        return match.group(0)
    return f"{scheme}{REDACTED}@"


def redact_text(text: str) -> str:
    """Replace ``user:password@`` and token query values in every URL inside ``text``."""
    if "@" in text:
        text = _USERINFO.sub(_redact_userinfo, text)
    if "=" in text:
        text = _TOKEN_QUERY.sub(lambda m: f"{m.group('key')}{REDACTED}", text)
    if "/t/" in text:
        text = _CONDA_TOKEN.sub(lambda m: f"{m.group('prefix')}{REDACTED}", text)
    return text


def redact_url(url: str) -> str:
    """Redact one URL (same rules as :func:`redact_text`)."""
    return redact_text(url)


def has_credentials(url: str) -> bool:
    """True when ``url`` carries (or carried, before redaction) a credential."""
    return (
        redact_text(url) != url
        or f"//{REDACTED}@" in url
        or f"={REDACTED}" in url
        or f"/t/{REDACTED}" in url
    )
