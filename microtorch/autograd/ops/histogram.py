"""Counting: ``bincount``, ``histc``, ``histogram``, ``histogramdd`` (no gradients: torch has none for them).

A histogram's bins are given by their edges (``linspace`` of the range in the input's dtype, as torch's, or
the given tensors); an element ``v`` falls in bin ``i`` when ``edges[i] <= v < edges[i + 1]``, the last bin
also holding ``v == edges[-1]``; elements outside the edges and nan are not counted.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from ..._device import on_device
from ..._tensor import Tensor

HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])
HistogramddResult = namedtuple("histogramdd", ["hist", "bin_edges"])


def bincount(x, weights: Any = None, minlength: int = 0):
    """How often each non-negative integer occurs in the 1-D ``x`` (``weights``: the sum of their weights),
    ``max(x) + 1`` or ``minlength`` counts."""
    if not isinstance(x, Tensor) or x.ndim != 1 or x._data.dtype.kind not in "iu" or \
            x.numel() and int(x.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = x._device.backend.xp
    with on_device(x._device):
        if weights is None:
            return Tensor._make(xp.bincount(x._data, minlength=minlength).astype("int64"), x._device)
        if not isinstance(weights, Tensor) or weights.ndim != 1 or weights.shape != x.shape:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        dtype = weights._data.dtype.name if weights._data.dtype.kind == "f" else "float64"
        counts = xp.bincount(x._data, weights=weights._data.astype("float64"), minlength=minlength)
        return Tensor._make(counts.astype(dtype), x._device)


def _range_of(xp, values: Any, low: Any, high: Any, fn: str, dim: int = 0) -> tuple:
    """The outer edges: the given range, else the data's (``[0, 1]`` for no data; an empty range widened by
    0.5 each way), checked finite and ordered."""
    if low is None or high is None or low == high and fn == "torch.histc":
        if values.size:
            low, high = float(values.min()), float(values.max())
        else:
            low, high = 0.0, 1.0
    low, high = float(low), float(high)
    if low > high:
        raise RuntimeError(f"{fn}: max must be larger than min" if fn == "torch.histc" else
                           f"{fn}: min should not exceed max, but got min {low:g} max {high:g} for dimension {dim}")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"{fn}: range of [{low:g}, {high:g}] is not finite")
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def _bin_of(xp, values: Any, edges: Any, by_division: bool) -> tuple:
    """Each value's bin index and whether it is counted at all. ``by_division`` (histc's rule): the index is
    ``floor((v - low) * bins / (high - low))`` in the input's dtype, without looking at the edges."""
    bins = edges.shape[0] - 1
    if by_division:
        low, high = edges[0], edges[-1]
        index = xp.floor((values - low) * values.dtype.type(bins) / (high - low))
        index = xp.nan_to_num(index, nan=0.0, posinf=0.0, neginf=0.0).astype("int64")
    else:
        index = xp.searchsorted(edges, values, side="right") - 1
    index = xp.where((values == edges[-1]) | (index >= bins), bins - 1, index)
    counted = (values >= edges[0]) & (values <= edges[-1])  # (False for nan)
    return xp.clip(index, 0, max(bins - 1, 0)), counted


def _linspace(xp, low: float, high: float, n: int, dtype: Any) -> Any:
    """torch's linspace: the first half counted up from ``low``, the second down from ``high`` (so both ends
    are exact), in ``dtype``."""
    step = (dtype.type(high) - dtype.type(low)) / dtype.type(max(n - 1, 1))
    i = xp.arange(n).astype(dtype)
    return xp.where(xp.arange(n) < n // 2, dtype.type(low) + step * i, dtype.type(high) - step * (dtype.type(n - 1) - i))


def _histogramdd(x, bins: Any, ranges: Any, weight: Any, density: bool, fn: str) -> tuple:
    """The D-dimensional histogram of the rows of ``x`` (..., D): (counts, [edges per dim]) as arrays."""
    if x._data.dtype.kind != "f":
        from ..._signatures import _SCALAR_TYPE_NAMES

        raise NotImplementedError(f"{fn}: \"histogram_cpu\" not implemented for '{_SCALAR_TYPE_NAMES[x.dtype.name]}'")
    xp = x._device.backend.xp
    d = x.shape[-1] if x.ndim else 1
    points = x._data.reshape(-1, d)
    bins = list(bins) if isinstance(bins, (list, tuple)) else [bins] * d
    if len(bins) != d:
        raise RuntimeError(f"{fn}: expected {d} sequences of bin edges for each dimension, but got {len(bins)}")
    if ranges is not None and len(ranges) != 2 * d:
        raise RuntimeError(f"{fn}: for a {d}-dimensional histogram range should have {2 * d} elements, but got "
                           f"{len(ranges)}")
    edges, flat, counted = [], xp.zeros(points.shape[0], dtype="int64"), xp.ones(points.shape[0], dtype=bool)
    for k in range(d):
        edge = _edges(xp, x, points[:, k], bins[k], None if ranges is None else ranges[2 * k:2 * k + 2], fn, k)
        index, inside = _bin_of(xp, points[:, k], edge, fn == "torch.histc")
        flat, counted = flat * (edge.shape[0] - 1) + index, counted & inside
        edges.append(edge)
    shape = tuple(e.shape[0] - 1 for e in edges)
    w = None if weight is None else weight._data.reshape(-1).astype("float64")[counted]
    hist = xp.bincount(flat[counted], weights=w, minlength=int(xp.prod(xp.asarray(shape))) if shape else 1)
    hist = hist.reshape(shape).astype(x._data.dtype)
    if density:
        volume = xp.ones(shape, dtype=x._data.dtype)
        for k, e in enumerate(edges):
            volume = volume * xp.diff(e).reshape([-1 if j == k else 1 for j in range(d)])
        hist = hist / (hist.sum() * volume)
    return hist, edges


def _edges(xp, x, values: Any, bins: Any, lo_hi: Any, fn: str, dim: int) -> Any:
    """One dimension's bin edges: ``bins`` + 1 evenly spaced ones over the range, or the given tensor."""
    if isinstance(bins, Tensor):
        if bins.ndim != 1 or bins.numel() < 1:
            raise RuntimeError(f"{fn}: bins tensor should have one dimension and at least 1 element, but got "
                               f"{bins.ndim} dimensions and {bins.numel()} elements")
        if bins._data.dtype != x._data.dtype:
            raise RuntimeError(f"{fn}: input tensor and bins tensors should have the same dtype, but got input "
                               f"{x.dtype} and bins {bins.dtype}")
        return bins._data
    if not isinstance(bins, int) or isinstance(bins, bool) or bins <= 0:
        raise RuntimeError(f"{fn}: bins must be > 0, but got {bins} for dimension {dim}")
    given_low, given_high = lo_hi if lo_hi is not None else (None, None)
    low, high = _range_of(xp, values, given_low, given_high, fn, dim)
    return _linspace(xp, low, high, bins + 1, x._data.dtype)


def histc(x, bins: int = 100, min: Any = 0, max: Any = 0):  # noqa: A002 - torch's names
    """Counts of ``x``'s elements in ``bins`` equal bins over [min, max] (both 0: the data's range), in x's dtype."""
    if not isinstance(bins, int) or bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    with on_device(x._device):
        hist, _ = _histogramdd(x.reshape(-1, 1), [bins], [min, max], None, False, "torch.histc")
    return Tensor._make(hist, x._device)


def histogram(x, bins: Any, range: Any = None, weight: Any = None, density: bool = False) -> HistogramResult:  # noqa: A002
    """(hist, bin_edges): the counts (or summed ``weight``; ``density``: normalised to integrate to 1) of ``x``'s
    elements in ``bins`` bins (an int: equal ones over ``range`` or the data's; a tensor: the edges)."""
    if weight is not None and (not isinstance(weight, Tensor) or weight.shape != x.shape):
        raise RuntimeError("torch.histogram: if weight tensor is provided it should have the same shape as the "
                           "input tensor")
    with on_device(x._device):
        hist, edges = _histogramdd(x.reshape(-1, 1), [bins], range, weight, density, "torch.histogram()")
    return HistogramResult(Tensor._make(hist, x._device), Tensor._make(edges[0], x._device))


def histogramdd(input: Tensor, bins: Any, range: Any = None, weight: Tensor | None = None,  # noqa: A002
                density: bool = False) -> HistogramddResult:
    """(hist, bin_edges): the D-dimensional histogram of the rows of ``input`` (..., D), with ``bins`` an int, D
    ints or D edge tensors and ``range`` [low_0, high_0, low_1, ...]; bin_edges holds one tensor per dimension."""
    if not isinstance(input, Tensor):
        raise TypeError(f"histogramdd(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"torch.histogramdd: input tensor should have at least 2 dimensions, but got {input.ndim}")
    if weight is not None and (not isinstance(weight, Tensor) or tuple(weight.shape) != tuple(input.shape[:-1])):
        raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                           "input tensor excluding its innermost dimension")
    with on_device(input._device):
        hist, edges = _histogramdd(input, bins, range, weight, density, "torch.histogramdd")
    return HistogramddResult(Tensor._make(hist, input._device), tuple(Tensor._make(e, input._device) for e in edges))
