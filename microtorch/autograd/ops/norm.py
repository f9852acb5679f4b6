"""Normalisation: the one kernel that batch, layer and group norm share.

``Normalize`` standardises x over some dims: xhat = (x - mean) * invstd with
invstd = 1 / sqrt(var + eps) (biased variance). It returns invstd as a second
output so that its backward, written with Tensor ops on the saved outputs, is
itself differentiable (the dependence of invstd on x flows through that output).
The affine part (weight, bias) is ordinary broadcasting in ``nn.functional``.
"""
from __future__ import annotations

from ..function import Op


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
