"""Finite differences and integration: ``diff``, ``gradient``, ``trapezoid``/``trapz``, ``cumulative_trapezoid``.

All are composites of slicing (``narrow``), arithmetic, ``sum``/``cumsum`` and ``cat``, written as torch's kernels
are (the same operations in the same order, so the values agree to rounding); their gradients come from those ops.
"""
from __future__ import annotations

import numbers
from typing import Any

from .shape import cat
from ..._tensor import Tensor
from ..._promotion import _check_int64, _expect, _normalize_dim
from ..._absent import ABSENT


def _slice(x: Tensor, dim: int, start: int, stop: int | None = None) -> Tensor:
    """x[start:stop] along ``dim`` (Python's negative start/stop)."""
    n = x.shape[dim]
    begin = start + n if start < 0 else start
    end = n if stop is None else stop + n if stop < 0 else stop
    return x.narrow(dim, min(begin, n), max(0, min(end, n) - min(begin, n)))


def diff(x: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The n-th forward difference along ``dim`` (bools: logical xor), after joining prepend and append."""
    _expect(x, Tensor, "diff", "input")
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    _check_int64(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _normalize_dim(dim, x.ndim)
    if n == 0:  # torch returns the input itself, without prepend and append
        return x
    parts = [p if p.ndim else p.expand(x.shape[:dim] + (1,) + x.shape[dim + 1:])
             for p in (prepend, x, append) if p is not None]
    for p in parts:
        if p.ndim != x.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    out = cat(parts, dim) if len(parts) > 1 else x
    for _ in range(n):
        if out.shape[dim] == 0:
            break
        later, earlier = _slice(out, dim, 1), _slice(out, dim, 0, -1)
        out = later.logical_xor(earlier) if out.dtype.name == "bool" else later - earlier
    return out


def _spacings(x: Tensor, spacing: Any, dims: list) -> list:
    """One spacing per dim: a number, or a 1-D tensor of coordinates."""
    if spacing is None:
        return [1] * len(dims)
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.ndim == 1):
        value = spacing.item() if isinstance(spacing, Tensor) else spacing
        return [value] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           "arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacing)} and a dim argument of length {len(dims)}.")
    for s, d in zip(spacing, dims):
        if isinstance(s, Tensor) and (s.ndim != 1 or s.shape[0] != x.shape[d]):
            raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and each tensor of "
                               f"spacing to have as many elements as the input's dimension {d}, got {list(s.shape)}")
    return spacing


def gradient(x: Tensor, spacing: Any = 1, dim: Any = None, edge_order: int = 1) -> tuple:
    """The derivative estimated by central differences in the interior and one-sided ones (of order
    ``edge_order``) at the edges, along each of ``dim``; a tuple, one tensor per dim."""
    _expect(x, Tensor, "gradient", "input")
    dims = list(range(x.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [_normalize_dim(d, x.ndim) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0] if len(dims) == 1 else next(d for d in dims if dims.count(d) > 1)} "
                           "appears multiple times in the list of dims")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if x.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    return tuple(_gradient_along(x, s, d, edge_order) if isinstance(s, Tensor) else _uniform_gradient(x, s, d, edge_order)
                 for s, d in zip(_spacings(x, spacing, dims), dims))


def _uniform_gradient(x: Tensor, h: Any, dim: int, edge_order: int) -> Tensor:
    center = (_slice(x, dim, 2) - _slice(x, dim, 0, -2)) / h
    if edge_order == 1:
        first = (_slice(x, dim, 1, 2) - _slice(x, dim, 0, 1)) / h
        last = (_slice(x, dim, -1) - _slice(x, dim, -2, -1)) / h
    else:
        first = (-1.5 * _slice(x, dim, 0, 1) + 2 * _slice(x, dim, 1, 2) - 0.5 * _slice(x, dim, 2, 3)) / h
        last = (0.5 * _slice(x, dim, -3, -2) - 2 * _slice(x, dim, -2, -1) + 1.5 * _slice(x, dim, -1)) / h
    return cat([first, center / 2, last], dim)


def _gradient_along(x: Tensor, coordinates: Tensor, dim: int, edge_order: int) -> Tensor:
    """Non-uniform spacing: the second-order differences of torch's gradient (its coefficients, its order)."""
    shape = [1] * x.ndim
    shape[dim] = -1
    dx = diff(coordinates)
    dx1, dx2 = _slice(dx, 0, 0, -1), _slice(dx, 0, 1)
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _slice(x, dim, 0, -2) + b * _slice(x, dim, 1, -1) + c * _slice(x, dim, 2)
    if edge_order == 1:
        first = (_slice(x, dim, 1, 2) - _slice(x, dim, 0, 1)) / dx[0]
        last = (_slice(x, dim, -1) - _slice(x, dim, -2, -1)) / dx[-1]
    else:
        a0 = -(2.0 * dx[0] + dx[1]) / (dx[0] * (dx[0] + dx[1]))
        b0 = (dx[0] + dx[1]) / (dx[0] * dx[1])
        c0 = (-dx[0]) / (dx[1] * (dx[0] + dx[1]))
        first = a0 * _slice(x, dim, 0, 1) + b0 * _slice(x, dim, 1, 2) + c0 * _slice(x, dim, 2, 3)
        a1 = dx[-1] / (dx[-2] * (dx[-1] + dx[-2]))
        b1 = -(dx[-1] + dx[-2]) / (dx[-1] * dx[-2])
        c1 = (2 * dx[-1] + dx[-2]) / (dx[-1] * (dx[-1] + dx[-2]))
        last = a1 * _slice(x, dim, -3, -2) + b1 * _slice(x, dim, -2, -1) + c1 * _slice(x, dim, -1)
    return cat([first, center, last], dim)


def _sample_spacing(y: Tensor, x: Tensor, dim: int, fn: str) -> Tensor:
    """The spacings x[i+1] - x[i] shaped to broadcast against y's intervals along ``dim``."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{fn}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[dim] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return _slice(x, dim, 1) - _slice(x, dim, 0, -1)


def _sampling(x: Any, dx: Any, fn: str) -> tuple:
    """``(x, dx)`` as torch's two overloads take them (x a Tensor, dx a real number), None where absent."""
    if x is not ABSENT and not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'x' (position 2) must be Tensor, not {type(x).__name__}")
    if x is not ABSENT and dx is not ABSENT:
        raise RuntimeError(f"{fn}: received both x and dx; pass one")
    if isinstance(dx, Tensor) and dx.ndim == 0:
        dx = dx.item()
    if dx is not ABSENT and (isinstance(dx, (bool, complex)) and not (fn == "trapz" and isinstance(dx, bool))):
        raise RuntimeError(f"{fn}: Currently, we only support dx as a real number.")
    if dx is not ABSENT and not isinstance(dx, numbers.Real):
        raise TypeError(f"{fn}(): argument 'dx' must be Number, not {type(dx).__name__}")
    if isinstance(dx, int) and not -2**63 <= dx < 2**63:
        raise OverflowError("int too big to convert")
    return None if x is ABSENT else x, None if dx is ABSENT else dx


def trapezoid(y: Tensor, x: Any = ABSENT, dx: Any = ABSENT, dim: int = -1, fn: str = "trapezoid") -> Tensor:
    """The integral of y along ``dim`` by the trapezoid rule (samples at ``x``, or spaced ``dx``, default 1)."""
    _expect(y, Tensor, fn, "y")
    x, dx = _sampling(x, dx, fn)
    dim = _normalize_dim(dim, y.ndim)
    if y.dtype.name == "bool" or (isinstance(x, Tensor) and x.dtype.name == "bool"):
        raise RuntimeError(f"{fn}: received a bool input for `x` or `y`, but bool is not supported")
    if y.shape[dim] == 0:
        return y.new_zeros(y.shape[:dim] + y.shape[dim + 1:])
    if isinstance(x, Tensor):
        spacing = _sample_spacing(y, x, dim, fn)
        return (spacing * (_slice(y, dim, 1) + _slice(y, dim, 0, -1)) / 2.0).sum(dim)
    h = _spacing_number(x if dx is None else dx, fn)
    return (y.sum(dim) - (_slice(y, dim, 0, 1) + _slice(y, dim, -1)).squeeze(dim) * 0.5) * h


def cumulative_trapezoid(y: Tensor, x: Any = ABSENT, dx: Any = ABSENT, dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral of y along ``dim`` (one element fewer than y along it)."""
    _expect(y, Tensor, "cumulative_trapezoid", "y")
    x, dx = _sampling(x, dx, "cumulative_trapezoid")
    dim = _normalize_dim(dim, y.ndim)
    if y.dtype.name == "bool" or (isinstance(x, Tensor) and x.dtype.name == "bool"):
        raise RuntimeError("cumulative_trapezoid: received a bool input for `x` or `y`, but bool is not supported")
    if y.shape[dim] == 0:
        return y.new_zeros(y.shape)
    pairs = _slice(y, dim, 1) + _slice(y, dim, 0, -1)
    if isinstance(x, Tensor):
        return (_sample_spacing(y, x, dim, "cumulative_trapezoid") * pairs / 2.0).cumsum(dim)
    h = _spacing_number(x if dx is None else dx, "cumulative_trapezoid")
    return (h / 2.0 * pairs).cumsum(dim)


def _spacing_number(h: Any, fn: str) -> Any:
    """A spacing given as a number: a real one (torch's signature takes a float), 1 when absent."""
    if h is None:
        return 1
    if not isinstance(h, numbers.Real):
        raise TypeError(f"{fn}() received an invalid combination of arguments - got a spacing of type "
                        f"{type(h).__name__}, but expected a Tensor or a float")
    return h

