"""Convolution as im2col + one GEMM, and its two adjoints.

``Conv2d`` computes y = W * x + b (a cross-correlation, as torch). Its gradient
with respect to x is a transposed convolution (``ConvTranspose2d``: col2im of
W^T G) and with respect to W a correlation of x with G (``ConvWeight``). The
three read one trilinear form, <W * x, G>, three ways, so each one's backward is
made of the other two and derivatives of any order stay inside this file.

Geometry (keyword arguments of every op): ``stride`` (sh, sw), ``padding``
((top, bottom), (left, right)), ``dilation`` (dh, dw), ``groups``; the output
size is implied, except where a transposed convolution's ``output_padding``
left input rows that no window reaches (then ``out_size`` says it). Windows are
gathered by the backend's ``im2col``/``col2im``. 1-D convolutions run as 2-D
ones of height 1 (``nn.functional`` reshapes).

A stride-1 transposed convolution (and so a stride-1 convolution's input
gradient) is also a correlation of y with the flipped, transposed kernel: im2col
of y and one GEMM as deep as O kh kw, instead of a GEMM only O deep into a large
fresh array and col2im. ``_full_padding`` takes that route where it reads no more
windows (ResNet's 64 -> 64 3x3); LeNet's 6 -> 16 5x5 would read 5x more.

For batches of small images the window copies run with the batch innermost (``batch_last``: columns ordered
(Ho, Wo, N), not (N, Ho, Wo)), so each copy or add moves Wo*N contiguous cells, not Wo; results are copied
back channel-major, so the other ops never see that layout.
"""
from __future__ import annotations

from ...backends.base import window_counts
from ..function import Op


def _grouped_cols(ctx, x, kernel_size, stride, padding, dilation, groups, out_size=None, batch_last=False):
    """im2col of x as (groups, C/groups * kh * kw, N * Ho * Wo) (the columns ordered (Ho, Wo, N) if
    ``batch_last``), and (Ho, Wo)."""
    cols = ctx.device.backend.im2col(x, kernel_size, stride, padding, dilation, out_size, batch_last=batch_last)
    c, kh, kw = cols.shape[:3]
    ho, wo = cols.shape[3:5] if batch_last else cols.shape[4:]
    return cols.reshape(groups, c // groups * kh * kw, x.shape[0] * ho * wo), (ho, wo)  # (an empty batch too)


def _grouped_matmul(backend, a, b):
    """a @ b for stacks of matrices, one 2-D GEMM per group (``backend.matmul``): BLAS takes a transposed 2-D
    operand directly (a flag), while a stacked matmul with a transposed operand can fall off BLAS (12x slower
    for LeNet's weight gradient, (16 x 51200) @ (51200 x 150))."""
    if a.shape[0] == 1:
        return backend.matmul(a[0], b[0])[None]
    return backend.xp.stack([backend.matmul(a[i], b[i]) for i in range(a.shape[0])])


def _grouped_grad(grad_out, groups, batch_last=False):
    """The output gradient (N, O, Ho, Wo) as (groups, O/groups, N * Ho * Wo) (a copy unless channel-major), the
    columns ordered (Ho, Wo, N) if ``batch_last`` (a copy)."""
    n, o, ho, wo = grad_out.shape
    order = (1, 2, 3, 0) if batch_last else (1, 0, 2, 3)
    return grad_out.transpose(order).reshape(groups, o // groups, n * ho * wo)


def _correlate(ctx, x, weight, stride, padding, dilation, groups, out_size=None, batch_last=False):
    """W * x (N, O, Ho, Wo) as a channel-major view, and the windows of x (im2col) it read (``batch_last``: see
    ``_grouped_cols``; the result is copied channel-major)."""
    o, n = weight.shape[0], x.shape[0]
    cols, (ho, wo) = _grouped_cols(ctx, x, weight.shape[2:], stride, padding, dilation, groups, out_size, batch_last)
    w = weight.reshape(groups, o // groups, -1)
    # one GEMM per group (a contiguous stack: NumPy's stacked matmul calls BLAS per group itself)
    out = ctx.device.backend.matmul(w[0], cols[0])[None] if groups == 1 else ctx.xp.matmul(w, cols)
    if batch_last:
        channel_major = ctx.xp.empty((o, n, ho, wo), dtype=out.dtype)
        channel_major[...] = out.reshape(o, ho, wo, n).transpose(0, 3, 1, 2)
        return channel_major.transpose(1, 0, 2, 3), cols
    return out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3), cols  # (the view: no copy)


#: from this batch size, col2im runs with the batch innermost (``Backend.col2im(batch_last=True)``): the two
#: transposing copies it costs (the output gradient's, the result's) are paid back by adds over Wo*N contiguous
#: cells instead of Wo (LeNet's 6 <- 16 5x5 input gradient at batch 512: 9.8 against 16.8 ms, one thread)
COL2IM_BATCH_LAST_FROM = 8


#: im2col runs with the batch innermost (``Backend.im2col(batch_last=True)``) from ``COL2IM_BATCH_LAST_FROM``
#: samples, for output rows shorter than this, and windows at least ``IM2COL_BATCH_LAST_DEPTH`` times as deep
#: (C kh kw) as the output has channels: the copy then saves more than the output's and the output gradient's
#: transposing copies cost. Measured on one thread (conv2d, relu, sum, backward; interleaved, medians of 15):
#: LeNet's 6 -> 16 5x5 on 14x14 at batch 64 6.3 -> 5.4 ms, at 512 42.3 -> 40.9; 64 -> 64 and 256 -> 256 3x3 on
#: 8x8 unchanged within noise; LeNet's 1 -> 6 (too shallow) and 32-wide rows lose (the copy alone: 10.9 ->
#: 8.2 ms for LeNet's 1 -> 6 at 512, but 9.4 ms more to transpose its output)
IM2COL_BATCH_LAST_ROWS = 16
IM2COL_BATCH_LAST_DEPTH = 8


def _batch_last_windows(batch, weight_shape, groups, out_width) -> bool:
    """Whether a convolution's im2col runs with the batch innermost (see ``IM2COL_BATCH_LAST_DEPTH``)."""
    o, cg, kh, kw = weight_shape
    return (batch >= COL2IM_BATCH_LAST_FROM and out_width < IM2COL_BATCH_LAST_ROWS
            and cg * kh * kw >= IM2COL_BATCH_LAST_DEPTH * (o // groups))


def stored_channel_major(a) -> bool:
    """Whether ``a`` (N, C, H, W) is laid out as (C, N, H, W) but not as (N, C, H, W), as convolution outputs are
    (and so their gradients had better be: the convolution's backward then needs no transposed copy). NumPy's and
    CuPy's flags; another library's arrays: no."""
    flags = getattr(a, "flags", None)
    return bool(a.ndim == 4 and flags is not None and not flags.c_contiguous and a.swapaxes(0, 1).flags.c_contiguous)


#: a stride-1 transposed convolution runs as a correlation with the flipped kernel while its windows (O kh kw per
#: output cell) are at most this many times col2im's (C kh kw per input cell)
CORRELATION_WINDOWS = 1.0


def _full_padding(weight_shape, groups, stride, padding, dilation, in_size, out_size):
    """The padding with which a stride-1 transposed convolution of y (O channels of ``in_size``) to ``out_size``
    is a correlation of y with the flipped kernel, or None where that does not pay or does not apply: strided, a
    padding beyond the kernel's reach (a crop), or more windows than col2im's (``CORRELATION_WINDOWS``)."""
    o, cg, kh, kw = weight_shape
    more = o * out_size[0] * out_size[1] > CORRELATION_WINDOWS * groups * cg * in_size[0] * in_size[1]
    if stride != (1, 1) or more:
        return None
    pads = []
    for k, d, (before, after), n_in, n_out in zip((kh, kw), dilation, padding, in_size, out_size):
        reach = d * (k - 1)
        extra = n_out - (n_in + reach - before - after)  # (output_padding's cells, which no window reaches)
        if before > reach or after > reach + extra:
            return None
        pads.append((reach - before, reach - after + extra))
    return tuple(pads)


def _flipped_transposed(weight, groups):
    """The kernel (O, C/g, kh, kw) as (C, O/g, kh, kw), flipped in both spatial dims: the correlation kernel of
    the transposed convolution."""
    o, cg, kh, kw = weight.shape
    w = weight.reshape(groups, o // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return w.copy().reshape(groups * cg, o // groups, kh, kw)


class Conv2d(Op):
    """y = W * x + b: grad_x = conv_transpose2d(G, W), grad_W = conv_weight(x, G), grad_b = G summed"""

    def forward(ctx, x, weight, bias, stride, padding, dilation, groups, out_size=None):
        width = out_size[1] if out_size else window_counts(x.shape[2:], weight.shape[2:], stride, padding, dilation)[1]
        ctx.batch_last = _batch_last_windows(x.shape[0], weight.shape, groups, width)
        out, cols = _correlate(ctx, x, weight, stride, padding, dilation, groups, out_size, ctx.batch_last)
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        ctx.save_for_backward(x, weight, cols if ctx.needs_input_grad[1] else None)  # windows for grad_W
        ctx.geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return out

    def backward(ctx, grad):
        x, weight, cols = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(grad, weight, None, **ctx.geometry, output_size=x.shape[2:]) if need_x else None
        gw = ConvWeight.apply(x, grad, **ctx.geometry, kernel_size=weight.shape[2:],
                              cols=None if cols is None else cols._data, batch_last=ctx.batch_last) if need_w else None
        gb = grad.sum((0, 2, 3)) if need_b else None
        return gx, gw, gb


class ConvTranspose2d(Op):
    """x = conv_transpose2d(y, W) + b = col2im(W^T y) + b, Conv2d's adjoint in its input:
    grad_y = conv2d(G, W), grad_W = conv_weight(G, y), grad_b = G summed"""

    def forward(ctx, y, weight, bias, stride, padding, dilation, groups, output_size):
        n, o, ho, wo = y.shape
        _, cg, kh, kw = weight.shape
        full = _full_padding(weight.shape, groups, stride, padding, dilation, (ho, wo), tuple(output_size))
        if full is not None:
            out, _ = _correlate(ctx, y, _flipped_transposed(weight, groups), (1, 1), full, dilation, groups)
        else:
            w = weight.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)
            batch_last = n >= COL2IM_BATCH_LAST_FROM  # col2im's adds then run over Wo*N cells, not Wo
            cols = _grouped_matmul(ctx.device.backend, w, _grouped_grad(y, groups, batch_last))
            cols = cols.reshape((groups * cg, kh, kw) + ((ho, wo, n) if batch_last else (n, ho, wo)))
            out = ctx.device.backend.col2im(cols, (n, groups * cg) + tuple(output_size), stride, padding, dilation,
                                            batch_last=batch_last)
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        ctx.save_for_backward(y, weight)
        ctx.geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return out

    def backward(ctx, grad):
        y, weight = ctx.saved_tensors
        need_y, need_w, need_b = ctx.needs_input_grad
        gy = Conv2d.apply(grad, weight, None, **ctx.geometry, out_size=y.shape[2:]) if need_y else None
        gw = ConvWeight.apply(grad, y, **ctx.geometry, kernel_size=weight.shape[2:]) if need_w else None
        gb = grad.sum((0, 2, 3)) if need_b else None
        return gy, gw, gb


class ConvWeight(Op):
    """grad_W = G cols(x)^T (one GEMM over batch and positions), Conv2d's adjoint in its weight;
    as a function of (x, G): grad_x = conv_transpose2d(G, H), grad_G = conv2d(x, H) for upstream H"""

    def forward(ctx, x, grad_out, stride, padding, dilation, groups, kernel_size, cols=None, batch_last=False):
        if cols is None:  # (``batch_last``: how the given windows are ordered)
            cols, batch_last = _grouped_cols(ctx, x, kernel_size, stride, padding, dilation, groups,
                                             grad_out.shape[2:])[0], False
        gw = _grouped_matmul(ctx.device.backend, _grouped_grad(grad_out, groups, batch_last),
                             cols.transpose(0, 2, 1))
        ctx.save_for_backward(x, grad_out)
        ctx.geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return gw.reshape((grad_out.shape[1], -1) + tuple(kernel_size))

    def backward(ctx, grad):
        x, grad_out = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(grad_out, grad, None, **ctx.geometry, output_size=x.shape[2:]) if need_x else None
        gg = Conv2d.apply(x, grad, None, **ctx.geometry, out_size=grad_out.shape[2:]) if need_g else None
        return gx, gg
