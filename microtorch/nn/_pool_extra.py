"""3-D max and average pooling, adaptive max pooling, power-average (LP) pooling and max unpooling, as
composites of the 2-D pooling kernels and indexing ops. Re-exported by ``nn.functional``."""
from __future__ import annotations

import math
import numbers
from typing import Any

from .._creation import arange
from .._functions import stack
from .._promotion import _check_int64
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad


def _depth_windows(x: Tensor, k: int, s: int, d: int, before: int, after: int, out: int, fill: float) -> list:
    """The ``k`` strided depth slices (dim 2) of x padded with ``fill``: slice i holds depth o * s + i * d."""
    from .functional import pad

    padded = pad(x.movedim(2, -1), (before, after), value=fill).movedim(-1, 2)
    return [padded[:, :, i * d:i * d + (out - 1) * s + 1:s] for i in range(k)]


def _pool3d_geometry(input: Tensor, kernel_size, stride, padding, dilation, ceil_mode, fn: str) -> tuple:
    from .functional import _batched, _check_float, _pool_geometry

    _check_float(input, "input", fn)
    unbatched = _batched(input, 3, fn)
    x = input.unsqueeze(0) if unbatched else input
    return (x, unbatched) + _pool_geometry(x, 3, kernel_size, stride, padding, dilation, ceil_mode, fn)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The max of each (kd, kh, kw) window of (N, C, D, H, W): 2-D max pooling of every depth slice, then the
    first maximal depth tap (a max is separable); ``return_indices`` gives flat D*H*W indices, as torch."""
    from .functional import max_pool2d

    x, unbatched, kernel, stride, dilation, pads, sizes = _pool3d_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")
    n, c, depth, height, width = x.shape
    flat, plane_index = max_pool2d(x.reshape(n, c * depth, height, width), kernel[1:], stride[1:],
                                   [p for p, _ in pads[1:]], dilation[1:], ceil_mode, return_indices=True)
    planes = [t.reshape(n, c, depth, *flat.shape[2:]) for t in (flat, plane_index)]
    geometry = (kernel[0], stride[0], dilation[0], pads[0][0], pads[0][1], sizes[0])
    values = stack(_depth_windows(planes[0], *geometry, -math.inf), 0)
    best = values.detach().argmax(0, keepdim=True)  # the first maximal tap, as torch's scan order
    out = values.gather(0, best).squeeze(0)
    if return_indices:
        source = [(arange(sizes[0], device=x.device) * stride[0] + (i * dilation[0] - pads[0][0])).reshape(-1, 1, 1)
                  for i in range(kernel[0])]
        cells = stack([d * (height * width) + tap for d, tap in
                       zip(source, _depth_windows(planes[1], *geometry, 0))], 0)
        indices = cells.gather(0, best).squeeze(0)
        return (out.squeeze(0), indices.squeeze(0)) if unbatched else (out, indices)
    return out.squeeze(0) if unbatched else out


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each (kd, kh, kw) window of (N, C, D, H, W): 2-D window sums, summed over the depth taps,
    over torch's divisor (a product of per-dim counts, or ``divisor_override``)."""
    from .functional import _constant, _window_counts, avg_pool2d

    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")

    x, unbatched, kernel, stride, _, pads, sizes = _pool3d_geometry(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool3d")
    n, c, depth = x.shape[:3]
    flat = avg_pool2d(x.reshape(n, c * depth, *x.shape[3:]), kernel[1:], stride[1:], [p for p, _ in pads[1:]],
                      ceil_mode, divisor_override=1)  # window sums
    planes = flat.reshape(n, c, depth, *flat.shape[2:])
    out = sum(_depth_windows(planes, kernel[0], stride[0], 1, pads[0][0], pads[0][1], sizes[0], 0.0))
    if divisor_override:
        out = out / divisor_override
    else:
        counts = [_window_counts(size, k, s, p, o, count_include_pad)
                  for size, k, s, (p, _), o in zip(x.shape[2:], kernel, stride, pads, sizes)]
        out = out / _constant([[[a * b * e for e in counts[2]] for b in counts[1]] for a in counts[0]], x)
    return out.squeeze(0) if unbatched else out


def _adaptive_windows(n: int, out: int) -> tuple:
    """(start, length) of torch's adaptive windows [floor(i n / out), ceil((i + 1) n / out))."""
    starts = [(i * n) // out for i in range(out)]
    return starts, [-((-(i + 1) * n) // out) - s for i, s in enumerate(starts)]


def _window_argmax(x: Tensor, dim: int, out: int) -> Tensor:
    """For each adaptive window along ``dim`` of x (no grad), the absolute index of its first maximum
    (shape of x with ``dim`` replaced by ``out``)."""
    n = x.shape[dim]
    starts, lengths = _adaptive_windows(n, out)
    width = max(lengths)
    # each window as ``width`` cells; short windows repeat their last cell, which cannot change the first max
    cells = [[s + min(k, length - 1) for k in range(width)] for s, length in zip(starts, lengths)]
    index = Tensor._make(x.device.backend.asarray(cells, dtype="int64", index=x.device.index), x.device)
    moved = x.movedim(dim, -1)
    windows = moved.index_select(-1, index.reshape(-1)).reshape(*moved.shape[:-1], out, width)
    local = windows.argmax(-1, keepdim=True)
    return index.expand(*moved.shape[:-1], out, width).gather(-1, local).squeeze(-1).movedim(-1, dim)


def _adaptive_argmax(x: Tensor, sizes: tuple) -> Tensor:
    """For each adaptive window of x (N, C, *spatial; no grad), the flat index into the spatial plane of its first
    maximum in scan order: a max is separable, so reduce the last spatial dim first, then each one before it."""
    best, index, inner = x, None, 1
    for axis in reversed(range(2, x.ndim)):
        local = _window_argmax(best, axis, sizes[axis - 2])  # along ``axis``, within the dims reduced so far
        best = best.gather(axis, local)
        index = local if index is None else local * inner + index.gather(axis, local)
        inner *= x.shape[axis]
    assert index is not None
    return index


def _adaptive_max_pool(input: Tensor, output_size: Any, return_indices: bool, spatial: int) -> Any:
    from .functional import _batched, _check_float

    fn = f"adaptive_max_pool{spatial}d"
    _check_float(input, "input", fn)
    unbatched = _batched(input, spatial, fn)
    x = input.unsqueeze(0) if unbatched else input
    sizes = (output_size,) * spatial if isinstance(output_size, numbers.Integral) else tuple(output_size)
    for size in sizes:
        _check_int64(size)
    if len(sizes) != spatial:
        raise ValueError(f"{fn}: output_size must be an int or {spatial} ints, got {output_size!r}")
    sizes = tuple(n if o is None else int(o) for o, n in zip(sizes, x.shape[2:]))
    if any(o <= 0 for o in sizes) or any(n == 0 for n in x.shape[2:]):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 1 and the input's spatial "
                           f"sizes non-zero, got output_size {list(sizes)} for input {list(input.shape)}")
    with no_grad():
        flat_index = _adaptive_argmax(x.detach(), sizes)
    out = x.flatten(2).gather(2, flat_index.flatten(2)).reshape(flat_index.shape)
    if unbatched:
        out, flat_index = out.squeeze(0), flat_index.squeeze(0)
    return (out, flat_index) if return_indices else out


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) to ``output_size`` positions (torch's adaptive windows). grad: to each window's
    first maximum."""
    return _adaptive_max_pool(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, H, W) to ``output_size``; indices are flat into each H*W plane, as torch's. grad: to
    each window's first maximum."""
    return _adaptive_max_pool(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, D, H, W) to ``output_size``; indices are flat into each D*H*W volume, as torch's.
    grad: to each window's first maximum."""
    return _adaptive_max_pool(input, output_size, return_indices, 3)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum of x^p over each window)^(1/p), as torch: from the window mean times the window size."""
    from .functional import avg_pool1d, relu

    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum of x^p over each window)^(1/p) over (N, C, H, W)."""
    from .functional import avg_pool2d

    return _lp_pool(avg_pool2d, input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum of x^p over each window)^(1/p) over (N, C, D, H, W)."""
    return _lp_pool(avg_pool3d, input, norm_type, kernel_size, stride, ceil_mode, 3)


def _lp_pool(avg_pool: Any, input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool,
             spatial: int) -> Tensor:
    """torch's formula: the window mean of x^p times the window size, its negative part clipped, to the 1/p."""
    from .functional import _ntuple, relu

    kernel = _ntuple(kernel_size, spatial, "kernel_size")
    out = avg_pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(math.prod(kernel)).pow(1.0 / norm_type)


# ---- the *_with_indices spellings: the pool with return_indices=True, whatever return_indices says -------------
def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """``max_pool1d(..., return_indices=True)``: (values, indices)."""
    from .functional import max_pool1d

    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """``max_pool2d(..., return_indices=True)``: (values, indices)."""
    from .functional import max_pool2d

    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """``max_pool3d(..., return_indices=True)``: (values, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool1d(..., return_indices=True)``: (values, indices)."""
    return _adaptive_max_pool(input, output_size, True, 1)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool2d(..., return_indices=True)``: (values, indices)."""
    return _adaptive_max_pool(input, output_size, True, 2)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool3d(..., return_indices=True)``: (values, indices)."""
    return _adaptive_max_pool(input, output_size, True, 3)


def _max_unpool(input: Tensor, indices: Tensor, kernel_size, stride, padding, output_size, spatial: int) -> Tensor:
    from .functional import _ntuple, _pool_stride

    fn = f"max_unpool{spatial}d"
    kernel = _ntuple(kernel_size, spatial, "kernel_size")
    stride = _pool_stride(stride, kernel, spatial, fn)
    pads = _ntuple(padding, spatial, "padding")
    if indices.dtype.name != "int64":
        raise RuntimeError(f"{fn}: expected 'indices' to be of dtype int64, got {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    default = [(n - 1) * s + k - 2 * p for n, s, k, p in zip(input.shape[-spatial:], stride, kernel, pads)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)[-spatial:]
        if len(size) != spatial:
            raise ValueError(f"output_size should be a sequence containing {spatial} or {spatial + 2} elements, but it "
                             f"has a length of '{len(list(output_size))}'")
        for d, (o, m, s) in enumerate(zip(size, default, stride)):
            if not m - s < o < m + s:
                raise ValueError(f'invalid output_size "{list(output_size)}" (dim {d} must be between {m - s} and '
                                 f'{m + s})')
    cells = math.prod(size)
    lead = tuple(input.shape[:-spatial])
    if indices.numel() and (bool((indices < 0).any()) or bool((indices >= cells).any())):
        raise RuntimeError(f"Found an invalid max index: {int(indices.max())} (output volumes are of size "
                           f"{'x'.join(map(str, size))})")
    flat_in = input.reshape(*lead, -1)
    out = flat_in.new_zeros(lead + (cells,)).scatter(-1, indices.reshape(*lead, -1), flat_in)
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The inverse of max_pool1d: each value put back at its index, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The inverse of max_pool2d: each value put back at its flat H*W index, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The inverse of max_pool3d: each value put back at its flat D*H*W index, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


__all__ = ["max_pool3d", "avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]
