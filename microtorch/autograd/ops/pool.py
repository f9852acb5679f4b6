"""Pooling over sliding windows, in adjoint pairs.

The backend's ``windows`` gives one strided view per kernel offset (kh*kw of
them), so each op is a short loop over kernel offsets with whole-array work
inside: no loop over batch, channels or pixels (the backend's ``run_chunks`` may
split the samples across threads: each chunk writes its own samples). Max pooling
picks one cell per window and its backward puts the gradient back into that
cell; average pooling sums each window and its backward spreads the gradient
over it. Each pair's ops are each other's backward, so derivatives of any order
stay here. Geometry: ``kernel_size``, ``stride``, ``dilation`` as (h, w) and
``padding`` as ((top, bottom), (left, right)), on (N, C, H, W) arrays.
"""
from __future__ import annotations

from ...backends.base import NO_PADDING, window_counts
from ..function import Op
from .conv import stored_channel_major


def _overlapping(kernel_size, stride, dilation) -> bool:
    """Whether some input cell lies in more than one window."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(kernel_size, stride, dilation))


def _scatter_windows(ctx, write, kernel_size, stride, padding, dilation, input_shape, out_size, dtype, channel_major):
    """An (N, C, H, W) array of zeros (stored (C, N, H, W) if ``channel_major``) into which ``write(view, k, lo,
    hi)`` puts, for each kernel offset k and each chunk lo:hi of samples, the values at offset k of every window
    (``view``: those cells of the padded array); the padding is then cut off. The adjoint of reading the windows."""
    n, c, h, w = input_shape
    ((top, bottom), (left, right)) = padding
    hp, wp = h + top + bottom, w + left + right
    if channel_major:
        out = ctx.xp.zeros((c, n, hp, wp), dtype=dtype).transpose(1, 0, 2, 3)
    else:
        out = ctx.xp.zeros((n, c, hp, wp), dtype=dtype)
    backend = ctx.device.backend

    def write_chunk(lo: int, hi: int) -> None:
        for k, view in enumerate(backend.windows(out[lo:hi], kernel_size, stride, NO_PADDING, dilation, out_size=out_size)):
            write(view, k, lo, hi)

    backend.run_chunks(write_chunk, n, out.size)
    return out[:, :, top:top + h, left:left + w]


def _window_max(xp, cols, out, argmax) -> None:
    """out, argmax = the max of the windows ``cols`` (kh*kw, n, C, Ho, Wo) and its kernel offset: the first on
    ties, the last nan where a window has one (nan wins, as in torch's kernel)."""
    out[...] = cols[0]
    for k in range(1, len(cols)):
        better = cols[k] > out
        xp.maximum(out, cols[k], out=out)  # (nan propagates)
        argmax += better * (argmax.dtype.type(k) - argmax)  # argmax = k where better (no slow where)
    if xp.isnan(out).any():  # rare: only then pay for the nan passes
        for k in range(len(cols)):
            nan = xp.isnan(cols[k])
            argmax += nan * (argmax.dtype.type(k) - argmax)


class MaxPool2d(Op):
    """(y, argmax): the max of each window (the first one on ties; nan wins, as torch) and its kernel
    offset; the gradient goes to that cell. With ``argmax`` given it picks those cells instead (the
    backward of MaxPool2dBackward)."""

    materialize_grads = False  # argmax (integers) has no gradient

    def forward(ctx, x, kernel_size, stride, padding, dilation, argmax=None):
        xp, backend = ctx.xp, ctx.device.backend
        n, c, h, w = x.shape
        out_size = window_counts((h, w), kernel_size, stride, padding, dilation)
        out = xp.empty((n, c) + out_size, dtype=x.dtype)
        given = argmax is not None
        if not given:
            argmax = xp.zeros(out.shape, dtype=xp.min_scalar_type(kernel_size[0] * kernel_size[1]))

        def pool_chunk(lo: int, hi: int) -> None:
            # the windows stacked contiguously (kh*kw, n, C, Ho, Wo): the passes then read fast memory
            cols = xp.stack(backend.windows(x[lo:hi], kernel_size, stride, padding, dilation, pad_value=float("-inf")))
            if given:  # the cells argmax names
                out[lo:hi] = xp.take_along_axis(cols, argmax[lo:hi][None].astype("int64"), axis=0)[0]
            else:
                _window_max(xp, cols, out[lo:hi], argmax[lo:hi])

        backend.run_chunks(pool_chunk, n, out.size)
        ctx.save_for_backward(argmax)
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
        ctx.input_shape, ctx.channel_major = x.shape, stored_channel_major(x)
        return out, argmax

    def backward(ctx, grad, _):
        (argmax,) = ctx.saved_tensors
        return MaxPool2dBackward.apply(grad, argmax, **ctx.geometry, input_shape=ctx.input_shape,
                                       channel_major=ctx.channel_major)


class MaxPool2dBackward(Op):
    """x_grad = each window's G put into the window's argmax cell (summed where windows overlap);
    its gradient picks those cells again (MaxPool2d at argmax)"""

    def forward(ctx, grad, argmax, kernel_size, stride, padding, dilation, input_shape, channel_major=False):
        ctx.save_for_backward(argmax)
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
        overlapping = _overlapping(kernel_size, stride, dilation)
        # G * mask is 4x faster than where or a masked copyto, but inf * 0 is nan: an inf or nan gradient must
        # reach its argmax cell only (torch's), so then the slow where
        finite = bool(ctx.xp.isfinite(grad).all())

        def put(view, k, lo, hi):
            chosen = argmax[lo:hi] == k
            if finite and not overlapping:  # each cell is in one window at most: written in place, no temporary
                ctx.xp.multiply(grad[lo:hi], chosen, out=view)
                return
            piece = grad[lo:hi] * chosen if finite else ctx.xp.where(chosen, grad[lo:hi], 0)
            if overlapping:
                view += piece
            else:
                view[...] = piece

        return _scatter_windows(ctx, put, kernel_size, stride, padding, dilation, input_shape, argmax.shape[2:],
                                grad.dtype, channel_major)

    def backward(ctx, grad):
        (argmax,) = ctx.saved_tensors
        return MaxPool2d.apply(grad, **ctx.geometry, argmax=argmax._data)[0], None


class WindowSum(Op):
    """y = the sum of each window (average pooling divides it); the gradient is spread over the window"""

    def forward(ctx, x, kernel_size, stride, padding):
        xp, backend = ctx.xp, ctx.device.backend
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        ctx.input_shape, ctx.channel_major = x.shape, stored_channel_major(x)
        out = xp.empty(x.shape[:2] + window_counts(x.shape[2:], kernel_size, stride, padding, (1, 1)), dtype=x.dtype)

        def sum_chunk(lo: int, hi: int) -> None:
            views = backend.windows(x[lo:hi], kernel_size, stride, padding, (1, 1))
            xp.copyto(out[lo:hi], views[0])
            for view in views[1:]:
                out[lo:hi] += view

        backend.run_chunks(sum_chunk, x.shape[0], out.size)
        return out

    def backward(ctx, grad):
        return WindowSpread.apply(grad, **ctx.geometry, input_shape=ctx.input_shape, channel_major=ctx.channel_major)


class WindowSpread(Op):
    """x_grad = each window's G added to every cell of the window; its gradient is WindowSum"""

    def forward(ctx, grad, kernel_size, stride, padding, input_shape, channel_major=False):
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        overlapping = _overlapping(kernel_size, stride, (1, 1))

        def spread(view, k, lo, hi):
            if overlapping:
                view += grad[lo:hi]
            else:
                view[...] = grad[lo:hi]

        return _scatter_windows(ctx, spread, kernel_size, stride, padding, (1, 1), input_shape, grad.shape[2:],
                                grad.dtype, channel_major)

    def backward(ctx, grad):
        return WindowSum.apply(grad, **ctx.geometry)
