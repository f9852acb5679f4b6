"""aten-level functions torch exposes at its top level (``torch.native_layer_norm``, ``torch.grid_sampler_2d``,
...): the functional layers' results together with the statistics they computed, or integer-coded options.

The statistics (mean, reciprocal standard deviation) are returned without a gradient where torch's are.
"""
from __future__ import annotations

from typing import Any

from ._creation import empty
from ._signatures import write_out
from ._tensor import Tensor
from .autograd.grad_mode import no_grad

__all__ = ["native_layer_norm", "native_batch_norm", "native_group_norm", "grid_sampler", "grid_sampler_2d",
           "grid_sampler_3d"]


def _statistics(x: Tensor, dims: tuple, eps: float, keepdim: bool) -> tuple:
    """The mean and 1 / sqrt(biased variance + eps) of x over ``dims``."""
    mean = x.mean(dims, keepdim=keepdim)
    return mean, (x.var(dims, correction=0, keepdim=keepdim) + eps).rsqrt()


def native_layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None, bias: Tensor | None,
                      eps: float) -> tuple:
    """``(layer_norm(input), mean, rstd)``, the statistics over the trailing ``normalized_shape`` dims kept as
    size-1 dims. grad: layer_norm's, for the first output only."""
    from .nn.functional import layer_norm

    out = layer_norm(input, normalized_shape, weight, bias, eps)
    dims = tuple(range(input.ndim - len(tuple(normalized_shape)), input.ndim))
    with no_grad():
        mean, rstd = _statistics(input.detach(), dims, eps, keepdim=True)
    return out, mean, rstd


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                      running_var: Tensor | None, training: bool, momentum: float, eps: float, *,
                      out: Any = None) -> tuple:
    """``(batch_norm(input), save_mean, save_invstd)``: the batch's per-channel statistics when ``training``
    (the running ones are updated in place), else two empty tensors. grad: batch_norm's, for the first output."""
    from .nn.functional import batch_norm

    if training:
        with no_grad():
            dims = (0,) + tuple(range(2, input.ndim))
            mean, invstd = _statistics(input.detach(), dims, eps, keepdim=False)
    else:
        mean = invstd = empty((0,), dtype=input.dtype, device=input.device)
    result = batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    return write_out(out, (result, mean, invstd), "native_batch_norm")


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int, C: int, HxW: int,
                      group: int, eps: float) -> tuple:
    """``(group_norm(input), mean, rstd)``, the statistics of shape (N, group). grad: of all three outputs."""
    from .nn.functional import group_norm

    if input.numel() != N * C * HxW:
        raise RuntimeError(f"Expected input to have {N * C * HxW} elements (N={N}, C={C}, HxW={HxW}), "
                           f"got {input.numel()}")
    out = group_norm(input, group, weight, bias, eps)
    mean, rstd = _statistics(input.reshape(N, group, C // group * HxW), (2,), eps, keepdim=False)
    return out, mean, rstd


_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    """``grid_sample`` with torch's integer codes: mode 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros,
    1 border, 2 reflection. grad: grid_sample's."""
    from .nn.functional import grid_sample

    if interpolation_mode not in range(3) or padding_mode not in range(3):
        raise RuntimeError(f"grid_sampler(): expected interpolation_mode and padding_mode in 0, 1, 2, got "
                           f"{interpolation_mode} and {padding_mode}")
    return grid_sample(input, grid, _MODES[interpolation_mode], _PADDINGS[padding_mode], align_corners)


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """``grid_sampler`` of a 4-D input (N, C, H, W). grad: grid_sample's."""
    if not isinstance(input, Tensor) or input.ndim != 4:
        raise RuntimeError("grid_sampler_2d(): expected 4D input")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """``grid_sampler`` of a 5-D input (N, C, D, H, W). grad: grid_sample's."""
    if not isinstance(input, Tensor) or input.ndim != 5:
        raise RuntimeError("grid_sampler_3d(): expected 5D input")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)
