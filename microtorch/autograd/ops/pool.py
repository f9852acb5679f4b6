"""Pooling over sliding windows, in adjoint pairs.

The backend's ``windows`` gives one strided view per kernel offset (kh*kw of
them), so each op is a short loop over kernel offsets with whole-array work
inside: no loop over batch, channels or pixels. Max pooling
picks one cell per window and its backward puts the gradient back into that
cell; average pooling sums each window and its backward spreads the gradient
over it. Each pair's ops are each other's backward, so derivatives of any order
stay here. Geometry: ``kernel_size``, ``stride``, ``dilation`` as (h, w) and
``padding`` as ((top, bottom), (left, right)), on (N, C, H, W) arrays.
"""
from __future__ import annotations

from ..function import Op


def _scatter_windows(ctx, pieces, kernel_size, stride, padding, dilation, input_shape):
    """An (N, C, H, W) array holding ``pieces[k]`` (N, C, Ho, Wo) in the cells at kernel offset k of
    every window, summed where windows overlap: the adjoint of reading the windows."""
    n, c, h, w = input_shape
    ((top, bottom), (left, right)) = padding
    out = ctx.xp.zeros((n, c, h + top + bottom, w + left + right), dtype=pieces[0].dtype)
    overlapping = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel_size, stride, dilation))
    views = ctx.device.backend.windows(out, kernel_size, stride, ((0, 0), (0, 0)), dilation, out_size=pieces[0].shape[2:])
    for view, piece in zip(views, pieces):
        if overlapping:
            view += piece
        else:  # each cell is in one window at most: plain writes
            view[...] = piece
    return out[:, :, top:top + h, left:left + w]


class MaxPool2d(Op):
    """(y, argmax): the max of each window (the first one on ties; nan wins, as torch) and its kernel
    offset; the gradient goes to that cell. With ``argmax`` given it picks those cells instead (the
    backward of MaxPool2dBackward)."""

    materialize_grads = False  # argmax (integers) has no gradient

    def forward(ctx, x, kernel_size, stride, padding, dilation, argmax=None):
        xp = ctx.xp
        # the windows stacked contiguously (kh*kw, N, C, Ho, Wo): the loop below then reads fast memory
        cols = xp.stack(ctx.device.backend.windows(x, kernel_size, stride, padding, dilation, pad_value=float("-inf")))
        if argmax is None:
            out = cols[0].copy()
            argmax = xp.zeros(out.shape, dtype=xp.min_scalar_type(len(cols)))
            for k in range(1, len(cols)):
                better = (cols[k] > out) | xp.isnan(cols[k])
                xp.maximum(out, cols[k], out=out)
                argmax += better * (argmax.dtype.type(k) - argmax)  # argmax = k where better (no slow where)
        else:
            out = xp.take_along_axis(cols, argmax[None].astype("int64"), axis=0)[0]
        ctx.save_for_backward(argmax)
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
        ctx.input_shape = x.shape
        return out, argmax

    def backward(ctx, grad, _):
        (argmax,) = ctx.saved_tensors
        return MaxPool2dBackward.apply(grad, argmax, **ctx.geometry, input_shape=ctx.input_shape)


class MaxPool2dBackward(Op):
    """x_grad = each window's G put into the window's argmax cell (summed where windows overlap);
    its gradient picks those cells again (MaxPool2d at argmax)"""

    def forward(ctx, grad, argmax, kernel_size, stride, padding, dilation, input_shape):
        ctx.save_for_backward(argmax)
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
        pieces = [grad * (argmax == k) for k in range(kernel_size[0] * kernel_size[1])]
        return _scatter_windows(ctx, pieces, kernel_size, stride, padding, dilation, input_shape)

    def backward(ctx, grad):
        (argmax,) = ctx.saved_tensors
        return MaxPool2d.apply(grad, **ctx.geometry, argmax=argmax._data)[0], None


class WindowSum(Op):
    """y = the sum of each window (average pooling divides it); the gradient is spread over the window"""

    def forward(ctx, x, kernel_size, stride, padding):
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        ctx.input_shape = x.shape
        views = ctx.device.backend.windows(x, kernel_size, stride, padding, (1, 1))
        out = views[0].copy()
        for view in views[1:]:
            out += view
        return out

    def backward(ctx, grad):
        return WindowSpread.apply(grad, **ctx.geometry, input_shape=ctx.input_shape)


class WindowSpread(Op):
    """x_grad = each window's G added to every cell of the window; its gradient is WindowSum"""

    def forward(ctx, grad, kernel_size, stride, padding, input_shape):
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding)
        pieces = [grad] * (kernel_size[0] * kernel_size[1])
        return _scatter_windows(ctx, pieces, kernel_size, stride, padding, (1, 1), input_shape)

    def backward(ctx, grad):
        return WindowSum.apply(grad, **ctx.geometry)
