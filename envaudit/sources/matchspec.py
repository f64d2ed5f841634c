"""Parsing conda MatchSpec strings (``conda-forge::numpy=1.24.3=py311h_0``) into parts."""

from __future__ import annotations

import re

from envaudit.record import record
from envaudit.sources.conda_url import KNOWN_SUBDIRS, split_conda_url

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+\-]*|\*")
_NAME_AND_REST = re.compile(r"(?P<name>[^\s=<>!~]*)(?P<rest>.*)", re.DOTALL)
_OPERATOR_CHARS = frozenset("=<>!~")
_SPEC_CHARS = frozenset("*=<>!~,|")
_VERSION_ATOM = re.compile(r"(?:==|!=|<=|>=|~=|<|>|=)?[A-Za-z0-9_.*+!\-]+")
_EXACT_VERSION = re.compile(r"[A-Za-z0-9_.+!\-]+")
_BUILD = re.compile(r"[A-Za-z0-9_.*+!]+")
_BRACKET_ITEM = re.compile(
    r"\s*(?P<key>[A-Za-z_][A-Za-z0-9_\-]*)\s*=\s*"
    r"(?:'(?P<single>[^']*)'|\"(?P<double>[^\"]*)\"|(?P<bare>[^\s,'\"\]]+))\s*(?:,|\s|$)"
)
_HEX = re.compile(r"[0-9a-fA-F]+")
_HASH_LENGTHS = {"md5": 32, "sha256": 64}
# PackageRecord fields a bracket section may name; those without a MatchSpec field of their
# own are kept in ``MatchSpec.attributes``.
_BRACKET_KEYS = frozenset(
    {
        "version",
        "build",
        "channel",
        "subdir",
        "build_number",
        "md5",
        "sha256",
        "url",
        "fn",
        "license",
        "license_family",
        "track_features",
        "features",
    }
)


class MatchSpecError(ValueError):
    """A string that is not a valid conda MatchSpec; the message says what was expected."""


@record
class MatchSpec:
    """The parts of one MatchSpec.

    ``version`` is set only for an exact pin (``numpy 1.24``, ``numpy==1.24``,
    ``numpy=1.24.3=py311h_0``); otherwise ``spec`` holds the constraint as written, without
    whitespace (``=1.24`` is the wildcard 1.24.*, ``>=1.2,<2``). A bare ``*`` is no constraint.
    """

    name: str
    raw: str
    channel: str | None = None
    subdir: str | None = None
    version: str | None = None
    spec: str | None = None
    build: str | None = None
    url: str | None = None  # set when the spec is a package URL
    attributes: tuple[tuple[str, str], ...] = ()  # other bracket keys (md5, build_number...)


def parse_matchspec(text: str) -> MatchSpec:
    """Parse one MatchSpec; raises :class:`MatchSpecError` when it is malformed."""
    body = text.strip()
    if not body:
        raise MatchSpecError("expected a package name, got an empty string")
    if _looks_like_package_url(body):
        return _parse_url_spec(text, body)
    if "#" in body:
        body = body.split("#", 1)[0].strip()
        if not body:
            raise MatchSpecError("expected a package name before '#'")
    body, brackets = _split_brackets(body)
    if "(" in body or ")" in body:
        raise MatchSpecError("parenthesised MatchSpec options are not supported")
    channel, subdir, body = _split_channel(body)
    name, rest = _split_name(body)
    version_text, build = _split_version_and_build(rest)
    build = brackets.pop("build", build)
    if "version" in brackets:
        version_text = brackets.pop("version")
    version, spec = classify_version(version_text, has_build=build is not None)
    if build is not None:
        _check_build(build)
    if "channel" in brackets:
        channel, bracket_subdir = _split_channel_name(brackets.pop("channel"))
        subdir = bracket_subdir or subdir
    subdir = brackets.pop("subdir", subdir)
    return MatchSpec(
        name=name,
        raw=text,
        channel=channel,
        subdir=subdir,
        version=version,
        spec=spec,
        build=build,
        url=brackets.pop("url", None),
        attributes=tuple(sorted(brackets.items())),
    )


def classify_version(text: str | None, *, has_build: bool) -> tuple[str | None, str | None]:
    """``(exact_version, None)`` for a pin, ``(None, spec)`` for a constraint.

    ``=1.24`` is a wildcard unless a build string follows (``=1.24=py_0`` is exact).
    """
    if text is None:
        return None, None
    compact = "".join(text.split())
    if compact in ("", "*", "=*", "==*"):
        if compact == "" and text:
            raise MatchSpecError("expected a version, got only whitespace")
        return None, None
    _check_constraint(compact)
    candidate = compact
    if compact.startswith("=="):
        candidate = compact[2:]
    elif compact.startswith("=") and has_build:
        candidate = compact[1:]
    if not any(c in _SPEC_CHARS for c in candidate):
        return candidate, None
    return None, compact


def _check_constraint(compact: str) -> None:
    for atom in re.split(r"[,|]", compact):
        if not atom:
            raise MatchSpecError(f"expected a version between ',' or '|' in {compact!r}")
        if atom in ("==", "!=", "<=", ">=", "~=", "<", ">", "="):
            raise MatchSpecError(f"expected a version after {atom!r}")
        if not _VERSION_ATOM.fullmatch(atom):
            raise MatchSpecError(
                f"invalid version constraint {atom!r}: expected an operator "
                "(==, !=, <=, >=, ~=, <, >, =) and a version"
            )


def _check_build(build: str) -> None:
    if not _BUILD.fullmatch(build):
        raise MatchSpecError(
            f"invalid build string {build!r}: expected letters, digits, '_', '.', '*', '+' or '!'"
        )


def _looks_like_package_url(body: str) -> bool:
    base = body.split("#", 1)[0]
    return "://" in base and base.endswith((".conda", ".tar.bz2"))


def _parse_url_spec(text: str, body: str) -> MatchSpec:
    artifact = split_conda_url(body)
    if artifact is None:
        raise MatchSpecError(
            "expected a package URL ending in <subdir>/<name>-<version>-<build>.conda or .tar.bz2"
        )
    url, _, fragment = body.partition("#")
    attributes: tuple[tuple[str, str], ...] = ()
    if fragment:
        if not _HEX.fullmatch(fragment) or len(fragment) not in (32, 64):
            raise MatchSpecError(
                f"invalid hash fragment {fragment!r}: expected 32 (md5) or 64 (sha256) hex digits"
            )
        alg = "md5" if len(fragment) == 32 else "sha256"
        attributes = ((alg, fragment.lower()),)
    return MatchSpec(
        name=artifact.name,
        raw=text,
        channel=artifact.channel,
        subdir=artifact.subdir,
        version=artifact.version,
        build=artifact.build,
        url=url,
        attributes=attributes,
    )


def _split_brackets(body: str) -> tuple[str, dict[str, str]]:
    """``numpy[version='>=1.2',build=py*]`` -> ``("numpy", {...})``."""
    if "[" not in body and "]" not in body:
        return body, {}
    start = body.find("[")
    if start < 0 or not body.endswith("]") or body.count("[") != 1 or body.count("]") != 1:
        raise MatchSpecError("expected one '[key=value, ...]' section at the end of the spec")
    inner = body[start + 1 : -1]
    values: dict[str, str] = {}
    position = 0
    while position < len(inner):
        if not inner[position:].strip():
            break
        match = _BRACKET_ITEM.match(inner, position)
        if match is None or match.end() == position:
            raise MatchSpecError(f"expected key=value inside brackets, got {inner[position:]!r}")
        key = match.group("key")
        if key not in _BRACKET_KEYS:
            raise MatchSpecError(f"unknown MatchSpec key {key!r} in brackets")
        value = next(v for v in match.group("single", "double", "bare") if v is not None)
        if not value:
            raise MatchSpecError(f"expected a value for {key!r} in brackets")
        _check_bracket_value(key, value)
        values[key] = value
        position = match.end()
    if not values:
        raise MatchSpecError("expected key=value inside brackets, got nothing")
    return body[:start].strip(), values


def _check_bracket_value(key: str, value: str) -> None:
    expected = _HASH_LENGTHS.get(key)
    if expected is not None and (not _HEX.fullmatch(value) or len(value) != expected):
        raise MatchSpecError(f"invalid {key} {value!r}: expected {expected} hex digits")


def _split_channel(body: str) -> tuple[str | None, str | None, str]:
    if "::" not in body:
        if ":" in body:
            raise MatchSpecError("expected 'channel::name' (two colons)")
        return None, None, body
    channel_text, _, rest = body.rpartition("::")
    if not channel_text.strip():
        raise MatchSpecError("expected a channel name before '::'")
    if ":" in rest:
        raise MatchSpecError("expected a package name after 'channel::'")
    channel, subdir = _split_channel_name(channel_text.strip())
    return channel, subdir, rest.strip()


def _split_channel_name(text: str) -> tuple[str, str | None]:
    """``conda-forge/linux-64`` -> (``conda-forge``, ``linux-64``); subdir only if known."""
    head, _, last = text.rstrip("/").rpartition("/")
    if head and last in KNOWN_SUBDIRS:
        return head, last
    return text, None


def _split_name(body: str) -> tuple[str, str]:
    match = _NAME_AND_REST.fullmatch(body)
    name = match.group("name") if match else ""
    if not name:
        raise MatchSpecError(f"expected a package name at the start of {body!r}")
    if not _NAME.fullmatch(name):
        raise MatchSpecError(
            f"invalid package name {name!r}: expected letters, digits, '_', '.', '-' or '+'"
        )
    return name, match.group("rest").strip() if match else ""


def _split_version_and_build(rest: str) -> tuple[str | None, str | None]:
    """``=1.2=py_0`` / ``1.2 py_0`` / ``>=1.0, <2 py34_0`` -> (version text, build)."""
    if not rest:
        return None, None
    compact = re.sub(r"\s*([,|])\s*", r"\1", rest)
    compact = re.sub(r"([=<>!~])\s+", r"\1", compact)
    words = compact.split()
    if len(words) > 2:
        raise MatchSpecError(f"expected 'VERSION [BUILD]' after the name, got {rest!r}")
    if len(words) == 2:
        version, build = words
        if _build_separator(version) is not None:
            raise MatchSpecError(f"expected one build string, got two in {rest!r}")
        return version, build.removeprefix("=") or None
    word = words[0]
    separator = _build_separator(word)
    if separator is None:
        return word, None
    build = word[separator + 1 :]
    if not build:
        raise MatchSpecError(f"expected a build string after '=' in {rest!r}")
    return word[:separator], build


def _build_separator(word: str) -> int | None:
    """Index of the ``=`` that starts a build string (not part of ``==``, ``>=``...)."""
    for index in range(len(word) - 1, 0, -1):
        if word[index] != "=":
            continue
        before = word[index - 1]
        after = word[index + 1] if index + 1 < len(word) else ""
        if before not in _OPERATOR_CHARS and after != "=":
            return index
    return None
