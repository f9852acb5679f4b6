"""Strided views: ``diagonal``, ``unfold``, ``as_strided``, ``select``, and the scatters that write them back.

A strided view is described by a geometry over its input's dimensions: a starting element (one index per
input dim), the view's shape, and each view dim's step as a combination of the input's dim steps (a
diagonal steps along dim1 and dim2 at once: coefficients (.., 1, .., 1, ..)). The backend's ``as_strided``
makes it a view of the input's memory, so writes through it reach the input as torch's. Its gradient adds
the incoming one into the input positions each view element came from (windows of ``unfold`` may overlap),
by ``IndexAccumulate``, whose gradient is a read again: differentiable to any order.

The ``*_scatter`` functions are one composite: the positions the view takes, found by taking the same view
of an ``arange`` of the input, are overwritten by ``src`` in a copy (an indexed write, differentiable).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

from ..._promotion import _normalize_dim
from ..._tensor import Tensor
from .. import grad_mode
from ..function import Op
from .index import IndexAccumulate
from .views import view_of

#: (start index per input dim, view shape, per view dim the coefficients of the input's dim steps)
Geometry = tuple


def _take(backend: Any, a: Any, geometry: Geometry) -> Any:
    start, shape, coefs = geometry
    a = a[tuple(slice(s, None) for s in start)]  # a view starting at the first element taken
    strides = tuple(sum(c * s for c, s in zip(coef, a.strides)) for coef in coefs)
    return backend.as_strided(a, shape, strides)


class Strided(Op):
    """out = the strided view of x (a view of its memory); grad: g added into the positions it was read from."""

    def forward(ctx, x, geometry):
        ctx.in_shape, ctx.geometry = x.shape, geometry
        return _take(ctx.device.backend, x, geometry)

    def backward(ctx, grad):
        xp, numel = ctx.xp, math.prod(ctx.in_shape)
        positions = _take(ctx.device.backend, xp.arange(numel).reshape(ctx.in_shape), ctx.geometry)
        return IndexAccumulate.apply(grad, key=(positions,), shape=(numel,)).reshape(ctx.in_shape)


def strided(x: Tensor, geometry: Geometry) -> Tensor:
    """The view of ``x`` of ``geometry``, marked as a view so in-place writes through it reach ``x``."""
    return view_of(Strided.apply(x, geometry=geometry), x, lambda t: strided(t, geometry))


def _unit(d: int, ndim: int, scale: int = 1) -> tuple:
    return tuple(scale if i == d else 0 for i in range(ndim))


# ---- the views ---------------------------------------------------------------------------------------
def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset``-th diagonal of the (dim1, dim2) planes, as the last dim (a view)."""
    offset = check_int(offset, "diagonal", "offset")
    ndim = x.ndim
    d1, d2 = _normalize_dim(dim1, ndim), _normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape = x.shape
    length = max(0, min(shape[d1] + min(offset, 0), shape[d2] - max(offset, 0)))
    start = [0] * ndim
    if length:
        start[d1], start[d2] = max(-offset, 0), max(offset, 0)
    others = [d for d in range(ndim) if d not in (d1, d2)]
    coefs = tuple(_unit(d, ndim) for d in others) + (tuple(int(d in (d1, d2)) for d in range(ndim)),)
    return strided(x, (tuple(start), tuple(shape[d] for d in others) + (length,), coefs))


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim (a view)."""
    ndim = max(x.ndim, 1)
    dim = _normalize_dim(dimension, ndim)
    n = x.shape[dim] if x.ndim else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if x.ndim == 0:
        return x.reshape(1)[:size]
    shape = list(x.shape)
    shape[dim] = (n - size) // step + 1
    coefs = tuple(_unit(d, ndim, step if d == dim else 1) for d in range(ndim)) + (_unit(dim, ndim),)
    return strided(x, ((0,) * ndim, tuple(shape) + (size,), coefs))


def select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The slice at ``index`` of ``dim``, without that dim (a view)."""
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _normalize_dim(dim, x.ndim)
    if isinstance(index, Tensor):
        index = index.item()
    n = x.shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(x.shape)} at dimension {dim}")
    return x[(slice(None),) * dim + (int(index),)]


def _storage_of(x: Tensor, storage_offset: int | None, size: Sequence[int], stride: Sequence[int]) -> Tensor:
    """``x``'s elements as the flat storage ``as_strided`` addresses (a view when x is contiguous, else a copy),
    after torch's checks of the geometry."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes, {len(stride)} strides")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    offset = 0 if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > x.numel():
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
            f"{x.element_size()} requiring a storage size of {needed * x.element_size()} are out of bounds for "
            f"storage of size {x.numel() * x.element_size()}")
    return x.contiguous().reshape(-1)


def as_strided(x: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None) -> Tensor:
    """torch's ``as_strided`` over the tensor's elements in row-major order (its storage when contiguous)."""
    flat = _storage_of(x, storage_offset, size, stride)
    size = tuple(int(s) for s in size)
    start = (0 if 0 in size else int(storage_offset or 0),)
    return strided(flat, (start, size, tuple((int(s),) for s in stride)))


# ---- the scatters ------------------------------------------------------------------------------------
def scatter_view(x: Tensor, src: Tensor, view: Callable[[Tensor], Tensor], fn: str) -> Tensor:
    """A copy of ``x`` with the elements ``view(x)`` takes replaced by ``src``; grad: g outside the view to x,
    the view of g to src."""
    if not isinstance(src, Tensor):
        raise TypeError(f"{fn}(): argument 'src' (position 2) must be Tensor, not {type(src).__name__}")
    from ..._creation import arange  # (the factories import the ops)

    with grad_mode.no_grad():
        positions = view(arange(x.numel(), device=x.device).reshape(x.shape))
    if positions.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(positions.shape)}")
    out = x.reshape(-1).clone()
    out[positions] = src.to(x.dtype)
    return out.reshape(x.shape)


def slice_view(x: Tensor, dim: int, start: Any, end: Any, step: int) -> Tensor:
    """``x[..., start:end:step, ...]`` along ``dim`` (torch's slice)."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    dim = _normalize_dim(dim, max(x.ndim, 1))
    return x[(slice(None),) * dim + (slice(start, end, step),)]


def check_int(value: Any, fn: str, name: str) -> int:
    """``value`` as an int, or torch's TypeError (not an int) or RuntimeError (beyond int64)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__}")
    if not -2**63 <= int(value) < 2**63:
        raise RuntimeError(f"Overflow when unpacking long ({fn}(): argument '{name}')")
    return int(value)
