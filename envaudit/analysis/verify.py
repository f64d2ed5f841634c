"""`envaudit verify`: is a live environment (a capture) what its lock or env file says?"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum

from envaudit.analysis.names import pypi_key
from envaudit.analysis.versions import compare_versions
from envaudit.capture.model import Capture, PythonInfo
from envaudit.model import Ecosystem, Manifest, Package, SourceInfo, SourceKind
from envaudit.record import record

# Formats that list every installed distribution, so anything else installed is "extra".
_COMPLETE_FORMATS = frozenset(
    {
        "pip-freeze",
        "conda-explicit",
        "poetry-lock",
        "uv-lock",
        "pipfile-lock",
        "pdm-lock",
        "pylock",
        "conda-lock",
        "pixi-lock",
        "capture",
        "manifest",
    }
)
# Installers' own tools: locks leave them out (pip-compile's "unsafe" packages).
_BOOTSTRAP = frozenset({"pip", "setuptools", "wheel", "distribute"})
_DEFAULT_GROUPS = frozenset({"main", "default", "dependencies"})


class MismatchKind(StrEnum):
    MISSING = "missing"
    WRONG_VERSION = "wrong-version"
    WRONG_VARIANT = "wrong-variant"  # same version, another build (+cu121 vs +cpu)
    WRONG_SOURCE = "wrong-source"  # editable/local/VCS where the lock says an index, ...
    EXTRA = "extra"  # installed, not in a lock that lists everything
    WRONG_PYTHON = "wrong-python"
    WRONG_PLATFORM = "wrong-platform"


@record
class Mismatch:
    """One way the environment differs from the lock; ``message`` is the precise one-liner."""

    kind: MismatchKind
    ecosystem: str
    name: str
    message: str
    origin: str | None = None  # where the lock says it (file:line or key path)


@record
class VerifyResult:
    lock: SourceInfo
    target: str  # the interpreter or prefix that was verified
    mismatches: tuple[Mismatch, ...]
    matched: int  # lock entries found as the lock says
    not_applicable: int  # lock entries for other platforms/markers, or optional ones absent

    @property
    def ok(self) -> bool:
        return not self.mismatches


@record
class Installed:
    """What the capture found, by ecosystem and normalized name."""

    pypi: Mapping[str, Package]
    conda: Mapping[str, Package]
    conda_installed_pypi: frozenset[str]  # dist-infos written by conda (also conda records)
    platform: str | None
    markers: Mapping[str, str]


def marker_environment(capture: Capture) -> dict[str, str]:
    """PEP 508 marker values of the captured interpreter (not of the one running envaudit)."""
    from packaging.markers import default_environment

    environment = {key: str(value) for key, value in default_environment().items()}
    system = capture.system
    environment.update(
        sys_platform=system.platform,
        platform_machine=system.machine,
        os_name="nt" if system.platform == "win32" else "posix",
        platform_system={"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}.get(
            system.platform, environment["platform_system"]
        ),
        extra="",
    )
    if isinstance(capture.python, PythonInfo):
        version = capture.python.version
        environment.update(
            python_full_version=version,
            python_version=".".join(version.split(".")[:2]),
            implementation_name=capture.python.implementation.lower(),
        )
    return environment


def installed_packages(capture: Capture, live: Manifest) -> Installed:
    """``live`` is the capture as a manifest (``capture_to_manifest``)."""
    conda_written = frozenset(
        pypi_key(package.name)
        for package in capture.packages.installed
        if (package.installer or "").strip().lower() == "conda"
    )
    return Installed(
        pypi={p.key: p for p in live.packages if p.ecosystem is Ecosystem.PYPI},
        conda={p.key: p for p in live.packages if p.ecosystem is Ecosystem.CONDA},
        conda_installed_pypi=conda_written,
        platform=live.platforms[0] if live.platforms else None,
        markers=marker_environment(capture),
    )


def _applies(package: Package, installed: Installed) -> bool:
    if package.platform and installed.platform and package.platform != "noarch":
        return package.platform == installed.platform
    if package.markers:
        from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

        try:
            return Marker(package.markers).evaluate(dict(installed.markers))
        except (InvalidMarker, UndefinedEnvironmentName):
            return True
    return True


def _where(package: Package) -> str:
    return f" ({package.origin})" if package.origin else ""


def _describe_source(package: Package) -> str:
    source = package.source
    if source.editable:
        return f"editable {source.url or ''}".rstrip()
    if source.kind is SourceKind.REGISTRY:
        return "an index"
    if source.kind is SourceKind.VCS and source.commit:
        return f"{source.url or 'VCS'} @ {source.commit[:12]}"
    return f"{source.kind.value} {source.url or ''}".rstrip()


def _source_mismatch(locked: Package, live: Package) -> str | None:
    want, have = locked.source, live.source
    if want.kind is SourceKind.VIRTUAL:
        return None
    if want.kind is SourceKind.REGISTRY and locked.ecosystem is Ecosystem.CONDA:
        return None  # conda records carry the channel URL, not a "source"
    same_kind = (want.kind is have.kind) or (
        want.kind in {SourceKind.FILE, SourceKind.URL}
        and have.kind in {SourceKind.FILE, SourceKind.URL}
    )
    if not same_kind or want.editable != have.editable:
        return f"installed from {_describe_source(live)}, lock says {_describe_source(locked)}"
    if want.commit and have.commit and want.commit != have.commit:
        return f"installed commit {have.commit[:12]}, lock says {want.commit[:12]}"
    return None


def _version_mismatch(locked: Package, live: Package) -> Mismatch | None:
    have = live.version or "?"
    name, ecosystem = locked.name, locked.ecosystem.value
    if locked.version:
        public_want, _, local_want = locked.version.partition("+")
        public_have, _, local_have = have.partition("+")
        if public_want != public_have and (
            compare_versions(public_want, public_have, locked.ecosystem) != 0
        ):
            message = f"{name}: installed {have}, lock says {locked.version}{_where(locked)}"
            return Mismatch(MismatchKind.WRONG_VERSION, ecosystem, name, message, locked.origin)
        if local_want != local_have or (locked.build and live.build and locked.build != live.build):
            wanted = locked.version + (f" ({locked.build})" if locked.build else "")
            got = have + (f" ({live.build})" if live.build else "")
            message = f"{name}: installed {got}, lock says {wanted}{_where(locked)}"
            return Mismatch(MismatchKind.WRONG_VARIANT, ecosystem, name, message, locked.origin)
    elif locked.spec and locked.ecosystem is Ecosystem.PYPI:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            allowed = SpecifierSet(locked.spec).contains(have, prereleases=True)
        except InvalidSpecifier:
            return None
        if not allowed:
            message = f"{name}: installed {have} does not satisfy {locked.spec}{_where(locked)}"
            return Mismatch(MismatchKind.WRONG_VERSION, ecosystem, name, message, locked.origin)
    return None


def _check_one(locked: Package, installed: Installed) -> Mismatch | bool:
    """A mismatch; True when it matches; False when it does not apply here."""
    pool = installed.conda if locked.ecosystem is Ecosystem.CONDA else installed.pypi
    live = pool.get(locked.key)
    if live is None:
        groups = set(locked.groups)
        if locked.optional or (groups and not groups & _DEFAULT_GROUPS):
            return False  # optional or a non-default group that was not installed
        if locked.source.kind is SourceKind.VIRTUAL:
            return False
        wanted = locked.version or locked.spec or ""
        message = f"{locked.name} {wanted}".rstrip() + f" is not installed{_where(locked)}"
        return Mismatch(
            MismatchKind.MISSING, locked.ecosystem.value, locked.name, message, locked.origin
        )
    version = _version_mismatch(locked, live)
    if version is not None:
        return version
    source = _source_mismatch(locked, live)
    if source is not None:
        message = f"{locked.name}: {source}{_where(locked)}"
        return Mismatch(
            MismatchKind.WRONG_SOURCE, locked.ecosystem.value, locked.name, message, locked.origin
        )
    return True


def _extras(lock: Manifest, installed: Installed) -> Iterator[Mismatch]:
    exact = all(p.version for p in lock.packages)
    if lock.source.format not in _COMPLETE_FORMATS and not (exact and lock.packages):
        return
    for ecosystem, pool in ((Ecosystem.PYPI, installed.pypi), (Ecosystem.CONDA, installed.conda)):
        listed = {p.key for p in lock.packages if p.ecosystem is ecosystem}
        if not listed:
            continue
        conda_keys = {p.key for p in lock.packages if p.ecosystem is Ecosystem.CONDA}
        for key, live in sorted(pool.items()):
            if key in listed or key in _BOOTSTRAP:
                continue
            if ecosystem is Ecosystem.PYPI and conda_keys and key in installed.conda_installed_pypi:
                continue  # conda's own dist-info: checked as a conda record
            message = f"{live.name} {live.version or ''} is installed but not in the lock"
            yield Mismatch(MismatchKind.EXTRA, ecosystem.value, live.name, message)


def _python(lock: Manifest, capture: Capture) -> Iterator[Mismatch]:
    if not isinstance(capture.python, PythonInfo):
        return
    have = capture.python.version
    want = lock.python.version
    if (
        want
        and compare_versions(want, have, Ecosystem.PYPI) != 0
        and not have.startswith(want + ".")
    ):
        message = f"python: running {have}, lock says {want}"
        yield Mismatch(MismatchKind.WRONG_PYTHON, "pypi", "python", message)
    elif lock.python.requires:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            allowed = SpecifierSet(lock.python.requires).contains(have, prereleases=True)
        except InvalidSpecifier:
            return
        if not allowed:
            message = f"python: running {have}, lock requires {lock.python.requires}"
            yield Mismatch(MismatchKind.WRONG_PYTHON, "pypi", "python", message)


def verify_environment(
    lock: Manifest, capture: Capture, live: Manifest, *, target: str, allow_extra: bool = False
) -> VerifyResult:
    """Compare every lock entry that applies to the captured interpreter with what is installed."""
    installed = installed_packages(capture, live)
    mismatches: list[Mismatch] = list(_python(lock, capture))
    platforms = set(lock.platforms)
    if platforms and installed.platform and installed.platform not in platforms | {"noarch"}:
        message = f"the lock covers {', '.join(sorted(platforms))}, this is {installed.platform}"
        mismatches.append(Mismatch(MismatchKind.WRONG_PLATFORM, "", "", message))
    matched = not_applicable = 0
    for entries in _grouped(lock.packages):
        applicable = [entry for entry in entries if _applies(entry, installed)]
        not_applicable += len(entries) - len(applicable)
        outcomes = [_check_one(entry, installed) for entry in applicable]
        if not outcomes:
            continue
        if any(outcome is True for outcome in outcomes):
            matched += 1
        elif all(outcome is False for outcome in outcomes):
            not_applicable += 1
        else:
            mismatches.append(next(o for o in outcomes if isinstance(o, Mismatch)))
    if not allow_extra:
        mismatches.extend(_extras(lock, installed))
    return VerifyResult(lock.source, target, tuple(mismatches), matched, not_applicable)


def _grouped(packages: Iterable[Package]) -> list[list[Package]]:
    """Entries of one package (per marker, platform or group) are checked together."""
    groups: dict[tuple[str, str], list[Package]] = {}
    for package in packages:
        groups.setdefault((package.ecosystem.value, package.key), []).append(package)
    return list(groups.values())
