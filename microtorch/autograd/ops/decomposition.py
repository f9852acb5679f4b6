"""Matrix decompositions and triangular solves: ``cholesky`` and ``solve_triangular`` (``torch.linalg``'s).

Both run on the backend's ``xp.linalg`` over any batch dims; backward is written with these same
ops, so second derivatives (the Hessians of Gaussian log-densities) come for free.
"""
from __future__ import annotations

from ..function import Op


def _lower_half_diagonal(t):
    """tril(t) with its diagonal halved: Phi in the Cholesky derivative (Murray, 2016)."""
    return t.tril() - t.tril().triu() * 0.5


class Cholesky(Op):
    """A = L L^T; grad_A = sym(L^-T Phi(L^T grad_L) L^-1), with sym(S) = (S + S^T) / 2"""

    def forward(ctx, a):
        xp = ctx.xp
        try:
            out = xp.linalg.cholesky(a)
        except getattr(xp.linalg, "LinAlgError", ArithmeticError):
            raise _not_positive_definite() from None
        if not bool(xp.all(xp.isfinite(out))):
            raise _not_positive_definite()
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (low,) = ctx.saved_tensors
        p = _lower_half_diagonal(low.mT @ grad.tril())
        up = low.mT
        t = SolveTriangular.apply(up, p.mT, upper=True)  # L^-T P^T
        s = SolveTriangular.apply(up, t.mT, upper=True)  # L^-T P L^-1
        return (s + s.mT) * 0.5


def _not_positive_definite() -> Exception:
    from ...linalg import LinAlgError

    return LinAlgError("linalg.cholesky: The factorization could not be completed because the input is not "
                         "positive-definite.")


def _broadcast_batch(a: tuple, b: tuple) -> tuple:
    """The broadcast of two batch shapes (pure Python: not every array library has broadcast_shapes)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"batch dimensions {a} and {b} do not broadcast")
        out.append(y if x == 1 else x)
    return tuple(out)


class SolveTriangular(Op):
    """X = A^-1 B for triangular A; grad_B = A^-T G, grad_A = -grad_B X^T (on A's triangle)"""

    broadcasting = True  # batch dims broadcast; the engine sums them back

    def forward(ctx, a, b, upper: bool):
        xp = ctx.xp
        ctx.upper = upper
        tri = xp.triu(a) if upper else xp.tril(a)
        shape = _broadcast_batch(a.shape[:-2], b.shape[:-2])
        out = xp.linalg.solve(xp.broadcast_to(tri, shape + tri.shape[-2:]), xp.broadcast_to(b, shape + b.shape[-2:]))
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        gb = SolveTriangular.apply(a.mT, grad, upper=not ctx.upper)
        ga = None
        if need_a:
            ga = -(gb @ out.mT)
            ga = ga.triu() if ctx.upper else ga.tril()
        return ga, (gb if need_b else None)
