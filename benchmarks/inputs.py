"""Deterministic, seeded generators of large realistic environment files for the benchmarks.

Every generator takes a package count and a seed and returns text (or writes a directory);
the same arguments always give byte-identical output, so runs on different days compare.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u", "y")
_CODAS = ("", "n", "r", "s", "x", "th", "l", "m")
_SUFFIXES = ("", "", "", "-core", "-utils", "_sdk", ".io", "-py", "lib", "-cli")
_WHEEL_TAGS = (
    "py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp311-cp311-musllinux_1_2_x86_64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp311-cp311-win_amd64",
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-macosx_11_0_arm64",
    "cp312-cp312-win_amd64",
    "cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp313-cp313-win_amd64",
)
_MARKERS = (
    'python_version < "3.11"',
    'sys_platform == "win32"',
    'platform_machine == "x86_64" and sys_platform == "linux"',
)
_CONDA_PLATFORMS = ("linux-64", "osx-64", "osx-arm64")


def sha256_of(*parts: object) -> str:
    """A stable fake artifact digest."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def package_names(count: int, seed: int) -> list[str]:
    """``count`` distinct plausible distribution names, sorted like a lock file sorts them."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        stem = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        names.add(stem + rng.choice(_SUFFIXES))
    return sorted(names)


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 30)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"


def _bump(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    return f"{major}.{minor}.{patch + 1}" if patch % 3 else f"{major}.{minor + 1}.0"


@dataclass(frozen=True)
class Locked:
    """One locked distribution, the common material of every generated format."""

    name: str
    version: str
    wheels: tuple[str, ...]  # wheel tags
    dependencies: tuple[str, ...]
    marker: str | None
    group: str


_WHEEL_COUNTS = (1, 1, 1, 2, 4, 6, 10)


def locked_set(count: int, seed: int) -> list[Locked]:
    """``count`` distributions with versions, wheels, a few markers and a dependency graph."""
    rng = random.Random(seed * 7919 + count)
    names = package_names(count, seed)
    result: list[Locked] = []
    order = rng.sample(names, k=len(names))  # dependencies point forward: an acyclic graph
    position = {name: index for index, name in enumerate(order)}
    depended_on: set[str] = set()
    drafts: list[tuple[str, tuple[str, ...]]] = []
    # Shapes (dependency and wheel counts) cycle with the index rather than being drawn, so
    # every size holds the same mix: a per-package cost compares like with like across sizes.
    for index, name in enumerate(names):
        later = order[position[name] + 1 :]
        deps = tuple(sorted(rng.sample(later, k=min(len(later), index % 5))))
        depended_on.update(deps)
        drafts.append((name, deps))
    for index, (name, deps) in enumerate(drafts):
        wheel_count = _WHEEL_COUNTS[index % len(_WHEEL_COUNTS)]
        wheels = _WHEEL_TAGS[:1] if wheel_count == 1 else _WHEEL_TAGS[1 : wheel_count + 1]
        marker = rng.choice(_MARKERS) if index % 9 == 0 else None
        group = "dev" if index % 5 == 0 and name not in depended_on else "main"
        result.append(Locked(name, _version(rng), wheels, deps, marker, group))
    return result


def roots(packages: list[Locked]) -> list[Locked]:
    """The packages nothing depends on: the direct dependencies of the project."""
    needed = {dep for package in packages for dep in package.dependencies}
    return [package for package in packages if package.name not in needed]


def changed_set(base: list[Locked], changes: int, seed: int) -> list[Locked]:
    """``base`` with ``changes`` packages touched: half upgraded, a quarter removed/added."""
    rng = random.Random(seed)
    touched = rng.sample(range(len(base)), k=min(changes, len(base)))
    upgrade = set(touched[: changes // 2])
    remove = set(touched[changes // 2 : changes // 2 + changes // 4])
    result = [
        Locked(p.name, _bump(p.version), p.wheels, p.dependencies, p.marker, p.group)
        if i in upgrade
        else p
        for i, p in enumerate(base)
        if i not in remove
    ]
    taken = {p.name for p in base}
    extra = [n for n in package_names(len(base) + changes * 4, seed + 1) if n not in taken]
    added = changes - len(upgrade) - len(remove)
    for name in extra[:added]:
        result.append(Locked(name, _version(rng), _WHEEL_TAGS[:1], (), None, "main"))
    return sorted(result, key=lambda p: p.name)


def _toml_key(name: str) -> str:
    """A TOML key: names with a dot must be quoted, or they become nested tables."""
    return json.dumps(name) if "." in name else name


def _wheel_file(package: Locked, tag: str) -> str:
    return f"{package.name.replace('-', '_').replace('.', '_')}-{package.version}-{tag}.whl"


def _sdist_file(package: Locked) -> str:
    return f"{package.name.replace('-', '_').replace('.', '_')}-{package.version}.tar.gz"


def _files_url(filename: str) -> str:
    digest = sha256_of("url", filename)
    return f"https://files.pythonhosted.org/packages/{digest[:2]}/{digest[2:4]}/{digest[4:60]}/{filename}"


def poetry_lock(count: int = 420, seed: int = 1) -> str:
    """A poetry.lock (lock-version 2.1) with sha256 hashes for every wheel and sdist."""
    out = [
        "# This file is automatically @generated by Poetry 2.1.3 and should not be changed"
        " by hand.\n"
    ]
    for package in locked_set(count, seed):
        files = [_wheel_file(package, tag) for tag in package.wheels] + [_sdist_file(package)]
        out.append("\n[[package]]\n")
        out.append(f'name = "{package.name}"\nversion = "{package.version}"\n')
        out.append(f'description = "The {package.name} library"\noptional = false\n')
        out.append(f'python-versions = ">=3.9"\ngroups = ["{package.group}"]\n')
        if package.marker:
            out.append(f"markers = {json.dumps(package.marker)}\n")
        out.append("files = [\n")
        for filename in files:
            out.append(f'    {{file = "{filename}", hash = "sha256:{sha256_of(filename)}"}},\n')
        out.append("]\n")
        if package.dependencies:
            out.append("\n[package.dependencies]\n")
            out.extend(f'{_toml_key(dep)} = ">=1.0"\n' for dep in package.dependencies)
    out.append(
        '\n[metadata]\nlock-version = "2.1"\npython-versions = ">=3.11,<4.0"\n'
        f'content-hash = "{sha256_of("content", count, seed)}"\n'
    )
    return "".join(out)


def poetry_pyproject(count: int = 420, seed: int = 1) -> str:
    """The pyproject.toml that goes with :func:`poetry_lock` (cyclonedx-py poetry needs it)."""
    direct = roots(locked_set(count, seed))
    main = [p for p in direct if p.group == "main"]
    dev = [p for p in direct if p.group == "dev"]
    lines = [
        "[tool.poetry]",
        'name = "bench-project"',
        'version = "0.1.0"',
        'description = "benchmark input"',
        'authors = ["Bench <bench@example.org>"]',
        "",
        "[tool.poetry.dependencies]",
        'python = ">=3.11,<4.0"',
        *(f'{_toml_key(p.name)} = "^{p.version}"' for p in main),
        "",
        "[tool.poetry.group.dev.dependencies]",
        *(f'{_toml_key(p.name)} = "^{p.version}"' for p in dev),
        "",
        "[build-system]",
        'requires = ["poetry-core"]',
        'build-backend = "poetry.core.masonry.api"',
    ]
    return "\n".join(lines) + "\n"


def uv_lock_packages(packages: list[Locked]) -> str:
    """A uv.lock (version 1, revision 3) of these packages, with sdist and wheel hashes."""
    out = ['version = 1\nrevision = 3\nrequires-python = ">=3.11"\n']
    for package in packages:
        out.append(f'\n[[package]]\nname = "{package.name}"\nversion = "{package.version}"\n')
        out.append('source = { registry = "https://pypi.org/simple" }\n')
        if package.dependencies:
            out.append("dependencies = [\n")
            out.extend(f'    {{ name = "{dep}" }},\n' for dep in package.dependencies)
            out.append("]\n")
        sdist = _sdist_file(package)
        out.append(
            f'sdist = {{ url = "{_files_url(sdist)}", hash = "sha256:{sha256_of(sdist)}",'
            f" size = {len(sdist) * 1000} }}\n"
        )
        out.append("wheels = [\n")
        for tag in package.wheels:
            wheel = _wheel_file(package, tag)
            out.append(
                f'    {{ url = "{_files_url(wheel)}", hash = "sha256:{sha256_of(wheel)}",'
                f" size = {len(wheel) * 1000} }},\n"
            )
        out.append("]\n")
    return "".join(out)


def uv_lock_pair(count: int = 400, changes: int = 40, seed: int = 2) -> tuple[str, str]:
    """Two uv.lock files of ``count`` packages differing in ``changes`` packages."""
    base = locked_set(count, seed)
    return uv_lock_packages(base), uv_lock_packages(changed_set(base, changes, seed))


def requirements_hashed(count: int = 400, seed: int = 3) -> str:
    """A pip-compile ``--generate-hashes`` output: every pin with two or more hashes."""
    out = [
        "#\n# This file is autogenerated by pip-compile with Python 3.11\n"
        "# by the following command:\n#\n#    pip-compile --generate-hashes requirements.in\n#\n"
    ]
    for package in locked_set(count, seed):
        marker = f" ; {package.marker}" if package.marker else ""
        out.append(f"{package.name}=={package.version}{marker} \\\n")
        files = [_wheel_file(package, tag) for tag in package.wheels] + [_sdist_file(package)]
        hashes = [f"    --hash=sha256:{sha256_of(f)}" for f in files]
        out.append(" \\\n".join(hashes) + "\n")
        via = package.dependencies[:1] or ("-r requirements.in",)
        out.append(f"    # via {via[0]}\n")
    return "".join(out)


def conda_lock(entries: int = 830, seed: int = 4) -> str:
    """A conda-lock.yml (version 1) with ``entries`` package entries over three platforms.

    About one entry in ten is a ``manager: pip`` package, as in real ML locks.
    """
    per_platform = -(-entries // len(_CONDA_PLATFORMS))
    locked = locked_set(per_platform, seed)
    out = [
        "# This lock file was generated by conda-lock (https://github.com/conda/conda-lock)."
        " DO NOT EDIT!\nversion: 1\nmetadata:\n  content_hash:\n"
    ]
    out.extend(f"    {p}: {sha256_of('content', p, seed)}\n" for p in _CONDA_PLATFORMS)
    out.append("  channels:\n  - url: conda-forge\n    used_env_vars: []\n  platforms:\n")
    out.extend(f"  - {p}\n" for p in _CONDA_PLATFORMS)
    out.append("  sources:\n  - environment.yml\npackage:\n")
    written = 0
    for platform in _CONDA_PLATFORMS:
        for index, package in enumerate(locked):
            if written == entries:
                break
            out.append(_conda_lock_entry(package, platform, pip=index % 10 == 9))
            written += 1
    return "".join(out)


def _conda_lock_entry(package: Locked, platform: str, *, pip: bool) -> str:
    lines = [
        f"- name: {package.name}",
        f"  version: {package.version}",
        f"  manager: {'pip' if pip else 'conda'}",
        f"  platform: {platform}",
    ]
    if package.dependencies:
        lines.append("  dependencies:")
        lines.extend(f"    {dep}: '>=1.0'" for dep in package.dependencies)
    else:
        lines.append("  dependencies: {}")
    if pip:
        wheel = _wheel_file(package, _WHEEL_TAGS[0])
        lines.append(f"  url: {_files_url(wheel)}")
        lines.append("  hash:")
        lines.append(f"    sha256: {sha256_of(wheel)}")
    else:
        artifact = f"{package.name}-{package.version}-py_0.conda"
        lines.append(f"  url: https://conda.anaconda.org/conda-forge/{platform}/{artifact}")
        lines.append("  hash:")
        lines.append(f"    md5: {sha256_of('md5', artifact)[:32]}")
        lines.append(f"    sha256: {sha256_of(platform, artifact)}")
    lines.append(f"  category: {package.group}")
    lines.append("  optional: false")
    return "\n".join(lines) + "\n"


def fake_site_packages(directory: Path, count: int = 300, seed: int = 5) -> Path:
    """A site-packages with ``count`` ``*.dist-info`` folders (METADATA, INSTALLER, RECORD...).

    One in twenty is an editable or VCS install carrying a ``direct_url.json``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for index, package in enumerate(locked_set(count, seed)):
        dist_name = package.name.replace("-", "_")
        info = directory / f"{dist_name}-{package.version}.dist-info"
        info.mkdir(exist_ok=True)
        requires = "".join(f"Requires-Dist: {dep}>=1.0\n" for dep in package.dependencies)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {package.name}\nVersion: {package.version}\n"
            f"Summary: The {package.name} library\nRequires-Python: >=3.9\n{requires}\n"
            f"# {package.name}\n\n" + "Long description text. " * 40 + "\n"
        )
        (info / "INSTALLER").write_text("pip\n")
        (info / "RECORD").write_text(f"{dist_name}/__init__.py,sha256=x,10\n")
        (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        if index % 7 == 0:
            (info / "REQUESTED").write_text("")
        if index % 20 == 0:
            direct = {"url": f"file:///src/{dist_name}", "dir_info": {"editable": True}}
            (info / "direct_url.json").write_text(json.dumps(direct))
    return directory
