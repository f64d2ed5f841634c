"""System, environment and conda probes."""

from __future__ import annotations

from envaudit.capture.conda import parse_conda_record, probe_conda
from envaudit.capture.env import is_allowed, probe_env
from envaudit.capture.model import CondaInfo, OsRelease, Unknown
from envaudit.capture.system import parse_cpuinfo, parse_os_release, probe_system
from tests.capture.fakes import FakeMachine, facts


def test_os_release_quotes_comments_and_fallback_name() -> None:
    assert parse_os_release('# c\nID="rhel"\nVERSION_ID=\'9.4\'\nNAME="Red Hat"\n') == OsRelease(
        "rhel", "9.4", "Red Hat"
    )


def test_cpuinfo_x86_and_aarch64() -> None:
    x86 = parse_cpuinfo("processor : 0\nmodel name : X\nflags : sse avx2 fma avx512f zzz\n", 4)
    assert (x86.model, x86.logical_cpus, x86.usable_cpus) == ("X", 1, 4)
    assert x86.isa_flags == ("avx2", "avx512f", "fma")
    arm = parse_cpuinfo("processor : 0\nFeatures : fp asimd sve2 bf16\nprocessor : 1\n", None)
    assert (arm.model, arm.logical_cpus, arm.isa_flags) == (None, 2, ("asimd", "bf16", "sve2"))


def test_empty_root_gives_unknowns_with_reasons(machine: FakeMachine) -> None:
    system = probe_system(machine.root, facts(libc=None))
    assert system.os == Unknown("no /etc/os-release or /usr/lib/os-release")
    assert system.kernel == Unknown("/proc/sys/kernel/osrelease unreadable")
    assert system.cpu == Unknown("/proc/cpuinfo unreadable")
    assert system.libc == Unknown("the interpreter reports no C library version")
    assert system.container is None


def test_container_hints(machine: FakeMachine) -> None:
    machine.write("/run/.containerenv")
    assert probe_system(machine.root, facts()).container == "podman (/run/.containerenv)"


def test_env_is_allow_listed_and_redacted() -> None:
    environ = {
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
        "MKL_NUM_THREADS": "4",
        "PIP_INDEX_URL": "https://user:pw@pypi.example/simple",
        "UV_INDEX_URL": "https://pypi.example/simple?token=abc",
        "NCCL_SOCKET_IFNAME": "eth0",
        "NCCL_API_TOKEN": "nope",
        "AWS_SECRET_ACCESS_KEY": "nope",
        "HOME": "/root",
        "PATH": "/usr/bin",
    }
    assert probe_env(environ) == {
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
        "MKL_NUM_THREADS": "4",
        "NCCL_SOCKET_IFNAME": "eth0",
        "PIP_INDEX_URL": "https://***@pypi.example/simple",
        "UV_INDEX_URL": "https://pypi.example/simple?token=***",
    }
    assert not is_allowed("GITHUB_TOKEN")


def test_conda_records(machine: FakeMachine) -> None:
    record = parse_conda_record(
        '{"name": "numpy", "version": "1.26.4", "build": "py311h_0", "channel":'
        ' "https://u:p@conda.example/main/linux-64", "subdir": "linux-64", "md5": "ABC",'
        ' "sha256": "DEF", "url": "https://u:p@conda.example/main/linux-64/numpy.conda"}'
    )
    assert record is not None
    assert (record.md5, record.sha256) == ("abc", "def")
    assert record.channel == "https://***@conda.example/main/linux-64"
    for bad in ("", "[]", '{"name": "x"}', '{"name": 1, "version": "1"}'):
        assert parse_conda_record(bad) is None


def test_conda_prefix_order_and_absence(machine: FakeMachine) -> None:
    assert probe_conda(machine.root, ["/venv", "/opt/conda"]) == Unknown(
        "not a conda environment: /venv/conda-meta absent"
    )
    machine.write("/opt/conda/conda-meta/zlib-1.3-h0.json", '{"name": "zlib", "version": "1.3"}')
    machine.write("/opt/conda/conda-meta/bad.json", "{")
    found = probe_conda(machine.root, ["/venv", "/opt/conda"])
    assert isinstance(found, CondaInfo)
    assert (found.prefix, [p.name for p in found.packages]) == ("/opt/conda", ["zlib"])
