"""The error hierarchy: one base class, and parse errors that carry a location."""

from __future__ import annotations

from envaudit.redact import redact_text

MAX_MESSAGE = 500  # characters of an error line; longer quotes of the input are elided


class EnvauditError(Exception):
    """Base class of every error envaudit raises on purpose."""


class UsageError(EnvauditError):
    """The user asked for something that cannot be done (unknown format, missing file...)."""


class ParseError(EnvauditError):
    """Malformed input, located by line number or by a TOML/YAML key path.

    ``str(error)`` is one line, ``path:line: message`` or ``path: key.path: message``,
    with credentials redacted.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        key_path: str | None = None,
    ) -> None:
        self.path = redact_text(path)  # an include named by a URL can carry a token
        self.message = message
        self.line = line
        self.key_path = key_path
        super().__init__(self.render())

    @property
    def location(self) -> str:
        """``path:line`` or ``path: key.path`` (or just ``path``)."""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.key_path:
            return f"{self.path}: {redact_text(self.key_path)}"
        return self.path

    def render(self) -> str:
        """One line, redacted first, then shortened: a 1 MB bad line is not echoed whole."""
        # redacted piece by piece: redacting the joined text would let a token value that
        # ends the path run on into ``:12:`` and swallow the line number
        text = " ".join(f"{self.location}: {redact_text(self.message)}".split())
        if len(text) > MAX_MESSAGE:
            omitted = len(text) - MAX_MESSAGE
            text = f"{text[: MAX_MESSAGE - 40]} … ({omitted} characters omitted) … {text[-40:]}"
        return text


class IncludeError(ParseError):
    """An include (``-r``/``-c``) could not be followed: missing, cyclic, too deep, outside."""
