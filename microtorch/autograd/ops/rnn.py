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
from ..._tensor import Tensor


def _time_order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _gate_rows(xp: Any, hidden: int, dtype: Any) -> tuple:
    """(scale, offset) rows over the four gates: s(x) = (1 + tanh(x / 2)) / 2 is tanh of the halved pre-activation
    (the halving folded into the weights and inputs once) then ``* scale + offset``; the g gate keeps its tanh."""
    scale = xp.full(4 * hidden, 0.5, dtype=dtype)
    scale[2 * hidden:3 * hidden] = 1.0
    offset = xp.full(4 * hidden, 0.5, dtype=dtype)
    offset[2 * hidden:3 * hidden] = 0.0
    return scale, offset


class LSTMSequence(Op):
    """LSTM over T steps: a_t = X_t + h_{t-1} W^T split into i, f, g, o; c_t = s(f) c_{t-1} + s(i) tanh(g),
    h_t = s(o) tanh(c_t); outputs (h_1..h_T, c_T). grad by BPTT: dc_t = dc_{t+1} s(f_{t+1}) + dh_t s(o) (1 - tanh^2 c_t),
    dA_t = (dc g s(i)(1-s(i)), dc c_{t-1} s(f)(1-s(f)), dc s(i)(1-g^2), dh tanh(c) s(o)(1-s(o))),
    dh_{t-1} = dA_t W, grad_X = dA, grad_W = sum_t dA_t^T h_{t-1}, grad_h0 = dh_0, grad_c0 = dc_0"""

    materialize_grads = False  # c_T's gradient is often unused: None, not zeros

    def forward(ctx, x_gates, h0, c0, w_hh, reverse=False):
        xp = ctx.xp
        steps, hidden = x_gates.shape[0], h0.shape[-1]
        scale, offset = _gate_rows(xp, hidden, x_gates.dtype)
        # the sigmoid gates' halving done once on the weights and on every step's input projection: per step one
        # GEMM, one add, one tanh over the contiguous row and two affine row passes make all four gates
        # (W^T as a C-contiguous copy: BLAS takes the transposed view 10% slower at these sizes)
        w_t = xp.multiply(w_hh.T, scale, out=xp.empty(w_hh.shape[::-1], dtype=w_hh.dtype))
        # s(i), s(f), tanh(g), s(o) per step, made in place
        acts = xp.multiply(x_gates, scale, out=xp.empty(x_gates.shape, dtype=x_gates.dtype))
        cells = xp.empty((steps,) + c0.shape, dtype=x_gates.dtype)
        tanh_cells = xp.empty_like(cells)
        out = xp.empty((steps,) + h0.shape, dtype=x_gates.dtype)
        recurrent, product = xp.empty(acts.shape[1:], dtype=acts.dtype), xp.empty(c0.shape, dtype=acts.dtype)
        h, c = h0, c0
        for t in _time_order(steps, reverse):
            a = acts[t]
            a += xp.matmul(h, w_t, out=recurrent)
            xp.tanh(a, out=a)
            a *= scale
            a += offset
            c = xp.multiply(a[:, hidden:2 * hidden], c, out=cells[t])
            c += xp.multiply(a[:, :hidden], a[:, 2 * hidden:3 * hidden], out=product)
            h = xp.multiply(a[:, 3 * hidden:], xp.tanh(c, out=tanh_cells[t]), out=out[t])
        ctx.reverse = reverse
        ctx.save_for_backward(x_gates, h0, c0, w_hh, out, acts, cells, tanh_cells)
        return out, cells[0 if reverse else steps - 1].copy()

    def backward(ctx, grad_out, grad_c):
        x_gates, h0, c0, w_hh, out, acts, cells, tanh_cells = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: differentiate the steps written with Tensor ops
            return _composite_backward(ctx, (x_gates, h0, c0, w_hh), grad_out, grad_c)
        xp, reverse, w = ctx.xp, ctx.reverse, w_hh._data
        steps, batch, hidden = out.shape
        factors, carry = _local_derivatives(xp, acts._data, cells._data, tanh_cells._data, c0._data, reverse)
        g_out = grad_out._data if grad_out is not None else None
        d_acts = xp.empty(acts.shape, dtype=factors.dtype)
        d_gates = d_acts.reshape(steps, batch, 4, hidden)
        forget = acts._data.reshape(steps, batch, 4, hidden)[:, :, 1]
        dh = xp.zeros((batch, hidden), dtype=factors.dtype)
        dc = grad_c._data.copy() if grad_c is not None else xp.zeros((batch, hidden), dtype=factors.dtype)
        for t in _time_order(steps, not reverse):
            if g_out is not None:
                dh += g_out[t]
            dc += dh * carry[t]
            xp.multiply(dc[:, None, :], factors[t, :, :3], out=d_gates[t, :, :3])
            xp.multiply(dh, factors[t, :, 3], out=d_gates[t, :, 3])
            dc *= forget[t]
            dh = xp.matmul(d_acts[t], w)
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


def _local_derivatives(xp: Any, acts: Any, cells: Any, tanh_cells: Any, c0: Any, reverse: bool) -> tuple:
    """What BPTT multiplies the running gradients by, for all steps at once (whole-array passes, not 20 small
    ones per step): factors (T, B, 4, H) = (g s(i)', c_{t-1} s(f)', s(i) (1 - g^2), tanh(c) s(o)'), the first three
    times dc and the last times dh; carry (T, B, H) = s(o) (1 - tanh^2 c), what dh adds to dc."""
    steps, batch, hidden = cells.shape
    gates = acts.reshape(steps, batch, 4, hidden)
    factors = xp.subtract(1.0, gates)
    factors *= gates  # s' = s (1 - s) for the sigmoid gates (the g column is overwritten below)
    earlier = (cells[1:], c0[None]) if reverse else (c0[None], cells[:-1])
    factors[:, :, 0] *= gates[:, :, 2]
    factors[:, :, 1] *= xp.concatenate(earlier)
    xp.multiply(gates[:, :, 2], gates[:, :, 2], out=factors[:, :, 2])
    xp.subtract(1.0, factors[:, :, 2], out=factors[:, :, 2])
    factors[:, :, 2] *= gates[:, :, 0]
    factors[:, :, 3] *= tanh_cells
    carry = xp.multiply(tanh_cells, tanh_cells)
    xp.subtract(1.0, carry, out=carry)
    carry *= gates[:, :, 3]
    return factors, carry


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
    x_gates, h0, c0, w_hh = inputs
    out, c = lstm_steps(x_gates, h0, c0, w_hh, reverse=ctx.reverse)
    pairs = [(o, g) for o, g in ((out, grad_out), (c, grad_c)) if g is not None]
    grads = iter(autograd.grad([o for o, _ in pairs], wanted, [g for _, g in pairs], create_graph=True,
                               allow_unused=True))
    return tuple(next(grads) if need else None for need in ctx.needs_input_grad)
