"""The rule interface: metadata, findings with locations, and the registry of checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TypeVar

from envaudit.model import Package
from envaudit.record import record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@record
class RuleInfo:
    """A rule's stable identity and documentation."""

    id: str
    name: str
    severity: Severity
    rationale: str
    fix: str

    @property
    def family(self) -> str:
        return self.id[:3] + "xx"


@record
class Location:
    """Where a finding points: a file plus a line or a TOML/YAML key path."""

    path: str
    line: int | None = None
    key_path: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.key_path:
            return f"{self.path}:{self.key_path}"
        return self.path


_LINE_ORIGIN = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")
_KEY_ORIGIN = re.compile(r"^(?P<path>.+?\.(?:lock|toml|ya?ml|json|x86_64)):(?P<key>.+)$")


def parse_origin(origin: str | None, fallback: str) -> Location:
    """``path:12`` -> line 12; ``poetry.lock:package[3]`` -> key path; else the fallback file."""
    if not origin:
        return Location(fallback)
    match = _LINE_ORIGIN.match(origin)
    if match:
        return Location(match.group("path"), line=int(match.group("line")))
    match = _KEY_ORIGIN.match(origin)
    if match:
        return Location(match.group("path"), key_path=match.group("key"))
    if origin.startswith(fallback + ":"):
        return Location(fallback, key_path=origin[len(fallback) + 1 :])
    return Location(origin)


@record
class Finding:
    """One rule firing at one place."""

    rule: RuleInfo
    message: str
    location: Location
    package: str | None = None

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return (
            -self.severity.rank,
            self.location.path,
            self.location.line or 0,
            self.rule.id,
            self.message,
        )


def package_location(package: Package, fallback: str) -> Location:
    return parse_origin(package.origin, fallback)


_C = TypeVar("_C", bound=Callable[..., Iterable[Finding]])


class RuleRegistry:
    """The check functions of one kind (manifest or diff), over a shared rule catalogue."""

    def __init__(self, infos: dict[str, RuleInfo]) -> None:
        self.infos = infos
        self.checks: list[tuple[tuple[str, ...], Callable[..., Iterable[Finding]]]] = []

    def check(self, *rule_ids: str) -> Callable[[_C], _C]:
        """Register a check function that may emit findings for ``rule_ids``."""

        def register(function: _C) -> _C:
            missing = [rule_id for rule_id in rule_ids if rule_id not in self.infos]
            if missing:
                raise ValueError(f"{function.__name__}: undefined rule(s) {missing}")
            self.checks.append((rule_ids, function))
            return function

        return register

    def __iter__(self) -> Iterator[RuleInfo]:
        ids = sorted({rule_id for rule_ids, _ in self.checks for rule_id in rule_ids})
        return iter(self.infos[rule_id] for rule_id in ids)


def selected(rule_id: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """``--select EA1,EA301 --ignore EA105``: prefixes match, ignore wins over select."""
    select = list(select)
    if select and not any(rule_id.startswith(prefix) for prefix in select):
        return False
    return not any(rule_id.startswith(prefix) for prefix in ignore)
