"""``pairwise_distance`` and ``cosine_similarity`` (torch's formulas), re-exported by ``nn.functional``."""
from __future__ import annotations

from .._functions import broadcast_tensors
from .._tensor import Tensor


def _check_pair(fn: str, x1: Tensor, x2: Tensor) -> None:
    for name, t in (("x1", x1), ("x2", x2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if not x1.is_floating_point() or not x2.is_floating_point():
        raise RuntimeError(f"{fn}: expected floating point inputs, got {x1.dtype} and {x2.dtype}")


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (of the broadcast shape)."""
    _check_pair("pairwise_distance", x1, x2)
    dim = max(x1.ndim, x2.ndim) - 1
    if dim < 0:
        return (x1 - x2 + eps).abs()
    return (x1 - x2 + eps).norm(p, dim, keepdim=keepdim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """||x||_2 over ``dim`` (kept), clamped at ``eps`` as torch does it: under no_grad, so the gradient
    passes as if unclamped."""
    norm = x.norm(2, dim, keepdim=True)
    return norm - (norm - norm.clamp(min=eps)).detach()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along ``dim`` (each normalised first, as torch)."""
    _check_pair("cosine_similarity", x1, x2)
    x1, x2 = broadcast_tensors(x1, x2)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


__all__ = ["pairwise_distance", "cosine_similarity"]
