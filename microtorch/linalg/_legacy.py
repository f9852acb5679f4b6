"""The ``torch.*`` linear-algebra functions (also Tensor methods): ``det``, ``logdet``, ``slogdet``, ``inverse``,
``cholesky``, ``cholesky_solve``, ``cholesky_inverse``, ``triangular_solve``, ``matrix_exp``, ``matrix_power``,
``svd`` (V, not Vh), ``qr`` (``some``), ``pinverse``: torch's older spellings over ``torch.linalg``'s."""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops import decomposition as _dec
from ..autograd.ops.elementwise import Where
from . import _common, _solve, _spectral

SlogDet = namedtuple("slogdet", ["sign", "logabsdet"])
TriangularSolve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
SvdResult = namedtuple("svd", ["U", "S", "V"])
QrResult = namedtuple("qr", ["Q", "R"])


def _check_bool(name: str, arg: str, value: Any, position: int | None = None) -> None:
    if not isinstance(value, bool):
        where = f" (position {position})" if position is not None else ""
        raise TypeError(f"{name}(): argument '{arg}'{where} must be bool, not {type(value).__name__}")


def det(input: Tensor) -> Tensor:  # noqa: A002
    """The determinant (``linalg.det``). grad: g det(A) A^-T"""
    return _solve.det(input)


def slogdet(input: Tensor) -> Any:  # noqa: A002
    """(sign, logabsdet) (``linalg.slogdet``). grad: g A^-T"""
    return SlogDet(*_solve.slogdet(input))


def logdet(input: Tensor) -> Tensor:  # noqa: A002
    """log det(A): nan where det(A) < 0, -inf where it is 0. grad: g A^-T"""
    _common.check_square("logdet", input)
    sign, logabs = _dec.SlogDet.apply(input)
    return Where.apply(sign < 0, math.nan, logabs)


def inverse(input: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002
    """A^-1 (``linalg.inv``). grad: -A^-T G A^-T"""
    return _solve.inv(input, out=out)


def cholesky(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:  # noqa: A002
    """The Cholesky factor (``linalg.cholesky``). grad: sym(L^-T Phi(L^T G) L^-1)"""
    if isinstance(input, Tensor) and input.ndim >= 2 and input.numel() == 0:  # torch checks no shape then
        return write_out(out, input.clone(), "cholesky")
    return _solve.cholesky(input, upper=upper, out=out)


def _triangle_values(L: Tensor, upper: bool) -> Tensor:
    """L's triangle as values, with the gradient of every element of L, as torch's cholesky_solve treats L."""
    triangle = L.triu() if upper else L.tril()
    return L + (triangle - L).detach()


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:  # noqa: A002
    """X with (L L^T) X = B, B = ``input``, L = ``input2`` (``upper``: U^T U). grad: G_B = A^-1 G,
    G_L = -(G_B X^T + X G_B^T) L (U: -U (G_B X^T + X G_B^T))"""
    _common.check_matrix("cholesky_solve", input, "B")
    _common.check_square("cholesky_solve", input2)
    _common.check_same_dtype("cholesky_solve", input, input2, ("B", "A"))
    if input.shape[-2] != input2.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {input2.shape[-1]} by "
                           f"{input2.shape[-1]} but each b matrix is {input.shape[-2]} by {input.shape[-1]}")
    tri = _triangle_values(input2, upper)
    low = tri.mT if upper else tri
    return write_out(out, _dec.Solve.apply(low.mT, _dec.Solve.apply(low, input)), "cholesky_solve")


def cholesky_inverse(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:  # noqa: A002
    """(L L^T)^-1 from the Cholesky factor L (``upper``: (U^T U)^-1). grad: that of cholesky_solve(I, L)"""
    _common.check_square("cholesky_inverse", input)
    return write_out(out, cholesky_solve(_dec._eye(input, input.shape[-1]).expand(tuple(input.shape)), input, upper),
                     "cholesky_inverse")


def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,  # noqa: A002
                     unitriangular: bool = False) -> Any:
    """(X, A's copy) with A X = b (``transpose``: A^T X = b), b = ``input``, A triangular.
    grad: G_b = A^-T G, G_A = -G_b X^T on A's triangle"""
    _common.check_square("triangular_solve", A)
    coefficient = A.mT if transpose else A
    solution = _solve.solve_triangular(coefficient, input, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolve(solution, A.clone())


def matrix_exp(input: Tensor) -> Tensor:  # noqa: A002
    """exp(A) (``linalg.matrix_exp``). grad: that of the scaled Taylor polynomial and its squarings"""
    return _solve.matrix_exp(input)


def matrix_power(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """A^n (``linalg.matrix_power``). grad: that of the products"""
    return _solve.matrix_power(input, n)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out: Any = None) -> Any:  # noqa: A002
    """(U, S, V) with A = U diag(S) V^T (``some=False``: full U, V; ``compute_uv=False``: zero U, V).
    grad: linalg.svd's"""
    _common.check_matrix("svd", input)
    _check_bool("svd", "some", some, 1)
    _check_bool("svd", "compute_uv", compute_uv, 2)
    if not compute_uv:
        m, n = input.shape[-2:]
        s = _spectral.svdvals(input)
        batch = tuple(input.shape[:-2])
        u = input.new_zeros(batch + ((m, m) if not some else (m, min(m, n))))
        v = input.new_zeros(batch + ((n, n) if not some else (n, min(m, n))))
        return write_out(out, SvdResult(u, s, v), "svd")
    u, s, vh = _spectral.svd(input, full_matrices=not some)
    return write_out(out, SvdResult(u, s, vh.mT), "svd")


def qr(input: Tensor, some: bool = True, *, out: Any = None) -> Any:  # noqa: A002
    """(Q, R) (``some=False``: the complete Q). grad: linalg.qr's"""
    _check_bool("qr", "some", some, 1)
    q, r = _spectral.qr(input, "reduced" if some else "complete")
    return write_out(out, QrResult(q, r), "qr")


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """The pseudo-inverse, singular values at or below rcond * s_max dropped. grad: linalg.pinv's"""
    if isinstance(rcond, bool) or not isinstance(rcond, (int, float)):
        raise TypeError(f"pinverse(): argument 'rcond' (position 1) must be float, not {type(rcond).__name__}")
    return _spectral.pinv(input, rtol=rcond)


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, *, out: Any = None) -> Any:
    """(LU, pivots) (with ``get_infos``: and info) of A = P L U, as ``linalg.lu_factor_ex``. grad: lu_factor's"""
    from ._lu import lu_factor_ex

    _check_bool("_lu_with_info", "pivot", pivot)
    _check_bool("_lu_with_info", "get_infos", get_infos)
    packed, pivots, info = lu_factor_ex(A, pivot=pivot)
    return write_out(out, (packed, pivots, info) if get_infos else (packed, pivots), "lu")


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out: Any = None) -> Tensor:
    """X with A X = b, A = P L U given as lu's (LU_data, LU_pivots). grad: linalg.lu_solve's"""
    from ._lu import lu_solve as linalg_lu_solve

    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True,
              *, out: Any = None) -> Any:
    """(P, L, U) from lu's packed (LU_data, LU_pivots); what is not unpacked is empty. grad: L = tril(LU, -1) + I,
    U = triu(LU)"""
    from ._lu import LuUnpack, _check_pivots, _permutation

    _common.check_matrix("lu_unpack", LU_data, "LU_data")
    _check_pivots("torch.lu_unpack", LU_data, LU_pivots)
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    empty = LU_data.new_zeros((0,))
    low = up = p = empty
    if unpack_data:
        low = LU_data[..., :, :k].tril(-1) + _dec._eye(LU_data, max(m, k))[:m, :k]
        up = LU_data[..., :k, :].triu()
    if unpack_pivots:
        p = _permutation(LU_data, LU_pivots)
    return write_out(out, LuUnpack(p, low, up), "lu_unpack")

