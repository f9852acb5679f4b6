"""The LU factorisation with partial pivoting, A = P L U (``linalg.lu``; ``lu_factor`` packs L and U).

Forward is the backend's ``lu_factor`` (the contract has a default in array code); backward is the standard
formula written with triangular solves, so it is differentiable again.
"""
from __future__ import annotations

import math

from ..function import Op
from .decomposition import SolveTriangular


def permutation_matrix(xp, pivots, m: int, dtype):
    """P with P^T A = A[perm]: the row swaps ``pivots`` (1-based, LAPACK's) applied in order to arange(m)."""
    batch = pivots.shape[:-1]
    count = math.prod(batch)
    perm = xp.broadcast_to(xp.arange(m), batch + (m,)).copy().reshape((count, m))
    flat = pivots.reshape((count, pivots.shape[-1])).astype("int64") - 1
    rows = xp.arange(perm.shape[0])
    for i in range(flat.shape[-1]):
        target = flat[:, i]
        a, b = perm[:, i].copy(), perm[rows, target].copy()
        perm[:, i], perm[rows, target] = b, a
    perm = perm.reshape(batch + (m,))
    return (xp.arange(m)[:, None] == perm[..., None, :]).astype(dtype)  # P[r, i] = [r == perm[i]]


class Lu(Op):
    """A = P L U (L unit lower m x k, U upper k x n). For square A: gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T;
    for m > n the rows below, L2 = A2 U^-1, add gA2 = gL2 U^-T and gU -= L2^T gL2 U^-T; for m < n the columns right,
    U2 = L^-1 A2, add gA2 = L^-T gU2 and gL -= L^-T gU2 U2^T"""

    def forward(ctx, a):
        xp = ctx.xp
        m, n = a.shape[-2:]
        k = min(m, n)
        lu, pivots, _ = ctx.device.backend.lu_factor(a)
        p = permutation_matrix(xp, pivots, m, a.dtype)
        low = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=a.dtype)
        up = xp.triu(lu[..., :k, :])
        ctx.save_for_backward(p, low, up)
        return p, low, up

    def backward(ctx, gp, gl, gu):
        p, low, up = ctx.saved_tensors
        from .shape import cat

        m, n = low.shape[-2], up.shape[-1]
        if m == n:
            return p @ _square_lu_backward(low, up, gl, gu)
        if m > n:
            l1, l2, gl1, gl2 = low[..., :n, :], low[..., n:, :], gl[..., :n, :], gl[..., n:, :]
            gl2_uinv = _right_solve_upper_t(up, gl2)  # gL2 U^-T
            top = _square_lu_backward(l1, up, gl1, gu - l2.mT @ gl2_uinv)
            return p @ cat([top, gl2_uinv], -2)
        u1, u2, gu1, gu2 = up[..., :m], up[..., m:], gu[..., :m], gu[..., m:]
        lt_gu2 = SolveTriangular.apply(low.mT, gu2, upper=True)  # L^-T gU2
        left = _square_lu_backward(low, u1, gl - lt_gu2 @ u2.mT, gu1)
        return p @ cat([left, lt_gu2], -1)


def _right_solve_upper_t(up, x):
    """x U^-T (U upper triangular)."""
    return SolveTriangular.apply(up, x.mT, upper=True).mT


def _square_lu_backward(low, up, gl, gu):
    """L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T: the gradient of P^T A for square A = P L U."""
    middle = (low.mT @ gl).tril(-1) + (gu @ up.mT).triu()
    return _right_solve_upper_t(up, SolveTriangular.apply(low.mT, middle, upper=True))
