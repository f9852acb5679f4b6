"""Indexing: ``x[key]``, ``x[key] = v``, ``gather``, ``index_select``.

Keys follow NumPy (and torch): ints, slices, None, Ellipsis, bool masks and
integer tensors/lists. The gradient of a read is the gradient scattered back
into zeros (repeated indices add up); that scatter is itself an op
(``IndexAccumulate``) whose gradient is the read again, so indexing is
differentiable to any order.
"""
from __future__ import annotations

from typing import Any

from ..._device import on_device
from ..function import Op
from .views import view_of
from .. import grad_mode
from ..._dtype import checked_scalar
from ..._tensor import Tensor, _normalize_dim, _to_scalar


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
        key = (key,)
    backend = x._device.backend
    out = []
    for k in key:
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


def getitem(x, key: Any):
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
    from .inplace import check_inplace, commit

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
    recording = grad_mode.enabled and (x._requires_grad or isinstance(value, Tensor) and value._requires_grad)
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


def gather(x, dim: int, index):

    dim = _normalize_dim(dim, x.ndim)
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
    if index.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(x.ndim):
        if d != dim and index.shape[d] > x.shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be smaller than self "
                f"{list(x.shape)} apart from dimension {dim}"
            )
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
    return GetItem.apply(x, key=normalize_key(x, tuple(key)))


def index_select(x, dim: int, index):

    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = _normalize_dim(dim, x.ndim)
    return GetItem.apply(x, key=normalize_key(x, (slice(None),) * dim + (index.reshape(-1),)))
