"""``rms_norm``, ``instance_norm`` and ``local_response_norm`` (torch's formulas), re-exported by
``nn.functional``."""
from __future__ import annotations

import numbers
from typing import Any

from .._promotion import _expect
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

_EPS = {"float16": 0.0009765625, "bfloat16": 0.0078125, "float32": 1.1920928955078125e-07,
        "float64": 2.220446049250313e-16}  # torch.finfo(dtype).eps, rms_norm's default


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the last ``len(normalized_shape)`` dims, times ``weight``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    if not input.is_floating_point():
        raise RuntimeError(f"rms_norm: expected a floating point input, got {input.dtype}")
    if not shape or input.ndim < len(shape) or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], but got "
            f"input of size{list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: expected weight of shape {list(shape)}, got {list(weight.shape)}")
    eps = _EPS[input.dtype.name] if eps is None else eps
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its positions: batch norm of the (1, N C, *) reshape, whose
    running statistics (when given) are averaged over the batch back into ``running_mean``/``running_var``."""
    _expect(input, Tensor, "instance_norm", "input")
    from .functional import batch_norm

    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher input (N, C, *), got {list(input.shape)}")
    n, c = input.shape[:2]
    if use_input_stats and input.numel() // max(n * c, 1) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    repeated = [None if t is None else t.detach().repeat(n) for t in (running_mean, running_var)]
    out = batch_norm(input.reshape(1, n * c, *input.shape[2:]), repeated[0], repeated[1],
                     None if weight is None else weight.repeat(n), None if bias is None else bias.repeat(n),
                     use_input_stats, momentum, eps)
    if use_input_stats:
        with no_grad():
            for stats, updated in zip((running_mean, running_var), repeated):
                if stats is not None and updated is not None:
                    stats.copy_(updated.reshape(n, c).mean(0))
    return out.reshape(input.shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta (zero-padded, as torch)."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    from .functional import pad

    squares = (input * input).movedim(1, -1)  # channels last, so pad reaches them
    squares = pad(squares, (size // 2, (size - 1) // 2))
    channels = input.shape[1]
    window: Any = sum(squares[..., i:i + channels] for i in range(size)) / size  # (a Tensor: size >= 1)
    return input / (window.movedim(-1, 1) * alpha + k) ** beta


__all__ = ["rms_norm", "instance_norm", "local_response_norm"]
