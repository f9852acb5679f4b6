"""Matrix structure: ``tril``/``triu``, ``diag``, ``trace``.

All are compositions of differentiable ops (a ``Where`` with a constant mask, indexing with
``arange`` keys), so their gradients, to any order, come from those ops.
"""
from __future__ import annotations

from ..._device import on_device
from ..._tensor import Tensor
from .elementwise import Where
from .index import GetItem, IndexAccumulate


def _triangle(x, diagonal: int, lower: bool, fn: str):
    """x where the element is on or below (``lower``) / above the ``diagonal``-th diagonal, else 0."""
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")
    n, m = x.shape[-2:]
    xp = x.device.backend.xp
    with on_device(x.device):
        keep = xp.tri(n, m, k=diagonal, dtype=bool)  # on and below the diagonal
        if not lower:
            keep = ~xp.tri(n, m, k=diagonal - 1, dtype=bool)
    zero = False if x._data.dtype.kind == "b" else 0  # a weak scalar: the result keeps x's dtype
    return Where.apply(Tensor._make(keep, x.device), x, zero)


def tril(x, diagonal: int = 0):
    return _triangle(x, diagonal, True, "tril")


def triu(x, diagonal: int = 0):
    return _triangle(x, diagonal, False, "triu")


def _diagonal_key(x, n: int, diagonal: int) -> tuple:
    """(rows, cols) of the ``n`` cells of the ``diagonal``-th diagonal."""
    xp = x.device.backend.xp
    with on_device(x.device):
        i = xp.arange(n)
        return (i - min(diagonal, 0), i + max(diagonal, 0))


def diag(x, diagonal: int = 0):
    """A 1-D tensor -> the square matrix with it on the ``diagonal``-th diagonal;
    a 2-D tensor -> its ``diagonal``-th diagonal."""
    if x.ndim == 1:
        n = x.shape[0] + abs(diagonal)
        return IndexAccumulate.apply(x, key=_diagonal_key(x, x.shape[0], diagonal), shape=(n, n))
    if x.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    rows, cols = x.shape
    length = max(0, min(rows + min(diagonal, 0), cols - max(diagonal, 0)))
    return GetItem.apply(x, key=_diagonal_key(x, length, diagonal))


def trace(x):
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    return diag(x).sum()
