"""``unfold`` (im2col) and ``fold`` (col2im) as grouped convolutions with a one-hot kernel: channel
c * kh * kw + i * kw + j of the blocks is channel c read at kernel offset (i, j). Re-exported by
``nn.functional``."""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor


def _one_hot_kernel(like: Tensor, channels: int, kernel: tuple) -> Tensor:
    """(C kh kw, 1, kh, kw): one 1 per output channel, at its kernel offset."""
    from .functional import _constant

    kh, kw = kernel
    eye = [[[[1.0 if (i, j) == divmod(k, kw) else 0.0 for j in range(kw)] for i in range(kh)]] for k in range(kh * kw)]
    return _constant(eye * channels, like)


def _geometry(kernel_size, dilation, padding, stride) -> tuple:
    from .functional import _ntuple

    geometry = tuple(_ntuple(v, 2, name) for v, name in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                          (padding, "padding"), (stride, "stride")))
    if any(v <= 0 for v in geometry[0] + geometry[1] + geometry[3]) or any(p < 0 for p in geometry[2]):
        raise RuntimeError(f"kernel_size, dilation and stride must be positive and padding non-negative, got "
                           f"kernel_size={geometry[0]}, dilation={geometry[1]}, padding={geometry[2]}, "
                           f"stride={geometry[3]}")
    return geometry


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """The sliding blocks of (N, C, H, W) (or (C, H, W)) as columns: (N, C kh kw, L)."""
    from .functional import conv2d

    kernel, dilation, padding, stride = _geometry(kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    c = x.shape[1]
    if x.shape[0] == 0:  # an empty batch: the right shape, still attached to the input's graph
        sizes = [(n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, d, p, s in zip(x.shape[2:], kernel, dilation, padding, stride)]
        return x.sum() * 0.0 + x.new_zeros((0, c * kernel[0] * kernel[1], sizes[0] * sizes[1]))
    blocks = conv2d(x, _one_hot_kernel(x, c, kernel), None, stride, padding, dilation, groups=c)
    out = blocks.reshape(x.shape[0], c * kernel[0] * kernel[1], -1)
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """The adjoint of ``unfold``: columns (N, C kh kw, L) summed back into (N, C, *output_size)."""
    from .functional import _ntuple, conv_transpose2d

    kernel, dilation, padding, stride = _geometry(kernel_size, dilation, padding, stride)
    size = _ntuple(output_size, 2, "output_size")
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.ndim}D)")
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    per_block = kernel[0] * kernel[1]
    if x.shape[1] % per_block:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={x.shape[1]} and kernel_size={kernel}")
    blocks = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in zip(size, kernel, dilation, padding, stride)]
    if blocks[0] * blocks[1] != x.shape[2] or min(blocks) <= 0:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, padding={padding}, "
                           f"stride={stride}, expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size(2)={x.shape[2]}.")
    c = x.shape[1] // per_block
    smallest = [(b - 1) * s - 2 * p + d * (k - 1) + 1 for b, s, p, d, k in zip(blocks, stride, padding, dilation, kernel)]
    extra = tuple(n - m for n, m in zip(size, smallest))
    out = conv_transpose2d(x.reshape(x.shape[0], x.shape[1], *blocks), _one_hot_kernel(x, c, kernel), None, stride,
                           padding, extra, groups=c, dilation=dilation)
    return out.squeeze(0) if unbatched else out


__all__ = ["unfold", "fold"]
