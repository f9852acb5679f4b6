"""Activation kernels: the activations with an Op of their own (the composites are in ``nn/functional.py``).

``Tanh`` and ``Sigmoid`` fuse their first-order backward into one pass (activations are hot).
"""
from __future__ import annotations

import math

from .. import function, grad_mode
from ..function import Op
from .elementwise import Erf, Mul  # (Mul is a row of the pointwise table)
from ..._tensor import Tensor


class Gelu(Op):
    """gelu(x) = x Phi(x); d gelu = (Phi(x) + x phi(x)) dx, with Phi, phi the standard normal cdf and pdf"""

    def forward(ctx, x):
        backend = ctx.device.backend
        if x.size >= function.PARALLEL_FROM:  # (large: in blocks across the backend's threads)
            cdf = backend.erf(backend.ufunc("multiply", x, math.sqrt(0.5)))
            out = backend.elementwise(_gelu_from_erf, ctx.xp.empty_like(x), x, cdf)
        else:
            cdf = backend.normal_cdf(x)
            out = x * cdf
        ctx.save_for_backward(x, cdf)
        return out

    def backward(ctx, grad):
        x, cdf = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: Phi(x) must stay connected to x (the saved one is a constant)
            cdf = Erf.apply(x * math.sqrt(0.5)) * 0.5 + 0.5
            pdf = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
            return grad * (cdf + x * pdf)
        return _fused(ctx, _gelu_grad, x._data, cdf._data, grad._data)  # first order: one fused pass, as tanh's


class GeluTanh(Op):
    """gelu_tanh(x) = x (1 + tanh(u)) / 2, u = k (x + c x^3), k = sqrt(2/pi), c = 0.044715;
    d = ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2) dx, t = tanh(u). One fused pass each way."""

    def forward(ctx, x):
        xp = ctx.xp
        t, out = xp.empty_like(x), xp.empty_like(x)  # updated in place: two temporaries instead of nine
        if x.size >= function.PARALLEL_FROM:  # (large: in blocks across the backend's threads)
            ctx.device.backend.elementwise(_gelu_tanh, out, x, t)
        else:
            _gelu_tanh(xp, out, x, t)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, t)  # (t: for a first-order backward only, a constant to the graph)
        return out

    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: tanh(u) recomputed from x, so it stays connected
            t = ((x + x * x * x * _GELU_C) * _GELU_K).tanh()
            return grad * ((t + 1.0) * 0.5 + x * (1.0 - t * t) * (_GELU_K * 0.5) * (x * x * (3.0 * _GELU_C) + 1.0))
        return _fused(ctx, _gelu_tanh_grad, x._data, t._data, grad._data)


_GELU_K, _GELU_C = math.sqrt(2.0 / math.pi), 0.044715


def _gelu_from_erf(xp, out, x, cdf) -> None:
    """cdf = (1 + erf) / 2 in place (the erf's array is this op's own); out = x cdf"""
    cdf *= 0.5
    cdf += 0.5
    xp.multiply(x, cdf, out=out)


def _gelu_grad(xp, d, x, cdf, grad) -> None:
    """d = (cdf + x phi(x)) grad"""
    xp.multiply(x, x, out=d)
    d *= -0.5
    xp.exp(d, out=d)
    d *= x
    d *= 1.0 / math.sqrt(2.0 * math.pi)
    d += cdf
    d *= grad


def _gelu_tanh(xp, out, x, t) -> None:
    """out = x (1 + t) / 2, with t = tanh(k (x + c x^3)) written into ``t``"""
    xp.multiply(x, x, out=t)
    t *= _GELU_C
    t += 1.0
    t *= x
    t *= _GELU_K
    xp.tanh(t, out=t)
    xp.add(t, 1.0, out=out)
    out *= x
    out *= 0.5


def _gelu_tanh_grad(xp, d, x, t, grad) -> None:
    """d = ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2) grad"""
    xp.multiply(x, x, out=d)
    d *= 3.0 * _GELU_C
    d += 1.0
    d *= x
    d *= _GELU_K * 0.5
    d *= xp.subtract(1.0, xp.multiply(t, t))  # x (1 - t^2) k (1 + 3 c x^2) / 2
    d += t * 0.5
    d += 0.5
    d *= grad


class Tanh(Op):
    """d tanh(x) = (1 - tanh(x)^2) dx"""

    def forward(ctx, x):
        out = ctx.device.backend.ufunc("tanh", x) if x.size >= function.PARALLEL_FROM else ctx.xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        if grad_mode.state.enabled:  # create_graph: the derivative must stay connected to tanh(x)
            (out,) = ctx.saved_tensors
            return grad * (1.0 - out * out)
        # first order: one fused pass instead of three Tensor ops (activations are hot)
        return _fused(ctx, _tanh_grad, ctx.saved_arrays()[0], grad._data)


class Sigmoid(Op):
    """d s(x) = s(x) (1 - s(x)) dx, with s(x) = 1 / (1 + exp(-x))"""

    def forward(ctx, x):
        out = ctx.xp.empty(x.shape, x.dtype)  # (empty_like is a Python-level dispatch in NumPy; empty is not)
        if x.size >= function.PARALLEL_FROM:  # (large: in blocks across the backend's threads)
            ctx.device.backend.elementwise(_sigmoid, out, x)
        else:
            _sigmoid(ctx.xp, out, x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        if grad_mode.state.enabled:  # create_graph: the derivative must stay connected to sigmoid(x)
            (out,) = ctx.saved_tensors
            return grad * (out * (1.0 - out))
        return _fused(ctx, _sigmoid_grad, ctx.saved_arrays()[0], grad._data)  # first order: one fused pass, as tanh


def _fused(ctx, kernel, *arrays) -> Tensor:
    """A first-order backward ``kernel(xp, d, *arrays)`` (the saved arrays, then the gradient) into a new array
    shaped as the first (large ones in blocks across the backend's threads)."""
    first = arrays[0]
    d = ctx.xp.empty(first.shape, first.dtype)  # (empty_like is a Python-level dispatch in NumPy; empty is not)
    if d.size >= function.PARALLEL_FROM:
        ctx.device.backend.elementwise(kernel, d, *arrays)
    else:
        kernel(ctx.xp, d, *arrays)
    return Tensor._make(d, ctx.device)


def _tanh_grad(xp, d, out, grad) -> None:
    """d = (1 - out^2) grad"""
    xp.multiply(out, out, out=d)
    xp.subtract(1.0, d, out=d)
    xp.multiply(d, grad, out=d)


def _sigmoid(xp, out, x) -> None:
    """out = 1 / (1 + exp(-x)), -x capped so that exp does not overflow"""
    xp.negative(x, out=out)
    xp.minimum(out, _LOG_MAX[out.dtype.itemsize], out=out)
    xp.exp(out, out=out)
    out += 1
    xp.reciprocal(out, out=out)


def _sigmoid_grad(xp, d, out, grad) -> None:
    """d = out (1 - out) grad"""
    xp.subtract(1.0, out, out=d)
    xp.multiply(d, out, out=d)
    xp.multiply(d, grad, out=d)


def _relu(xp, out, x) -> None:
    """out = max(x, 0), nan propagated. Against a row of zeros, not the scalar 0: NumPy's maximum has a vector loop
    for two arrays but not for an array and a scalar (2-3x slower)."""
    xp.maximum(x, xp.zeros(x.shape[-1:], dtype=x.dtype), out=out)


def _relu_grad(xp, d, out, grad) -> None:
    """d = grad where not out <= 0, else 0 (torch's threshold_backward: nan passes the gradient). out is never
    below 0, so the mask is out != 0, written as 0/1 into d: two float passes instead of two bool temporaries and
    a mixed float-bool multiply (~20 % faster on 2^14-2^20 float32 elements)."""
    xp.not_equal(out, 0, out=d)
    xp.multiply(d, grad, out=d)


# the largest x with exp(x) finite, per float itemsize
_LOG_MAX = {2: 11.0, 4: 88.0, 8: 709.0}


class Relu(Op):
    """d relu(x) = [not x <= 0] dx (0 at x = 0, 1 at nan, as torch)"""

    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        if x.size >= function.PARALLEL_FROM:  # (large: in blocks across the backend's threads)
            out = ctx.device.backend.elementwise(_relu, ctx.xp.empty_like(x), x)
        else:
            out = ctx.xp.maximum(x, 0)  # propagates nan, as torch
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not grad_mode.state.enabled and out.dtype.is_floating_point and grad.dtype is out.dtype:
            return _fused(ctx, _relu_grad, out._data, grad._data)  # first order: one pass
        # torch's threshold_backward: 0 where out <= 0, else g (so 1 at nan)
        return Mul.apply(grad, (out <= 0).logical_not())  # type: ignore[attr-defined]  # (a table row, made at import); float * bool stays float


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
        e = z.clamp(max=ctx.threshold).exp()  # torch's softplus_backward: g e / (e + 1), g where z > threshold
        return grad.where(z > ctx.threshold, grad * e / (e + 1.0))
