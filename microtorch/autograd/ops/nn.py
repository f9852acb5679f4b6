"""Neural-network ops: softmax and log-softmax (layers' kernels join them here)."""
from __future__ import annotations

from ..function import Op


class Softmax(Op):
    """d softmax(x) = y * (g - sum(g * y)) along dim"""

    def forward(ctx, x, dim):
        xp = ctx.xp
        e = xp.exp(x - xp.amax(x, axis=dim, keepdims=True))
        e /= xp.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(e)
        return e

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    """d log_softmax(x) = g - softmax(x) * sum(g) along dim"""

    def forward(ctx, x, dim):
        xp = ctx.xp
        shifted = x - xp.amax(x, axis=dim, keepdims=True)
        out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)


def softmax(x, dim: int, op: type):
    """softmax / log_softmax along ``dim`` (integers compute in the default float dtype)."""
    from ..._tensor import _float_input, _normalize_dim

    dim = _normalize_dim(dim, x.ndim)
    x = _float_input(x)
    if x.ndim == 0:
        return op.apply(x.reshape(1), dim=0).reshape(())
    return op.apply(x, dim=dim)
