"""``torch.linalg``: the decompositions and solves microtorch has (``cholesky``, ``solve_triangular``)."""
from __future__ import annotations

from ._tensor import Tensor
from .autograd.ops.decomposition import Cholesky, SolveTriangular

__all__ = ["LinAlgError", "cholesky", "solve_triangular", "cross"]


class LinAlgError(RuntimeError):
    """A matrix the routine cannot handle (``torch.linalg.LinAlgError``), e.g. not positive-definite."""


def _check_square(name: str, a: Tensor, what: str = "A") -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{name}(): argument '{what}' must be Tensor, not {type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor {what} must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: {what} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if not a.is_floating_point():
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got {a.dtype}")


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor L of a symmetric positive-definite A (A = L L^T); ``upper=True``: L^T."""
    _check_square("cholesky", A)
    low = Cholesky.apply(A)
    return low.mT if upper else low


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A; only A's triangle is read."""
    _check_square("solve_triangular", A)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if unitriangular:
        eye = A.new_ones(A.shape[-1]).diag()
        A = A.tril(-1) + eye if not upper else A.triu(1) + eye
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return SolveTriangular.apply(A.mT, B.mT, upper=not upper).mT
    if A.shape[-1] != B.shape[-2]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    return SolveTriangular.apply(A, B, upper=upper)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Tensor | None = None) -> Tensor:
    """The cross product along ``dim`` (of size 3), after broadcasting. grad: (other x g, g x input)"""
    from .autograd.ops.matrix import cross as _cross
    from ._signatures import write_out

    return write_out(out, _cross(input, other, dim), "linalg.cross")
