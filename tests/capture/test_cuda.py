"""The CUDA probe, one source at a time: torch, wheels (11/12/13 layouts), toolkits, loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.capture.cuda import (
    DriverContext,
    nvcc_on_path,
    parse_torch_version_py,
    probe_cuda,
    toolkit_version,
)
from envaudit.capture.libs import loader_dirs
from envaudit.capture.model import CudaInfo, DriverVerdict, RuntimeSource, TorchBuild, Unknown
from envaudit.capture.packages import scan_packages
from tests.capture.fakes import SITE, FakeMachine
from tests.capture.machines import toolkit, torch


def cuda_of(
    machine: FakeMachine, environ: dict[str, str] | None = None, driver: str | None = None
) -> CudaInfo:
    environ = environ or {}
    scan = scan_packages(machine.root, [SITE])
    return probe_cuda(
        machine.root,
        environ=environ,
        installed=list(scan.installed),
        conda=Unknown("no conda"),
        driver=DriverContext(driver),
        loader_dirs=loader_dirs(machine.root, environ),
    )


def test_torch_version_py_variants() -> None:
    old_style = "__version__ = '1.13.1+cu117'\ncuda = '11.7'\ngit_version = 'abc'\nhip = None\n"
    build = parse_torch_version_py(old_style, "/t/version.py")
    assert build == TorchBuild("1.13.1+cu117", "11.7", None, "abc", "/t/version.py")
    rocm = '__version__ = "2.3.0+rocm6.0"\ncuda: Optional[str] = None\nhip: Optional[str] = "6.0.32830"\n'
    build = parse_torch_version_py(rocm, "/t/version.py")
    assert isinstance(build, TorchBuild) and (build.cuda, build.hip) == (None, "6.0.32830")
    assert parse_torch_version_py("x = 1\n", "/t/version.py") == Unknown(
        "/t/version.py: no __version__ assignment"
    )


def test_torch_without_version_py_is_unknown(machine: FakeMachine) -> None:
    machine.dist("torch", "2.4.0")
    cuda = cuda_of(machine)
    assert cuda.torch == Unknown(
        f"torch 2.4.0 is installed but {SITE}/torch/version.py is unreadable"
    )


@pytest.mark.parametrize(
    ("name", "version", "lib", "cuda"),
    [
        (
            "nvidia-cuda-runtime-cu11",
            "11.8.89",
            "nvidia/cuda_runtime/lib/libcudart.so.11.0",
            "11.8",
        ),
        ("nvidia-cuda-runtime-cu12", "12.4.127", "nvidia/cuda_runtime/lib/libcudart.so.12", "12.4"),
        ("nvidia-cuda-runtime", "13.0.96", "nvidia/cu13/lib/libcudart.so.13", "13.0"),
    ],
)
def test_runtime_wheel_layouts(
    machine: FakeMachine, name: str, version: str, lib: str, cuda: str
) -> None:
    machine.dist(name, version, files={lib: ""})
    (runtime,) = cuda_of(machine, driver="580.65.06").runtimes
    assert (runtime.source, runtime.version, runtime.cuda, runtime.package) == (
        RuntimeSource.WHEEL,
        version,
        cuda,
        name,
    )
    assert runtime.path == f"{SITE}/{lib}"
    assert runtime.driver_verdict is DriverVerdict.FULL


def test_wheel_whose_library_is_missing_still_reports_the_version(machine: FakeMachine) -> None:
    machine.dist("nvidia-cuda-runtime-cu12", "12.1.105")
    (runtime,) = cuda_of(machine).runtimes
    assert (runtime.version, runtime.path) == ("12.1.105", None)


def test_toolkit_version_sources(machine: FakeMachine) -> None:
    toolkit(machine, "12.4.1")
    machine.write("/usr/local/cuda-11.0/version.txt", "CUDA Version 11.0.228\n")
    machine.mkdir("/usr/local/cuda-13.0/dist-info/nvidia_cuda_runtime-13.0.96.dist-info")
    machine.write(
        "/usr/local/cuda-12.9/include/cuda_runtime_api.h", "#define CUDART_VERSION  12090\n"
    )
    machine.write("/usr/local/cuda-9.9/include/cuda.h", "/* no version */\n")
    root = machine.root
    assert toolkit_version(root, "/usr/local/cuda-12.4") == ("12.4.1", "version.json")
    assert toolkit_version(root, "/usr/local/cuda-11.0") == ("11.0.228", "version.txt")
    assert toolkit_version(root, "/usr/local/cuda-13.0") == ("13.0.96", "dist-info")
    assert toolkit_version(root, "/usr/local/cuda-12.9") == ("12.9", "cuda_runtime_api.h")
    assert isinstance(toolkit_version(root, "/usr/local/cuda-9.9"), Unknown)


def test_toolkit_is_not_torchs_runtime(machine: FakeMachine) -> None:
    torch(machine, "2.3.1+cu121", "12.1")
    toolkit(machine, "12.6.3")
    machine.link("/usr/local/cuda", "/usr/local/cuda-12.6")  # absolute link, resolved in the root
    cuda = cuda_of(machine, {"PATH": "/usr/local/cuda/bin:/usr/bin"}, driver="560.35.05")
    by_source = {r.source: r for r in cuda.runtimes}
    assert by_source[RuntimeSource.TORCH].cuda == "12.1"
    assert by_source[RuntimeSource.TOOLKIT].cuda == "12.6"
    assert by_source[RuntimeSource.TOOLKIT].driver_verdict is DriverVerdict.FULL
    (found,) = cuda.toolkits
    assert (found.path, found.aliases, found.on_path) == (
        "/usr/local/cuda-12.6",
        ("/usr/local/cuda",),
        True,
    )
    assert cuda.nvcc_on_path == "/usr/local/cuda/bin/nvcc"


def test_nvcc_wrapper_script_on_path(machine: FakeMachine) -> None:
    toolkit(machine, "13.0.2")
    machine.write("/usr/local/bin/nvcc", '#!/bin/sh\nexec /usr/local/cuda-13.0/bin/nvcc "$@"\n')
    machine.mkdir("/usr/local/include")  # /usr/local is not a toolkit
    environ = {"PATH": "/usr/local/bin:/usr/bin"}
    assert nvcc_on_path(machine.root, environ) == ("/usr/local/bin/nvcc", "/usr/local/cuda-13.0")
    (found,) = cuda_of(machine, environ).toolkits
    assert found.path == "/usr/local/cuda-13.0" and found.on_path


def test_cuda_home_outside_usr_local(machine: FakeMachine) -> None:
    machine.write("/opt/nvidia/cuda/version.json", '{"cuda": {"version": "12.2.2"}}')
    (found,) = cuda_of(machine, {"CUDA_HOME": "/opt/nvidia/cuda/"}).toolkits
    assert (found.path, found.version, found.on_path) == ("/opt/nvidia/cuda", "12.2.2", False)


def test_libcudart_on_ld_library_path_and_ld_so_conf(machine: FakeMachine) -> None:
    machine.write("/etc/ld.so.conf", "include ld.so.conf.d/*.conf\n# comment\n")
    machine.write("/etc/ld.so.conf.d/cuda.conf", "/opt/cuda-libs\n")
    machine.write("/opt/cuda-libs/libcudart.so.12.2.140")
    machine.link("/opt/cuda-libs/libcudart.so", "libcudart.so.12.2.140")
    machine.write("/custom/libcudart.so.11.0")
    environ = {"LD_LIBRARY_PATH": "/custom:relative:/opt/cuda-libs"}
    runtimes = cuda_of(machine, environ).runtimes
    assert [(r.source, r.version, r.cuda, r.path) for r in runtimes] == [
        (RuntimeSource.LD_LIBRARY_PATH, "11.0", "11", "/custom/libcudart.so.11.0"),
        (
            RuntimeSource.LD_LIBRARY_PATH,
            "12.2.140",
            "12.2",
            "/opt/cuda-libs/libcudart.so.12.2.140",
        ),
    ]


def test_nothing_found(machine: FakeMachine) -> None:
    cuda = cuda_of(machine)
    assert (cuda.torch, cuda.runtimes, cuda.toolkits, cuda.nvcc_on_path) == (None, (), (), None)


def test_ld_so_conf_include_cycle_is_bounded(machine: FakeMachine) -> None:
    machine.write("/etc/ld.so.conf", "include /etc/ld.so.conf\n/lib/a\n")
    dirs = [d for _, d in loader_dirs(machine.root, {})]
    assert dirs[0] == "/lib/a"
    assert Path("/")  # the loop above terminated
