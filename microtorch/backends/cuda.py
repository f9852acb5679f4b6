"""``microtorch.backends.cuda``: torch's CUDA flags. They are settable and change nothing in microtorch:
CuPy's matmul follows CuPy's own settings, and there are no fused attention kernels to pick."""
from __future__ import annotations

from ._flags import Flags

matmul = Flags(
    "torch.backends.cuda.matmul", allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
    allow_bf16_reduced_precision_reduction=True, fp32_precision="none",
)
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def is_built() -> bool:
    """Whether the cuda backend can be imported (CuPy is installed)."""
    from .. import cuda

    return cuda.is_available()


def flash_sdp_enabled() -> bool:
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    _sdp["math"] = bool(enabled)


def cudnn_sdp_enabled() -> bool:
    return _sdp["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    _sdp["cudnn"] = bool(enabled)


def preferred_linalg_library(backend: str | None = None) -> str:
    """Accepted for torch's API; microtorch's linear algebra is the array library's."""
    return "default"
