"""torch's functions that join or combine several tensors: the ``*stack`` family, ``atleast_*d``,
``block_diag``, ``cartesian_prod``, ``combinations``.

All are compositions of ``cat``, ``reshape``, ``meshgrid`` and indexing, so their gradients (to any order)
and every backend come from those ops.
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence

from ._dtype import int64, result_type
from ._promotion import _expect
from ._signatures import write_out
from ._tensor import Tensor
from .autograd.ops import shape as _shape


def _tensors(tensors: Any, fn: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        _expect(t, Tensor, fn, "tensors", i + 1)
    return tensors


def _at_least(tensors: tuple, shape_of: Any, fn: str) -> Any:
    """One tensor -> one tensor; several tensors (or one sequence) -> a tuple; each reshaped by ``shape_of``."""
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        _expect(t, Tensor, fn, "tensors", i + 1)
    out = tuple(t.reshape(shape_of(t.shape)) if len(shape_of(t.shape)) > t.ndim else t for t in tensors)
    return out[0] if single else out


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dim (a 0-d tensor becomes shape (1,))."""
    return _at_least(tensors, lambda s: s or (1,), "atleast_1d")


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dims (leading ones added)."""
    return _at_least(tensors, lambda s: (1,) * (2 - len(s)) + tuple(s) if len(s) < 2 else s, "atleast_2d")


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    shapes = {0: lambda s: (1, 1, 1), 1: lambda s: (1, s[0], 1), 2: lambda s: (s[0], s[1], 1)}
    return _at_least(tensors, lambda s: shapes[len(s)](s) if len(s) < 3 else s, "atleast_3d")


def hstack(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors), after ``atleast_1d``."""
    tensors = list(atleast_1d(_tensors(tensors, "hstack")))
    return write_out(out, _shape.cat(tensors, 0 if tensors[0].ndim == 1 else 1), "hstack")


def vstack(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """Join along dim 0, after ``atleast_2d``."""
    return write_out(out, _shape.cat(list(atleast_2d(_tensors(tensors, "vstack"))), 0), "vstack")


def row_stack(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """``vstack``'s other name."""
    return vstack(tensors, out=out)


def dstack(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """Join along dim 2, after ``atleast_3d``."""
    return write_out(out, _shape.cat(list(atleast_3d(_tensors(tensors, "dstack"))), 2), "dstack")


def column_stack(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """Join as columns: 0-d and 1-d tensors become (n, 1) columns, then along dim 1."""
    tensors = [t.reshape(t.numel(), 1) if t.ndim < 2 else t for t in _tensors(tensors, "column_stack")]
    return write_out(out, _shape.cat(tensors, 1), "column_stack")


def block_diag(*tensors: Tensor) -> Tensor:
    """The 0-, 1- or 2-d tensors as the blocks of a block-diagonal matrix (zeros elsewhere)."""
    for i, t in enumerate(tensors):
        _expect(t, Tensor, "block_diag", "tensors", i + 1)
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
    if not tensors:
        from ._creation import zeros

        return zeros((1, 0))
    dtype = result_type(*tensors)
    blocks = [t.to(dtype).reshape((1,) * (2 - t.ndim) + tuple(t.shape)) for t in tensors]
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        pieces = [b.new_zeros((r, left)), b, b.new_zeros((r, width - left - c))]
        rows.append(_shape.cat(pieces, 1))
        left += c
    return _shape.cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every tuple of one element from each 1-D tensor, as rows (a single tensor is returned as it is)."""
    for i, t in enumerate(tensors):
        _expect(t, Tensor, "cartesian_prod", "tensors", i + 1)
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = _shape.meshgrid(tensors, "ij")
    return _shape.stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a 1-D tensor's elements as rows (itertools' order)."""
    _expect(input, Tensor, "combinations", "input")
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(choose(range(input.shape[0]), r))
    from ._creation import tensor

    index = tensor(rows, dtype=int64, device=input.device).reshape(len(rows), r)
    return input[index]
