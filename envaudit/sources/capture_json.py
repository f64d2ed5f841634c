"""Reading ``envaudit capture`` JSON as a manifest: installed packages plus machine facts."""

from __future__ import annotations

from collections.abc import Iterable

from envaudit.analysis.names import conda_key, pypi_key
from envaudit.capture.model import (
    CAPTURE_VERSION_KEY,
    Capture,
    CondaInfo,
    CondaPackage,
    DriverInfo,
    InstalledPackage,
    LibraryInstall,
    SystemInfo,
    TorchBuild,
    Unknown,
)
from envaudit.capture.serialize import CaptureDataError, load_capture
from envaudit.errors import ParseError
from envaudit.model import (
    Ecosystem,
    Hash,
    Index,
    IndexKind,
    Manifest,
    Package,
    PackageSource,
    PythonSpec,
    SourceKind,
    source_info,
)
from envaudit.redact import redact_url
from envaudit.sources.interface import IncludeReader
from envaudit.sources.structured import join_path, load_json

FORMAT_ID = "capture"
DETECT_KEY = CAPTURE_VERSION_KEY  # a top-level "capture_version" key marks a capture file

_INDEX_VARIABLES = (
    ("PIP_INDEX_URL", IndexKind.INDEX_URL),
    ("UV_INDEX_URL", IndexKind.INDEX_URL),
    ("UV_DEFAULT_INDEX", IndexKind.INDEX_URL),
    ("PIP_EXTRA_INDEX_URL", IndexKind.EXTRA_INDEX_URL),
    ("UV_EXTRA_INDEX_URL", IndexKind.EXTRA_INDEX_URL),
    ("UV_INDEX", IndexKind.EXTRA_INDEX_URL),
    ("PIP_FIND_LINKS", IndexKind.FIND_LINKS),
)
_CONDA_SUBDIRS = {
    ("linux", "x86_64"): "linux-64",
    ("linux", "aarch64"): "linux-aarch64",
    ("linux", "ppc64le"): "linux-ppc64le",
    ("darwin", "x86_64"): "osx-64",
    ("darwin", "arm64"): "osx-arm64",
    ("win32", "amd64"): "win-64",
    ("win32", "arm64"): "win-arm64",
}


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    data = load_json(text, origin)
    try:
        capture = load_capture(data)
    except CaptureDataError as exc:
        raise ParseError(origin, exc.message, key_path=exc.key_path) from None
    except RecursionError:
        raise ParseError(origin, "nesting too deep") from None
    return capture_to_manifest(capture, text=text, origin=origin)


def capture_to_manifest(capture: Capture, *, text: str, origin: str) -> Manifest:
    python = capture.python
    conda = capture.conda
    return Manifest(
        source=source_info(FORMAT_ID, origin, text, capture.capture_version),
        python=PythonSpec(version=None if isinstance(python, Unknown) else python.version),
        platforms=_platforms(capture.system),
        channels=_channels(conda.packages) if isinstance(conda, CondaInfo) else (),
        indexes=tuple(_indexes(capture, origin)),
        packages=(*_pypi_packages(capture, origin), *_conda_packages(capture, origin)),
        meta=machine_meta(capture),
    )


def _platforms(system: SystemInfo) -> tuple[str, ...]:
    subdir = _CONDA_SUBDIRS.get((system.platform, system.machine.lower()))
    return (subdir,) if subdir else ()


def _short_channel(channel: str, subdir: str | None) -> str:
    """``https://conda.anaconda.org/conda-forge/linux-64`` -> ``conda-forge``."""
    text = channel.rstrip("/")
    if subdir and text.endswith("/" + subdir):
        text = text[: -len(subdir) - 1]
    for prefix in ("https://conda.anaconda.org/", "https://repo.anaconda.com/"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _channels(packages: Iterable[CondaPackage]) -> tuple[str, ...]:
    names = {_short_channel(p.channel, p.subdir) for p in packages if p.channel}
    return tuple(sorted(names))


def _indexes(capture: Capture, origin: str) -> Iterable[Index]:
    for variable, kind in _INDEX_VARIABLES:
        for url in capture.env.get(variable, "").split():
            yield Index(redact_url(url), kind, origin=f"{origin}:{join_path('env', variable)}")


def _package_source(package: InstalledPackage) -> PackageSource:
    direct = package.direct_url
    if direct is None:
        return PackageSource()
    if direct.kind == "vcs":
        commit = direct.commit
        return PackageSource(
            kind=SourceKind.VCS,
            url=redact_url(direct.url),
            vcs=direct.vcs,
            ref=direct.requested_revision,
            commit=commit,
            subdirectory=direct.subdirectory,
        )
    is_local = direct.url.startswith("file:")
    if direct.kind == "dir":
        kind = SourceKind.DIRECTORY
    else:
        kind = SourceKind.FILE if is_local else SourceKind.URL
    return PackageSource(
        kind=kind,
        url=redact_url(direct.url),
        subdirectory=direct.subdirectory,
        editable=direct.editable,
    )


def _archive_hashes(package: InstalledPackage) -> tuple[Hash, ...]:
    direct = package.direct_url
    if direct is None or not direct.archive_hash or "=" not in direct.archive_hash:
        return ()
    alg, _, value = direct.archive_hash.partition("=")
    return (Hash(alg.lower(), value.lower()),)


def _pypi_packages(capture: Capture, origin: str) -> Iterable[Package]:
    for index, package in enumerate(capture.packages.installed):
        if package.shadowed:
            continue
        local = package.version.partition("+")[2]
        yield Package(
            name=package.name,
            key=pypi_key(package.name),
            ecosystem=Ecosystem.PYPI,
            version=package.version,
            build=local or None,
            source=_package_source(package),
            hashes=_archive_hashes(package),
            origin=f"{origin}:{join_path(join_path('packages', 'installed'), index)}",
        )


def _conda_packages(capture: Capture, origin: str) -> Iterable[Package]:
    conda = capture.conda
    if isinstance(conda, Unknown):
        return
    for index, package in enumerate(conda.packages):
        hashes = {Hash("md5", package.md5)} if package.md5 else set()
        if package.sha256:
            hashes.add(Hash("sha256", package.sha256))
        yield Package(
            name=package.name,
            key=conda_key(package.name),
            ecosystem=Ecosystem.CONDA,
            version=package.version,
            build=package.build,
            channel=_short_channel(package.channel, package.subdir) if package.channel else None,
            source=PackageSource(url=package.url),
            hashes=tuple(sorted(hashes, key=lambda h: (h.alg, h.value))),
            platform=package.subdir,
            origin=f"{origin}:{join_path(join_path('conda', 'packages'), index)}",
        )


def _joined(values: Iterable[str]) -> str:
    return ", ".join(sorted(set(values)))


def _library_meta(section: str, installs: Iterable[LibraryInstall]) -> dict[str, str]:
    by_source: dict[str, list[str]] = {}
    for install in installs:
        by_source.setdefault(f"{section}.{install.source.value}", []).append(install.version or "?")
    return {key: _joined(values) for key, values in by_source.items()}


def machine_meta(capture: Capture) -> dict[str, str]:
    """Flat machine facts (``gpu.driver``, ``cuda.torch``...) for diff to report as drift."""
    meta: dict[str, str] = {f"capture.{k}": v for k, v in capture.meta.items()}
    meta |= _python_system_meta(capture)
    meta |= _gpu_meta(capture)
    meta |= _cuda_meta(capture)
    meta |= _library_meta("cudnn", capture.cudnn)
    meta |= _library_meta("nccl", capture.nccl)
    meta |= {f"env.{name}": value for name, value in capture.env.items()}
    return meta


def _python_system_meta(capture: Capture) -> dict[str, str]:
    meta: dict[str, str] = {}
    python, system = capture.python, capture.system
    if not isinstance(python, Unknown):
        meta |= {"python.implementation": python.implementation, "python.kind": python.kind.value}
        meta |= {"python.version": python.version, "python.abi": python.abi or ""}
    if isinstance(capture.conda, CondaInfo):
        meta["conda.prefix"] = capture.conda.prefix
    meta |= {"system.platform": system.platform, "system.machine": system.machine}
    if not isinstance(system.os, Unknown):
        meta["os.id"] = system.os.id or ""
        meta["os.version_id"] = system.os.version_id or ""
        meta["os.pretty_name"] = system.os.pretty_name or ""
    if isinstance(system.kernel, str):
        meta["os.kernel"] = system.kernel
    if isinstance(system.libc, str):
        meta["os.libc"] = system.libc
    if not isinstance(system.cpu, Unknown):
        meta["cpu.model"] = system.cpu.model or ""
        meta["cpu.isa"] = ",".join(system.cpu.isa_flags)
    return {key: value for key, value in meta.items() if value}


def _gpu_meta(capture: Capture) -> dict[str, str]:
    gpu = capture.gpu
    meta: dict[str, str] = {}
    if isinstance(gpu.driver, DriverInfo):
        meta["gpu.driver"] = gpu.driver.version
    if isinstance(gpu.cuda_driver_api, str):
        meta["gpu.cuda_driver_api"] = gpu.cuda_driver_api
    if not isinstance(gpu.devices, Unknown):
        meta["gpu.count"] = str(len(gpu.devices))
        for device in gpu.devices:
            meta[f"gpu.{device.index}.name"] = device.name
            if device.compute_capability:
                meta[f"gpu.{device.index}.compute_capability"] = device.compute_capability
    return meta


def _cuda_meta(capture: Capture) -> dict[str, str]:
    cuda = capture.cuda
    meta: dict[str, str] = {}
    if isinstance(cuda.torch, TorchBuild):
        meta["torch.version"] = cuda.torch.version
        if cuda.torch.git_version:
            meta["torch.git_version"] = cuda.torch.git_version
    by_source: dict[str, list[str]] = {}
    for runtime in cuda.runtimes:
        by_source.setdefault(f"cuda.{runtime.source.value}", []).append(runtime.version)
        verdict_key = f"cuda.{runtime.source.value}.driver"
        by_source.setdefault(verdict_key, []).append(runtime.driver_verdict.value)
    meta |= {key: _joined(values) for key, values in by_source.items()}
    if cuda.nvcc_on_path:
        meta["cuda.nvcc_on_path"] = cuda.nvcc_on_path
    return meta
