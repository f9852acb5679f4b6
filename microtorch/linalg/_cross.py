"""``linalg.cross``: the cross product of 3-vectors along a dim (the op is ``autograd/ops/matrix.py``'s)."""
from __future__ import annotations

from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops.matrix import cross as _cross

__all__ = ["cross"]


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Tensor | None = None) -> Tensor:
    """The cross product along ``dim`` (of size 3), after broadcasting. grad: (other x g, g x input)"""
    return write_out(out, _cross(input, other, dim), "linalg.cross")
