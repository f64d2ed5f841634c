"""Four fake machines, built file by file, shared by the snapshot and the focused tests."""

from __future__ import annotations

import json
from typing import Any

from envaudit.capture.python import InterpreterFacts
from tests.capture.fakes import NVRM_535, SITE, FakeMachine, facts

TORCH_VERSION_PY = """from typing import Optional

__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']
__version__ = '{version}'
debug = False
cuda: Optional[str] = {cuda}
git_version = '{git}'
hip: Optional[str] = None
"""


def torch(fake: FakeMachine, version: str, cuda: str | None, site: str = SITE, **kw: Any) -> None:
    text = TORCH_VERSION_PY.format(
        version=version, cuda=repr(cuda), git="5c4886908584029761b579af026dcfb627c84070"
    )
    fake.dist("torch", version, site, requested=True, files={"torch/version.py": text, **kw})


def cudnn_header(major: int, minor: int, patch: int) -> str:
    return (
        "/* cudnn_version.h */\n#ifndef CUDNN_VERSION_H_\n"
        f"#define CUDNN_MAJOR {major}\n#define CUDNN_MINOR {minor}\n"
        f"#define CUDNN_PATCHLEVEL {patch}\n"
        "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n"
    )


def nccl_header(major: int, minor: int, patch: int) -> str:
    code = major * 10000 + minor * 100 + patch
    return (
        f"#define NCCL_MAJOR {major}\n#define NCCL_MINOR {minor}\n#define NCCL_PATCH {patch}\n"
        f'#define NCCL_SUFFIX ""\n#define NCCL_VERSION_CODE {code}\n'
    )


def toolkit(fake: FakeMachine, version: str, *, driver: str | None = None) -> str:
    """/usr/local/cuda-X.Y with version.json (11.1+ layout) and a versioned libcudart."""
    major_minor = ".".join(version.split(".")[:2])
    base = f"/usr/local/cuda-{major_minor}"
    data: dict[str, Any] = {"cuda": {"name": "CUDA SDK", "version": version}}
    if driver:
        data["nvidia_driver"] = {"name": "NVIDIA Linux Driver", "version": driver}
    fake.write(f"{base}/version.json", json.dumps(data))
    fake.write(f"{base}/bin/nvcc", "#!/bin/false\n")
    fake.write(f"{base}/include/cuda_runtime_api.h", "#define CUDART_VERSION 12040\n")
    fake.write(f"{base}/targets/x86_64-linux/lib/libcudart.so.{major_minor}.127")
    fake.link(
        f"{base}/targets/x86_64-linux/lib/libcudart.so.{version.split('.', maxsplit=1)[0]}",
        f"libcudart.so.{major_minor}.127",
    )
    return base


GPU_NODE_ENV = {
    "PATH": "/usr/local/cuda/bin:/usr/bin:/bin",
    "CUDA_VISIBLE_DEVICES": "0,1",
    "OMP_NUM_THREADS": "8",
    "PIP_EXTRA_INDEX_URL": "https://ci:s3cret@download.pytorch.org/whl/cu121",
    "HF_TOKEN": "hf_do_not_capture",
    "NCCL_IB_DISABLE": "1",
    "HOME": "/root",
}


def gpu_node_cu121(fake: FakeMachine) -> tuple[InterpreterFacts, dict[str, str]]:
    """Driver 535, torch cu121 with CUDA 12 wheels, a 12.4 toolkit on PATH, cuDNN 8 wheel."""
    fake.base_system()
    fake.write("/proc/1/cgroup", "0::/kubepods/besteffort/pod1234/abcd\n")
    fake.write("/proc/driver/nvidia/version", NVRM_535)
    fake.write("/opt/venv/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.11.9\nuv = 0.5.11\n")
    torch(fake, "2.1.2+cu121", "12.1")
    fake.dist(
        "nvidia-cuda-runtime-cu12",
        "12.1.105",
        files={"nvidia/cuda_runtime/lib/libcudart.so.12": ""},
    )
    fake.dist(
        "nvidia-cudnn-cu12",
        "8.9.2.26",
        files={
            "nvidia/cudnn/include/cudnn_version.h": cudnn_header(8, 9, 2),
            "nvidia/cudnn/lib/libcudnn.so.8": "",
        },
    )
    fake.dist(
        "nvidia-nccl-cu12",
        "2.18.1",
        files={
            "nvidia/nccl/include/nccl.h": nccl_header(2, 18, 1),
            "nvidia/nccl/lib/libnccl.so.2": "",
        },
    )
    fake.dist("numpy", "1.26.4", requested=True)
    base = toolkit(fake, "12.4.1", driver="550.54.15")
    fake.link("/usr/local/cuda", "cuda-12.4")
    fake.write("/etc/ld.so.conf.d/988_cuda-12.conf", f"{base}/targets/x86_64-linux/lib\n")
    return facts(), dict(GPU_NODE_ENV)


def cu13_old_driver(fake: FakeMachine) -> tuple[InterpreterFacts, dict[str, str]]:
    """torch cu130 with the CUDA 13 wheel layout (nvidia/cu13/lib) on a 535 driver: too old."""
    fake.base_system()
    fake.write("/.dockerenv")
    fake.write("/proc/driver/nvidia/version", NVRM_535)
    fake.write("/opt/venv/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\n")
    torch(fake, "2.9.0+cu130", "13.0")
    fake.dist("nvidia-cuda-runtime", "13.0.96", files={"nvidia/cu13/lib/libcudart.so.13": ""})
    fake.dist(
        "nvidia-cudnn-cu13",
        "9.13.0.50",
        files={
            "nvidia/cudnn/include/cudnn_version.h": cudnn_header(9, 13, 0),
            "nvidia/cudnn/lib/libcudnn.so.9": "",
        },
    )
    fake.dist("nvidia-nccl-cu13", "2.27.7", files={"nvidia/nccl/lib/libnccl.so.2": ""})
    return facts(), {"PATH": "/usr/bin:/bin"}


USER_SITE = "/root/.local/lib/python3.11/site-packages"


def cpu_laptop(fake: FakeMachine) -> tuple[InterpreterFacts, dict[str, str]]:
    """No driver, CPU torch, an old 10.2 toolkit (version.txt), cuDNN 7 in /usr/include/cudnn.h,
    a user-site numpy shadowing the venv's, an egg-info and a broken dist-info."""
    fake.base_system()
    torch(fake, "2.3.1+cpu", None)
    fake.dist("numpy", "1.26.4", USER_SITE, installer=None)
    fake.dist("numpy", "2.0.0", requested=True)
    fake.write(
        f"{SITE}/legacy_pkg-0.3-py3.11.egg-info/PKG-INFO", "Name: legacy-pkg\nVersion: 0.3\n"
    )
    fake.write(f"{SITE}/broken-1.0.dist-info/RECORD", "")
    fake.dist(
        "mylib",
        "0.1.0",
        direct_url={"url": "file:///home/me/src/mylib", "dir_info": {"editable": True}},
    )
    fake.write("/usr/local/cuda-10.2/version.txt", "CUDA Version 10.2.89\n")
    fake.write("/usr/local/cuda-10.2/include/cuda.h", "#define CUDA_VERSION 10020\n")
    fake.write(
        "/usr/include/cudnn.h",
        "#define CUDNN_MAJOR 7\n#define CUDNN_MINOR 6\n#define CUDNN_PATCHLEVEL 5\n",
    )
    sys_path = (USER_SITE, SITE)
    return facts(sys_path=sys_path), {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"}


CONDA_PREFIX = "/opt/conda/envs/ml"
CONDA_SITE = f"{CONDA_PREFIX}/lib/python3.10/site-packages"


def conda_record(name: str, version: str, build: str, channel: str) -> str:
    return json.dumps(
        {
            "name": name,
            "version": version,
            "build": build,
            "build_number": 0,
            "channel": f"https://conda.anaconda.org/{channel}/linux-64",
            "subdir": "linux-64",
            "md5": "0123456789ABCDEF0123456789abcdef",
            "url": f"https://conda.anaconda.org/{channel}/linux-64/{name}-{version}-{build}.conda",
            "files": ["lib/placeholder"],
        }
    )


def conda_cuda11(fake: FakeMachine) -> tuple[InterpreterFacts, dict[str, str]]:
    """A conda env (cudatoolkit 11.8, cuDNN 8 header) with a pip torch 1.13 cu117 that bundles
    libcudnn.so.8, on a 470 driver: CUDA 11 runs only through minor version compatibility."""
    fake.base_system()
    fake.write(
        "/proc/driver/nvidia/version",
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.82.01  Wed Oct 27 2021\n",
    )
    meta = f"{CONDA_PREFIX}/conda-meta"
    records = [
        ("python", "3.10.13", "hd12c33a_0", "conda-forge"),
        ("cudatoolkit", "11.8.0", "h4ba93d1_13", "conda-forge"),
        ("cudnn", "8.9.2.26", "cuda11_0", "conda-forge"),
        ("nccl", "2.18.3.1", "h12f7317_0", "conda-forge"),
        ("numpy", "1.24.4", "py310ha4c1d20_0", "pkgs/main"),
    ]
    for name, version, build, channel in records:
        fake.write(
            f"{meta}/{name}-{version}-{build}.json", conda_record(name, version, build, channel)
        )
    fake.write(f"{meta}/history", "==> 2024-01-01 <==\n")
    fake.write(f"{CONDA_PREFIX}/include/cudnn_version.h", cudnn_header(8, 9, 2))
    torch(fake, "1.13.1+cu117", "11.7", CONDA_SITE, **{"torch/lib/libcudnn.so.8": ""})
    fake.dist(
        "nvidia-cuda-runtime-cu11",
        "11.7.99",
        CONDA_SITE,
        files={
            "nvidia/cuda_runtime/lib/libcudart.so.11.0": "",
        },
    )
    fake.dist("numpy", "1.24.4", CONDA_SITE, installer="conda")
    fake.write(f"{CONDA_PREFIX}/lib/libcudart.so.11.8.89")
    environ = {"PATH": f"{CONDA_PREFIX}/bin:/usr/bin", "LD_LIBRARY_PATH": f"{CONDA_PREFIX}/lib"}
    environ["CONDA_PREFIX"] = CONDA_PREFIX
    interpreter = facts(
        prefix=CONDA_PREFIX, sys_path=(CONDA_SITE,), version="3.10.13", base_prefix=CONDA_PREFIX
    )
    return interpreter, environ


MACHINES = {
    "gpu_node_cu121": gpu_node_cu121,
    "cu13_old_driver": cu13_old_driver,
    "cpu_laptop": cpu_laptop,
    "conda_cuda11": conda_cuda11,
}
