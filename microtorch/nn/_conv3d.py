"""``conv3d`` and ``conv_transpose3d`` as sums over the depth taps of 2-D convolutions (each one GEMM over
the depth slices folded into the batch), so their gradients come from the 2-D kernels. Re-exported by
``nn.functional``."""
from __future__ import annotations

from typing import Any

from .._dtype import _C_NAMES
from .._tensor import Tensor


def _depth_first(x: Tensor) -> Tensor:
    """(N, C, D, H, W) -> (N D, C, H, W)."""
    n, c, d, h, w = x.shape
    return x.transpose(1, 2).reshape(n * d, c, h, w)


def _depth_back(x: Tensor, n: int) -> Tensor:
    """(N D, C, H, W) -> (N, C, D, H, W)."""
    nd, c, h, w = x.shape
    return x.reshape(n, nd // n, c, h, w).transpose(1, 2)


def _check_3d(fn: str, input: Tensor, weight: Tensor) -> tuple:
    from .functional import _batched, _check_float

    _check_float(input, "input", fn)
    _check_float(weight, "weight", fn)
    if weight.ndim != 5:
        raise RuntimeError(f"{fn}: weight should have 5 dimensions, got {list(weight.shape)}")
    unbatched = _batched(input, 3, fn)
    return (input.unsqueeze(0) if unbatched else input), unbatched


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W): weight (C_out, C_in/groups, kd, kh, kw); ``padding`` may be
    'same' or 'valid'."""
    from .functional import _conv_padding, _conv_tuple, conv2d, pad

    x, unbatched = _check_3d("conv3d", input, weight)
    stride, dilation = _conv_tuple(stride, 3, "stride"), _conv_tuple(dilation, 3, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(x.shape)} to have "
            f"{weight.shape[1] * groups} channels, but got {x.shape[1]} channels instead"
        )
    pads = _conv_padding(padding, tuple(weight.shape[2:]), dilation, stride, 3)
    x = pad(x, [v for pair in reversed(pads) for v in pair])
    (kd, sd, dd), n = (weight.shape[2], stride[0], dilation[0]), x.shape[0]
    depth_out = (x.shape[2] - dd * (kd - 1) - 1) // sd + 1
    if depth_out <= 0 or any(x.shape[i + 2] < dilation[i] * (weight.shape[i + 2] - 1) + 1 for i in (1, 2)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, x.shape[2:]))}). "
                           f"Kernel size: ({' x '.join(map(str, weight.shape[2:]))}). Kernel size can't be greater "
                           "than actual input size")
    out: Any = None  # (set by the first tap)
    for i in range(kd):  # one batched 2-D convolution per depth tap
        taps = x[:, :, i * dd:i * dd + (depth_out - 1) * sd + 1:sd]
        part = conv2d(_depth_first(taps), weight[:, :, i], None, stride[1:], 0, dilation[1:], groups)
        out = part if out is None else out + part
    out = _depth_back(out, n)
    if bias is not None:
        if isinstance(bias, Tensor) and bias.dtype is not input.dtype:  # (the sum would promote)
            raise RuntimeError(f"Input type ({_C_NAMES.get(input.dtype.name)}) and bias type "
                               f"({_C_NAMES.get(bias.dtype.name)}) should be the same")
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of conv3d in its input; weight (C_in, C_out/groups, kd, kh, kw)."""
    from .functional import _conv_tuple, conv_transpose2d, pad

    y, unbatched = _check_3d("conv_transpose3d", input, weight)
    stride, dilation = _conv_tuple(stride, 3, "stride"), _conv_tuple(dilation, 3, "dilation")
    pads, extra = _conv_tuple(padding, 3, "padding"), _conv_tuple(output_padding, 3, "output_padding")
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got output_padding={list(extra)}, "
            f"stride={list(stride)}, dilation={list(dilation)}"
        )
    if y.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(y.shape)} to have "
            f"{weight.shape[0]} channels, but got {y.shape[1]} channels instead"
        )
    n, depth = y.shape[0], y.shape[2]
    (kd, sd, dd, pd) = weight.shape[2], stride[0], dilation[0], pads[0]
    full = (depth - 1) * sd + dd * (kd - 1) + 1 + extra[0]  # the depth before cropping the padding
    if full - 2 * pd <= 0:
        raise RuntimeError(f"conv_transpose3d: the output depth {full - 2 * pd} is too small (input {list(y.shape)})")
    out: Any = None  # (set by the first tap)
    for i in range(kd):  # each depth tap spreads input slice d to output slice d * sd + i * dd
        part = _depth_back(conv_transpose2d(_depth_first(y), weight[:, :, i], None, stride[1:], pads[1:], extra[1:],
                                            groups, dilation[1:]), n)
        if sd > 1:
            part = _interleave(part, sd)
        part = pad(part.movedim(2, -1), (i * dd, full - i * dd - part.shape[2])).movedim(-1, 2)
        out = part if out is None else out + part
    out = out[:, :, pd:full - pd]
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out.squeeze(0) if unbatched else out


def _interleave(x: Tensor, step: int) -> Tensor:
    """Depth slices of (N, C, D, H, W) spaced ``step`` apart with zero slices between: depth (D - 1) step + 1."""
    from .._functions import stack

    n, c, d, h, w = x.shape
    spaced = stack([x] + [x * 0.0] * (step - 1), 3).reshape(n, c, d * step, h, w)
    return spaced[:, :, :(d - 1) * step + 1]


__all__ = ["conv3d", "conv_transpose3d"]
