"""Normalisation: the kernel that batch, layer and group norm share, and the fused ones of layer norm and of batch
norm in training.

``Normalize`` standardises x over some dims: xhat = (x - mean) * invstd with
invstd = 1 / sqrt(var + eps) (biased variance). It returns invstd as a second
output so that its backward, written with Tensor ops on the saved outputs, is
itself differentiable (the dependence of invstd on x flows through that output).
The affine part (weight, bias) is ordinary broadcasting in ``nn.functional``, except for layer norm, whose
``LayerNorm`` op normalises and scales in one forward and one backward (its hot path in transformers), and
batch norm in training with weight and bias, whose ``BatchNormTrain`` op does the same per channel.
"""
from __future__ import annotations

import math
from typing import Any

from .. import grad_mode
from ..function import Op
from .conv import stored_channel_major
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


def _channel_rows(a, channel_major: bool):
    """``a`` (N, C, ...) as (N, C, L), or as (1, C, N*L) when stored channel-major (a convolution's output, and
    so its gradient): a view either way where the layout matches, no copy of the whole batch."""
    n, c = a.shape[:2]
    if channel_major:
        return a.swapaxes(0, 1).reshape(1, c, -1)
    return a.reshape(n, c, -1)


def _from_channel_rows(a, shape, channel_major: bool):
    """The inverse of ``_channel_rows``: (N, C, ...) of ``shape`` (a view)."""
    if channel_major:
        return a.reshape((shape[1], shape[0]) + tuple(shape[2:])).swapaxes(0, 1)
    return a.reshape(shape)


class BatchNormTrain(Op):
    """y = xhat w + b per channel (dim 1), xhat standardised by the batch's statistics; one kernel for what
    Normalize and the affine ops do in several: grad_w = sum(G xhat), grad_b = sum(G),
    grad_x = w invstd (G - mean(G) - xhat mean(G xhat))"""

    def forward(ctx, x, weight, bias, eps, running_mean=None, running_var=None, momentum=0.1):
        xp = ctx.xp
        channel_major = stored_channel_major(x)
        rows = _channel_rows(x, channel_major)  # (N, C, L) or (1, C, N*L): a copy only for other layouts
        count = rows.shape[0] * rows.shape[2]
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
        ctx.eps, ctx.count, ctx.channel_major = eps, count, channel_major
        ctx.save_for_backward(x, weight, xhat, invstd)
        return _from_channel_rows(y, x.shape, channel_major)  # (stored as x: the next convolution reads either)

    def backward(ctx, grad):
        x, weight, xhat, invstd = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: the statistics recomputed from x, so they stay connected
            return _batch_norm_grads(x, weight, grad, ctx.eps)
        xp, channel_major = ctx.xp, ctx.channel_major
        g, xh = _channel_rows(grad._data, channel_major), xhat._data  # (xhat's layout: a copy if G's differs)
        gb = _per_channel(xp, g)
        gw = _per_channel(xp, g * xh)
        k = weight._data * invstd._data
        gx = g * k[:, None]
        gx -= xh * (k * gw / ctx.count)[:, None]
        gx -= (k * gb / ctx.count)[:, None]
        wrap = lambda a: Tensor._make(a, ctx.device)  # noqa: E731
        return wrap(_from_channel_rows(gx, x.shape, channel_major)), wrap(gw), wrap(gb)


def _batch_norm_grads(x, weight, grad, eps):
    """BatchNormTrain's three gradients as Tensor ops of x, weight and G (differentiable again)."""
    dims = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    centered = x - x.mean(dims, keepdim=True)
    invstd = ((centered * centered).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = centered * invstd
    gx = (grad - grad.mean(dims, keepdim=True) - xhat * (grad * xhat).mean(dims, keepdim=True)) * (invstd * weight.reshape(shape))
    return gx, (grad * xhat).sum(dims), grad.sum(dims)
class LayerNorm(Op):
    """y = xhat w + b, xhat = (x - mean) invstd over the last dims (one pass each way for layer norm);
    grad_x = invstd (G w - mean(G w) - xhat mean(G w xhat)), grad_w = sum(G xhat), grad_b = sum(G) over the rows"""

    def forward(ctx, x, weight, bias, dims, eps):
        xp = ctx.xp
        count = math.prod(x.shape[x.ndim - dims:])  # (the caller makes sure the rows are not empty)
        rows = x.reshape(-1, count)
        xhat = rows - _row_means(ctx, rows)
        invstd = _row_means(ctx, xhat * xhat)
        invstd += eps
        xp.sqrt(invstd, out=invstd)
        xp.reciprocal(invstd, out=invstd)
        xhat *= invstd
        if any(ctx.needs_input_grad):  # backward reads xhat: the affine output is a new array
            out = xhat * weight.reshape(1, count) if weight is not None else xhat.copy()
            ctx.count, ctx.dims, ctx.eps = count, dims, eps
            ctx.save_for_backward(x, weight, bias, xhat, invstd)
        else:  # no gradient: the affine part in place on xhat
            out = xhat
            if weight is not None:
                out *= weight.reshape(1, count)
        if bias is not None:
            out += bias.reshape(1, count)
        return out.reshape(x.shape)

    def backward(ctx, grad):
        x, weight, bias, xhat, invstd = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if grad_mode.state.enabled:  # create_graph: differentiate Normalize and the affine ops instead
            return _layer_norm_composite_backward(ctx, x, weight, bias, grad)
        xp, count = ctx.xp, ctx.count
        g, xhat_a = grad._data.reshape(-1, count), xhat._data
        g_xhat = g * xhat_a
        gw = _column_sums(xp, g_xhat).reshape(weight.shape) if need_w else None
        gb = _column_sums(xp, g).reshape(bias.shape) if need_b else None
        gx = None
        if need_x:
            w = weight._data.reshape(count) if weight is not None else None
            gxhat = g * w if w is not None else g.copy()
            gxhat -= _row_means(ctx, gxhat)
            # mean(G w xhat) per row: (G xhat) w / count, one GEMV on the product already made for grad_w
            projection = _row_means(ctx, g_xhat, w)
            gxhat -= xhat_a * projection
            gxhat *= invstd._data
            gx = gxhat.reshape(x.shape)
        device = ctx.device
        return tuple(None if a is None else Tensor._make(a, device) for a in (gx, gw, gb))


_MEAN_VECTORS: dict = {}  # (xp, count, dtype) -> the host vector of 1/count, reused (read only, by GEMVs)


def _mean_vector(ctx: Any, count: int, dtype: Any) -> Any:
    """The vector of ``count`` values 1/count: made once per size on a host device (~2 us a call on short rows)."""
    if ctx.device.index is not None:  # (an indexed device's arrays live on one device: made each time)
        return ctx.xp.full(count, 1.0 / count, dtype=dtype)
    key = (ctx.xp, count, dtype)
    vector = _MEAN_VECTORS.get(key)
    if vector is None:
        if len(_MEAN_VECTORS) >= 64:
            _MEAN_VECTORS.clear()
        vector = _MEAN_VECTORS[key] = ctx.xp.full(count, 1.0 / count, dtype=dtype)
    return vector


def _row_means(ctx: Any, a: Any, weights: Any = None) -> Any:
    """(rows, 1): each row's mean (of ``a * weights``), by a GEMV for float32/64: numpy's reductions along
    short rows cost 3x more than BLAS (the plain mean's 1/count vector from ``_mean_vector``)."""
    count = a.shape[1]
    if a.dtype.char not in "fd":  # (half precision: numpy's mean accumulates in float32; dtype.name costs 5 us)
        return (a if weights is None else a * weights).mean(axis=1, keepdims=True)
    vector = _mean_vector(ctx, count, a.dtype) if weights is None else weights * (1.0 / count)
    return ctx.xp.matmul(a, vector)[:, None]


def _column_sums(xp: Any, a: Any) -> Any:
    """Each column's sum (by a GEMV for float32/64, as ``_row_means``)."""
    if a.dtype.char not in "fd":
        return a.sum(axis=0)
    return xp.matmul(xp.ones(a.shape[0], dtype=a.dtype), a)


def _layer_norm_composite_backward(ctx: Any, x: Any, weight: Any, bias: Any, grad: Any) -> tuple:
    """The input gradients of Normalize + affine recomputed on the inputs, recorded (for create_graph)."""
    from ... import autograd  # (the package imports the ops)

    xhat, _ = Normalize.apply(x, dims=tuple(range(x.ndim - ctx.dims, x.ndim)), eps=ctx.eps)
    out = xhat if weight is None else xhat * weight
    out = out if bias is None else out + bias
    inputs = (x, weight, bias)
    wanted = [t for t, need in zip(inputs, ctx.needs_input_grad) if need]
    grads = iter(autograd.grad(out, wanted, grad, create_graph=True, allow_unused=True))
    return tuple(next(grads) if need else None for need in ctx.needs_input_grad)
