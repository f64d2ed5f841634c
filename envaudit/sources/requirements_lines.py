"""The line grammar of pip requirements files: continuations, comments, ``${VAR}``s, options."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from typing import NamedTuple

from envaudit.errors import ParseError
from envaudit.record import record
from envaudit.redact import redact_text
from envaudit.sources.lazy_regex import LazyPattern

# pip: a comment starts at a '#' at the start of the line or after whitespace, so the '#'
# of a URL fragment (``...whl#sha256=...``) is not a comment.
_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = LazyPattern(r"\$\{(?P<name>[A-Z0-9_]+)\}")
# pip splits the requirement from its options at the first token starting with '-'.
_OPTION_START = re.compile(r"(?:^|\s)-")
# shlex's (POSIX mode) whitespace; without quotes or escapes its split is just this split.
_SHLEX_WHITESPACE = LazyPattern(r"[ \t\r\n]+")
_SHLEX_SPECIAL = LazyPattern(r"['\"\\]")


@record
class Location:
    """Where a logical line came from: ``label`` is stored as the origin of what it yields."""

    path: str
    label: str
    line: int | None = None
    key_path: str | None = None

    @classmethod
    def from_label(cls, label: str, path: str) -> Location:
        """``req.txt:12`` -> line 12; ``env.yml:dependencies[7].pip[2]`` -> that key path."""
        prefix = f"{path}:"
        if not label.startswith(prefix):
            return cls(path=path, label=redact_text(label))
        where = label[len(prefix) :]
        # the stored label is redacted: an include named with ``?token=`` must not carry it
        # into every package's origin (path and place redacted apart, keeping ``:12``)
        redacted = redact_text(path)
        shown = f"{redacted}:{where}" if redacted != path else label
        if where.isdigit():
            return cls(path=path, label=shown, line=int(where))
        return cls(path=path, label=shown, key_path=where or None)

    def error(self, message: str, kind: type[ParseError] = ParseError) -> ParseError:
        return kind(self.path, message, line=self.line, key_path=self.key_path)


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's line joining: ``(first physical line number, text)`` per logical line.

    A line ending in ``\\`` continues on the next one, unless it is a comment line; a
    comment line also ends a continuation. Blank lines are skipped.
    """
    pending: list[str] = []
    first_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        is_comment = _COMMENT.match(line) is not None
        if line.endswith("\\") and not is_comment:
            if not pending:
                first_line = number
            pending.append(line.strip("\\"))
            continue
        if pending:
            pending.append(" " + line if is_comment else line)
            yield first_line, "".join(pending)
            pending = []
        elif line.strip():
            yield number, line
    if pending:
        yield first_line, "".join(pending)


def strip_comment(line: str) -> str:
    """The line without its comment: ``#`` at the start or after whitespace to the end."""
    start = line.find("#")
    while start > 0 and not line[start - 1].isspace():
        start = line.find("#", start + 1)
    return (line if start < 0 else line[:start]).strip()


def env_var_names(line: str) -> set[str]:
    """The ``${NAME}`` references pip would expand (UPPER_CASE names only); kept literal."""
    if "${" not in line:
        return set()
    return {match.group("name") for match in _ENV_VAR.finditer(line)}


def split_requirement(line: str) -> tuple[str, str]:
    """``name>=1 --hash=x`` -> (``name>=1``, ``--hash=x``): pip's args/options split."""
    match = _OPTION_START.search(line)
    if match is None:
        return line.strip(), ""
    return line[: match.start()].strip(), line[match.start() :].strip()


class OptionScope(Enum):
    """File options apply to the whole install; requirement options to one requirement."""

    FILE = "file"
    REQUIREMENT = "requirement"


@record
class OptionSpec:
    name: str
    takes_value: bool
    scope: OptionScope = OptionScope.FILE


_SPECS = (
    OptionSpec("--index-url", True),
    OptionSpec("--extra-index-url", True),
    OptionSpec("--find-links", True),
    OptionSpec("--trusted-host", True),
    OptionSpec("--no-index", False),
    OptionSpec("--pre", False),
    OptionSpec("--no-binary", True),
    OptionSpec("--only-binary", True),
    OptionSpec("--prefer-binary", False),
    OptionSpec("--require-hashes", False),
    OptionSpec("--use-feature", True),
    OptionSpec("--requirement", True),
    OptionSpec("--constraint", True),
    OptionSpec("--editable", True),
    OptionSpec("--hash", True, OptionScope.REQUIREMENT),
    OptionSpec("--global-option", True, OptionScope.REQUIREMENT),
    OptionSpec("--config-settings", True, OptionScope.REQUIREMENT),
    OptionSpec("--install-option", True, OptionScope.REQUIREMENT),  # removed in pip 23.1
)
OPTIONS: dict[str, OptionSpec] = {spec.name: spec for spec in _SPECS}
_SHORT_OPTIONS = {
    "-i": "--index-url",
    "-f": "--find-links",
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-C": "--config-settings",
}


class ParsedOption(NamedTuple):
    """One option as pip's optparse reads it, under its long name."""

    spec: OptionSpec
    value: str | None


def parse_options(text: str, location: Location) -> list[ParsedOption]:
    """Tokenize (with :func:`shlex.split`, as pip does) and read options optparse-style."""
    tokens = _split_tokens(text, location)
    parsed: list[ParsedOption] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.startswith("--"):
            spec, value = _long_option(token, location)
        elif token.startswith("-") and len(token) > 1:
            spec, value = _short_option(token, location)
        else:
            raise location.error(f"unexpected argument {token!r}: expected an option")
        if spec.takes_value and value is None:
            position += 1
            if position >= len(tokens):
                raise location.error(f"option {token} expects a value")
            value = tokens[position]
        if spec.takes_value and not (value or "").strip():
            raise location.error(f"option {spec.name} expects a non-empty value")
        parsed.append(ParsedOption(spec, value))
        position += 1
    return parsed


def _split_tokens(text: str, location: Location) -> list[str]:
    if _SHLEX_SPECIAL.search(text) is None:  # the common case, without shlex's slow scanner
        return [token for token in _SHLEX_WHITESPACE.split(text) if token]
    try:
        import shlex  # only for quotes and escapes: most lines have none

        return shlex.split(text)
    except ValueError as exc:
        raise location.error(f"cannot split options: {exc}") from None


def _long_option(token: str, location: Location) -> tuple[OptionSpec, str | None]:
    name, equals, value = token.partition("=")
    spec = OPTIONS.get(name)
    if spec is None:
        # optparse accepts any unambiguous prefix of a long option.
        candidates = [known for known in OPTIONS if known.startswith(name) and name != "--"]
        if len(candidates) != 1:
            raise location.error(f"unknown option {name!r}")
        spec = OPTIONS[candidates[0]]
    if not equals:
        return spec, None
    if not spec.takes_value:
        raise location.error(f"option {spec.name} does not take a value")
    return spec, value


def _short_option(token: str, location: Location) -> tuple[OptionSpec, str | None]:
    long_name = _SHORT_OPTIONS.get(token[:2])
    if long_name is None:
        raise location.error(f"unknown option {token[:2]!r}")
    attached = token[2:]
    return OPTIONS[long_name], attached or None
