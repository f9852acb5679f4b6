"""Normalisation: the one kernel that batch, layer and group norm share.

``Normalize`` standardises x over some dims: xhat = (x - mean) * invstd with
invstd = 1 / sqrt(var + eps) (biased variance). It returns invstd as a second
output so that its backward, written with Tensor ops on the saved outputs, is
itself differentiable (the dependence of invstd on x flows through that output).
The affine part (weight, bias) is ordinary broadcasting in ``nn.functional``.
"""
from __future__ import annotations

from .. import grad_mode
from ..function import Op
from ..._tensor import Tensor


class Normalize(Op):
    """xhat = (x - mean) invstd over dims; grad_x = invstd (G - mean(G) - xhat mean(G xhat))
    - xhat invstd^2 H / M, with H the gradient of the invstd output and M the count per statistic"""

    materialize_grads = False  # most callers use only xhat: no zeros for the invstd gradient

    def forward(ctx, x, dims, eps, running_mean=None, running_var=None, momentum=0.1):
        xp = ctx.xp
        mean = x.mean(axis=dims, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=dims, keepdims=True)
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat = centered * invstd
        count = x.size // mean.size if mean.size else 0  # (an empty input: no statistics)
        if running_mean is not None:  # batch norm in training: update the running statistics in place
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean.reshape(running_mean.shape)
            running_var *= 1.0 - momentum
            running_var += (momentum * count / max(count - 1, 1)) * var.reshape(running_var.shape)
        ctx.dims, ctx.count = dims, count
        ctx.save_for_backward(xhat, invstd)
        return xhat, invstd

    def backward(ctx, grad, grad_invstd):
        xhat, invstd = ctx.saved_tensors
        dims = ctx.dims
        gx = None
        if grad is not None:
            gx = (grad - grad.mean(dims, keepdim=True) - xhat * (grad * xhat).mean(dims, keepdim=True)) * invstd
        if grad_invstd is not None:
            through_invstd = xhat * (grad_invstd * invstd * invstd * (-1.0 / max(ctx.count, 1)))
            gx = through_invstd if gx is None else gx + through_invstd
        return gx


def _per_channel(xp, a):
    """Sums of ``a`` (N, C, L) over N and L, per channel: the inner sum runs along contiguous memory."""
    return a.sum(axis=2).sum(axis=0)


class BatchNormTrain(Op):
    """y = xhat w + b per channel (dim 1), xhat standardised by the batch's statistics; one kernel for what
    Normalize and the affine ops do in several: grad_w = sum(G xhat), grad_b = sum(G),
    grad_x = w invstd (G - mean(G) - xhat mean(G xhat))"""

    def forward(ctx, x, weight, bias, eps, running_mean=None, running_var=None, momentum=0.1):
        xp = ctx.xp
        n, c = x.shape[:2]
        rows = x.reshape(n, c, -1)  # (N, C, L): a copy only for a non-contiguous input
        count = n * rows.shape[2]
        mean = _per_channel(xp, rows) / count
        xhat = rows - mean[:, None]
        var = _per_channel(xp, xhat * xhat) / count
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat *= invstd[:, None]
        y = xhat * weight[:, None]
        y += bias[:, None]
        if running_mean is not None:  # the running statistics, in place (unbiased variance, as torch)
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
            running_var *= 1.0 - momentum
            running_var += (momentum * count / max(count - 1, 1)) * var
        ctx.eps, ctx.count = eps, count
        ctx.save_for_backward(x, weight, xhat, invstd)
        return y.reshape(x.shape)

    def backward(ctx, grad):
        x, weight, xhat, invstd = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: the statistics recomputed from x, so they stay connected
            return _batch_norm_grads(x, weight, grad, ctx.eps)
        xp, n, c = ctx.xp, x.shape[0], x.shape[1]
        g, xh = grad._data.reshape(n, c, -1), xhat._data
        gb = _per_channel(xp, g)
        gw = _per_channel(xp, g * xh)
        k = weight._data * invstd._data
        gx = g * k[:, None]
        gx -= xh * (k * gw / ctx.count)[:, None]
        gx -= (k * gb / ctx.count)[:, None]
        wrap = lambda a: Tensor._make(a, ctx.device)  # noqa: E731
        return wrap(gx.reshape(x.shape)), wrap(gw), wrap(gb)


def _batch_norm_grads(x, weight, grad, eps):
    """BatchNormTrain's three gradients as Tensor ops of x, weight and G (differentiable again)."""
    dims = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    centered = x - x.mean(dims, keepdim=True)
    invstd = ((centered * centered).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = centered * invstd
    gx = (grad - grad.mean(dims, keepdim=True) - xhat * (grad * xhat).mean(dims, keepdim=True)) * (invstd * weight.reshape(shape))
    return gx, (grad * xhat).sum(dims), grad.sum(dims)
