"""Indexing: ``x[key]``, ``x[key] = v``, ``gather``, ``index_select``, ``masked_select``, ``scatter``, ``scatter_reduce``,
``index_add``/``index_copy``/``index_fill``/``index_put``/``index_reduce``, ``take``, ``put``, ``masked_scatter``.

Keys follow NumPy (and torch): ints, slices, None, Ellipsis, bool masks and
integer tensors/lists. The gradient of a read is the gradient scattered back
into zeros (repeated indices add up); that scatter is itself an op
(``IndexAccumulate``) whose gradient is the read again, so indexing is
differentiable to any order.
"""
from __future__ import annotations

import warnings
from typing import Any

from ..._device import on_device
from .. import function as _function
from ..function import Op
from .views import unrecorded_host, view_of
from .inplace import check_inplace, commit
from .elementwise import where
from .. import grad_mode
from ..._dtype import checked_scalar
from ..._tensor import Tensor
from ..._promotion import _normalize_dim, _to_scalar


def _is_basic(key: tuple) -> bool:
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


class GetItem(Op):
    """out = x[key]"""

    def forward(ctx, x, key):
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    def backward(ctx, grad):
        return IndexAccumulate.apply(grad, key=ctx.key, shape=ctx.shape)


class IndexAccumulate(Op):
    """out = zeros(shape); out[key] += values (repeated indices add up)"""

    def forward(ctx, values, key, shape):
        ctx.key = key
        out = ctx.xp.zeros(shape, dtype=values.dtype)
        if _is_basic(key):
            out[key] = values
        else:
            ctx.device.backend.scatter_add(out, key, values)
        return out

    def backward(ctx, grad):
        return GetItem.apply(grad, key=ctx.key)


def normalize_key(x, key: Any) -> tuple:
    """Turn an indexing key into a tuple NumPy understands, with index tensors as backend arrays."""

    if not isinstance(key, tuple):
        if _sequence_as_tuple(key):
            warnings.warn(
                "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
                "index, x[torch.tensor(seq)], which will result either in an error or a different result",
                UserWarning, stacklevel=4)
            key = tuple(key)
        else:
            key = (key,)
    backend = x._device.backend
    out = []
    for k in key:
        if type(k) is slice and k.step is None or type(k) is int or k is None or k is Ellipsis:
            out.append(k)  # the common keys first, without the checks below (a bool's type is not int)
            continue
        if isinstance(k, range):  # torch indexes with a range as with the list of its values
            k = list(k)
        elif isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero" if k.step < 0 else "slice step cannot be zero")
        if isinstance(k, Tensor):
            if k._data.dtype.kind not in "iub":
                raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, got {k.dtype}")
            data = k._data if k._device is x._device else backend.asarray(k._device.backend.to_numpy(k._data), index=x._device.index)
            out.append(data)
        elif isinstance(k, (list, tuple)) or hasattr(k, "__array__") and not isinstance(k, (int, slice)):
            arr = backend.asarray(k, index=x._device.index)
            if arr.dtype.kind not in "iub":
                if arr.size == 0:
                    arr = arr.astype("int64")
                else:
                    raise IndexError(f"index lists must hold integers or bools, got {arr.dtype}")
            out.append(arr)
        elif isinstance(k, bool):
            out.append(backend.asarray(k, index=x._device.index))
        elif k is None or k is Ellipsis or isinstance(k, slice):
            out.append(k)
        elif hasattr(k, "__index__"):
            out.append(int(k.__index__()))
        else:
            raise IndexError(
                f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Tensors are valid indices "
                f"(got {type(k).__name__})"
            )
    return tuple(out)


def _sequence_as_tuple(key: Any) -> bool:
    """torch's (and old NumPy's) rule for a list key: one shorter than 32 holding a sequence, tensor, slice,
    None or Ellipsis is a tuple of indices (``x[[[0, 1], [1, 0]]]`` is ``x[[0, 1], [1, 0]]``)."""
    if not isinstance(key, list) or len(key) >= 32:
        return False
    return any(k is None or k is Ellipsis or isinstance(k, (list, tuple, range, slice, Tensor)) for k in key)


def getitem(x, key: Any):
    if _function.vmap_dispatch is not None:  # inside vmap, an index tensor may differ per example
        from ...func._batched import getitem_with_vmapped_index

        out = getitem_with_vmapped_index(x, key)
        if out is not NotImplemented:
            return out
    key = normalize_key(x, key)
    if not _is_basic(key):
        return GetItem.apply(x, key=key)
    if all(type(k) is int for k in key):  # one int per dim: NumPy gives a scalar; with ``...``, the 0-d view torch gives
        key += (Ellipsis,)
    out = Tensor._make(x._data[key], x._device) if unrecorded_host(x) else GetItem.apply(x, key=key)
    return view_of(out, x, lambda t: t[key])


class IndexPut(Op):
    """x[key] = values, written into x's own array (x takes the result's place in the graph).
    The gradient flows to ``values`` from the written positions and to ``x`` from the others."""

    def forward(ctx, x, values, key):
        ctx.key = key
        ctx.values_shape = getattr(values, "shape", ())
        write(x, key, values)
        return x

    def backward(ctx, grad):
        need_x, need_values = ctx.needs_input_grad
        gx = gv = None
        if need_x:  # the overwritten positions get no gradient (a recorded write: twice differentiable)
            gx = grad.clone()
            gx[ctx.key] = 0.0
        if need_values:
            gv = GetItem.apply(grad, key=ctx.key).sum_to_size(ctx.values_shape)
        return gx, gv


def write(array, key: tuple, values: Any) -> None:
    """``array[key] = values``; values that do not broadcast to the indexed shape raise torch's RuntimeError
    (NumPy's is a ValueError), naming both shapes."""
    try:
        array[key] = values
    except ValueError:
        if not hasattr(values, "shape"):
            raise
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to indexing result of "
            f"shape {list(array[key].shape)}"
        ) from None


def setitem(x, key: Any, value: Any) -> None:
    key = normalize_key(x, key)
    if isinstance(value, Tensor):
        if value._device is not x._device:
            raise RuntimeError(f"index_put_: values are on {value._device} but the tensor is on {x._device}")
        if value._data.dtype != x._data.dtype:
            value = value.to(x.dtype)
    elif value is None or isinstance(value, str):  # (NumPy would store None as nan)
        raise TypeError(f"can't assign a {type(value).__name__} to a {x.type()}")
    else:
        scalar = _to_scalar(value)
        if scalar is not None:
            value = checked_scalar(scalar, x.dtype)  # as torch: truncates into integers, refuses overflow
        else:
            array = x._device.backend.asarray(value, dtype=x._data.dtype.name, index=x._device.index)
            value = Tensor._make(array, x._device)
    recording = grad_mode.state.enabled and (x._requires_grad or isinstance(value, Tensor) and value._requires_grad)
    check_inplace(x, recording)
    if not recording:
        value = value._data if isinstance(value, Tensor) else value
        if x._device.index is None:  # a host device: nothing to switch
            write(x._data, key, value)
        else:
            with on_device(x._device):
                write(x._data, key, value)
        x._bump_version()
        return
    result = IndexPut.apply(x, value, key=key)
    commit(x, result, already_written=True)


def _check_index(index, fn: str, dtypes: str = "int64") -> None:
    if not isinstance(index, Tensor):
        raise TypeError(f"{fn}(): index must be a Tensor, got {type(index).__name__}")
    if index._data.dtype.name not in dtypes.split():
        raise RuntimeError(f"{fn}(): Expected dtype {'/'.join(dtypes.split())} for index, got {index.dtype}")


def _along_dim_key(x, dim: int, index) -> tuple:
    """The advanced-indexing key that reads ``x[..., index[p], ...]`` at every position ``p`` of
    ``index`` (``index`` along ``dim``, its own position along the other dims): gather's and
    scatter's addressing, as one NumPy key."""
    xp = x._device.backend.xp
    key = []
    for d, n in enumerate(index.shape):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            with on_device(x._device):
                key.append(xp.arange(n).reshape(shape))
    return normalize_key(x, tuple(key))


def _check_along_dim(x, dim: int, index, fn: str, src=None) -> int:
    """torch's checks for gather/scatter: an int32/int64 index with x's number of dims, no larger than x
    (and than src) apart from ``dim``; returns ``dim`` made non-negative."""
    dim = _normalize_dim(dim, x.ndim)
    _check_index(index, fn, "int32 int64")
    if index.ndim != x.ndim:
        raise RuntimeError(f"{fn}(): Index tensor must have the same number of dimensions as self tensor")
    for d in range(x.ndim):
        if d != dim and index.shape[d] > x.shape[d] or src is not None and index.shape[d] > src.shape[d]:
            raise RuntimeError(
                f"{fn}(): Expected index {list(index.shape)} to be no larger than self {list(x.shape)} apart from "
                f"dimension {dim}" + (f" and to be no larger size than src {list(src.shape)}" if src is not None else "")
            )
    if index.numel() and (bool((index < 0).any()) or bool((index >= x.shape[dim]).any())):
        raise RuntimeError(f"{fn}(): index out of bounds for dimension {dim} with size {x.shape[dim]}")
    return dim


def _lifted(x, dim: int, index, src: Any = None) -> tuple:
    """A 0-d ``x`` (and 0-d index and src) as one-element vectors: torch gathers and scatters along dim 0 of a
    0-d tensor as along a vector of one element."""
    _normalize_dim(dim, 0)
    one = (lambda t: t.reshape(1) if isinstance(t, Tensor) and t.ndim == 0 else t)
    return x.reshape(1), 0, one(index), one(src)


def gather(x, dim: int, index):
    if isinstance(index, Tensor) and index.numel() == 0:  # torch checks neither the index's dtype nor its dims then
        _normalize_dim(dim, x.ndim)
        return x.reshape(-1)[:0].reshape(tuple(index.shape))
    if x.ndim == 0:
        x1, dim, index1, _ = _lifted(x, dim, index)
        return gather(x1, dim, index1).reshape(index.shape)
    dim = _check_along_dim(x, dim, index, "gather")
    return GetItem.apply(x, key=_along_dim_key(x, dim, index))


def take_along_dim(x, indices, dim: int | None = None):
    """``gather`` after broadcasting ``x`` and ``indices`` against each other apart from ``dim``
    (``dim=None``: both flattened)."""
    if dim is None and isinstance(indices, Tensor) and indices.numel() == 0:
        return gather(x.reshape(-1), 0, indices.reshape(-1))  # (torch's gather checks no dtype of an empty index)
    _check_index(indices, "torch.take_along_dim")  # (torch: "dtype of indices should be Long")
    if dim is None:
        return gather(x.reshape(-1), 0, indices.reshape(-1))  # (torch counts negative indices only along a dim)
    dim = _normalize_dim(dim, x.ndim)
    if x.ndim:
        indices = _wrapped(indices, x.shape[dim])
    if indices.ndim != x.ndim:
        raise RuntimeError(
            f"torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{x.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    shape = []
    for d, (a, b) in enumerate(zip(x.shape, indices.shape)):
        if d != dim and a != b and 1 not in (a, b):
            raise RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {d}"
            )
        shape.append(max(a, b))
    x_shape = tuple(shape[:dim] + [x.shape[dim]] + shape[dim + 1:])
    i_shape = tuple(shape[:dim] + [indices.shape[dim]] + shape[dim + 1:])
    return gather(x.expand(x_shape), dim, indices.expand(i_shape))


def _wrapped(indices, size: int):
    """Negative indices counted from the end (take_along_dim's, as Python's)."""
    return indices + (indices < 0).long() * size if indices.numel() else indices


def index_select(x, dim: int, index):
    _check_index(index, "index_select", "int32 int64")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if x.ndim == 0:
        x1, dim, index1, _ = _lifted(x, dim, index)
        out = index_select(x1, dim, index1)
        return out.reshape(()) if out.numel() == 1 else out  # (torch: a 0-d result for a 0-d x)
    dim = _normalize_dim(dim, x.ndim)
    return GetItem.apply(x, key=normalize_key(x, (slice(None),) * dim + (index.reshape(-1),)))


def nonzero(x, as_tuple: bool = False) -> Any:
    """The int64 indices of the non-zero elements: an (n, ndim) tensor, or one 1-D tensor per dim."""
    xp = x._device.backend.xp
    with on_device(x._device):
        idx = xp.nonzero(x._data.reshape(1) if x.ndim == 0 else x._data)  # torch: a 0-d tensor is one element
        if as_tuple:
            return tuple(Tensor._make(i.astype("int64", copy=False), x._device) for i in idx)
        out = xp.stack(idx, axis=1) if x.ndim else xp.zeros((idx[0].shape[0], 0))
        return Tensor._make(out.astype("int64", copy=False), x._device)


def masked_select(x, mask):
    """The elements of ``x`` where ``mask`` (broadcast with it) holds, as a 1-D tensor."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from ..._functions import broadcast_shapes

    shape = broadcast_shapes(x.shape, mask.shape)
    return getitem(x.expand(shape), mask.expand(shape))


# ---- scatter: writes at gather's positions ---------------------------------------------------------------
def _scatter_source(x, index, src, fn: str):
    """The part of ``src`` that ``index`` addresses (torch reads src[p] for each position p of index)."""
    if not isinstance(src, Tensor):
        return src
    if src._data.dtype != x._data.dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype")
    if src.ndim != index.ndim:
        raise RuntimeError(f"{fn}(): Index tensor must have the same number of dimensions as src tensor")
    if tuple(src.shape) == tuple(index.shape):
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def scatter(x, dim: int, index, src: Any = None, value: Any = None, reduce: str | None = None):
    """A copy of ``x`` with ``out[..., index[p], ...] = src[p]`` (or ``value``): the gradient reaches
    ``x`` where nothing was written and ``src`` through gather (``IndexPut``'s backward)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter(): expected a src tensor or a value")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if not isinstance(src, Tensor):
            from ..._creation import full

            src = full(tuple(index.shape), src, dtype=x.dtype, device=x.device)
        return scatter_reduce(x, dim, index, src, "sum" if reduce == "add" else "prod")
    if x.ndim == 0:
        x1, dim, index1, src1 = _lifted(x, dim, index, src)
        return scatter(x1, dim, index1, src1).reshape(())
    dim = _check_along_dim(x, dim, index, "scatter", src if isinstance(src, Tensor) else None)
    src = _scatter_source(x, index, src, "scatter")
    out = x.clone()
    setitem(out, _along_dim_key(x, dim, index), src)
    return out


def scatter_add(x, dim: int, index, src):
    """``x`` plus ``src`` summed into the positions ``index`` addresses (repeated positions add up);
    the gradient is the upstream one for ``x`` and its gather for ``src``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): src must be a Tensor, got {type(src).__name__}")
    if x.ndim == 0:
        x1, dim, index1, src1 = _lifted(x, dim, index, src)
        return scatter_add(x1, dim, index1, src1).reshape(())
    dim = _check_along_dim(x, dim, index, "scatter_add", src)
    src = _scatter_source(x, index, src, "scatter_add")
    return x + IndexAccumulate.apply(src, key=_along_dim_key(x, dim, index), shape=tuple(x.shape))


# ---- scatter_reduce: reductions into gather's positions ---------------------------------------------------
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _identity(xp, how: str, dtype) -> Any:
    """The value a reduction starts from where ``include_self=False`` leaves the target's own value out."""
    if how in ("sum", "mean"):
        return 0
    if how == "prod":
        return 1
    if dtype.kind == "f":
        return -float("inf") if how == "amax" else float("inf")
    info = xp.iinfo(dtype) if dtype.kind in "iu" else None
    return (info.min if how == "amax" else info.max) if info is not None else how == "amin"


class ScatterReduce(Op):
    """out = x with each ``src[p]`` reduced (sum, prod, mean, amax, amin) into the position ``key`` gives p
    (``include_self=False``: x's own value at a written position is left out). Gradients as torch's:
    sum: g and gather(g); mean: g / n and gather(g / n) (n: the values averaged); amax/amin: g shared evenly
    among the values equal to the result; prod: g * out / value (a lone zero: g * the product of the others)."""

    def forward(ctx, x, src, key, how, include_self):
        xp, backend = ctx.xp, ctx.device.backend
        out = x.copy()
        touched = xp.zeros(x.shape, dtype=bool)
        touched[key] = True
        if not include_self:
            out[touched] = _identity(xp, how, x.dtype)
        backend.scatter_reduce(out, key, src, "sum" if how == "mean" else how)
        count = None
        if how == "mean":
            count = xp.full(x.shape, 1 if include_self else 0, dtype=x.dtype)
            backend.scatter_reduce(count, key, xp.ones(src.shape, dtype=x.dtype), "sum")
            count[count == 0] = 1
            out = out // count if x.dtype.kind in "iub" else out / count
        ctx.key, ctx.how, ctx.include_self = key, how, include_self
        if how in ("prod", "amax", "amin"):
            ctx.save_for_backward(x, src, out, touched)
        else:
            ctx.save_for_backward(touched, count)
        return out

    def backward(ctx, grad):
        key, how = ctx.key, ctx.how
        if how in ("sum", "mean"):
            touched, count = ctx.saved_tensors
            gx = grad if count is None else grad / count
            gs = GetItem.apply(gx, key=key)
        elif how == "prod":
            x, src, out, touched = ctx.saved_tensors
            gx, gs = _prod_grads(ctx, grad, x, src, out)
        else:
            x, src, out, touched = ctx.saved_tensors
            self_is = (x == out).to(grad.dtype)
            src_is = (src == GetItem.apply(out, key=key)).to(grad.dtype)
            shared = grad / (self_is + IndexAccumulate.apply(src_is, key=key, shape=tuple(x.shape)))
            gx, gs = self_is * shared, src_is * GetItem.apply(shared, key=key)
        if not ctx.include_self:  # x's values at the written positions took no part
            gx = where(touched, 0.0, gx)
        return gx, gs


def _prod_grads(ctx, grad, x, src, out) -> tuple:
    """prod's gradients: out / value, except where a value is zero, where it is the product of the others."""
    key, include_self = ctx.key, ctx.include_self
    x_nonzero = x.masked_fill(x == 0, 1)
    gx = grad * ScatterReduce.apply(x_nonzero, src, key=key, how="prod", include_self=include_self) / x_nonzero
    src_zero = src == 0
    zeros_there = GetItem.apply(IndexAccumulate.apply(src_zero.to(grad.dtype), key=key, shape=tuple(x.shape)), key=key)
    lone_zero = src_zero & (zeros_there == 1)
    others = ScatterReduce.apply(x, src.masked_fill(lone_zero, 1), key=key, how="prod", include_self=include_self)
    gs = where(lone_zero, GetItem.apply(grad * others, key=key),
               GetItem.apply(grad * out, key=key) / src.masked_fill(src_zero, 1))
    return gx, gs


def scatter_reduce(x, dim: int, index, src, reduce: str, include_self: bool = True):
    """``src`` reduced into ``x`` at the positions ``index`` gives along ``dim`` (torch's scatter_reduce)."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): src must be a Tensor, got {type(src).__name__}")
    if x.ndim == 0:
        x1, dim, index1, src1 = _lifted(x, dim, index, src)
        return scatter_reduce(x1, dim, index1, src1, reduce, include_self).reshape(())
    dim = _check_along_dim(x, dim, index, "scatter_reduce", src)
    src = _scatter_source(x, index, src, "scatter_reduce")
    return ScatterReduce.apply(x, src, key=_along_dim_key(x, dim, index), how=reduce, include_self=include_self)


# ---- index_add, index_copy, index_fill, index_reduce: writes at the positions a vector lists along dim -----
def _index_along(x, dim: int, index, fn: str, source: Any = None, negative_ok: bool = False) -> tuple:
    """torch's checks for the index_* ops; returns x and source (0-d ones as one-element vectors), dim made
    non-negative and the index as a vector."""
    _check_index(index, fn, "int32 int64")
    if index.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector, but got dim: {index.ndim} with size: "
                         f"{list(index.shape)}")
    xv = x.reshape(1) if x.ndim == 0 else x
    dim = _normalize_dim(dim, xv.ndim)
    index = index.reshape(-1)
    size = xv.shape[dim]
    if index.numel() and (bool((index < (-size if negative_ok else 0)).any()) or bool((index >= size).any())):
        bad = int(index[(index >= size) | (index < (-size if negative_ok else 0))][0])
        raise IndexError(f"{fn}(): index {bad} is out of bounds for dimension {dim} with size {size}")
    if source is None:
        return xv, None, dim, index
    if not isinstance(source, Tensor):
        raise TypeError(f"{fn}(): source must be a Tensor, got {type(source).__name__}")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(f"{fn}(): self ({x.dtype}) and source ({source.dtype}) must have the same scalar type")
    sv = source.reshape(1) if source.ndim == 0 else source
    if sv.ndim != xv.ndim or any(a != b for d, (a, b) in enumerate(zip(xv.shape, sv.shape)) if d != dim):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}")
    if sv.shape[dim] != index.numel():
        raise RuntimeError(f"{fn}(): Number of indices ({index.numel()}) should be equal to source.size(dim): "
                           f"({sv.shape[dim]}), for dim: {dim}")
    return xv, sv, dim, index


def _dim_key(x, dim: int, index) -> tuple:
    return normalize_key(x, (slice(None),) * dim + (index,))


def index_add(x, dim: int, index, source, alpha: Any = 1):
    """``x`` with ``alpha * source`` added at the positions ``index`` lists along ``dim`` (repeats add up).
    grad: g for x, alpha * index_select(g) for source."""
    xv, sv, dim, index = _index_along(x, dim, index, "index_add_", source)
    added = IndexAccumulate.apply(sv if alpha == 1 else sv * alpha, key=_dim_key(xv, dim, index), shape=tuple(xv.shape))
    return (xv + added).reshape(x.shape)


def index_copy(x, dim: int, index, source):
    """``x`` with ``source``'s slices written at the positions ``index`` lists along ``dim``.
    grad: g where nothing was written for x, index_select(g) for source."""
    xv, sv, dim, index = _index_along(x, dim, index, "index_copy_", source)
    out = xv.clone()
    setitem(out, _dim_key(xv, dim, index), sv)
    return out.reshape(x.shape)


def index_fill(x, dim: int, index, value: Any):
    """``x`` with ``value`` at the positions ``index`` lists along ``dim`` (negative ones count from the end).
    grad: g where nothing was written for x; for a tensor value, the sum of g where it was written."""
    xv, _, dim, index = _index_along(x, dim, index, "index_fill_", negative_ok=True)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.to(x.dtype)
    else:
        from ..._creation import full

        value = full((), checked_scalar(_to_scalar(value), x.dtype), dtype=x.dtype, device=x.device)
    with on_device(x._device):
        mask = x._device.backend.xp.zeros(xv.shape, dtype=bool)
        mask[_dim_key(xv, dim, index)] = True
    return where(Tensor._make(mask, x._device), value, xv).reshape(x.shape)


def index_reduce(x, dim: int, index, source, reduce: str, include_self: bool = True):
    """``source``'s slices reduced (prod, mean, amax, amin) into ``x`` at the positions ``index`` lists along
    ``dim``: scatter_reduce with the index repeated across source's other dims (its gradients)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    xv, sv, dim, index = _index_along(x, dim, index, "index_reduce_", source)
    shape = [1] * sv.ndim
    shape[dim] = -1
    key = _along_dim_key(xv, dim, index.reshape(shape).expand(sv.shape))
    out = ScatterReduce.apply(xv, sv, key=key, how=reduce, include_self=include_self)
    return out if x.ndim else out.reshape(())  # (no reshape node: an in-place form must find x saved by this op)


# ---- index_put, take, put, masked_scatter ---------------------------------------------------------------
def index_put(x, indices: Any, values, accumulate: bool = False):
    """``x`` with ``x[indices] = values`` (``accumulate``: ``+=``, repeated positions adding up).
    grad: g where nothing was overwritten for x, g[indices] summed to values' shape for values."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' must be Tensor, not {type(values).__name__}")
    if values._data.dtype != x._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{x.dtype.name.capitalize()} for the destination and {values.dtype.name.capitalize()} for the source.")
    key = normalize_key(x, tuple(slice(None) if i is None else i for i in indices))
    if accumulate:
        with on_device(x._device):
            values = values.expand(x._data[key].shape)
    return _written(x, key, values, accumulate)


def _written(x, key, values, accumulate: bool):
    """``x`` with ``values`` written at ``key`` (a recorded setitem into a clone), or, with ``accumulate``, added
    there (repeated positions adding up); ``values`` has the indexed shape when accumulating."""
    if accumulate:
        return x + IndexAccumulate.apply(values, key=key, shape=tuple(x.shape))
    out = x.clone()
    setitem(out, key, values)
    return out


def _flat_index(index, size: int, fn: str):
    """``index`` as a vector into ``size`` elements (negative ones count from the end), or torch's IndexError."""
    _check_index(index, fn)
    flat = index.reshape(-1)
    outside = (flat < -size) | (flat >= size)
    if flat.numel() and bool(outside.any()):
        raise IndexError(f"out of range: tried to access index {int(flat[outside][0])} on a tensor of {size} elements.")
    return flat


def take(x, index):
    """The elements of ``x`` (read as a vector) at ``index``, in index's shape. grad: g put back (repeats add up)."""
    flat = _flat_index(index, x.numel(), "take")
    values = x.reshape(-1)
    return GetItem.apply(values, key=normalize_key(values, (flat,))).reshape(index.shape)


def put(x, index, source, accumulate: bool = False):
    """``x`` (read as a vector) with ``source``'s elements written (``accumulate``: added) at ``index``.
    grad: g where nothing was overwritten for x, take(g, index) for source."""
    if not isinstance(source, Tensor):
        raise TypeError(f"put(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{x.dtype.name.capitalize()} and source.dtype = {source.dtype.name.capitalize()}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    flat = _flat_index(index, x.numel(), "put_")
    values = x.reshape(-1)
    return _written(values, normalize_key(values, (flat,)), source.reshape(-1), accumulate).reshape(x.shape)


def masked_scatter(x, mask, source):
    """``x`` (broadcast with ``mask``) with source's first elements written, in order, where ``mask`` holds.
    grad: g where mask is False for x; g[mask] at source's first positions (0 elsewhere) for source."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        dtype = mask.dtype.name.capitalize() if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {dtype}")
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but got "
                           f"{x.dtype.name.capitalize()} and {source.dtype.name.capitalize()}")
    from ..._functions import broadcast_shapes

    shape = broadcast_shapes(x.shape, mask.shape)
    out, where_ = x.expand(shape).reshape(-1).clone(), mask.expand(shape).reshape(-1)
    count = int(where_.sum())
    if source.numel() < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    setitem(out, (where_,), source.reshape(-1)[:count])
    return out.reshape(shape)


def argwhere(x):
    """The indices of the non-zero elements, one row each (``nonzero``)."""
    return nonzero(x)


def nonzero_static(x, size: int, fill_value: int = -1):
    """``nonzero``'s rows, cut or padded with ``fill_value`` rows to exactly ``size``."""
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    rows = nonzero(x)
    if rows.shape[0] >= size:
        return rows[:size].contiguous()
    from ..._creation import full
    from .shape import cat

    return cat([rows, full((size - rows.shape[0], rows.shape[1]), fill_value, dtype=rows.dtype, device=x.device)])
