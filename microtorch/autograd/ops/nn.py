"""Neural-network ops: softmax, linear, embedding and the activations that need a kernel of their own."""
from __future__ import annotations

import math

from .. import grad_mode
from ..function import Op
from .elementwise import Erf
from .index import IndexAccumulate
from ..._promotion import _float_input, _normalize_dim
from ..._tensor import Tensor


class Softmax(Op):
    """d softmax(x) = y * (g - sum(g * y)) along dim"""

    def forward(ctx, x, dim):
        xp = ctx.xp
        e = xp.exp(x - x.max(axis=dim, keepdims=True))  # array methods: less dispatch than xp.amax
        e /= e.sum(axis=dim, keepdims=True)
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
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)


def softmax(x, dim: int, op: type):
    """softmax / log_softmax along ``dim`` (integers compute in the default float dtype)."""

    dim = _normalize_dim(dim, x.ndim)
    x = _float_input(x)
    if x.ndim == 0:
        return op.apply(x.reshape(1), dim=0).reshape(())
    return op.apply(x, dim=dim)


# ---- layers and activations -------------------------------------------------------------------------
class Linear(Op):
    """y = x W^T + b: grad_x = G W, grad_W = G^T x, grad_b = G summed over rows (GEMMs on 2-D views)"""

    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = ctx.xp.matmul(x.reshape(-1, x.shape[-1]), weight.T)
        if out.dtype != x.dtype:  # ml_dtypes' bfloat16 matmul gives float32
            out = out.astype(x.dtype)
        if bias is not None:
            out += bias
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g = grad.reshape(-1, grad.shape[-1])
        gx = (g @ weight).reshape(x.shape) if need_x else None
        gw = g.mT @ x.reshape(-1, x.shape[-1]) if need_w else None
        gb = g.sum(0) if need_b else None
        return gx, gw, gb


class Embedding(Op):
    """out = W[idx]: grad_W is G's rows summed into zeros at idx (none into row padding_idx)"""

    def forward(ctx, weight, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.shape, ctx.padding_idx = weight.shape, padding_idx
        return ctx.xp.take(weight, indices, axis=0)

    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        if ctx.padding_idx is not None:
            grad = grad.masked_fill((indices == ctx.padding_idx).unsqueeze(-1), 0.0)
        return IndexAccumulate.apply(grad, key=(indices._data,), shape=ctx.shape), None


class Gelu(Op):
    """gelu(x) = x Phi(x); d gelu = (Phi(x) + x phi(x)) dx, with Phi, phi the standard normal cdf and pdf"""

    def forward(ctx, x):
        cdf = ctx.device.backend.erf(x * math.sqrt(0.5))
        cdf *= 0.5  # (in place: the erf's array is this op's own)
        cdf += 0.5
        ctx.save_for_backward(x, cdf)
        return x * cdf

    def backward(ctx, grad):
        x, cdf = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: Phi(x) must stay connected to x (the saved one is a constant)
            cdf = Erf.apply(x * math.sqrt(0.5)) * 0.5 + 0.5
            pdf = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
            return grad * (cdf + x * pdf)
        xp, a = ctx.xp, x._data  # first order: one fused pass, as tanh's
        d = xp.multiply(a, a, out=xp.empty_like(a))
        d *= -0.5
        xp.exp(d, out=d)
        d *= a
        d *= 1.0 / math.sqrt(2.0 * math.pi)
        d += cdf._data
        d *= grad._data
        return Tensor._make(d, ctx.device)


class GeluTanh(Op):
    """gelu_tanh(x) = x (1 + tanh(u)) / 2, u = k (x + c x^3), k = sqrt(2/pi), c = 0.044715;
    d = ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2) dx, t = tanh(u). One fused pass each way."""

    def forward(ctx, x):
        xp = ctx.xp
        t = xp.multiply(x, x, out=xp.empty_like(x))  # updated in place: two temporaries instead of nine
        t *= _GELU_C
        t += 1.0
        t *= x
        t *= _GELU_K
        xp.tanh(t, out=t)
        out = t + 1.0
        out *= x
        out *= 0.5
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, t)  # (t: for a first-order backward only, a constant to the graph)
        return out

    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: tanh(u) recomputed from x, so it stays connected
            t = ((x + x * x * x * _GELU_C) * _GELU_K).tanh()
            return grad * ((t + 1.0) * 0.5 + x * (1.0 - t * t) * (_GELU_K * 0.5) * (x * x * (3.0 * _GELU_C) + 1.0))
        xp, a, t = ctx.xp, x._data, t._data
        d = xp.multiply(a, a, out=xp.empty_like(a))  # (an array even for 0-d input: updated in place)
        d *= 3.0 * _GELU_C
        d += 1.0
        d *= a
        d *= _GELU_K * 0.5
        d *= xp.subtract(1.0, xp.multiply(t, t))  # x (1 - t^2) k (1 + 3 c x^2) / 2
        d += t * 0.5
        d += 0.5
        d *= grad._data
        return Tensor._make(d, ctx.device)


_GELU_K, _GELU_C = math.sqrt(2.0 / math.pi), 0.044715


class Softplus(Op):
    """softplus(x) = log(1 + exp(beta x)) / beta (x itself where beta x > threshold); d = sigmoid(beta x) dx"""

    def forward(ctx, x, beta, threshold):
        xp = ctx.xp
        z = x * beta
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        smooth = (xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)) / beta  # never overflows
        return xp.where(z > threshold, x, smooth)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta
        return (grad * z.sigmoid()).where(z <= ctx.threshold, grad)


class ConstantPad(Op):
    """Pad each dim by (before, after) cells of ``value`` (negative amounts crop); the gradient is the
    output gradient padded by the negated amounts, i.e. cropped back to the input's cells"""

    def forward(ctx, x, pads, value):
        shape = tuple(n + before + after for n, (before, after) in zip(x.shape, pads))
        out = ctx.xp.full(shape, value, dtype=x.dtype)
        source = tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(x.shape, pads))
        target = tuple(slice(max(b, 0), n - max(a, 0)) for n, (b, a) in zip(shape, pads))
        out[target] = x[source]
        ctx.pads = pads
        return out

    def backward(ctx, grad):
        return ConstantPad.apply(grad, pads=tuple((-b, -a) for b, a in ctx.pads), value=0)
