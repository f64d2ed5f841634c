"""pyproject.toml as an audit input: requires-python and the dependency lists it declares."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from envaudit.analysis.names import pypi_key
from envaudit.audit.declarations import Declaration, Fact, Strength
from envaudit.errors import ParseError
from envaudit.model import Ecosystem, Manifest, Package, PythonSpec, source_info
from envaudit.sources.requirements_lines import Location
from envaudit.sources.requirements_specs import requirement_package
from envaudit.sources.structured import load_toml

FORMAT_ID = "pyproject"
_BARE_VERSION = re.compile(r"\d+(?:\.\d+)*")


def parse_pyproject(text: str, origin: str) -> tuple[Manifest, list[Declaration]]:
    """The dependencies of ``[project]``, ``[dependency-groups]`` and Poetry, and the Python."""
    document = load_toml(text, origin)
    lines = text.splitlines()
    packages: list[Package] = []
    declarations: list[Declaration] = []
    project = _table(document.get("project"), origin, "project")
    requires = project.get("requires-python")
    if isinstance(requires, str):
        where = f"{origin}:{_line_of(lines, 'requires-python')}"
        declarations.append(
            Declaration(Fact.PYTHON, requires, Strength.CONSTRAINT, where, "requires-python")
        )
    for group, requirement in _pep508_lists(document, origin):
        packages.append(_pep508_package(requirement, group, lines, origin))
    poetry = _table(
        _table(document.get("tool"), origin, "tool").get("poetry"), origin, "tool.poetry"
    )
    for group, name, constraint in _poetry_dependencies(poetry, origin):
        if name.lower() == "python":
            where = f"{origin}:{_line_of(lines, 'python', constraint)}"
            declarations.append(
                Declaration(Fact.PYTHON, constraint, Strength.CONSTRAINT, where, "poetry python")
            )
        else:
            packages.append(_poetry_package(name, constraint, group, lines, origin))
    manifest = Manifest(
        source=source_info(FORMAT_ID, origin, text),
        python=PythonSpec(requires=requires if isinstance(requires, str) else None),
        packages=tuple(packages),
    )
    return manifest, declarations


def _table(value: Any, origin: str, key_path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParseError(origin, "expected a table", key_path=key_path)
    return value


def _pep508_lists(document: Mapping[str, Any], origin: str) -> Iterator[tuple[str, str]]:
    project = _table(document.get("project"), origin, "project")
    lists: list[tuple[str, str, Any]] = [
        ("main", "project.dependencies", project.get("dependencies"))
    ]
    optional = _table(project.get("optional-dependencies"), origin, "project.optional-dependencies")
    lists += [(name, f"project.optional-dependencies.{name}", v) for name, v in optional.items()]
    groups = _table(document.get("dependency-groups"), origin, "dependency-groups")
    lists += [(name, f"dependency-groups.{name}", v) for name, v in groups.items()]
    for group, key_path, value in lists:
        if value is None:
            continue
        if not isinstance(value, list):
            raise ParseError(origin, "expected a list of requirements", key_path=key_path)
        for item in value:
            if isinstance(item, str):  # {include-group = "..."} tables add nothing new
                yield group, item


def _pep508_package(requirement: str, group: str, lines: list[str], origin: str) -> Package:
    number = _line_of(lines, requirement)
    location = Location(path=origin, label=f"{origin}:{number}", line=number)
    package = requirement_package(requirement, hashes=(), location=location)
    return package if group == "main" else _with_group(package, group)


def _with_group(package: Package, group: str) -> Package:
    from envaudit.record import replace

    return replace(package, groups=(group,))


def _poetry_dependencies(poetry: Mapping[str, Any], origin: str) -> Iterator[tuple[str, str, str]]:
    tables: list[tuple[str, Any]] = [("main", poetry.get("dependencies"))]
    tables.append(("dev", poetry.get("dev-dependencies")))
    groups = _table(poetry.get("group"), origin, "tool.poetry.group")
    for name, group in groups.items():
        tables.append(
            (name, _table(group, origin, f"tool.poetry.group.{name}").get("dependencies"))
        )
    for group, table in tables:
        for name, value in _table(table, origin, "tool.poetry.dependencies").items():
            constraint = value.get("version") if isinstance(value, Mapping) else value
            if isinstance(constraint, str):
                yield group, name, constraint.strip()


def _poetry_package(
    name: str, constraint: str, group: str, lines: list[str], origin: str
) -> Package:
    exact = constraint.removeprefix("==").strip()
    is_exact = bool(_BARE_VERSION.fullmatch(exact))
    return Package(
        name=name,
        key=pypi_key(name),
        ecosystem=Ecosystem.PYPI,
        version=exact if is_exact else None,
        spec=None if is_exact or constraint in ("", "*") else constraint,
        groups=() if group == "main" else (group,),
        origin=f"{origin}:{_line_of(lines, name, constraint)}",
    )


def _line_of(lines: list[str], *needles: str) -> int:
    """The first line holding every needle (1 when none does: the file itself)."""
    for number, line in enumerate(lines, start=1):
        if all(needle in line for needle in needles):
            return number
    return 1
