"""Declarations of files that are not package lists: .python-version, setup.cfg, CI, tox, nox."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from envaudit.audit.declarations import Declaration, Fact, Strength, unique
from envaudit.sources.dockerfile_images import ImageReferenceError, image_facts, parse_image

_VERSION = re.compile(
    r"(?:python|cpython-?)?(?P<version>\d+\.\d+(?:\.\d+)?)(?:-dev|[abc]\d*|rc\d*)?"
)
_KEY_VALUE = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[\w.-]+)\s*:\s*(?P<value>.*?)\s*$")
_MATRIX_REFERENCE = re.compile(r"\$\{\{\s*matrix\.(?P<key>[\w-]+)\s*\}\}")
_TOX_FACTOR = re.compile(r"\bpy(?P<major>\d)(?P<minor>\d{1,2})\b")
_NOX_PYTHON = re.compile(r"python\s*=\s*(?P<value>\[[^\]]*\]|\"[^\"]*\"|'[^']*')")
_QUOTED = re.compile(r"[\"']?(?P<text>[^\"',\]\[]+?)[\"']?\s*(?:,|$)")


def file_declarations(kind: str, text: str, origin: str) -> list[Declaration]:
    """Facts declared by a file of a declaration-only kind (see :data:`DECLARATION_KINDS`)."""
    return unique(DECLARATION_KINDS[kind](text, origin))


def _python_version_file(text: str, origin: str) -> Iterator[Declaration]:
    """pyenv/uv ``.python-version``: the first version line is the one used."""
    for number, line in enumerate(text.splitlines(), start=1):
        written = line.split("#", 1)[0].strip()
        if not written:
            continue
        match = _VERSION.fullmatch(written)
        if match:
            yield Declaration(
                Fact.PYTHON, match.group("version"), Strength.EXACT, f"{origin}:{number}", written
            )
        return


def _setup_cfg(text: str, origin: str) -> Iterator[Declaration]:
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
        elif section == "options" and "=" in stripped:
            key, _, value = stripped.partition("=")
            if key.strip() == "python_requires" and value.strip():
                where = f"{origin}:{number}"
                yield Declaration(
                    Fact.PYTHON, value.strip(), Strength.CONSTRAINT, where, "python_requires"
                )


def _github_workflow(text: str, origin: str) -> Iterator[Declaration]:
    """``python-version`` of setup-python steps and of strategy matrices (as written)."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = _KEY_VALUE.match(line)
        if match is None or match.group("key") != "python-version":
            continue
        value = match.group("value")
        reference = _MATRIX_REFERENCE.search(value)
        if reference:
            for key_line, item in _yaml_key_values(lines, reference.group("key")):
                yield from _matrix_value(item, f"{origin}:{key_line}")
        elif value in ("", "|", ">", "|-", ">-"):
            for item_line, item in _block_items(lines, number):
                yield from _matrix_value(item, f"{origin}:{item_line}")
        else:
            for item in _flow_items(value):
                yield from _matrix_value(item, f"{origin}:{number}")


def _yaml_key_values(lines: list[str], key: str) -> Iterator[tuple[int, str]]:
    """Every value given to ``key:`` in the file (flow lists, block lists or scalars)."""
    for number, line in enumerate(lines, start=1):
        match = _KEY_VALUE.match(line)
        if match is None or match.group("key") != key:
            continue
        value = match.group("value")
        if value:
            yield from ((number, item) for item in _flow_items(value))
        else:
            yield from _block_items(lines, number)


def _flow_items(value: str) -> list[str]:
    value = value.split(" #", 1)[0].strip()
    if value.startswith("[") and value.endswith("]"):
        return [m.group("text").strip() for m in _QUOTED.finditer(value[1:-1]) if m.group("text")]
    return [value.strip("\"'")]


def _block_items(lines: list[str], number: int) -> Iterator[tuple[int, str]]:
    """The ``- item`` lines (or literal block lines) under the key on line ``number``."""
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for offset, line in enumerate(lines[number:], start=number + 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(line.lstrip()) < indent or (
            len(line) - len(line.lstrip()) == indent and not stripped.startswith("- ")
        ):
            return
        item = stripped.removeprefix("- ").split(" #", 1)[0].strip().strip("\"'")
        yield offset, item


def _matrix_value(item: str, origin: str) -> Iterator[Declaration]:
    if "${{" in item:
        return  # an expression (matrix.python-version): its values are read where defined
    match = _VERSION.fullmatch(item.strip())
    if match:
        yield Declaration(Fact.PYTHON, match.group("version"), Strength.MATRIX, origin, item)
    elif item.strip():
        yield Declaration(Fact.PYTHON, item.strip(), Strength.MATRIX, origin, item)


def _gitlab_ci(text: str, origin: str) -> Iterator[Declaration]:
    """``image: python:3.11`` (or ``image: {name: ...}``) of jobs and defaults."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        match = _KEY_VALUE.match(line)
        if match is None or match.group("key") not in ("image", "name"):
            continue
        if match.group("key") == "name" and not _under_image(lines, number):
            continue
        written = match.group("value").split(" #", 1)[0].strip().strip("\"'")
        if not written or "$" in written:
            continue
        try:
            facts = image_facts(parse_image(written))
        except ImageReferenceError:
            continue
        for fact in Fact:
            if fact.value in facts:
                where = f"{origin}:{number}"
                yield Declaration(
                    fact, facts[fact.value], Strength.MATRIX, where, f"image {written}"
                )


def _under_image(lines: list[str], number: int) -> bool:
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for line in reversed(lines[: number - 1]):
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            return line.strip() == "image:"
    return False


def _tox_ini(text: str, origin: str) -> Iterator[Declaration]:
    """``envlist``/``env_list`` factors ``py310``, expanding ``{py39,py310}-x`` braces."""
    in_tox, in_list = False, False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_tox, in_list = stripped in ("[tox]", "[tox:tox]"), False
            continue
        key, equals, value = stripped.partition("=")
        if in_tox and equals and key.strip() in ("envlist", "env_list"):
            in_list, stripped = True, value
        elif not (in_list and line[:1].isspace()):
            in_list = False
            continue
        for match in _TOX_FACTOR.finditer(stripped):
            version = f"{match.group('major')}.{match.group('minor')}"
            where = f"{origin}:{number}"
            yield Declaration(Fact.PYTHON, version, Strength.MATRIX, where, match.group())


def _noxfile(text: str, origin: str) -> Iterator[Declaration]:
    """``python=[...]`` literals of ``@nox.session``; anything computed is skipped."""
    for match in _NOX_PYTHON.finditer(text):
        number = text.count("\n", 0, match.start()) + 1
        for item in _flow_items(match.group("value")):
            version = _VERSION.fullmatch(item)
            if version:
                where = f"{origin}:{number}"
                yield Declaration(
                    Fact.PYTHON, version.group("version"), Strength.MATRIX, where, item
                )


DECLARATION_KINDS: dict[str, Callable[[str, str], Iterator[Declaration]]] = {
    "python-version": _python_version_file,
    "setup-cfg": _setup_cfg,
    "github-workflow": _github_workflow,
    "gitlab-ci": _gitlab_ci,
    "tox-ini": _tox_ini,
    "noxfile": _noxfile,
}
