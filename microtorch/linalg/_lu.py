"""The LU family: ``linalg.lu``, ``lu_factor``, ``lu_factor_ex``, ``lu_solve`` and torch's ``lu``, ``lu_solve``,
``lu_unpack`` (pivots 1-based int32, as LAPACK's and torch's)."""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from .._device import on_device
from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops import decomposition as _dec
from ..autograd.ops.linalg_lu import Lu, permutation_matrix
from . import _common

LuUnpack = namedtuple("lu_unpack", ["P", "L", "U"])


def _check_pivot(name: str, pivot: bool) -> None:
    if not pivot:
        raise RuntimeError(f"linalg.{name}: LU without pivoting is not implemented on the CPU")


def lu(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    """(P, L, U) with A = P L U, L unit lower triangular, U upper triangular.
    grad: P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T (and the rectangular parts)"""
    _common.check_matrix("lu", A)
    _common.check_float("lu", A)
    _check_pivot("lu", pivot)
    return write_out(out, _common.Lu(*Lu.apply(A)), "linalg.lu")


def _packed(A: Tensor) -> tuple:
    """(LU, pivots, info): L below the diagonal and U on and above it, from Lu (so LU is differentiable)."""
    _, low, up = Lu.apply(A)
    m, n = A.shape[-2:]
    k = min(m, n)
    from ..autograd.ops.shape import cat

    if m > n:
        packed = low.tril(-1) + cat([up, up.new_zeros(tuple(up.shape[:-2]) + (m - n, n))], -2)
    else:
        packed = up + cat([low.tril(-1), low.new_zeros(tuple(low.shape[:-2]) + (m, n - k))], -1)
    _, pivots, info = _dec.LuFactor.apply(A.detach())
    return packed, pivots, info


def lu_factor(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    """(LU, pivots): L (below the diagonal, unit diagonal implied) and U packed in one matrix; pivots 1-based.
    grad: that of lu through tril(LU, -1) and triu(LU)"""
    _common.check_matrix("lu_factor", A)
    _common.check_float("lu_factor", A)
    _check_pivot("lu_factor", pivot)
    packed, pivots, info = _packed(A)
    if bool((info > 0).any()):
        raise _common.LinAlgError(f"torch.linalg.lu_factor: U[{int(info[info > 0][0])},{int(info[info > 0][0])}] is "
                                  "zero and using it on lu_solve would result in a division by zero. If you still "
                                  "want to perform the factorization, consider calling linalg.lu(A, pivot) or "
                                  "linalg.lu_factor_ex(A, pivot)")
    return write_out(out, _common.LuFactor(packed, pivots), "linalg.lu_factor")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out: Any = None) -> Any:
    """(LU, pivots, info): lu_factor without raising (info > 0: U's first zero diagonal element, 1-based).
    grad: lu_factor's"""
    _common.check_matrix("lu_factor_ex", A)
    _common.check_float("lu_factor_ex", A)
    _check_pivot("lu_factor_ex", pivot)
    packed, pivots, info = _packed(A)
    if check_errors and bool((info > 0).any()):
        raise _common.LinAlgError(f"linalg.lu_factor_ex: U[{int(info[info > 0][0])},{int(info[info > 0][0])}] is zero")
    return write_out(out, _common.LuFactorEx(packed, pivots, info), "linalg.lu_factor_ex")


def _permutation(LU: Tensor, pivots: Tensor) -> Tensor:
    """P (LU's dtype) from the pivots."""
    xp = LU.device.backend.xp
    with on_device(LU.device):
        p = permutation_matrix(xp, pivots._data, LU.shape[-2], LU._data.dtype)
    return Tensor._make(p, LU.device)


def _check_pivots(name: str, LU: Tensor, pivots: Tensor) -> None:
    _common.check_tensor(name, pivots, "pivots")
    if pivots.dtype.name != "int32":
        raise RuntimeError(f"{name}: Expected pivots to be integers. Got {pivots.dtype}")
    if tuple(pivots.shape) != tuple(LU.shape[:-2]) + (min(LU.shape[-2:]),):
        raise RuntimeError(f"{name}: Expected LU_pivots.size(-1) == min(LU.size(-2), LU.size(-1)) and the same "
                           f"batch shape as LU, but got pivots of shape {tuple(pivots.shape)} and LU of shape "
                           f"{tuple(LU.shape)}")


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False,
             out: Any = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B; ``adjoint``: A^T), A = P L U given as lu_factor's (LU, pivots).
    grad: that of the triangular solves through tril(LU, -1), triu(LU) and B"""
    _common.check_square("lu_solve", LU, "LU")
    _check_pivots("linalg.lu_solve", LU, pivots)
    _common.check_matrix("lu_solve", B, "B")
    _common.check_same_dtype("lu_solve", LU, B, ("LU", "B"))
    n = LU.shape[-1]
    if B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    eye = _dec._eye(LU, n)
    low, up, p = LU.tril(-1) + eye, LU.triu(), _permutation(LU, pivots)
    factors = [(p, True), (low, False), (up, False)]  # A = P L U; (factor, is a permutation)
    if adjoint:  # A^T = U^T L^T P^T
        factors = [(up.mT, False), (low.mT, False), (p.mT, True)]
    if not left:  # X A = B  <=>  A^T X^T = B^T
        factors, B = [(f.mT, perm) for f, perm in reversed(factors)], B.mT
    x = B
    for factor, is_permutation in factors:  # A^-1 B = F3^-1 F2^-1 F1^-1 B
        x = factor.mT @ x if is_permutation else _dec.Solve.apply(factor, x)
    return write_out(out, x if left else x.mT, "linalg.lu_solve")
