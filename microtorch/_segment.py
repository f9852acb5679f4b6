"""``segment_reduce``: reductions over consecutive segments of one axis (torch's ``torch.segment_reduce``).

Each segment is a slice of ``data`` reduced with the ordinary ops (``sum``, ``amax``, ...), so gradients are
theirs: ties of max and min share the gradient evenly, as torch's segment backward does. ``initial`` takes part in
every segment as torch's does (added for sum and mean, a factor for prod, a bound for max and min) and is the
value of an empty one; without it an empty segment is 0 (sum), 1 (prod), nan (mean), -inf (max) or inf (min).
"""
from __future__ import annotations

from typing import Any

from ._tensor import Tensor

__all__ = ["segment_reduce"]

_REDUCTIONS = {"sum": "sum", "prod": "prod", "mean": "mean", "max": "max", "amax": "max", "min": "min",
               "amin": "min"}
_EMPTY = {"sum": 0.0, "prod": 1.0, "mean": float("nan"), "max": float("-inf"), "min": float("inf")}


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None, indices: Tensor | None = None,
                   offsets: Tensor | None = None, axis: int = 0, unsafe: bool = False, initial: Any = None) -> Tensor:
    """Reduce ``data`` over the segments of ``axis`` given by ``lengths`` (segment sizes) or ``offsets`` (their
    boundaries, one more than segments): ``reduce`` is 'sum', 'prod', 'mean', 'max' (or 'amax'), 'min' (or 'amin').
    ``lengths``/``offsets`` may have leading dims matching ``data``'s before ``axis`` (a segmentation per row)."""
    kind = _REDUCTIONS.get(reduce)
    if kind is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    bounds = offsets if offsets is not None else lengths
    if not isinstance(data, Tensor) or not isinstance(bounds, Tensor):
        raise TypeError("segment_reduce(): data and lengths/offsets must be Tensors")
    if bounds.dtype.name not in ("int32", "int64"):
        raise NotImplementedError(f"segment_reduce(): lengths and offsets must be int32 or int64, got {bounds.dtype.name}")
    axis = axis + data.ndim if axis < 0 else axis
    if bounds.ndim - 1 != axis or tuple(bounds.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError(f"segment_reduce(): lengths/offsets of shape {list(bounds.shape)} do not segment axis {axis} "
                           f"of data of shape {list(data.shape)} (their leading dims must be data's before the axis)")
    starts = _starts(bounds, offsets is not None, data.shape[axis], unsafe)
    return _reduce_rows(data, starts, axis, kind, initial)


def _starts(bounds: Tensor, are_offsets: bool, size: int, unsafe: bool) -> list:
    """Per row of ``bounds``, the list of segment boundaries [b0, b1, ..., bS] along the axis."""
    rows = bounds.reshape(-1, bounds.shape[-1]).tolist()
    if are_offsets:
        return rows
    if any(n < 0 for row in rows for n in row):
        raise RuntimeError("lengths contains negative value!")
    if not unsafe and any(sum(row) != size for row in rows):
        raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum to "
                           "data.size(lengths.dim()-1) when !unsafe.")
    out = []
    for row in rows:
        edges = [0]
        for n in row:
            edges.append(edges[-1] + n)
        out.append(edges)
    return out


def _reduce_rows(data: Tensor, starts: list, axis: int, kind: str, initial: Any) -> Tensor:
    """Each row's segments reduced and stacked along ``axis``; rows (data's dims before ``axis``) restacked."""
    from ._functions import stack

    lead = tuple(data.shape[:axis])
    flat = data.reshape((-1,) + tuple(data.shape[axis:]))  # (rows, axis, rest...)
    results = [stack([_reduce_one(flat[r, lo:hi], kind, initial) for lo, hi in zip(edges, edges[1:])])
               for r, edges in enumerate(starts)]
    return stack(results).reshape(lead + tuple(results[0].shape))


def _reduce_one(segment: Tensor, kind: str, initial: Any) -> Tensor:
    """One segment (its first dim the segment) reduced to the rest's shape, with ``initial`` as torch uses it."""
    from ._creation import full

    count = segment.shape[0]
    if count == 0:
        value = _EMPTY[kind] if initial is None else float(initial)
        return full(tuple(segment.shape[1:]), value, dtype=segment.dtype, device=segment.device)
    if kind == "max":
        out = segment.amax(0)
        return out if initial is None else out.clamp(min=initial)
    if kind == "min":
        out = segment.amin(0)
        return out if initial is None else out.clamp(max=initial)
    if kind == "prod":
        out = segment.prod(0)
        return out if initial is None else out * initial
    total = segment.sum(0) if initial is None else segment.sum(0) + initial
    return total / count if kind == "mean" else total
