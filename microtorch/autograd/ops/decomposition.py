"""Matrix decompositions and triangular solves: ``cholesky`` and ``solve_triangular`` (``torch.linalg``'s).

Both run on the backend's ``xp.linalg`` over any batch dims; backward is written with these same
ops, so second derivatives (the Hessians of Gaussian log-densities) come for free.
"""
from __future__ import annotations

from ..function import Op


def lapack(xp, name: str, *arrays, **options):
    """``xp.linalg.<name>(*arrays)``, float16 computed in float32 (LAPACK has no half precision) and cast back."""
    dtype = arrays[0].dtype
    if dtype == xp.float16:
        arrays = tuple(a.astype(xp.float32) for a in arrays)
    out = getattr(xp.linalg, name)(*arrays, **options)
    if dtype != xp.float16:
        return out
    if isinstance(out, tuple):
        return tuple(o.astype(dtype) if o.dtype.kind == "f" else o for o in out)
    return out.astype(dtype)


def _lower_half_diagonal(t):
    """tril(t) with its diagonal halved: Phi in the Cholesky derivative (Murray, 2016)."""
    return t.tril() - t.tril().triu() * 0.5


class Cholesky(Op):
    """A = L L^T; grad_A = sym(L^-T Phi(L^T grad_L) L^-1), with sym(S) = (S + S^T) / 2"""

    def forward(ctx, a, ex: bool = False):
        xp = ctx.xp
        try:
            out = lapack(xp, "cholesky", a)
            failed = not bool(xp.all(xp.isfinite(out)))
        except getattr(xp.linalg, "LinAlgError", ArithmeticError):
            failed = True
        info = xp.zeros(a.shape[:-2], dtype="int32")
        if failed:
            out, info = _cholesky_partial(xp, a)
            if not ex:
                raise _not_positive_definite(int(info.reshape(-1)[xp.argmax(info.reshape(-1) > 0)]))
        ctx.save_for_backward(out)
        return (out, info) if ex else out

    def backward(ctx, grad, *_):
        (low,) = ctx.saved_tensors
        p = _lower_half_diagonal(low.mT @ grad.tril())
        up = low.mT
        t = SolveTriangular.apply(up, p.mT, upper=True)  # L^-T P^T
        s = SolveTriangular.apply(up, t.mT, upper=True)  # L^-T P L^-1
        return (s + s.mT) * 0.5


def _cholesky_partial(xp, a):
    """(L, info) for a batch with matrices that are not positive-definite: info is the order of the first leading
    minor that is not, L the factor of the largest leading minor that is (zeros elsewhere), one matrix at a time."""
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    low = xp.zeros_like(flat)
    info = xp.zeros((flat.shape[0],), dtype="int32")
    for b in range(flat.shape[0]):
        for k in range(1, n + 1):
            try:
                part = lapack(xp, "cholesky", flat[b, :k, :k])
                if not bool(xp.all(xp.isfinite(part))):
                    raise ArithmeticError
            except (getattr(xp.linalg, "LinAlgError", ArithmeticError), ArithmeticError):
                info[b] = k
                break
            low[b, :k, :k] = part
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


def _not_positive_definite(order: int) -> Exception:
    return _linalg_error("linalg.cholesky: The factorization could not be completed because the input is not "
                         f"positive-definite (the leading minor of order {order} is not positive-definite).")


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
        out = lapack(xp, "solve", xp.broadcast_to(tri, shape + tri.shape[-2:]), xp.broadcast_to(b, shape + b.shape[-2:]))
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


def _linalg_error(message: str) -> Exception:
    from ...linalg import LinAlgError

    return LinAlgError(message)


def _eye(like, n: int):
    """The n x n identity in ``like``'s dtype and device (a constant)."""
    from ..._creation import eye

    return eye(n, dtype=like.dtype, device=like.device)


def _singular(xp, a) -> bool:
    return not bool(xp.all(xp.isfinite(a)))


class Solve(Op):
    """X = A^-1 B; grad_B = A^-T G, grad_A = -grad_B X^T"""

    broadcasting = True  # batch dims broadcast; the engine sums them back

    def forward(ctx, a, b, check: bool = True):
        xp = ctx.xp
        shape = _broadcast_batch(a.shape[:-2], b.shape[:-2])
        wide_a, wide_b = xp.broadcast_to(a, shape + a.shape[-2:]), xp.broadcast_to(b, shape + b.shape[-2:])
        try:
            out = lapack(xp, "solve", wide_a, wide_b)
            if _singular(xp, out) and not _singular(xp, wide_a):  # CuPy returns inf/nan instead of raising
                raise ArithmeticError
        except (getattr(xp.linalg, "LinAlgError", ArithmeticError), ArithmeticError):
            if check:
                raise _linalg_error("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
            out = _nan_solve(ctx.device.backend, wide_a, wide_b)
        ctx.save_for_backward(a, out)  # (A itself, not its broadcast: double backward reaches it)
        return out

    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        gb = Solve.apply(a.mT, grad)
        return (-(gb @ out.mT) if need_a else None), (gb if need_b else None)


def _nan_solve(backend, a, b):
    """Solves of a batch with singular matrices: each singular one gives inf/nan, as LAPACK's getrs does."""
    xp = backend.xp
    lu, _, info = backend.lu_factor(a)
    safe = xp.where((info > 0)[..., None, None], xp.eye(a.shape[-1], dtype=a.dtype), a)
    out = lapack(xp, "solve", safe, b)
    with backend.errstate():
        return xp.where((info > 0)[..., None, None], out * xp.asarray(float("nan"), dtype=a.dtype), out)


class LuFactor(Op):
    """(LU, pivots, info) of A = P L U with partial pivoting (the backend's ``lu_factor``); not differentiable here
    (``linalg.lu_factor`` differentiates through ``LuUnpacked``)"""

    def forward(ctx, a):
        return ctx.device.backend.lu_factor(a)


class Inverse(Op):
    """A^-1; grad_A = -A^-T G A^-T"""

    def forward(ctx, a, check: bool = True):
        xp = ctx.xp
        try:
            out = lapack(xp, "inv", a)
            if _singular(xp, out) and not _singular(xp, a):  # CuPy returns inf/nan instead of raising
                raise ArithmeticError
        except (getattr(xp.linalg, "LinAlgError", ArithmeticError), ArithmeticError):
            if check:
                _, _, info = ctx.device.backend.lu_factor(a)
                element = int(info.reshape(-1)[xp.argmax(info.reshape(-1) > 0)])
                raise _linalg_error(f"linalg.inv: The diagonal element {element} is zero, the inversion could not be "
                                    "completed because the input matrix is singular.") from None
            eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
            out = _nan_solve(ctx.device.backend, a, eye)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -(out.mT @ grad @ out.mT)


class Det(Op):
    """det(A); grad_A = g det(A) A^-T (0 where det(A) is 0, as torch's)"""

    def forward(ctx, a):
        out = lapack(ctx.xp, "det", a)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad):
        from .elementwise import Where

        a, out = ctx.saved_tensors
        if a.shape[-1] == 0:
            return a * 0
        eye = _eye(a, a.shape[-1])
        safe = Where.apply((out == 0)[..., None, None], eye, a)  # singular: any invertible stand-in, times 0
        return Solve.apply(safe.mT, eye) * (grad * out)[..., None, None]


class SlogDet(Op):
    """(sign, log|det A|); grad_A = g A^-T (sign has no gradient)"""

    def forward(ctx, a):
        sign, logabs = lapack(ctx.xp, "slogdet", a)
        ctx.save_for_backward(a)
        return sign, logabs

    def backward(ctx, grad_sign, grad_logabs):
        (a,) = ctx.saved_tensors
        return Solve.apply(a.mT, _eye(a, a.shape[-1])) * grad_logabs[..., None, None]
