"""On a GPU machine: envaudit's capture against nvidia-smi's and torch's own view.

Not part of CI (no GPU there). Usage: ``python -m benchmarks.gpu_capture_check OUT_DIR``
with envaudit importable and torch and nvidia-smi present. It writes the three views to
OUT_DIR, prints one line per fact (envaudit | nvidia-smi | torch | agree?), and times
``envaudit capture`` against ``python -m torch.utils.collect_env``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_TORCH_VIEW = """
import json, torch
cuda = torch.cuda.is_available()
props = [torch.cuda.get_device_properties(i) for i in range(torch.cuda.device_count())]
print(json.dumps({
    "torch": torch.__version__,
    "cuda_runtime": torch.version.cuda,
    "cudnn": torch.backends.cudnn.version() if cuda else None,
    "nccl": ".".join(map(str, torch.cuda.nccl.version())) if cuda else None,
    "devices": [
        {"name": p.name, "capability": f"{p.major}.{p.minor}", "memory_mib": p.total_memory >> 20}
        for p in props
    ],
}))
"""
_SMI_FIELDS = "name,driver_version,memory.total,compute_cap,uuid"


def _run(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        return 0.0, str(exc)
    return time.perf_counter() - start, result.stdout + result.stderr * (result.returncode != 0)


def _smi() -> dict[str, Any]:
    _, csv = _run(["nvidia-smi", f"--query-gpu={_SMI_FIELDS}", "--format=csv,noheader,nounits"])
    _, header = _run(["nvidia-smi"])
    cuda = next(
        (
            line.split("CUDA Version:")[1].split()[0]
            for line in header.splitlines()
            if "CUDA Version:" in line
        ),
        None,
    )
    devices = []
    for line in csv.strip().splitlines():
        if line.count(",") != len(_SMI_FIELDS.split(",")) - 1:
            continue  # not a query row (nvidia-smi missing or failing)
        name, driver, memory, capability, uuid = (part.strip() for part in line.split(","))
        devices.append(
            {
                "name": name,
                "driver": driver,
                "memory_mib": int(memory),
                "capability": capability,
                "uuid": uuid,
            }
        )
    return {"cuda_driver_api": cuda, "devices": devices, "text": header}


def _uuid_digest(uuid: str | None) -> str | None:
    import hashlib

    return hashlib.sha256(uuid.encode()).hexdigest()[:16] if uuid else None


def _first(items: Any, key: str) -> Any:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get(key)
    return None


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    capture_s, capture_text = _run(
        [sys.executable, "-m", "envaudit", "capture", "--format", "json"]
    )
    (out / "capture.json").write_text(capture_text)
    capture = json.loads(capture_text)
    _, torch_text = _run([sys.executable, "-c", _TORCH_VIEW])
    (out / "torch.json").write_text(torch_text)
    try:
        torch_view = json.loads(torch_text)
    except ValueError:
        print(f"torch's view failed: {torch_text[-500:]}")
        torch_view = {
            "torch": None,
            "cuda_runtime": None,
            "cudnn": None,
            "nccl": None,
            "devices": [],
        }
    smi = _smi()
    (out / "nvidia-smi.txt").write_text(smi.pop("text"))
    collect_s, collect_text = _run([sys.executable, "-m", "torch.utils.collect_env"])
    (out / "collect_env.txt").write_text(collect_text)

    gpu = capture.get("gpu", {})
    cuda = capture.get("cuda", {})
    torch_build = cuda.get("torch") or {}
    runtimes = cuda.get("runtimes", [])
    torch_runtime = next((r for r in runtimes if r.get("package") == "torch"), {})
    smi_device = smi["devices"][0] if smi["devices"] else {}
    torch_device = torch_view["devices"][0] if torch_view["devices"] else {}
    devices = gpu.get("devices")
    facts = [
        ("driver", gpu.get("driver", {}).get("version"), smi_device.get("driver"), None),
        ("CUDA driver API", gpu.get("cuda_driver_api"), smi["cuda_driver_api"], None),
        ("GPU name", _first(devices, "name"), smi_device.get("name"), torch_device.get("name")),
        (
            "compute capability",
            _first(devices, "compute_capability"),
            smi_device.get("capability"),
            torch_device.get("capability"),
        ),
        (
            "GPU memory (MiB)",
            _first(devices, "memory_mib"),
            smi_device.get("memory_mib"),
            torch_device.get("memory_mib"),
        ),
        (
            "GPU uuid (sha256/16)",
            _first(devices, "uuid_sha256"),
            _uuid_digest(smi_device.get("uuid")),
            None,
        ),
        ("torch", torch_build.get("version"), None, torch_view["torch"]),
        ("torch's CUDA (build)", torch_build.get("cuda"), None, torch_view["cuda_runtime"]),
        ("torch's CUDA runtime", torch_runtime.get("version"), None, torch_view["cuda_runtime"]),
        ("cuDNN (code)", _first(capture.get("cudnn"), "code"), None, torch_view["cudnn"]),
        ("NCCL", _first(capture.get("nccl"), "version"), None, torch_view["nccl"]),
    ]
    for fact, ours, smi_value, torch_value in facts:
        others = [str(v) for v in (smi_value, torch_value) if v is not None]
        agree = "-" if not others else "yes" if all(str(ours) == o for o in others) else "NO"
        print(f"{fact:22s} | {ours} | {smi_value} | {torch_value} | {agree}")
    print(
        f"capture {capture_s * 1000:.0f} ms, collect_env {collect_s * 1000:.0f} ms,"
        f" ratio {capture_s / max(collect_s, 1e-9):.3f}"
    )
    print(
        json.dumps(
            {
                "gpu": gpu,
                "cuda": capture.get("cuda"),
                "cudnn": capture.get("cudnn"),
                "nccl": capture.get("nccl"),
            },
            indent=1,
        )[:6000]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
