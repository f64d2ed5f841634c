"""Pinning an environment.yml from a lock or capture, changing only the pinned scalars."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from typing import Any

from envaudit.analysis.names import conda_key, pypi_key
from envaudit.errors import EnvauditError, ParseError, UsageError
from envaudit.model import Ecosystem, Manifest, SourceKind
from envaudit.record import field, record
from envaudit.sources.matchspec import MatchSpec, MatchSpecError, parse_matchspec
from envaudit.sources.structured import join_path
from envaudit.writers.interface import for_platform
from envaudit.writers.spec_match import matchspec_allows, specifier_allows
from envaudit.writers.yaml_splice import ScalarEdit, SpliceError, apply_edits

_NAME_AND_EXTRAS = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._\-]*\s*(?:\[[^\]]*\])?")
_NOARCH = "noarch"


@record
class PinChange:
    """One dependency rewritten: where (key path, 1-based line), from what, to what."""

    key_path: str
    line: int
    old: str
    new: str

    def describe(self, origin: str) -> str:
        return f"{origin}:{self.line}: {self.key_path}: {self.old} -> {self.new}"


@record
class PinResult:
    """The pinned text (the input, byte for byte, outside the changed scalars) and a report."""

    text: str
    changes: tuple[PinChange, ...]
    notes: tuple[str, ...]


@record(frozen=False)
class _Pinner:
    """Exact versions from the source, and the edits collected so far."""

    conda: dict[str, dict[tuple[str, str | None], str | None]]  # (version, build) -> channel
    pypi: dict[str, set[str]]
    source_path: str
    edits: list[tuple[ScalarEdit, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pin_environment(
    text: str, source: Manifest, *, origin: str, platform: str | None = None
) -> PinResult:
    """Rewrite loose MatchSpecs to ``name=version=build`` and pip entries to ``==version``.

    Only the scalars that change are touched; comments, order, blank lines, quoting and
    line endings stay byte for byte. Entries the source does not lock are left as they are
    and reported in the notes.
    """
    from envaudit.sources import conda_env

    conda_env.parse(text, origin=origin)  # structure errors, located, with the safe loader
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    dependencies = _round_trip_dependencies(body, origin)
    pinner = _pinner_for(source, platform)
    for position in range(len(dependencies)):
        _visit_dependency(pinner, dependencies, position)
    try:
        pinned = apply_edits(body, [edit for edit, _ in pinner.edits])
    except SpliceError as exc:
        raise EnvauditError(f"{origin}: cannot pin in place ({exc}); nothing written") from None
    _verify(pinned, pinner.edits, origin)
    changes = tuple(
        PinChange(key_path=key_path, line=edit.line + 1, old=edit.old, new=edit.new)
        for edit, key_path in sorted(pinner.edits, key=lambda item: item[0].line)
    )
    return PinResult(text=bom + pinned, changes=changes, notes=tuple(pinner.notes))


def _round_trip_dependencies(body: str, origin: str) -> Any:
    """The ``dependencies`` sequence as ruamel.yaml's round-trip loader sees it (positions)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        document = YAML(typ="rt", pure=True).load(body)
    except YAMLError as exc:
        raise ParseError(origin, f"invalid YAML: {exc}") from None
    if not isinstance(document, Mapping) or document.get("dependencies") is None:
        return []
    return document["dependencies"]


def _pinner_for(source: Manifest, platform: str | None) -> _Pinner:
    selected = for_platform(source, platform)
    platforms = sorted(
        {p.platform for p in selected.packages if p.platform and p.platform != _NOARCH}
    )
    if platform is None and len(platforms) > 1:
        raise UsageError(
            f"{source.source.path}: locks {len(platforms)} platforms; pass --platform "
            f"(one of: {', '.join(platforms)}) to pin builds for one of them"
        )
    conda: dict[str, dict[tuple[str, str | None], str | None]] = {}
    pypi: dict[str, set[str]] = {}
    for package in selected.packages:
        if not package.version:
            continue
        if package.ecosystem is Ecosystem.CONDA:
            locked = conda.setdefault(package.key, {})
            locked[package.version, package.build] = package.channel
        elif package.source.kind is SourceKind.REGISTRY:
            pypi.setdefault(package.key, set()).add(package.version)
    return _Pinner(conda=conda, pypi=pypi, source_path=source.source.path)


def _visit_dependency(pinner: _Pinner, dependencies: Any, position: int) -> None:
    entry = dependencies[position]
    key_path = join_path("dependencies", position)
    if isinstance(entry, str):
        _record(pinner, dependencies, position, _pinned_matchspec(pinner, entry), key_path)
    elif isinstance(entry, Mapping) and isinstance(entry.get("pip"), Sequence):
        pip_list = entry["pip"]
        for index, item in enumerate(pip_list):
            if isinstance(item, str):
                new = _pinned_requirement(pinner, item)
                _record(pinner, pip_list, index, new, join_path(join_path(key_path, "pip"), index))


def _record(pinner: _Pinner, sequence: Any, index: int, new: str | None, key_path: str) -> None:
    """Queue ``sequence[index] = new`` as an in-place edit (nothing when it is unchanged)."""
    old = str(sequence[index])
    if new is None or new == old.strip():
        return
    line, column = sequence.lc.item(index)
    in_flow = bool(sequence.fa.flow_style())
    edit = ScalarEdit(line=line, column=column, old=old, new=new, in_flow=in_flow)
    pinner.edits.append((edit, key_path))


def _pinned_matchspec(pinner: _Pinner, entry: str) -> str | None:
    """``[channel::]name=version=build`` for a conda dependency the source locks."""
    try:
        spec = parse_matchspec(entry)
    except MatchSpecError:
        return None  # conda_env.parse accepted it; nothing here would read it differently
    if spec.url is not None or spec.name == "*":
        return None
    locked = pinner.conda.get(conda_key(spec.name), {})
    exact = _one_exact(pinner, set(locked), spec.name)
    if exact is None:
        return None
    version, build = exact
    conflict = _conda_conflict(spec, version, build, locked[exact])
    if conflict:
        pinner.notes.append(f"left as is: {entry.strip()} ({pinner.source_path} locks {conflict})")
        return None
    head = entry.strip().split("[", 1)[0]
    prefix = head.split("::", 1)[0] + "::" if "::" in head else ""
    prefix = prefix or (f"{spec.channel}::" if spec.channel else "")
    if build:
        return f"{prefix}{spec.name}={version}={build}"
    return f"{prefix}{spec.name}=={version}"


def _pinned_requirement(pinner: _Pinner, entry: str) -> str | None:
    """``name[extras]==version[; marker]`` for a pip: entry naming a registry package."""
    from packaging.requirements import InvalidRequirement, Requirement

    text = entry.strip()
    if not text or text.startswith("-"):
        return None  # options, -r/-c includes and -e editables stay as written
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None  # bare URLs and paths: nothing to pin
    if requirement.url:
        return None
    versions = pinner.pypi.get(pypi_key(requirement.name), set())
    as_conda = pinner.conda.get(conda_key(requirement.name), {})
    if not versions and as_conda:
        locked = ", ".join(sorted(version for version, _ in as_conda))
        pinner.notes.append(
            f"left as is: pip entry {requirement.name} ({pinner.source_path} locks it as a "
            f"conda package, {locked}, not as a PyPI package)"
        )
        return None
    exact = _one_exact(pinner, {(v, None) for v in versions}, requirement.name)
    if exact is None:
        return None
    match = _NAME_AND_EXTRAS.match(text)
    head = match.group(0).strip() if match else requirement.name
    version = exact[0]
    if requirement.specifier and specifier_allows(str(requirement.specifier), version) is False:
        pinner.notes.append(
            f"left as is: {text} ({pinner.source_path} locks {version}, outside that range)"
        )
        return None
    marker = text.partition(";")[2].strip()
    operator = "==" if _is_pep440(version) else "==="
    return f"{head}{operator}{version}" + (f"; {marker}" if marker else "")


def _conda_conflict(
    spec: MatchSpec, version: str, build: str | None, channel: str | None
) -> str | None:
    """Why the locked package cannot replace this spec (another channel, out of range)."""
    wanted_channel = spec.channel.split("/", 1)[0] if spec.channel else None
    if wanted_channel and channel and wanted_channel != channel:
        return f"{spec.name} from {channel}, not {wanted_channel}"
    if matchspec_allows(spec, version, build) is False:
        locked = f"{version} {build}" if build else version
        return f"{spec.name} {locked}, which it does not allow"
    return None


def _one_exact(
    pinner: _Pinner, found: set[tuple[str, str | None]], name: str
) -> tuple[str, str | None] | None:
    if len(found) == 1:
        return next(iter(found))
    if not found:
        pinner.notes.append(f"left as is: {name} (not locked in {pinner.source_path})")
    else:
        pins = ", ".join(sorted(f"{v}={b}" if b else v for v, b in found))
        pinner.notes.append(f"left as is: {name} ({pinner.source_path} locks several: {pins})")
    return None


def _is_pep440(version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _verify(pinned: str, edits: Sequence[tuple[ScalarEdit, str]], origin: str) -> None:
    """Re-read the result: every edited entry must now hold its new value."""
    dependencies = _round_trip_dependencies(pinned, origin)
    expected = {key_path: edit.new for edit, key_path in edits}
    found: dict[str, Any] = {}
    for position, entry in enumerate(dependencies):
        key_path = join_path("dependencies", position)
        found[key_path] = entry
        if isinstance(entry, Mapping) and isinstance(entry.get("pip"), Sequence):
            for index, item in enumerate(entry["pip"]):
                found[join_path(join_path(key_path, "pip"), index)] = item
    wrong = [path for path, value in expected.items() if found.get(path) != value]
    if wrong:
        raise EnvauditError(
            f"{origin}: pinning would not read back at {', '.join(wrong)}; nothing written"
        )


def file_encoding(original: bytes) -> tuple[str, str]:
    """``(encoding, BOM to prepend)`` that write text back the way ``original`` was stored."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if original.startswith(bom):
            return encoding, "\ufeff"
    return "utf-8", ""
