"""EA6xx: do all the files of one repository describe the same environment?"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from envaudit.analysis.rules.base import Finding, Location, RuleRegistry
from envaudit.analysis.rules.catalogue import RULES
from envaudit.audit.declarations import Declaration, Fact, Strength, major_version, minor_version
from envaudit.audit.lines import Locator
from envaudit.audit.pins import check_missing_from_locks, check_pin_disagreements
from envaudit.audit.python_versions import satisfies
from envaudit.model import Ecosystem, Manifest, SourceKind
from envaudit.record import field, record

CONSISTENCY_CHECKS = RuleRegistry(RULES)
# Which file wins when files disagree: the one most likely to be what really gets installed.
_KIND_PRIORITY = (
    "python-version", "poetry-lock", "uv-lock", "pdm-lock", "pipfile-lock", "pylock",
    "conda-lock", "pixi-lock", "pip-freeze", "conda-explicit", "requirements", "conda-env",
    "pyproject", "setup-cfg", "dockerfile",
)  # fmt: skip


@record
class AuditInput:
    """Everything the consistency checks look at."""

    manifests: Sequence[Manifest]
    declarations: Sequence[Declaration]
    kinds: Mapping[str, str] = field(default_factory=dict)  # path -> format or kind
    locator: Locator = field(default_factory=lambda: Locator({}))

    def rank(self, path: str) -> tuple[int, str]:
        kind = self.kinds.get(path, "")
        return (_KIND_PRIORITY.index(kind) if kind in _KIND_PRIORITY else len(_KIND_PRIORITY), path)

    def locate(self, origin: str) -> Location:
        return self.locator.locate(origin, origin.rsplit(":", 1)[0])


def run_consistency_rules(
    manifests: Sequence[Manifest],
    declarations: Sequence[Declaration],
    *,
    kinds: Mapping[str, str] | None = None,
    locator: Locator | None = None,
) -> list[Finding]:
    """Every EA6xx finding over the parsed files and their declarations, sorted."""
    distinct = list(dict.fromkeys(declarations))  # a -r file read twice declares things twice
    subject = AuditInput(manifests, distinct, kinds or {}, locator or Locator({}))
    findings = [finding for _, check in CONSISTENCY_CHECKS.checks for finding in check(subject)]
    return sorted(findings, key=Finding.sort_key)


def _where(subject: AuditInput, declaration: Declaration) -> str:
    return str(subject.locate(declaration.origin))


def _disagreements(
    subject: AuditInput,
    declarations: Sequence[Declaration],
    bucket: Callable[[str], str | None],
) -> Iterator[tuple[Declaration, Declaration]]:
    """``(odd one, reference)`` pairs; the reference is the most common value, then best file."""
    groups: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        value = bucket(declaration.value)
        if value is not None:
            groups.setdefault(value, []).append(declaration)
    if len(groups) < 2:
        return

    def strength(item: tuple[str, list[Declaration]]) -> tuple[int, tuple[int, str]]:
        files = {d.path for d in item[1]}
        return (-len(files), min(subject.rank(path) for path in files))

    reference_value, members = min(groups.items(), key=strength)
    reference = min(members, key=lambda d: (subject.rank(d.path), d.origin))
    for value, group in sorted(groups.items()):
        if value != reference_value:
            yield from ((declaration, reference) for declaration in group)


def _exact(subject: AuditInput, fact: Fact) -> list[Declaration]:
    return [d for d in subject.declarations if d.fact is fact and d.strength is Strength.EXACT]


@CONSISTENCY_CHECKS.check("EA601")
def check_python_versions(subject: AuditInput) -> Iterator[Finding]:
    for odd, reference in _disagreements(subject, _exact(subject, Fact.PYTHON), minor_version):
        yield Finding(
            RULES["EA601"],
            f"Python {minor_version(odd.value)} here ({odd.via}), but Python "
            f"{minor_version(reference.value)} in {_where(subject, reference)} ({reference.via})",
            subject.locate(odd.origin),
        )


@CONSISTENCY_CHECKS.check("EA602")
def check_requires_python(subject: AuditInput) -> Iterator[Finding]:
    constraints: dict[str, Declaration] = {}
    for declaration in subject.declarations:
        if declaration.fact is Fact.PYTHON and declaration.strength is Strength.CONSTRAINT:
            constraints.setdefault("".join(declaration.value.split()), declaration)
    for exact in _exact(subject, Fact.PYTHON):
        for constraint in constraints.values():
            if satisfies(exact.value, constraint.value) is False:
                yield Finding(
                    RULES["EA602"],
                    f"Python {exact.value} here ({exact.via}) is outside {constraint.value}"
                    f" ({constraint.via}, {_where(subject, constraint)})",
                    subject.locate(exact.origin),
                )


def _cuda_findings(subject: AuditInput, fact: Fact, major_rule: str) -> Iterator[Finding]:
    label = "CUDA" if fact is Fact.CUDA else "cuDNN"
    exact = _exact(subject, fact)
    for odd, reference in _disagreements(subject, exact, major_version):
        yield Finding(
            RULES[major_rule],
            f"{label} {odd.value} here ({odd.via}), but {label} {reference.value} in "
            f"{_where(subject, reference)} ({reference.via})",
            subject.locate(odd.origin),
        )
    if fact is not Fact.CUDA:
        return
    majors: dict[str, list[Declaration]] = {}
    for declaration in exact:
        if minor_version(declaration.value):
            majors.setdefault(major_version(declaration.value) or "", []).append(declaration)
    for group in majors.values():
        for odd, reference in _disagreements(subject, group, minor_version):
            yield Finding(
                RULES["EA606"],
                f"CUDA {minor_version(odd.value)} here ({odd.via}), but CUDA"
                f" {minor_version(reference.value)} in {_where(subject, reference)}"
                f" ({reference.via})",
                subject.locate(odd.origin),
            )


@CONSISTENCY_CHECKS.check("EA605", "EA606")
def check_cuda_versions(subject: AuditInput) -> Iterator[Finding]:
    yield from _cuda_findings(subject, Fact.CUDA, "EA605")


@CONSISTENCY_CHECKS.check("EA607")
def check_cudnn_versions(subject: AuditInput) -> Iterator[Finding]:
    yield from _cuda_findings(subject, Fact.CUDNN, "EA607")


@CONSISTENCY_CHECKS.check("EA603")
def check_pins(subject: AuditInput) -> Iterator[Finding]:
    for odd, reference, message in check_pin_disagreements(subject.manifests, subject.rank):
        where = subject.locate(reference.origin or "")
        yield Finding(
            RULES["EA603"],
            message.format(where=where),
            subject.locate(odd.origin or ""),
            odd.name,
        )


@CONSISTENCY_CHECKS.check("EA604")
def check_lock_completeness(subject: AuditInput) -> Iterator[Finding]:
    for package, locks in check_missing_from_locks(subject.manifests):
        yield Finding(
            RULES["EA604"],
            f"{package.name} is installed here but missing from {_some(locks)},"
            " which lists a complete environment",
            subject.locate(package.origin or ""),
            package.name,
        )


def _some(paths: Sequence[str], shown: int = 3) -> str:
    listed = ", ".join(paths[:shown])
    return listed + (f" and {len(paths) - shown} more" if len(paths) > shown else "")


@CONSISTENCY_CHECKS.check("EA608")
def check_docker_pins(subject: AuditInput) -> Iterator[Finding]:
    for manifest in subject.manifests:
        if manifest.source.format != "dockerfile":
            continue
        for package in manifest.packages:
            origin = package.origin or ""
            if origin.rsplit(":", 1)[0] != manifest.source.path or package.version is not None:
                continue
            if package.source.kind is not SourceKind.REGISTRY or package.key == "python":
                continue
            tool = "conda" if package.ecosystem is Ecosystem.CONDA else "pip"
            detail = f" (only {package.spec})" if package.spec else ""
            yield Finding(
                RULES["EA608"],
                f"RUN {tool} install {package.name} has no exact version{detail}",
                subject.locate(origin),
                package.name,
            )


@CONSISTENCY_CHECKS.check("EA609", "EA610")
def check_base_images(subject: AuditInput) -> Iterator[Finding]:
    for manifest in subject.manifests:
        if manifest.source.format != "dockerfile":
            continue
        meta, index = manifest.meta, 0
        while f"stage.{index}.origin" in meta:
            prefix = f"stage.{index}."
            index += 1
            image = meta.get(prefix + "image", "")
            skipped = prefix + "from_stage" in meta or prefix + "unresolved" in meta
            if skipped or image == "scratch" or prefix + "digest" in meta:
                continue
            location = subject.locate(meta[prefix + "origin"])
            if meta.get(prefix + "tag") in (None, "latest"):
                yield Finding(
                    RULES["EA609"], f"FROM {image} follows whatever is published next", location
                )
            else:
                yield Finding(RULES["EA610"], f"FROM {image} is not pinned by digest", location)


@CONSISTENCY_CHECKS.check("EA611")
def check_ci_matrix(subject: AuditInput) -> Iterator[Finding]:
    matrices: dict[str, list[Declaration]] = {}
    for declaration in subject.declarations:
        if declaration.fact is Fact.PYTHON and declaration.strength is Strength.MATRIX:
            matrices.setdefault(declaration.path, []).append(declaration)
    used: dict[str, Declaration] = {}
    for declaration in sorted(
        _exact(subject, Fact.PYTHON), key=lambda d: (subject.rank(d.path), d.origin)
    ):
        minor = minor_version(declaration.value)
        if minor is not None:
            used.setdefault(minor, declaration)
    for _, entries in sorted(matrices.items()):
        if any(minor_version(e.value) is None and "x" in e.value for e in entries):
            continue  # "3.x" tests whatever is current: nothing to compare
        tested = {minor_version(e.value) for e in entries}
        for minor, user in sorted(used.items()):
            if minor not in tested:
                listed = ", ".join(sorted(v for v in tested if v))
                yield Finding(
                    RULES["EA611"],
                    f"CI tests Python {listed or 'nothing'} but not {minor}, which "
                    f"{_where(subject, user)} uses ({user.via})",
                    subject.locate(entries[0].origin),
                )
