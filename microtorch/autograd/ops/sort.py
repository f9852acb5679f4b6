"""Sorting: ``sort``, ``argsort``, ``topk``.

Only the order is computed here (``ArgSort``: int64 indices, no gradient); the values
are ``gather(x, dim, indices)``, so their gradient is gather's (the upstream gradient
scattered back to the picked positions) and is differentiable to any order.
"""
from __future__ import annotations

from collections import namedtuple

from ..function import Op
from ..._promotion import _normalize_dim

SortResult = namedtuple("sort", ["values", "indices"])  # type: ignore[name-match]  # (torch's return type is named after the op)
TopKResult = namedtuple("topk", ["values", "indices"])  # type: ignore[name-match]  # (torch's return type is named after the op)


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
