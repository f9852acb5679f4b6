"""Reductions: sum, mean, var, prod, max/min, logsumexp, norm, cumsum, cumprod, argmax, any/all.

``dim`` arrives normalised (``None`` for all dims, or a sorted tuple of
non-negative ints). A reduced gradient is broadcast back to the input's shape by
``_expand_back``, the one place that undoes a reduction.
"""
from __future__ import annotations

import math
import numbers
from collections import namedtuple
from typing import Any

from .. import function, grad_mode
from ..function import Op
from .elementwise import Maximum, Minimum, Where
from .shape import Expand, Reshape
from ..._dtype import int64
from ..._tensor import Tensor
from ..._promotion import _binary, _float_input, _normalize_dim


def normalize_dims(dim: Any, ndim: int) -> tuple | None:
    """``None``/``()`` -> None (every dim); an int or a sequence -> sorted tuple of dims."""

    if dim is None:
        return None
    if isinstance(dim, Tensor):  # a 0-d integer tensor is a dim; any other tensor is refused, as torch
        if dim.ndim or dim.is_floating_point() or dim.dtype.name == "bool":
            raise TypeError(f"received an invalid combination of arguments - got a dim of {dim.ndim}-d "
                            f"{dim.dtype.name} Tensor, but expected an int or a tuple of ints")
        dim = int(dim.item())
    if type(dim) is int or isinstance(dim, numbers.Integral):
        dim = _normalize_dim(dim, ndim)
        return (dim,) if ndim else None  # a 0-d tensor reduces over 'dim 0' as over everything
    dims = tuple(sorted(_normalize_dim(d, ndim) for d in dim))
    if not ndim:
        return None
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {tuple(dim)} appears multiple times in the list of dims")
    return dims if dims else None


def _reduced_count(shape: tuple, dims: tuple | None) -> int:
    return math.prod(shape) if dims is None else math.prod(shape[d] for d in dims)


def _keepdim_shape(shape: tuple, dims: tuple | None) -> tuple:
    return tuple(1 if dims is None or d in dims else s for d, s in enumerate(shape))


def _expand_back(grad, shape: tuple, dims: tuple | None, keepdim: bool):
    """Broadcast the gradient of a reduction over ``dims`` back to the input's ``shape`` (the ops themselves:
    the shapes are known valid, so the public reshape/expand's parsing and checks would be wasted)."""
    if not keepdim and dims is not None:  # (a full reduction's 0-d gradient broadcasts as it is)
        grad = Reshape.apply(grad, shape=_keepdim_shape(shape, dims))
    return grad if grad.shape == shape else Expand.apply(grad, shape=shape)


def _keep(t, shape: tuple, dims: tuple | None, keepdim: bool):
    """A reduced tensor in its keepdim shape (so it broadcasts against the input)."""
    return t if keepdim else Reshape.apply(t, shape=_keepdim_shape(shape, dims))


class Sum(Op):
    """d sum(x) = 1 for every element: the gradient is broadcast back."""

    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if dim is None and not keepdim and x.size >= function.PARALLEL_FROM:
            return ctx.device.backend.full_sum(x)  # (large: the backend may add partial sums from its threads)
        return x.sum(axis=dim, keepdims=keepdim)  # array methods: less dispatch than xp.sum

    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dim, ctx.keepdim)


class SumToSize(Op):
    """Sum ``x`` down to a shape it was broadcast from (the backward of broadcasting)."""

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        lead = x.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        return x.sum(axis=dims, keepdims=True).reshape(shape)

    def backward(ctx, grad):
        return Expand.apply(grad, shape=ctx.shape)


function.sum_to_shape = SumToSize.apply


def sum_to_size(x, shape: tuple):
    if tuple(x.shape) == tuple(shape):
        return x
    lead = x.ndim - len(shape)
    if lead < 0 or any(s not in (1, xs) for s, xs in zip(shape, x.shape[lead:])):
        raise RuntimeError(f"size {list(shape)} is not expandable to size {list(x.shape)}")
    return SumToSize.apply(x, shape=tuple(shape))


class Mean(Op):
    """d mean(x) = 1/n for every element"""

    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if dim is None and not keepdim and x.size >= function.PARALLEL_FROM and x.dtype.name in _SUMMED_MEANS:
            return ctx.device.backend.full_sum(x) / x.size  # (as NumPy's mean: the sum in x's dtype, then / n)
        return x.mean(axis=dim, keepdims=keepdim)

    def backward(ctx, grad):
        # (divided before the broadcast: one value, not every element of the input)
        return _expand_back(grad / _reduced_count(ctx.shape, ctx.dim), ctx.shape, ctx.dim, ctx.keepdim)


_SUMMED_MEANS = ("float32", "float64")  # (NumPy's mean of float16 sums in float32)


class Var(Op):
    """d var(x) = 2 (x - mean(x)) / (n - correction) dx"""

    def forward(ctx, x, dim, keepdim, correction):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim, ctx.correction = dim, keepdim, correction
        return ctx.xp.var(x, axis=dim, ddof=correction, keepdims=keepdim, dtype="float64").astype(x.dtype, copy=False)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        n = _reduced_count(tuple(x.shape), ctx.dim)
        centered = x - x.mean(ctx.dim, keepdim=True)
        scale = 2.0 / (n - ctx.correction) if n > ctx.correction else float("nan")
        return _keep(grad, tuple(x.shape), ctx.dim, ctx.keepdim) * centered * scale


class Std(Op):
    """d std(x) = (x - mean(x)) / ((n - correction) std(x)) dx (0 where std is 0, as torch)"""

    def forward(ctx, x, dim, keepdim, correction):
        # accumulated in float64, as torch's CPU kernels do: a constant slice then has std exactly 0
        out = ctx.xp.std(x, axis=dim, ddof=correction, keepdims=keepdim, dtype="float64").astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim, ctx.correction = dim, keepdim, correction
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape = tuple(x.shape)
        n = _reduced_count(shape, ctx.dim)
        out = _keep(out, shape, ctx.dim, ctx.keepdim)
        centered = x - x.mean(ctx.dim, keepdim=True)
        scale = 1.0 / (n - ctx.correction) if n > ctx.correction else float("nan")
        is_zero = out == 0
        safe_out = Where.apply(is_zero, 1.0, out)  # keeps 0/0 out of the graph, so higher orders stay finite
        scaled = _keep(grad, shape, ctx.dim, ctx.keepdim) * centered / safe_out * scale
        return Where.apply(is_zero, 0.0, scaled)


def var(x, dim: Any, unbiased: bool | None, keepdim: bool, correction: Any, op: type[Op] = Var):
    if not x.is_floating_point():
        raise RuntimeError("std and var only support floating point and complex dtypes")

    if unbiased is not None and correction is not None:
        raise TypeError("var()/std(): pass either unbiased or correction, not both")
    if isinstance(dim, bool):  # torch's legacy var(unbiased) positional form
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    x = _float_input(x)
    return op.apply(x, dim=normalize_dims(dim, x.ndim), keepdim=keepdim, correction=correction)


class Prod(Op):
    """d prod(x) / dx_i = product of the other elements"""

    def forward(ctx, x, dim, keepdim):
        out = x.prod(axis=dim, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape = tuple(x.shape)
        grad = _keep(grad, shape, ctx.dim, ctx.keepdim)
        if not (x == 0).any().item():
            return grad * _keep(out, shape, ctx.dim, ctx.keepdim) / x
        # with zeros, out / x is 0/0: take products of the other elements explicitly (a constant)
        if grad_mode.state.enabled:
            raise RuntimeError("prod(): the gradient of a product over zeros is not twice differentiable here")
        return grad * _product_of_others(ctx.xp, x, ctx.dim)


def _product_of_others(xp, x, dims):
    """For each element, the product of the other elements over ``dims`` (a constant tensor)."""

    a = x._data
    axes = tuple(range(a.ndim)) if dims is None else dims
    moved = xp.moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    others = (before * after).reshape(moved.shape)
    return Tensor._make(xp.moveaxis(others, tuple(range(a.ndim - len(axes), a.ndim)), axes), x.device)


class Amax(Op):
    """max/min over dims; the gradient is shared evenly between tied maxima (torch's rule)."""

    def forward(ctx, x, dim, keepdim, largest):
        if x.size == 0 and (dim is None or any(x.shape[d] == 0 for d in dim)):
            _empty_extreme_error(x, dim, "amax" if largest else "amin")
        out = (x.max if largest else x.min)(axis=dim, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape = tuple(x.shape)
        is_extreme = (x == _keep(out, shape, ctx.dim, ctx.keepdim)).to(x.dtype)
        share = is_extreme / is_extreme.sum(ctx.dim, keepdim=True)
        return _keep(grad, shape, ctx.dim, ctx.keepdim) * share


def _empty_extreme_error(x, dim: tuple | None, fn: str) -> None:
    """torch's errors for a max/min over an empty dimension (no identity to return)."""
    if dim is None:
        raise RuntimeError(f"{fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    raise IndexError(f"{fn}(): Expected reduction dim {next(d for d in dim if x.shape[d] == 0)} to have non-zero size.")


class MaxAll(Amax):
    """max()/min() of every element: the gradient is shared evenly between the tied maxima, or
    between the nans when the result is nan (torch's evenly_distribute_backward; amax gives nan there)."""

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        picked = (x == out) | (x.isnan() & out.isnan())
        return grad * (picked.to(x.dtype) / picked.sum())


MaxResult = namedtuple("max", ["values", "indices"])  # (torch's return type is named after the op)
MinResult = namedtuple("min", ["values", "indices"])  # (torch's return type is named after the op)


class MaxDim(Op):
    """max(dim) -> (values, indices); the gradient goes to the selected index only."""

    def forward(ctx, x, dim, keepdim, largest):
        xp = ctx.xp
        if x.shape[dim] == 0:
            raise IndexError(f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have non-zero size.")
        indices = (xp.argmax if largest else xp.argmin)(x, axis=dim, keepdims=True)
        values = xp.take_along_axis(x, indices, axis=dim)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        ctx.save_for_backward(indices)
        if not keepdim:
            values, indices = xp.squeeze(values, dim), xp.squeeze(indices, dim)
        return values, indices.astype("int64", copy=False)

    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        positions = _arange_along(ctx, ctx.shape, ctx.dim)
        selected = positions == indices
        return Where.apply(selected, _keep(grad, ctx.shape, (ctx.dim,), ctx.keepdim), 0.0)


def _arange_along(ctx, shape: tuple, dim: int):
    """0..n-1 along ``dim``, shaped to broadcast against ``shape``."""

    view = [1] * len(shape)
    view[dim] = shape[dim]
    return Tensor._make(ctx.xp.arange(shape[dim]).reshape(view), ctx.device)


def max_min(x, dim: Any, keepdim: bool, mode: str):
    largest = mode == "max"
    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
        return _binary(Maximum if largest else Minimum, x, dim)
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(f"{mode}(): Expected reduction dim to be specified for input.numel() == 0.")
        return MaxAll.apply(x, dim=None, keepdim=False, largest=largest)
    dim = _normalize_dim(dim, x.ndim)
    if x.ndim == 0:  # torch treats a 0-d tensor as one element along 'dim 0'
        values, indices = MaxDim.apply(x.reshape(1), dim=0, keepdim=False, largest=largest)
        values, indices = values.reshape(()), indices.reshape(())
    else:
        values, indices = MaxDim.apply(x, dim=dim, keepdim=keepdim, largest=largest)
    return (MaxResult if largest else MinResult)(values, indices)


class ArgMax(Op):
    """argmax/argmin: int64 indices, no gradient."""

    def forward(ctx, x, dim, keepdim, largest):
        if x.size == 0 and (dim is None or x.shape[dim] == 0):
            raise IndexError(f"{'argmax' if largest else 'argmin'}(): Expected reduction dim "
                             f"{'to be specified for input.numel() == 0' if dim is None else f'{dim} to have non-zero size'}.")
        fn = ctx.xp.argmax if largest else ctx.xp.argmin
        if dim is None:
            out = fn(x.reshape(-1))
            return ctx.xp.asarray(out).reshape((1,) * x.ndim if keepdim else ()).astype("int64", copy=False)
        return fn(x, axis=dim, keepdims=keepdim).astype("int64", copy=False)


def argmax(x, dim: Any, keepdim: bool, largest: bool):
    if x.dtype.name == "bool":
        raise RuntimeError(f"{'argmax' if largest else 'argmin'}(): does not support bool input")

    if dim is not None:
        dim = _normalize_dim(dim, x.ndim)
        if x.ndim == 0:
            dim = None
    return ArgMax.apply(x, dim=dim, keepdim=keepdim, largest=largest)


class AnyAll(Op):
    """any/all: bool results, no gradient."""

    def forward(ctx, x, dim, keepdim, all):  # noqa: A002
        return (ctx.xp.all if all else ctx.xp.any)(x, axis=dim, keepdims=keepdim)


class LogSumExp(Op):
    """d logsumexp(x) = softmax(x) dx"""

    def forward(ctx, x, dim, keepdim):
        xp = ctx.xp
        ctx.dim, ctx.keepdim = dim, keepdim
        if x.size == 0:  # an empty sum: log(0) = -inf (or an empty result)
            ctx.save_for_backward(x, None)
            return xp.full(tuple(1 if dim is None or d in dim else s for d, s in enumerate(x.shape)) if keepdim else
                           tuple(s for d, s in enumerate(x.shape) if dim is not None and d not in dim), -xp.inf, x.dtype)
        m = x.max(axis=dim, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or inf) rows: no shift
        out = xp.log(xp.exp(x - m).sum(axis=dim, keepdims=True)) + m
        if not keepdim:
            out = out.reshape(tuple(s for d, s in enumerate(x.shape) if d not in (dim or range(x.ndim))))
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if out is None:
            return x.new_zeros(x.shape)
        shape = tuple(x.shape)
        return _keep(grad, shape, ctx.dim, ctx.keepdim) * (x - _keep(out, shape, ctx.dim, ctx.keepdim)).exp()


class Norm2(Op):
    """d ||x||_2 = x / ||x|| dx (0 where the norm is 0, as torch)"""

    def forward(ctx, x, dim, keepdim):
        xp = ctx.xp
        out = xp.sqrt((x * x).sum(axis=dim, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape = tuple(x.shape)
        out = _keep(out, shape, ctx.dim, ctx.keepdim)
        is_zero = out == 0
        scaled = _keep(grad, shape, ctx.dim, ctx.keepdim) * x / Where.apply(is_zero, 1.0, out)
        return Where.apply(is_zero, 0.0, scaled)


def norm(x, p: Any, dim: Any, keepdim: bool):
    if p is None:  # torch.norm's p=None is the 2-norm
        p = "fro"
    if not (x.is_floating_point() or x.is_complex()) and p != "nuc":
        from ..._signatures import _SCALAR_TYPE_NAMES

        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_SCALAR_TYPE_NAMES[x.dtype.name]}")
    if isinstance(p, complex):
        raise RuntimeError("linalg.vector_norm: Expected a non-complex scalar as the order of norm.")
    x = _float_input(x)
    dims = normalize_dims(dim, x.ndim)
    if p in ("fro", 2, 2.0):
        return Norm2.apply(x, dim=dims, keepdim=keepdim)
    if p == 1:
        return x.abs().sum(dims, keepdim=keepdim)
    if p == math.inf:
        return x.abs().amax(dims, keepdim=keepdim)
    if p == -math.inf:
        return x.abs().amin(dims, keepdim=keepdim)
    if p == 0:  # the count of nonzeros, recorded (zero gradient) as torch's
        from .linalg_norm import PNorm

        return PNorm.apply(x, p=0.0, dim=dims, keepdim=keepdim)
    if p == "nuc":  # torch.norm: the nuclear norm over every dim (so the input must be a matrix) or over dim
        from ...linalg import matrix_norm

        return matrix_norm(x, "nuc", tuple(range(x.ndim)) if dim is None else dim, keepdim)
    if isinstance(p, str):
        raise ValueError(f"norm(): unsupported norm type {p!r}; use a number, 'fro', 'nuc', inf or -inf")
    return (x.abs() ** p).sum(dims, keepdim=keepdim) ** (1.0 / p)


class CumSum(Op):
    """d cumsum(x)_j / dx_i = [i <= j]: the gradient is a reversed cumulative sum."""

    def forward(ctx, x, dim):
        ctx.dim = dim
        return ctx.xp.cumsum(x, axis=dim)

    def backward(ctx, grad):
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


class CumProd(Op):
    """d cumprod(x)_j / dx_i = prod_{k <= j, k != i} x_k for i <= j. Without zeros that is out_j / x_i,
    so the gradient is a reversed cumulative sum of grad * out, divided by x."""

    def forward(ctx, x, dim):
        out = ctx.xp.cumprod(x, axis=dim)
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        if not (x == 0).any().item():
            return (grad * out).flip(dim).cumsum(dim).flip(dim) / x
        # with zeros, out / x is 0/0: products of the other elements explicitly (a constant, as Prod)
        if grad_mode.state.enabled:
            raise RuntimeError("cumprod(): the gradient over zeros is not twice differentiable here")
        return Tensor._make(_cumprod_grad_with_zeros(ctx.xp, x._data, grad._data, dim), ctx.device)


def _cumprod_grad_with_zeros(xp, x, grad, dim: int):
    """sum_{j >= i} grad_j prod_{k <= j, k != i} x_k along ``dim`` (O(n^2) per line, only when x has zeros)."""
    x, grad = xp.moveaxis(x, dim, -1), xp.moveaxis(grad, dim, -1)
    n = x.shape[-1]
    before = xp.cumprod(xp.concatenate([xp.ones_like(x[..., :1]), x[..., :-1]], axis=-1), axis=-1)  # prod_{k < i}
    after = xp.triu(xp.ones((n, n), dtype=bool), 1)  # [i, k]: k > i
    rows = xp.where(after, x[..., None, :], xp.ones((), dtype=x.dtype))  # [..., i, k] = x_k if k > i else 1
    partial = xp.cumprod(rows, axis=-1) * before[..., :, None]  # [..., i, j] = prod_{k <= j, k != i} x_k (j >= i)
    g = (xp.where(xp.tril(xp.ones((n, n), dtype=bool), -1), 0, partial) * grad[..., None, :]).sum(-1)
    return xp.moveaxis(g, -1, dim)


def cumprod(x, dim: int, dtype: Any = None):
    x = x if dtype is None else x.to(dtype)
    if x._data.dtype.kind in "bui":  # torch multiplies integers and bools as int64
        x = x.to(int64)
    dim = _normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return CumProd.apply(x.reshape(1), dim=0).reshape(())
    return CumProd.apply(x, dim=dim)
