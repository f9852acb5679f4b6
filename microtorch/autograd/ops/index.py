"""Indexing: ``x[key]``, ``x[key] = v``, ``gather``, ``index_select``, ``masked_select``, ``scatter``.

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
from .views import view_of
from .inplace import check_inplace, commit
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
    out = GetItem.apply(x, key=key)
    return view_of(out, x, lambda t: t[key]) if _is_basic(key) else out


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


def _as_1d(t: Any) -> Any:
    """A 0-d tensor as one element (torch treats a 0-d self and index of gather/scatter as 1-d)."""
    return t.reshape(1) if isinstance(t, Tensor) and t.ndim == 0 else t


def gather(x, dim: int, index):
    if x.ndim == 0:
        _normalize_dim(dim, 1)
        return gather(x.reshape(1), 0, _as_1d(index)).reshape(index.shape)
    dim = _check_along_dim(x, dim, index, "gather")
    return GetItem.apply(x, key=_along_dim_key(x, dim, index))


def take_along_dim(x, indices, dim: int | None = None):
    """``gather`` after broadcasting ``x`` and ``indices`` against each other apart from ``dim``
    (``dim=None``: both flattened)."""
    _check_index(indices, "torch.take_along_dim")  # (torch: "dtype of indices should be Long")
    if dim is None:
        return gather(x.reshape(-1), 0, indices.reshape(-1))
    dim = _normalize_dim(dim, x.ndim)
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


def index_select(x, dim: int, index):
    _check_index(index, "index_select", "int32 int64")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if x.ndim == 0:
        _normalize_dim(dim, 1)
        return index_select(x.reshape(1), 0, index).reshape(())
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
        if reduce != "add":
            raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported by microtorch; use scatter_add")
        if not isinstance(src, Tensor):
            from ..._creation import full

            src = full(tuple(index.shape), src, dtype=x.dtype, device=x.device)
        return scatter_add(x, dim, index, src)
    if x.ndim == 0 and isinstance(index, Tensor) and index.ndim == 0:
        return scatter(x.reshape(1), dim, index.reshape(1), _as_1d(src)).reshape(())
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
    if x.ndim == 0 and isinstance(index, Tensor) and index.ndim == 0:
        return scatter_add(x.reshape(1), dim, index.reshape(1), _as_1d(src)).reshape(())
    dim = _check_along_dim(x, dim, index, "scatter_add", src)
    src = _scatter_source(x, index, src, "scatter_add")
    return x + IndexAccumulate.apply(src, key=_along_dim_key(x, dim, index), shape=tuple(x.shape))
