"""``linalg.vector_norm``'s p-norms other than 1, 2 and +-inf (those are compositions of abs, sum, amax and Norm2)."""
from __future__ import annotations

from ..function import Op
from .elementwise import Where
from .reduce import _keep


class PNorm(Op):
    """(sum |x|^p)^(1/p) (p = 0: the count of nonzeros); torch's gradient: g x |x|^(p-2) / norm^(p-1), 0 where the
    norm is 0 (for p < 1: g sgn(x) |x|^(p-1) norm^(1-p), 0 where x is 0; for p = 0: 0)"""

    def forward(ctx, x, p: float, dim, keepdim: bool):
        xp = ctx.xp
        if p == 0:
            out = (x != 0).sum(axis=dim, keepdims=keepdim).astype(x.dtype)
        else:
            out = (xp.abs(x) ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p, shape = ctx.p, tuple(x.shape)
        if p == 0:  # (zeros, not x * 0, which is nan at inf and nan)
            return x.new_zeros(shape)
        norm = _keep(out, shape, ctx.dim, ctx.keepdim)
        grad = _keep(grad, shape, ctx.dim, ctx.keepdim)
        if p < 1:
            scaled = Where.apply(x == 0, 0.0, x.sign() * x.abs() ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        scale = Where.apply(norm == 0, 0.0, grad / norm ** (p - 1))
        return scaled * scale
