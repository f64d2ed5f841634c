"""The environment probe: allow-listed variables only, index URLs redacted; never the rest."""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.redact import redact_text

ALLOWED = frozenset(
    {
        "CUDA_VISIBLE_DEVICES",
        "CUDA_DEVICE_ORDER",
        "CUDA_LAUNCH_BLOCKING",
        "CUDA_MODULE_LOADING",
        "CUDA_HOME",
        "CUDA_PATH",
        "CUBLAS_WORKSPACE_CONFIG",
        "NVIDIA_VISIBLE_DEVICES",
        "NVIDIA_DRIVER_CAPABILITIES",
        "PYTHONHASHSEED",
        "PYTHONPATH",
        "PYTHONNOUSERSITE",
        "PYTHONSAFEPATH",
        "PYTHONUTF8",
        "LD_LIBRARY_PATH",
        "LD_PRELOAD",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "TORCH_CUDA_ARCH_LIST",
        "PYTORCH_CUDA_ALLOC_CONF",
        "TF_DETERMINISTIC_OPS",
        "TF_CUDNN_DETERMINISTIC",
        "TF_ENABLE_ONEDNN_OPTS",
        "XLA_FLAGS",
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_FIND_LINKS",
        "UV_INDEX_URL",
        "UV_EXTRA_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_INDEX",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "VIRTUAL_ENV",
    }
)
ALLOWED_PREFIXES = ("OMP_", "KMP_", "MKL_", "NCCL_", "CUDNN_")
# Never captured, whatever the allow-list says (NCCL_* or MKL_* could still hold one).
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "AUTH")


def is_allowed(name: str) -> bool:
    if any(word in name.upper() for word in _SECRET_WORDS):
        return False
    return name in ALLOWED or name.startswith(ALLOWED_PREFIXES)


def probe_env(environ: Mapping[str, str]) -> dict[str, str]:
    return {name: redact_text(value) for name, value in sorted(environ.items()) if is_allowed(name)}
