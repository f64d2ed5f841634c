"""Credential redaction for URLs and free text: nothing envaudit prints carries a secret."""

from __future__ import annotations

import re

from envaudit.sources.lazy_regex import LazyPattern

REDACTED = "***"

# The patterns compile on first use: most text has no '@', '=' or '/t/' (redact_text checks
# before it searches), and most runs never need them.

# scheme://userinfo@host — userinfo runs to the LAST '@' before the path (an unencoded
# '@' in a password is split there by pip and urllib too); never '/' or whitespace.
_USERINFO = LazyPattern(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/\s'\"]+)@")
_PARAMETER_KEY = LazyPattern(r"[?&;#](?P<name>[\w.\-]+)=")
_VALUE_END = LazyPattern(r"[&#\s'\"]")
# Parameter names that say they carry a secret: token, access_token, X-Amz-Signature,
# X-Amz-Credential, client_secret, api-key, password, sig (Azure SAS), key...
_SECRET_NAME = LazyPattern(
    r"token|secret|passw(?:or)?d|passwd|signature|credential|auth(?!or)|(?:^|[_.\-]|api|access)key$"
    r"|^sig$",
    re.IGNORECASE,
)
_SSH_SCHEMES = ("ssh://", "git+ssh://")
# anaconda.org channel tokens live in the path: https://conda.anaconda.org/t/<token>/channel
_CONDA_TOKEN = LazyPattern(r"(?P<prefix>://[^/\s]+/t/)(?P<token>[^/\s]+)")


def _redact_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match.group("scheme"), match.group("userinfo")
    if userinfo == REDACTED:
        return match.group(0)
    if scheme.lower() in _SSH_SCHEMES and ":" not in userinfo:
        # ``git+ssh://git@github.com`` names an account, not a secret.
        return match.group(0)
    return f"{scheme}{REDACTED}@"


def _redact_parameters(text: str) -> str:
    """Blank the value of every secret-named parameter; other values are searched too
    (``#egg=x/simple?token=...`` holds a token inside a fragment value)."""
    pieces: list[str] = []
    position = 0
    for match in _PARAMETER_KEY.finditer(text):
        if match.start() < position or _SECRET_NAME.search(match.group("name")) is None:
            continue
        end = _VALUE_END.compiled.search(text, match.end())
        stop = end.start() if end else len(text)
        if stop > match.end():
            pieces.extend((text[position : match.end()], REDACTED))
            position = stop
    pieces.append(text[position:])
    return "".join(pieces)


def redact_text(text: str) -> str:
    """Replace ``user:password@`` and token query values in every URL inside ``text``."""
    if "@" in text:
        text = _USERINFO.compiled.sub(_redact_userinfo, text)
    if "=" in text:
        text = _redact_parameters(text)
    if "/t/" in text:
        text = _CONDA_TOKEN.compiled.sub(lambda m: f"{m.group('prefix')}{REDACTED}", text)
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
