"""Fractional max pooling (Graham, 2014): max pooling over pseudo-random windows that shrink the input by a
non-integer ratio; ``fractional_max_pool2d`` and ``3d`` with torch's window sequence, so that the same
``_random_samples`` give torch's values and indices."""
from __future__ import annotations

import numbers
from typing import Any

from .._creation import arange, rand
from .._functions import cat
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


def _sizes(value: Any, spatial: int, name: str) -> tuple:
    sizes = (value,) * spatial if isinstance(value, numbers.Number) else tuple(value)
    if len(sizes) != spatial:
        raise ValueError(f"fractional_max_pool{spatial}d: {name} must be a number or {spatial} numbers, got {value!r}")
    return sizes


def _window_starts(sample: Tensor, size: int, out: int, kernel: int) -> Tensor:
    """torch's start of each window (N, C, out): floor((i + u) * alpha) - floor(u * alpha), alpha = (size - kernel)
    / (out - 1), in the input's dtype, and the last window flush with the end."""
    u = sample.unsqueeze(-1)
    steps = arange(out - 1, dtype=sample.dtype, device=sample.device)
    alpha = (size - kernel) / (out - 1) if out > 1 else 0.0
    starts = ((steps + u) * alpha).trunc() - (u * alpha).trunc()
    last = sample.new_full((*sample.shape, 1), float(size - kernel))
    return cat([starts, last], -1).long() if out > 1 else last.long()


#: which of the (N, C, spatial) random samples sets each spatial dim's windows, as torch's kernels read them
_SAMPLE_OF_DIM = {2: (1, 0), 3: (0, 1, 2)}


def _flat_windows(x: Tensor, samples: Tensor, kernel: tuple, out: tuple) -> Tensor:
    """The flat index into each spatial plane of every cell of every window: (N, C, *out, prod(kernel))."""
    spatial, flat, stride = len(out), None, 1
    for d in reversed(range(spatial)):
        sample = samples[..., _SAMPLE_OF_DIM[spatial][d]]
        cells = _window_starts(sample, x.shape[2 + d], out[d], kernel[d]).unsqueeze(-1) + arange(
            kernel[d], device=x.device)  # (N, C, out_d, k_d)
        # out_d at dim 2 + d and k_d at dim 2 + spatial + d, so the dims' terms broadcast into (N, C, *out, *kernel)
        term = cells.reshape([x.shape[0], x.shape[1]] + [1] * d + [out[d]] + [1] * (spatial - 1 - d)
                             + [1] * d + [kernel[d]] + [1] * (spatial - 1 - d)) * stride
        flat = term if flat is None else flat + term
        stride *= x.shape[2 + d]
    assert flat is not None
    return flat.flatten(2 + spatial)


def _fractional_max_pool(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any, return_indices: bool,
                         samples: Tensor | None, spatial: int) -> Any:
    from .functional import _batched, _check_float

    fn = f"fractional_max_pool{spatial}d"
    _check_float(input, "input", fn)
    unbatched = _batched(input, spatial, fn)
    x = input.unsqueeze(0) if unbatched else input
    kernel = _sizes(kernel_size, spatial, "kernel_size")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratios = _sizes(output_ratio, spatial, "output_ratio")
        if not all(0 < r < 1 for r in ratios):
            raise ValueError(f"{fn} requires output_ratio to either be a single Int or tuple of Ints, "
                             f"in the range (0, 1), got {output_ratio}")
        output_size = [int(n * r) for n, r in zip(x.shape[2:], ratios)]
    out = tuple(int(o) for o in _sizes(output_size, spatial, "output_size"))
    for n, o, k in zip(x.shape[2:], out, kernel):
        if o + k - 1 > n:
            raise RuntimeError(f"{fn}(): pool size {k} too large relative to input size {n} for output size {o}")
    if samples is None:
        samples = rand(x.shape[0], x.shape[1], spatial, dtype=x.dtype, device=x.device)
    with no_grad():
        cells = _flat_windows(x, samples.to(x.dtype), kernel, out)  # (N, C, *out, cells)
        values = x.detach().flatten(2).gather(2, cells.flatten(2)).reshape(cells.shape)
        index = cells.gather(-1, values.argmax(-1, keepdim=True)).squeeze(-1)
    result = x.flatten(2).gather(2, index.flatten(2)).reshape(index.shape)
    if unbatched:
        result, index = result.squeeze(0), index.squeeze(0)
    return (result, index) if return_indices else result


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling of (N, C, H, W) to ``output_size`` (or ``output_ratio`` of the input) with
    ``kernel_size`` windows; ``_random_samples`` (N, C, 2) in [0, 1) fix the windows. grad: to each window's max."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling of (N, C, D, H, W); ``_random_samples`` is (N, C, 3). grad: to each window's max."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """``fractional_max_pool2d(..., return_indices=True)``: (values, indices)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """``fractional_max_pool3d(..., return_indices=True)``: (values, indices)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)
