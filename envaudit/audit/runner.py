"""``envaudit audit DIR``: discover, parse and cross-check a repository's environment files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from envaudit.analysis.report import Report, make_report
from envaudit.analysis.rules.base import Finding, Location, selected
from envaudit.analysis.rules.catalogue import RULES
from envaudit.audit.declarations import Declaration, manifest_declarations
from envaudit.audit.discover import PYPROJECT, FoundFile, discover
from envaudit.errors import ParseError, UsageError
from envaudit.loader import DEFAULT_MAX_SIZE, FileIncludeReader, load_text, read_file
from envaudit.model import Manifest, SourceInfo, source_info
from envaudit.record import field, record
from envaudit.sources.detect import sniff_content

# Name patterns that are too loose on their own (``*env*.yml``): the content must agree.
_NEEDS_CONTENT = frozenset({"conda-env", "conda-lock", "pixi-lock"})


@record
class AuditedFile:
    """One file of the repository and what it declares (``error`` when it could not be read)."""

    path: str
    kind: str
    packages: int | None = None
    declarations: tuple[Declaration, ...] = ()
    error: str | None = None


@record
class AuditResult:
    root: str
    files: tuple[AuditedFile, ...]
    report: Report


@record(frozen=False)
class _Collected:
    manifests: list[Manifest] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    files: list[AuditedFile] = field(default_factory=list)
    inputs: list[SourceInfo] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)


def audit_directory(
    root: str,
    *,
    excludes: Sequence[str] = (),
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    max_size: int = DEFAULT_MAX_SIZE,
    honour_inline: bool = True,
) -> AuditResult:
    """Audit every environment file under ``root``; paths in the result are as seen from the cwd."""
    from envaudit.audit.consistency import run_consistency_rules
    from envaudit.audit.lines import Locator

    if not Path(root or ".").is_dir():
        raise UsageError(f"{root}: not a directory")
    collected = _Collected()
    reader = FileIncludeReader(root=Path(root or "."), max_size=max_size)
    for found in discover(root, excludes=excludes):
        _read(found, collected, reader, max_size)
    kinds = {file.path: file.kind for file in collected.files}
    findings = run_consistency_rules(
        collected.manifests,
        collected.declarations,
        kinds=kinds,
        locator=Locator(collected.texts),
    )
    findings += collected.errors
    select, ignore = list(select), list(ignore)
    findings = [f for f in findings if selected(f.rule.id, select, ignore)]
    if honour_inline:
        from envaudit.config import drop_suppressed

        findings = drop_suppressed(findings)
    report = make_report("audit", collected.inputs, findings)
    return AuditResult(root, tuple(collected.files), report)


def _read(
    found: FoundFile, collected: _Collected, reader: FileIncludeReader, max_size: int
) -> None:
    from envaudit.audit.declared_files import DECLARATION_KINDS, file_declarations

    try:
        text = read_file(Path(found.path), found.path, max_size=max_size)
        collected.texts[found.path] = text
        if found.kind in DECLARATION_KINDS:
            declarations = file_declarations(found.kind, text, found.path)
            collected.inputs.append(source_info(found.kind, found.path, text))
            _record(collected, AuditedFile(found.path, found.kind, None, tuple(declarations)))
            return
        if found.kind == PYPROJECT:
            from envaudit.audit.pyproject import parse_pyproject

            manifest, declarations = parse_pyproject(text, found.path)
        else:
            if found.kind in _NEEDS_CONTENT and sniff_content(text) is None:
                return  # a YAML file named like an environment that is something else
            fmt = found.kind if found.kind == "dockerfile" else None  # heredocs may look like YAML
            manifest = load_text(text, origin=found.path, fmt=fmt, reader=reader)
            declarations = manifest_declarations(manifest)
    except (ParseError, UsageError) as exc:
        _unreadable(found, exc, collected)
        return
    collected.manifests.append(manifest)
    collected.inputs.append(manifest.source)
    kind = manifest.source.format
    _record(collected, AuditedFile(found.path, kind, len(manifest.packages), tuple(declarations)))


def _record(collected: _Collected, audited: AuditedFile) -> None:
    collected.files.append(audited)
    collected.declarations.extend(audited.declarations)


def _unreadable(found: FoundFile, error: ParseError | UsageError, collected: _Collected) -> None:
    if isinstance(error, ParseError):
        location = Location(error.path, error.line, error.key_path)
        message = error.message
    else:
        location, message = Location(found.path), str(error)
    collected.errors.append(Finding(RULES["EA612"], message, location))
    collected.files.append(AuditedFile(found.path, found.kind, error=message))
