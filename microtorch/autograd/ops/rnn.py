"""Recurrent kernels: a whole LSTM layer direction over time as one op (what torch's ``mkldnn_rnn_layer`` and
cuDNN do), instead of a dozen recorded ops per time step.

``LSTMSequence`` takes the input projections of every step (``x W_ih^T + b_ih + b_hh``, one GEMM computed
beforehand), the initial state and ``W_hh``; its forward runs the recurrence on arrays (one GEMM and a few
in-place passes per step) and its backward is back-propagation through time on arrays, ``W_hh``'s gradient
one GEMM over all steps. Under ``create_graph=True`` the backward recomputes the steps with Tensor ops and
differentiates them, so second derivatives stay exact.
"""
from __future__ import annotations

from typing import Any

from .. import grad_mode
from ..function import Op
from .activation import _LOG_MAX
from ..._tensor import Tensor


def _sigmoid_(xp: Any, a: Any) -> None:
    """a = 1 / (1 + exp(-a)) in place (exp's argument kept finite, as ``Sigmoid``)."""
    xp.negative(a, out=a)
    xp.minimum(a, _LOG_MAX[a.dtype.itemsize], out=a)
    xp.exp(a, out=a)
    a += 1.0
    xp.reciprocal(a, out=a)


def _time_order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


class LSTMSequence(Op):
    """LSTM over T steps: a_t = X_t + h_{t-1} W^T split into i, f, g, o; c_t = s(f) c_{t-1} + s(i) tanh(g),
    h_t = s(o) tanh(c_t); outputs (h_1..h_T, c_T). grad by BPTT: dc_t = dc_{t+1} s(f_{t+1}) + dh_t s(o) (1 - tanh^2 c_t),
    dA_t = (dc g s(i)(1-s(i)), dc c_{t-1} s(f)(1-s(f)), dc s(i)(1-g^2), dh tanh(c) s(o)(1-s(o))),
    dh_{t-1} = dA_t W, grad_X = dA, grad_W = sum_t dA_t^T h_{t-1}, grad_h0 = dh_0, grad_c0 = dc_0"""

    materialize_grads = False  # c_T's gradient is often unused: None, not zeros

    def forward(ctx, x_gates, h0, c0, w_hh, reverse=False):
        xp = ctx.xp
        steps, hidden = x_gates.shape[0], h0.shape[-1]
        w_t = w_hh.T
        acts = xp.empty(x_gates.shape, dtype=x_gates.dtype)  # s(i), s(f), tanh(g), s(o) per step
        cells = xp.empty((steps,) + c0.shape, dtype=x_gates.dtype)
        tanh_cells = xp.empty_like(cells)
        out = xp.empty((steps,) + h0.shape, dtype=x_gates.dtype)
        h, c = h0, c0
        for t in _time_order(steps, reverse):
            a = acts[t]
            xp.add(x_gates[t], xp.matmul(h, w_t), out=a)
            _sigmoid_(xp, a[:, :2 * hidden])
            xp.tanh(a[:, 2 * hidden:3 * hidden], out=a[:, 2 * hidden:3 * hidden])
            _sigmoid_(xp, a[:, 3 * hidden:])
            c = xp.multiply(a[:, hidden:2 * hidden], c, out=cells[t])
            c += a[:, :hidden] * a[:, 2 * hidden:3 * hidden]
            xp.tanh(c, out=tanh_cells[t])
            h = xp.multiply(a[:, 3 * hidden:], tanh_cells[t], out=out[t])
        ctx.reverse = reverse
        ctx.save_for_backward(x_gates, h0, c0, w_hh, out, acts, cells, tanh_cells)
        return out, cells[0 if reverse else steps - 1].copy()

    def backward(ctx, grad_out, grad_c):
        x_gates, h0, c0, w_hh, out, acts, cells, tanh_cells = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: differentiate the steps written with Tensor ops
            return _composite_backward(ctx, (x_gates, h0, c0, w_hh), grad_out, grad_c)
        xp, reverse = ctx.xp, ctx.reverse
        acts, cells, tanh_cells, w = acts._data, cells._data, tanh_cells._data, w_hh._data
        steps, hidden = acts.shape[0], h0.shape[-1]
        g_out = grad_out._data if grad_out is not None else xp.zeros(out.shape, dtype=acts.dtype)
        d_acts = xp.empty_like(acts)
        dh = xp.zeros(h0.shape, dtype=acts.dtype)
        dc = grad_c._data.copy() if grad_c is not None else xp.zeros(c0.shape, dtype=acts.dtype)
        order = list(_time_order(steps, reverse))
        for k in range(steps - 1, -1, -1):
            t = order[k]
            c_prev = c0._data if k == 0 else cells[order[k - 1]]
            i, f, g, o = (acts[t][:, j * hidden:(j + 1) * hidden] for j in range(4))
            dh += g_out[t]
            tc = tanh_cells[t]
            d = d_acts[t]
            xp.multiply(dh, tc, out=d[:, 3 * hidden:])  # d o (before o's derivative)
            dc += dh * o * (1.0 - tc * tc)
            xp.multiply(dc, g, out=d[:, :hidden])
            xp.multiply(dc, c_prev, out=d[:, hidden:2 * hidden])
            xp.multiply(dc, i, out=d[:, 2 * hidden:3 * hidden])
            dc *= f
            d[:, :hidden] *= i * (1.0 - i)
            d[:, hidden:2 * hidden] *= f * (1.0 - f)
            d[:, 2 * hidden:3 * hidden] *= 1.0 - g * g
            d[:, 3 * hidden:] *= o * (1.0 - o)
            dh = xp.matmul(d, w)
        need_x, need_h0, need_c0, need_w = ctx.needs_input_grad
        gw = None
        if need_w:  # h_{t-1} at each step: h0 at the first one, the neighbouring step's output at the others
            first, later, earlier = (steps - 1, slice(0, -1), slice(1, None)) if reverse else (0, slice(1, None),
                                                                                             slice(0, -1))
            gw = xp.matmul(d_acts[first].T, h0._data)
            if steps > 1:
                rows = (steps - 1) * h0.shape[0]
                gw += xp.matmul(d_acts[later].reshape(rows, -1).T, out._data[earlier].reshape(rows, hidden))
        device = ctx.device
        return (Tensor._make(d_acts, device) if need_x else None, Tensor._make(dh, device) if need_h0 else None,
                Tensor._make(dc, device) if need_c0 else None, Tensor._make(gw, device) if need_w else None)


def lstm_steps(x_gates: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, reverse: bool = False) -> tuple:
    """The LSTM recurrence with Tensor ops, one step at a time: (h_1..h_T stacked, c_T)."""
    from .shape import stack  # (shape imports this package's modules)

    outputs: list = [None] * x_gates.shape[0]
    for t in _time_order(x_gates.shape[0], reverse):
        i, f, g, o = (x_gates[t] + h @ w_hh.mT).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        outputs[t] = h
    return stack(outputs), c


def _composite_backward(ctx: Any, inputs: tuple, grad_out: Any, grad_c: Any) -> tuple:
    """The input gradients of ``lstm_steps`` recomputed on ``inputs``, recorded (for create_graph)."""
    from ... import autograd  # (the package imports the ops)

    wanted = [x for x, need in zip(inputs, ctx.needs_input_grad) if need]
    out, c = lstm_steps(*inputs, reverse=ctx.reverse)
    pairs = [(o, g) for o, g in ((out, grad_out), (c, grad_c)) if g is not None]
    grads = iter(autograd.grad([o for o, _ in pairs], wanted, [g for _, g in pairs], create_graph=True,
                               allow_unused=True))
    return tuple(next(grads) if need else None for need in ctx.needs_input_grad)
