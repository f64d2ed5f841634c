"""cuDNN and NCCL: version formulas (v7/8 vs v9), headers, wheels, torch's copy, the loader."""

from __future__ import annotations

from envaudit.capture.cudnn import cudnn_code, probe_cudnn
from envaudit.capture.libs import loader_dirs
from envaudit.capture.model import CondaInfo, CudaToolkit, RuntimeSource, Unknown
from envaudit.capture.nccl import nccl_code, probe_nccl
from envaudit.capture.nvlibs import SearchPlaces
from envaudit.capture.packages import active_packages, scan_packages
from tests.capture.fakes import SITE, FakeMachine
from tests.capture.machines import cudnn_header, nccl_header

OTHER_SITE = "/opt/other/site-packages"
NO_CONDA = Unknown("no conda")


def places(
    machine: FakeMachine,
    environ: dict[str, str] | None = None,
    toolkits: tuple[CudaToolkit, ...] = (),
    conda: CondaInfo | Unknown = NO_CONDA,
    sys_path: tuple[str, ...] = (SITE,),
) -> SearchPlaces:
    scan = scan_packages(machine.root, sys_path)
    return SearchPlaces(
        packages=active_packages(scan),
        toolkits=toolkits,
        conda=conda,
        loader_dirs=tuple(loader_dirs(machine.root, environ or {})),
    )


def test_cudnn_version_formula_changes_at_v9() -> None:
    assert cudnn_code(7, 6, 5) == 7605
    assert cudnn_code(8, 9, 2) == 8902
    assert cudnn_code(9, 1, 0) == 90100
    assert cudnn_code(9, 24, 0) == 92400


def test_nccl_version_code_changes_at_2_9() -> None:
    assert nccl_code(2, 8, 4) == 2804
    assert nccl_code(2, 9, 6) == 20906
    assert nccl_code(2, 30, 7) == 23007


def test_cudnn_8_and_9_headers_in_system_include_dirs(machine: FakeMachine) -> None:
    # Debian/Ubuntu packages: versioned header in the multiarch dir, reached via alternatives
    machine.write("/usr/include/x86_64-linux-gnu/cudnn_version_v9.h", cudnn_header(9, 1, 0))
    machine.link(
        "/etc/alternatives/cudnn_version_h", "/usr/include/x86_64-linux-gnu/cudnn_version_v9.h"
    )
    machine.link("/usr/include/cudnn_version.h", "/etc/alternatives/cudnn_version_h")
    toolkit = CudaToolkit("/usr/local/cuda-11.8", "11.8.0", "version.json", (), None, False, None)
    machine.write("/usr/local/cuda-11.8/include/cudnn_version.h", cudnn_header(8, 6, 0))
    found = probe_cudnn(machine.root, places(machine, toolkits=(toolkit,)))
    assert [(i.source, i.version, i.code, i.path) for i in found] == [
        (RuntimeSource.HEADER, "8.6.0", 8600, "/usr/local/cuda-11.8/include/cudnn_version.h"),
        (RuntimeSource.HEADER, "9.1.0", 90100, "/usr/include/cudnn_version.h"),
    ]


def test_cudnn_v7_version_lives_in_cudnn_h(machine: FakeMachine) -> None:
    machine.write("/usr/local/include/cudnn.h", "#define CUDNN_MAJOR 7\n#define CUDNN_MINOR 6\n")
    (found,) = probe_cudnn(machine.root, places(machine))
    assert (found.version, found.code, found.evidence) == ("7.6.0", 7600, "cudnn.h")


def test_cudnn_wheels_cu12_and_cu13(machine: FakeMachine) -> None:
    machine.dist("nvidia-cudnn-cu12", "9.1.0.70", files={"nvidia/cudnn/lib/libcudnn.so.9": ""})
    machine.dist(
        "nvidia-cudnn-cu13",
        "9.24.0.43",
        OTHER_SITE,
        files={"nvidia/cudnn/include/cudnn_version.h": cudnn_header(9, 24, 0)},
    )
    found = probe_cudnn(machine.root, places(machine, sys_path=(SITE, OTHER_SITE)))
    assert [(i.package, i.version, i.code, i.evidence) for i in found] == [
        ("nvidia-cudnn-cu12", "9.1.0.70", 90100, "dist-info"),
        ("nvidia-cudnn-cu13", "9.24.0.43", 92400, "dist-info + cudnn_version.h"),
    ]
    assert found[0].path == f"{SITE}/nvidia/cudnn/lib/libcudnn.so.9"
    assert found[1].path == f"{OTHER_SITE}/nvidia/cudnn"  # no library in this fake wheel


def test_two_cudnn_wheels_in_one_site_share_files(machine: FakeMachine) -> None:
    """cu12 and cu13 wheels both unpack to nvidia/cudnn: the header shows who won."""
    machine.dist("nvidia-cudnn-cu12", "9.1.0.70")
    machine.dist(
        "nvidia-cudnn-cu13",
        "9.24.0.43",
        files={"nvidia/cudnn/include/cudnn_version.h": cudnn_header(9, 24, 0)},
    )
    found = probe_cudnn(machine.root, places(machine))
    assert [(i.version, i.code) for i in found] == [("9.1.0.70", 92400), ("9.24.0.43", 92400)]


def test_cudnn_and_nccl_on_the_loader_path(machine: FakeMachine) -> None:
    machine.write("/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7")
    machine.link("/usr/lib/x86_64-linux-gnu/libcudnn.so.8", "libcudnn.so.8.9.7")
    machine.write("/usr/lib/x86_64-linux-gnu/libcudnn_ops.so.9")  # a sub-library, not cuDNN itself
    machine.write("/usr/lib/x86_64-linux-gnu/libnccl.so.2.21.5")
    machine.write("/etc/ld.so.conf", "/usr/lib/x86_64-linux-gnu\n")
    (cudnn,) = probe_cudnn(machine.root, places(machine))
    assert (cudnn.source, cudnn.version, cudnn.evidence) == (
        RuntimeSource.LDCONFIG,
        "8.9.7",
        "libcudnn.so.8.9.7",
    )
    (nccl,) = probe_nccl(machine.root, places(machine))
    assert (nccl.version, nccl.path) == ("2.21.5", "/usr/lib/x86_64-linux-gnu/libnccl.so.2.21.5")


def test_nccl_wheel_header_and_none(machine: FakeMachine) -> None:
    assert probe_nccl(machine.root, places(machine)) == ()
    machine.dist(
        "nvidia-nccl-cu12",
        "2.21.5",
        files={
            "nvidia/nccl/include/nccl.h": nccl_header(2, 21, 5),
            "nvidia/nccl/lib/libnccl.so.2": "",
        },
    )
    machine.write(
        "/usr/include/nccl.h", nccl_header(2, 8, 4).replace("NCCL_VERSION_CODE 20804", "X")
    )
    found = probe_nccl(machine.root, places(machine))
    assert [(i.source, i.version, i.code) for i in found] == [
        (RuntimeSource.WHEEL, "2.21.5", 22105),
        (RuntimeSource.HEADER, "2.8.4", 2804),
    ]


def test_torch_bundled_cudnn(machine: FakeMachine) -> None:
    machine.dist("torch", "1.13.1+cu117", files={"torch/lib/libcudnn.so.8": ""})
    (found,) = probe_cudnn(machine.root, places(machine))
    assert (found.source, found.version, found.package) == (RuntimeSource.TORCH, "8", "torch")
