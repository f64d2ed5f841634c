"""Parsing pip requirements files (``-r``/``-c`` includes, options, hashes, URLs, ``-e``)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from envaudit.errors import IncludeError, ParseError
from envaudit.model import (
    Hash,
    Include,
    IncludeKind,
    Index,
    IndexKind,
    Manifest,
    Package,
    source_info,
)
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.hashes import hash_error, parse_hash
from envaudit.sources.interface import IncludeReader
from envaudit.sources.lazy_regex import LazyPattern
from envaudit.sources.requirements_lines import (
    Location,
    OptionScope,
    ParsedOption,
    env_var_names,
    logical_lines,
    parse_options,
    split_requirement,
    strip_comment,
)
from envaudit.sources.requirements_specs import NameHint, editable_package, requirement_package

FORMAT_ID = "requirements"
FREEZE_DIALECT = "pip-freeze"
MAX_INCLUDE_DEPTH = 32
MAX_INCLUDES = 1000  # files read in all: `-r a` twice per file, 32 deep, is 2**32 reads
REMOTE_INCLUDE = "remote include not fetched"
NO_READER = "no reader"

_DIALECTS = (FORMAT_ID, FREEZE_DIALECT)
_REMOTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+://")
# pip freeze writes "# Editable install with no version control (name==1.0)" (and a few
# siblings: "# Editable Git install with no remote (name==1.0)") above an ``-e /path``.
_EDITABLE_COMMENT = LazyPattern(
    r"#+\s*Editable\b[^()]*\((?P<name>[A-Za-z0-9][A-Za-z0-9._\-]*)==(?P<version>[^()\s]+)\)"
)
_INDEX_KINDS = {
    "--index-url": IndexKind.INDEX_URL,
    "--extra-index-url": IndexKind.EXTRA_INDEX_URL,
    "--find-links": IndexKind.FIND_LINKS,
    "--trusted-host": IndexKind.TRUSTED_HOST,
}
_INCLUDE_KINDS = {
    "--requirement": IncludeKind.REQUIREMENTS,
    "--constraint": IncludeKind.CONSTRAINTS,
}
# Errors from libraries that a malformed line could still provoke; each becomes a ParseError.
_UNEXPECTED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


@record
class RequirementsParts:
    """What a run of requirements lines holds, before it is put into a Manifest."""

    packages: tuple[Package, ...] = ()
    constraints: tuple[Package, ...] = ()
    indexes: tuple[Index, ...] = ()
    includes: tuple[Include, ...] = ()
    options: tuple[str, ...] = ()
    env_vars: tuple[str, ...] = ()


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """A requirements file -> Manifest; ``-r``/``-c`` files are read through ``reader``."""
    return parse_requirements_text(text, origin=origin, reader=reader, format_id=FORMAT_ID)


def parse_requirements_text(
    text: str,
    *,
    origin: str,
    reader: IncludeReader | None,
    format_id: str,
    dialect: str = FORMAT_ID,
) -> Manifest:
    """The shared body of the requirements and pip-freeze parsers."""
    entries = _file_entries(text, origin)
    parts = parse_logical_lines(entries, path=origin, reader=reader, dialect=dialect)
    meta = {"env_vars": ",".join(parts.env_vars)} if parts.env_vars else {}
    return Manifest(
        source=source_info(format_id, origin, text),
        indexes=parts.indexes,
        packages=parts.packages,
        constraints=parts.constraints,
        includes=parts.includes,
        options=parts.options,
        meta=meta,
    )


def parse_logical_lines(
    entries: Sequence[tuple[str, str]],
    *,
    path: str,
    reader: IncludeReader | None,
    dialect: str = FORMAT_ID,
) -> RequirementsParts:
    """Parse ``(logical line, origin label)`` pairs, as found in a file or a ``pip:`` list.

    Lines may carry `` # comments`` and per-requirement options but no ``\\`` continuation.
    Includes are read with ``reader(target, including=path)``; errors are located by the
    label (``path:LINE`` gives a line, ``path:KEY.PATH`` a key path).
    """
    if dialect not in _DIALECTS:
        raise ValueError(f"unknown requirements dialect {dialect!r}")
    collector = _Collector(reader=reader, dialect=dialect)
    collector.read_entries(entries, path=path, chain=(_normalized(path),), constraint=False)
    return collector.parts()


def _file_entries(text: str, origin: str) -> list[tuple[str, str]]:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(origin, "not a text file (NUL byte found)", line=line)
    text = text.removeprefix("\ufeff")
    return [(line, f"{origin}:{number}") for number, line in logical_lines(text)]


def _normalized(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


@record(frozen=False)
class _Collector:
    """Accumulates what the lines of a file and its includes hold."""

    reader: IncludeReader | None
    dialect: str
    packages: list[Package] = field(default_factory=list)
    constraints: list[Package] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    options: dict[str, None] = field(default_factory=dict)  # ordered set
    env_vars: set[str] = field(default_factory=set)

    def parts(self) -> RequirementsParts:
        return RequirementsParts(
            packages=tuple(self.packages),
            constraints=tuple(self.constraints),
            indexes=tuple(self.indexes),
            includes=tuple(self.includes),
            options=tuple(self.options),
            env_vars=tuple(sorted(self.env_vars)),
        )

    def read_entries(
        self,
        entries: Sequence[tuple[str, str]],
        *,
        path: str,
        chain: tuple[str, ...],
        constraint: bool,
    ) -> None:
        hint: NameHint | None = None
        for text, label in entries:
            location = Location.from_label(label, path)
            if self.dialect == FREEZE_DIALECT:
                comment = _EDITABLE_COMMENT.match(text.strip())
                if comment is not None:
                    hint = NameHint(comment.group("name"), comment.group("version"))
                    continue
            line = strip_comment(text)
            if not line:
                continue
            self.env_vars |= env_var_names(line)
            try:
                self._read_line(line, location, chain, constraint, hint)
            except _UNEXPECTED as exc:
                raise location.error(f"cannot read line: {exc}") from None
            hint = None

    def _read_line(
        self,
        line: str,
        location: Location,
        chain: tuple[str, ...],
        constraint: bool,
        hint: NameHint | None,
    ) -> None:
        requirement_text, option_text = split_requirement(line)
        if requirement_text and option_text:
            pinned_hashes = only_hashes(option_text)
            if pinned_hashes is not None:  # pip-compile's `name==v --hash=... --hash=...`
                package = requirement_package(
                    requirement_text, hashes=pinned_hashes, location=location, name_hint=hint
                )
                self._add(package, constraint)
                return
        options = parse_options(option_text, location) if option_text else []
        editables = [option.value or "" for option in options if option.spec.name == "--editable"]
        if not requirement_text and not editables:
            for option in options:
                self._apply_file_option(option, location, chain)
            return
        if requirement_text and editables:
            raise location.error("expected a requirement or -e on a line, not both")
        if len(editables) > 1:
            raise location.error("expected one -e per line")
        hashes = _requirement_hashes(options, location)
        if editables:
            if constraint:
                raise location.error("editable requirements are not allowed as constraints")
            package = editable_package(
                editables[0], hashes=hashes, location=location, name_hint=hint
            )
        else:
            package = requirement_package(
                requirement_text, hashes=hashes, location=location, name_hint=hint
            )
        self._add(package, constraint)

    def _add(self, package: Package, constraint: bool) -> None:
        (self.constraints if constraint else self.packages).append(package)

    def _apply_file_option(
        self, option: ParsedOption, location: Location, chain: tuple[str, ...]
    ) -> None:
        name, value = option.spec.name, option.value or ""
        if option.spec.scope is OptionScope.REQUIREMENT:
            raise location.error(f"option {name} must follow a requirement on the same line")
        if name in _INDEX_KINDS:
            kind = _INDEX_KINDS[name]
            self.indexes.append(Index(url=redact_url(value), kind=kind, origin=location.label))
        elif name in _INCLUDE_KINDS:
            self._include(value, _INCLUDE_KINDS[name], location, chain)
        else:
            written = f"{name}={value}" if option.spec.takes_value else name
            self.options[redact_url(written)] = None

    def _include(
        self, target: str, kind: IncludeKind, location: Location, chain: tuple[str, ...]
    ) -> None:
        reason = None
        if _is_remote(target):
            reason = REMOTE_INCLUDE
        elif self.reader is None:
            reason = NO_READER
        if reason is not None:
            include = Include(redact_url(target), kind, False, location.label, reason)
            self.includes.append(include)
            return
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise location.error(
                f"includes nested more than {MAX_INCLUDE_DEPTH} levels deep at {target!r}",
                IncludeError,
            )
        if len(self.includes) >= MAX_INCLUDES:
            raise location.error(f"more than {MAX_INCLUDES} includes in all", IncludeError)
        origin, text = self._read_include(target, location)
        if _normalized(origin) in chain:
            cycle = " -> ".join([*chain[chain.index(_normalized(origin)) :], _normalized(origin)])
            raise location.error(f"include cycle: {cycle}", IncludeError)
        self.includes.append(Include(redact_url(target), kind, True, location.label))
        self.read_entries(
            _file_entries(text, origin),
            path=origin,
            chain=(*chain, _normalized(origin)),
            constraint=kind is IncludeKind.CONSTRAINTS,
        )

    def _read_include(self, target: str, location: Location) -> tuple[str, str]:
        assert self.reader is not None
        try:
            return self.reader(_local_path(target), including=location.path)
        except IncludeError as exc:
            if exc.line is None and exc.key_path is None:
                raise location.error(exc.message, IncludeError) from None
            raise


def _is_remote(target: str) -> bool:
    """A URL include envaudit records but never fetches: any remote scheme, and ``file:`` URLs
    naming another host (``file://host/x.txt``; pip refuses those too)."""
    if not target.lower().startswith("file:"):
        return _REMOTE.match(target) is not None
    rest = target[len("file:") :]
    host = rest[2:].partition("/")[0] if rest.startswith("//") else ""
    return host.lower() not in ("", "localhost")


def _local_path(target: str) -> str:
    """``file:req.txt`` -> ``req.txt``; ``file:///abs/x.txt`` -> ``/abs/x.txt``; else as is.

    A file URL's query and fragment are not part of its path.
    """
    from urllib.parse import unquote

    if not target.lower().startswith("file:"):
        return target
    rest = target[len("file:") :].split("?", 1)[0].split("#", 1)[0]
    if rest.startswith("//"):
        rest = "/" + rest[2:].partition("/")[2]
    return unquote(rest)


def only_hashes(option_text: str) -> list[Hash] | None:
    """The hashes of an option text made only of well-formed ``--hash=ALG:HEX`` tokens, or
    None for anything else (which goes through the full optparse-style reading)."""
    hashes: list[Hash] = []
    for token in option_text.split():
        parsed = parse_hash(token[len("--hash=") :]) if token.startswith("--hash=") else None
        if parsed is None:
            return None
        hashes.append(parsed)
    return hashes


def _requirement_hashes(options: Sequence[ParsedOption], location: Location) -> list[Hash]:
    hashes: list[Hash] = []
    for option in options:
        if option.spec.name != "--hash":
            continue
        parsed = parse_hash(option.value or "")
        if parsed is None:
            raise location.error(hash_error(option.value or ""))
        hashes.append(parsed)
    return hashes
