"""Sorting: ``sort``, ``argsort``, ``topk``; what sorted order answers: ``unique``, ``unique_consecutive``,
``searchsorted``, ``bucketize``, ``isin`` (no gradients: their results are indices, counts or picked values).

Only the order is computed here (``ArgSort``: int64 indices, no gradient); the values
are ``gather(x, dim, indices)``, so their gradient is gather's (the upstream gradient
scattered back to the picked positions) and is differentiable to any order.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from ..._device import on_device
from ..function import Op, refuse_complex
from ..._promotion import _expect, _normalize_dim
from ..._tensor import Tensor

SortResult = namedtuple("sort", ["values", "indices"])  # (torch's return type is named after the op)
TopKResult = namedtuple("topk", ["values", "indices"])  # (torch's return type is named after the op)


class ArgSort(Op):
    """The stable order along ``dim``; descending keeps equal elements in their original order
    and puts NaN first (torch treats NaN as the largest value)."""

    def forward(ctx, x, dim, descending):
        xp = ctx.xp
        if not descending:
            return xp.argsort(x, axis=dim, kind="stable").astype("int64", copy=False)
        # the ascending order of the reversed tensor, reversed: ties stay in order, no negation
        # (which would break unsigned and bool dtypes and keep NaN last)
        n = x.shape[dim]
        order = xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable")
        return (n - 1 - xp.flip(order, axis=dim)).astype("int64", copy=False)


def argsort(x, dim: int = -1, descending: bool = False, stable: bool = False):
    """Indices that sort ``x`` along ``dim`` (always a stable sort, which torch allows for stable=False)."""
    dim = _normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return ArgSort.apply(x.reshape(1), dim=0, descending=descending).reshape(())
    return ArgSort.apply(x, dim=dim, descending=descending)


def _take(x, dim: int, indices):
    """The values at ``indices`` along ``dim`` (a 0-d tensor is its own one element)."""
    return x.clone() if x.ndim == 0 else x.gather(dim, indices)


def sort(x, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
    indices = argsort(x, dim, descending, stable)
    return SortResult(_take(x, dim, indices), indices)


def topk(x, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopKResult:  # noqa: A002 - torch's name
    """The ``k`` largest (or smallest) elements along ``dim``, in order (``sorted=False`` is allowed
    any order by torch; this returns them sorted too)."""
    dim = _normalize_dim(dim, x.ndim)
    size = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range (k={k} for a dimension of size {size})")
    indices = argsort(x, dim, descending=largest)
    if x.ndim:
        indices = indices.narrow(dim, 0, k).contiguous()
    return TopKResult(_take(x, dim, indices), indices)


# ---- unique and unique_consecutive ------------------------------------------------------------------------
def _unique_result(x, values, inverse, counts, return_inverse: bool, return_counts: bool) -> Any:
    """torch's return: the values alone, or a tuple with the inverse indices and/or the counts (int64)."""
    make = (lambda a, dtype=None: Tensor._make(a if dtype is None else a.astype(dtype, copy=False), x._device))
    if not (return_inverse or return_counts):
        return make(values)
    out = (make(values),) + ((make(inverse, "int64"),) if return_inverse else ())
    return out + ((make(counts, "int64"),) if return_counts else ())


def _check_flags(fn: str, **flags: Any) -> None:
    for position, (name, value) in enumerate(flags.items(), start=2):
        _expect(value, bool, fn, name, position)


def unique(x, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None) -> Any:
    """The distinct elements (or slices along ``dim``), sorted (as torch's, whatever ``sorted`` says), with the
    index of each input element's value among them and how often each occurs."""
    _check_flags("unique", sorted=sorted, return_inverse=return_inverse, return_counts=return_counts)
    refuse_complex(x, "\"unique\" not implemented for 'ComplexFloat'", NotImplementedError)
    xp = x._device.backend.xp
    with on_device(x._device):
        if dim is None:
            values, inverse, counts = xp.unique(x._data.reshape(-1), return_inverse=True, return_counts=True)
            inverse = inverse.reshape(x.shape)
        else:
            dim = _normalize_dim(dim, x.ndim)
            if x.shape[dim] == 0:
                values, inverse, counts = x._data, xp.zeros(0, "int64"), xp.zeros(0, "int64")
            else:
                values, inverse, counts = xp.unique(x._data, return_inverse=True, return_counts=True, axis=dim)
                inverse = inverse.reshape(-1)
        return _unique_result(x, values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(x, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None) -> Any:
    """The elements (or slices along ``dim``) with each run of equal consecutive ones kept once; the run each
    input element belongs to, and the runs' lengths."""
    _check_flags("unique_consecutive", return_inverse=return_inverse, return_counts=return_counts)
    refuse_complex(x, "\"unique\" not implemented for 'ComplexFloat'", NotImplementedError)
    xp = x._device.backend.xp
    with on_device(x._device):
        if dim is None:
            rows = x._data.reshape(-1, 1)
        else:
            dim = _normalize_dim(dim, x.ndim)
            moved = xp.moveaxis(x._data, dim, 0)
            rows = moved.reshape(x.shape[dim], moved[:1].size)
        n = rows.shape[0]
        starts = xp.concatenate([xp.ones(min(n, 1), dtype=bool), (rows[1:] != rows[:-1]).any(axis=1)])
        first = xp.nonzero(starts)[0]
        inverse = xp.cumsum(starts) - 1
        counts = xp.diff(xp.concatenate([first, xp.asarray([n], dtype=first.dtype)]))
        if dim is None:
            values, inverse = rows[first, 0], inverse.reshape(x.shape)
        else:
            values = xp.moveaxis(xp.moveaxis(x._data, dim, 0)[first], 0, dim)
        return _unique_result(x, values, inverse, counts, return_inverse, return_counts)


# ---- searchsorted, bucketize, isin ---------------------------------------------------------------------------
def _searchsorted_side(right: bool, side: str | None) -> str:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    return side


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,  # noqa: A002
                 side: str | None = None, sorter: Tensor | None = None, out: Any = None) -> Tensor:
    """Where each value of ``input`` would go in the innermost rows of ``sorted_sequence`` to keep them sorted
    (``right``/``side='right'``: after equal elements); ``sorter`` sorts an unsorted sequence's rows."""
    from ..._signatures import write_out

    side = _searchsorted_side(right, side)
    if not isinstance(sorted_sequence, Tensor):
        raise TypeError(f"searchsorted(): argument 'sorted_sequence' must be Tensor, not {type(sorted_sequence).__name__}")
    values = input if isinstance(input, Tensor) else _scalar_like(input, sorted_sequence)
    seq = sorted_sequence
    for t in (seq, values):
        refuse_complex(t, "\"searchsorted_out_cpu\" not implemented for 'ComplexFloat'", NotImplementedError)
    if seq.ndim == 0 or seq.ndim > 1 and tuple(seq.shape[:-1]) != tuple(values.shape[:-1]) or \
            seq.ndim > 1 and seq.ndim != values.ndim:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           f"of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        if not isinstance(sorter, Tensor) or sorter._data.dtype.name != "int64" or sorter.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): sorter must be an int64 tensor of the boundaries tensor's shape")
        seq = seq.gather(-1, sorter)
    xp = seq._device.backend.xp
    with on_device(seq._device):
        common = xp.result_type(seq._data, values._data)
        rows, vals = seq._data.astype(common), values._data.astype(common)
        if seq.ndim == 1:
            found = xp.searchsorted(rows, vals.reshape(-1), side=side)
        elif values.numel() == 0:
            found = xp.zeros(values.shape, dtype="int64")
        else:
            rows, vals = rows.reshape(-1, seq.shape[-1]), vals.reshape(-1, values.shape[-1])
            found = xp.stack([xp.searchsorted(rows[i], vals[i], side=side) for i in range(rows.shape[0])])
        found = found.reshape(values.shape).astype("int32" if out_int32 else "int64")
    return write_out(out, Tensor._make(found, seq._device), "searchsorted")


def _scalar_like(value: Any, like: Tensor) -> Tensor:
    from ..._creation import tensor

    return tensor(value, device=like.device)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False,  # noqa: A002
              out: Any = None) -> Tensor:
    """The index of the bucket of 1-D ``boundaries`` each value of ``input`` falls in (``right``: a value equal
    to a boundary goes to the bucket after it)."""
    if not isinstance(boundaries, Tensor) or boundaries.ndim != 1:
        ndim = boundaries.ndim if isinstance(boundaries, Tensor) else 0
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements: Any = None, test_elements: Any = None, *, assume_unique: bool = False, invert: bool = False,
         out: Any = None, element: Any = None, test_element: Any = None) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (``invert``: does not); either may be a
    number (torch's overloads name a number ``element`` or ``test_element``)."""
    from ..._signatures import write_out

    elements = element if elements is None else elements
    test_elements = test_element if test_elements is None else test_elements

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected elements or test_elements to be a Tensor")
    like = elements if isinstance(elements, Tensor) else test_elements
    for value in (elements, test_elements):
        if isinstance(value, bool) or isinstance(value, Tensor) and value.dtype.name == "bool":
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    a = elements if isinstance(elements, Tensor) else _scalar_like(elements, like)
    b = test_elements if isinstance(test_elements, Tensor) else _scalar_like(test_elements, like)
    for t in (a, b):
        if t._data.dtype.kind == "c":
            raise RuntimeError(f"Unsupported input type encountered for isin(): "
                               f"{'ComplexDouble' if t._data.dtype.itemsize == 16 else 'ComplexFloat'}")
    xp = like._device.backend.xp
    with on_device(like._device):
        found = xp.isin(a._data, b._data.reshape(-1), assume_unique=assume_unique, invert=invert)
    return write_out(out, Tensor._make(xp.asarray(found), like._device), "isin")
