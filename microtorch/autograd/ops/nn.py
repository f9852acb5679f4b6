"""Neural-network ops: softmax, linear, embedding, constant padding (the activation kernels are in ``activation.py``)."""
from __future__ import annotations

from .. import grad_mode
from ..function import Op
from .index import IndexAccumulate
from ..._promotion import _float_input, _normalize_dim
from ..._tensor import Tensor


def _row_max(x, dim: int):
    """The max along ``dim`` (kept), the shift that keeps exp finite; 0 for an empty dim (an empty result)."""
    return x.max(axis=dim, keepdims=True) if x.shape[dim] else 0  # array methods: less dispatch than xp.amax


def _sums(xp, x, dim: int):
    """The sum along ``dim`` (kept). Along the last dim of float32 a GEMV with a ones vector: NumPy's reduction
    along short rows costs ~5x BLAS's (0.17 against 0.03 ms on attention's (16, 4, 64, 64) scores). float64 keeps
    NumPy's pairwise sums, whose last bits match torch's on short rows (tests compare them exactly)."""
    if dim == x.ndim - 1 and x.shape[dim] and x.dtype.char == "f":  # (float32; dtype.name costs 5 us a call)
        return xp.matmul(x, xp.ones(x.shape[dim], dtype=x.dtype))[..., None]
    return x.sum(axis=dim, keepdims=True)


# float32 rows whose exp sums (shifted by the whole array's max) reach this keep every element above ~1e-30 of
# their row's total a normal float, as the per-row shift does
_SAFE_ROW_SUM = 2.0 ** -20


def _exp_shifted(xp, x, dim: int) -> tuple:
    """exp(x - shift) and its sums along ``dim`` (kept), the shift keeping exp finite. float32: the whole array's
    max (one contiguous reduction; the per-row max along short rows costs ~5x more), unless some row's sum comes out
    below ``_SAFE_ROW_SUM`` or not finite (a row far below the others, -inf rows, inf or nan): then each row's max."""
    if x.dtype.char == "f" and x.size > x.shape[dim] > 0:  # (several rows: one row is the per-row case)
        e = xp.subtract(x, x.max())
        xp.exp(e, out=e)
        sums = _sums(xp, e, dim)
        if sums.min() >= _SAFE_ROW_SUM:  # (False for nan)
            return e, sums
    e = xp.subtract(x, _row_max(x, dim))
    xp.exp(e, out=e)
    return e, _sums(xp, e, dim)


class Softmax(Op):
    """d softmax(x) = y * (g - sum(g * y)) along dim"""

    def forward(ctx, x, dim):
        xp = ctx.xp
        e, sums = _exp_shifted(xp, x, dim)
        e /= sums
        ctx.dim = dim
        ctx.save_for_backward(e)
        return e

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: Tensor ops, so the gradient is differentiable again
            return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))
        xp, y_a, g = ctx.xp, y._data, grad._data  # first order: on the arrays (three passes and a GEMV)
        out = xp.subtract(g, _sums(xp, g * y_a, ctx.dim))
        out *= y_a
        return Tensor._make(out, ctx.device)


class LogSoftmax(Op):
    """d log_softmax(x) = g - softmax(x) * sum(g) along dim"""

    def forward(ctx, x, dim):
        xp = ctx.xp
        shifted = x - _row_max(x, dim)
        out = shifted - xp.log(_sums(xp, xp.exp(shifted), dim))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: Tensor ops, so the gradient is differentiable again
            return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)
        xp, g = ctx.xp, grad._data  # first order: on the arrays
        e = xp.exp(out._data)
        e *= _sums(xp, g, ctx.dim)
        return Tensor._make(xp.subtract(g, e), ctx.device)


def softmax(x, dim: int, op: type[Op]):
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
        num = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= num):  # (on the arrays: two reductions, no ops)
            raise IndexError(f"index out of range in self (embedding of {num} rows got indices outside [0, {num - 1}])")
        ctx.save_for_backward(indices)
        ctx.shape, ctx.padding_idx = weight.shape, padding_idx
        return ctx.xp.take(weight, indices, axis=0)

    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        if ctx.padding_idx is not None:
            grad = grad.masked_fill((indices == ctx.padding_idx).unsqueeze(-1), 0.0)
        return IndexAccumulate.apply(grad, key=(indices._data,), shape=ctx.shape), None


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
