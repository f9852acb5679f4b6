"""``microtorch.nn.functional``: layers, activations and losses as functions (torch's names and signatures).

Hot paths (linear, convolution, pooling, normalisation, cross-entropy) call fused
ops from ``microtorch.autograd.ops``; the rest are a few Tensor ops each. Every
function checks its arguments and raises torch's error for bad ones.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Optional, Sequence

from .._device import on_device
from .._tensor import Tensor
from .._promotion import _check_int64, _expect, _float_input, _floating_kernel
from ..autograd.grad_mode import no_grad
from ..autograd.ops import activation as _activation_ops
from ..autograd.ops import attention as _attention_ops
from ..autograd.ops import conv as _conv_ops
from ..autograd.ops import inplace as _inplace_ops
from ..autograd.ops import loss as _loss_ops
from ..autograd.ops import nn as _nn_ops
from ..autograd.ops import norm as _norm_ops
from ..autograd.ops import pool as _pool_ops
from ..backends import get_backend
from .parameter import Parameter

_PLAIN_TENSORS = (Tensor, Parameter)  # the fast paths' guard: a BatchedTensor's array carries vmap's batch dim


# ---- argument helpers ---------------------------------------------------------------------------------
def _ntuple(value: Any, n: int, name: str, wrong_length: Optional[str] = None, error: type = RuntimeError) -> tuple:
    """``3`` -> ``(3, 3)``; a sequence must have ``n`` integers (one is repeated). A sequence of the wrong
    length raises ``error`` (torch's RuntimeError, ValueError where torch's Python checks it) with the
    ``wrong_length`` message; an element that is no integer raises TypeError, as torch's argument parser."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    value = tuple(value)
    if not all(isinstance(v, numbers.Integral) for v in value):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    if len(value) == 1:
        value = value * n
    if len(value) != n:
        raise error(wrong_length or f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(int(v) for v in value)


def _conv_tuple(value: Any, n: int, name: str) -> tuple:
    """A convolution's stride, padding, dilation or output_padding as ``n`` ints, with torch's error."""
    return _ntuple(value, n, name, f"expected {name} to be a single integer value or a list of {n} values to match "
                   f"the convolution dimensions, but got {name}={list(value) if hasattr(value, '__iter__') else value}")


def _pool_tuple(value: Any, n: int, name: str, fn: str) -> tuple:
    """A pooling window's kernel_size, stride, padding or dilation as ``n`` ints, with torch's error."""
    count = {1: "one int", 2: "two ints", 3: "three ints"}.get(n, f"{n} ints")
    shape = {"stride": f"either be omitted, a single int, or a tuple of {count}",
             "dilation": f"be either a single int, or a tuple of {count}"}.get(name, f"either be a single int, or a tuple of {count}")
    return _ntuple(value, n, name, f"{fn}: {name} must {shape}")


def _check_tensor(value: Any, name: str, fn: str) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be a Tensor, not {type(value).__name__}")


def _check_float(value: Tensor, name: str, fn: str) -> None:
    _check_tensor(value, name, fn)
    if not value.is_floating_point():
        raise RuntimeError(f"{fn}(): expected a floating point {name}, got {value.dtype}")


def _check_same_dtype(fn: str, **tensors: Any) -> None:
    first = next(iter(tensors.values()))._data.dtype
    if all(t is None or t._data.dtype is first for t in tensors.values()):
        return  # the usual case, decided without building sets
    present = {k: t for k, t in tensors.items() if t is not None}
    dtypes = {t.dtype for t in present.values()}
    if len(dtypes) > 1:
        described = ", ".join(f"{k} {t.dtype}" for k, t in present.items())
        raise RuntimeError(f"{fn}(): expected all tensors to have the same dtype, but got {described}")


def _constant(array: Any, like: Tensor) -> Tensor:
    """A host array as a constant tensor on ``like``'s device, in ``like``'s dtype."""
    backend = like.device.backend
    return Tensor._make(backend.asarray(array, dtype=like.dtype.name, index=like.device.index), like.device)


def _batched(input: Tensor, spatial: int, fn: str) -> bool:
    """Whether ``input`` lacks the batch dim (torch accepts (C, *spatial) as a batch of one)."""
    if input.ndim == spatial + 1:
        return True
    if input.ndim != spatial + 2:
        raise RuntimeError(
            f"{fn}: Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input, but got input of size: "
            f"{list(input.shape)}"
        )
    return False


# ---- linear layers ------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b over the last dim of x (one fused op: a GEMM forward, two backward)."""
    if _linear_arrays_fit(input, weight, bias):  # the usual call, decided on the arrays
        return _nn_ops.Linear.apply(input, weight, bias)
    _check_tensor(input, "input", "linear")
    _check_tensor(weight, "weight", "linear")
    if input.ndim == 0 or weight.ndim not in (1, 2):
        raise RuntimeError(f"linear(): expected input of at least 1 dim and a 1-D or 2-D weight, got {input.ndim}-D and {weight.ndim}-D")
    if input.shape[-1] != weight.shape[-1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and {weight.shape[-1]}x"
            f"{weight.shape[0] if weight.ndim == 2 else 1})"
        )
    _check_same_dtype("linear", input=input, weight=weight, bias=bias)
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError(f"linear(): expected floating point tensors, got {input.dtype}")
    if weight.ndim == 1:
        out = input @ weight
        return out if bias is None else out + bias
    if bias is not None and bias.shape not in ((weight.shape[0],), (), (1,)):
        raise RuntimeError(f"linear(): bias of shape {list(bias.shape)} does not match {weight.shape[0]} output features")
    return _nn_ops.Linear.apply(input, weight, bias)


def _linear_arrays_fit(input: Any, weight: Any, bias: Any) -> bool:
    """Whether plain tensors pass every check of ``linear``'s fused op: floating x (..., k), W (n, k), b (n,) or
    None, one dtype."""
    if type(input) is not Tensor or type(weight) not in _PLAIN_TENSORS:
        return False
    x, w = input._data, weight._data
    if not (x.ndim and w.ndim == 2 and x.shape[-1] == w.shape[1] and x.dtype.kind == "f" and w.dtype == x.dtype):
        return False
    if bias is None:
        return True
    return type(bias) in _PLAIN_TENSORS and bias._data.shape == (w.shape[0],) and bias._data.dtype == x.dtype


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_o = x1^T W_o x2 + b_o."""
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got {list(weight.shape)}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input sizes {input1.shape[-1]} and {input2.shape[-1]} do not match weight of size "
            f"{list(weight.shape)}"
        )
    _check_same_dtype("bilinear", input1=input1, input2=input2, weight=weight, bias=bias)
    out = _einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


def _einsum(equation: str, *operands: Tensor) -> Tensor:
    from ..autograd.ops.linalg import einsum

    return einsum(equation, *operands)


# ---- convolution --------------------------------------------------------------------------------------
def _conv_padding(padding: Any, kernel: tuple, dilation: tuple, stride: tuple, spatial: int) -> tuple:
    """Padding as ((before, after), ...) per spatial dim; 'same' may be uneven, as torch."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * spatial
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    pads = _conv_tuple(padding, spatial, "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _conv_arguments(input, weight, stride, dilation, groups, spatial: int, fn: str, weight_layout: str) -> tuple:
    """The checks convolutions and transposed ones share; returns (batched input, unbatched, stride, dilation)."""
    _check_float(input, "input", fn)
    _check_float(weight, "weight", fn)
    unbatched = _batched(input, spatial, fn)
    if weight.ndim != spatial + 2:
        raise RuntimeError(f"{fn}: weight should have {spatial + 2} dimensions {weight_layout}, got {list(weight.shape)}")
    stride, dilation = _conv_tuple(stride, spatial, "stride"), _conv_tuple(dilation, spatial, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if not isinstance(groups, numbers.Integral) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return (input.unsqueeze(0) if unbatched else input), unbatched, stride, dilation


def _conv(input, weight, bias, stride, padding, dilation, groups, spatial: int) -> Tensor:
    fn = f"conv{spatial}d"
    input, unbatched, stride, dilation = _conv_arguments(input, weight, stride, dilation, groups, spatial, fn,
                                                         "(out, in/groups, *kernel)")
    out_channels, in_per_group = weight.shape[0], weight.shape[1]
    if input.shape[1] != in_per_group * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{in_per_group * groups} channels, but got {input.shape[1]} channels instead"
        )
    if out_channels % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of "
            f"size {list(weight.shape)} instead"
        )
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {out_channels} "
            f"elements, but got bias of size {list(bias.shape)} instead"
        )
    _check_same_dtype(fn, input=input, weight=weight, bias=bias)
    kernel = tuple(weight.shape[2:])
    pads = _conv_padding(padding, kernel, dilation, stride, spatial)
    padded = [n + a + b for n, (a, b) in zip(input.shape[2:], pads)]
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, effective)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, effective))}). Kernel size can't be greater than actual input size"
        )
    if spatial == 1:  # a 1-D convolution is a 2-D one of height 1
        out = _conv_ops.Conv2d.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, stride=(1,) + stride,
                                 padding=((0, 0),) + pads, dilation=(1,) + dilation, groups=groups).squeeze(2)
    else:
        out = _conv_ops.Conv2d.apply(input, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L) (im2col + GEMM, as a 2-D convolution of height 1)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over (N, C, H, W): im2col + one batched GEMM; ``padding`` may be 'same' or 'valid'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, spatial: int) -> Tensor:
    fn = f"conv_transpose{spatial}d"
    input, unbatched, stride, dilation = _conv_arguments(input, weight, stride, dilation, groups, spatial, fn,
                                                         "(in, out/groups, *kernel)")
    pads = _conv_tuple(padding, spatial, "padding")
    extra = _conv_tuple(output_padding, spatial, "output_padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got output_padding={list(extra)}, "
            f"stride={list(stride)}, dilation={list(dilation)}"
        )
    if input.shape[1] != weight.shape[0] or weight.shape[0] % groups:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{weight.shape[0]} channels, but got {input.shape[1]} channels instead"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"{fn}: expected bias of size [{out_channels}], got {list(bias.shape)}")
    _check_same_dtype(fn, input=input, weight=weight, bias=bias)
    kernel = tuple(weight.shape[2:])
    size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                 for n, s, p, d, k, e in zip(input.shape[2:], stride, pads, dilation, kernel, extra))
    if any(n <= 0 for n in size):
        raise RuntimeError(f"{fn}: the output size {list(size)} is too small (input {list(input.shape)})")
    geometry = dict(stride=stride, padding=tuple((p, p) for p in pads), dilation=dilation, groups=groups)
    if spatial == 1:
        geometry = dict(stride=(1,) + stride, padding=((0, 0),) + geometry["padding"], dilation=(1,) + dilation, groups=groups)
        out = _conv_ops.ConvTranspose2d.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, **geometry,
                                          output_size=(1,) + size).squeeze(2)
    else:
        out = _conv_ops.ConvTranspose2d.apply(input, weight, bias, **geometry, output_size=size)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of conv1d in its input (a 'deconvolution'); weight is (in, out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of conv2d in its input (col2im of W^T x); weight is (in, out/groups, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


# ---- pooling ------------------------------------------------------------------------------------------
def _stride_or_kernel(stride: Any, kernel_size: Any) -> Any:
    """The pooling stride: the kernel size for None or an empty sequence (torch's rule), else ``stride``."""
    sized = hasattr(stride, "__len__") and not isinstance(stride, str) and getattr(stride, "ndim", 1) > 0
    empty = sized and len(stride) == 0  # (a 0-d tensor has no len)
    return kernel_size if stride is None or empty else stride


def _pool_stride(stride: Any, kernel: tuple, spatial: int, fn: str) -> tuple:
    """The pooling stride as ``spatial`` ints (``_stride_or_kernel``); a tensor counts only as one integer, as
    torch's argument parser reads it."""
    if isinstance(stride, Tensor):
        if stride.numel() != 1 or stride.is_floating_point() or stride.is_complex():
            raise TypeError(f"{fn}(): argument 'stride' (position 3) must be tuple of ints, not Tensor")
        stride = int(stride.item())
    return _pool_tuple(_stride_or_kernel(stride, kernel), spatial, "stride", fn)


def _pool_geometry(input: Tensor, spatial: int, kernel_size, stride, padding, dilation, ceil_mode, fn: str) -> tuple:
    """(kernel, stride, dilation, ((before, after), ...), output sizes), with torch's checks and its
    ceil_mode rule (the last window must start inside the input or its left padding)."""
    kernel = _pool_tuple(kernel_size, spatial, "kernel_size", fn)
    stride = _pool_stride(stride, kernel, spatial, fn)
    pads = _pool_tuple(padding, spatial, "padding", fn)
    dilation = _pool_tuple(dilation, spatial, "dilation", fn)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{fn}: kernel_size must be greater than zero, but got {list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{fn}: stride should be greater than zero, but got {list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{fn}: dilation should be greater than zero, but got {list(dilation)}")
    for p, k, d in zip(pads, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"{fn}: pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and dilation={d}"
            )
    sizes, pad_pairs = [], []
    for n, k, s, p, d in zip(input.shape[-spatial:], kernel, stride, pads, dilation):
        effective = d * (k - 1) + 1
        out = (n + 2 * p - effective + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (out - 1) * s >= n + p:
            out -= 1
        sizes.append(out)
        pad_pairs.append((p, max((out - 1) * s + effective - n - p, 0)))
    if any(o <= 0 for o in sizes):
        raise RuntimeError(
            f"{fn}: Given input size: ({'x'.join(map(str, input.shape[-spatial - 1:]))}). Calculated output size: "
            f"({'x'.join(map(str, (input.shape[-spatial - 1],) + tuple(sizes)))}). Output size is too small"
        )
    return kernel, stride, dilation, tuple(pad_pairs), tuple(sizes)


def _as_4d(input: Tensor, spatial: int, fn: str) -> tuple:
    """(N, C, H, W) view of a (N, C, *spatial) or (C, *spatial) input, and a function undoing it."""
    _check_float(input, "input", fn)
    unbatched = _batched(input, spatial, fn)
    if 0 in input.shape[0 if unbatched else 1:]:  # only the batch dim may be empty (torch's check)
        prefix = "max_pool1d: " if fn == "max_pool1d" else ""
        raise RuntimeError(f"{prefix}Expected {spatial + 1}D or {spatial + 2}D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{list(input.shape)}")
    x = input.unsqueeze(0) if unbatched else input
    if spatial == 1:
        x = x.unsqueeze(2)

    def undo(t: Tensor) -> Tensor:
        if spatial == 1:
            t = t.squeeze(2)
        return t.squeeze(0) if unbatched else t

    return x, undo


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, spatial: int) -> Any:
    fn = f"max_pool{spatial}d"
    x, undo = _as_4d(input, spatial, fn)
    kernel, stride, dilation, pads, _ = _pool_geometry(x, spatial, kernel_size, stride, padding, dilation, ceil_mode, fn)
    if spatial == 1:
        kernel, stride, dilation, pads = (1,) + kernel, (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    out, argmax = _pool_ops.MaxPool2d.apply(x, kernel_size=kernel, stride=stride, padding=pads, dilation=dilation)
    if not return_indices:
        return undo(out)
    # flat index into the input's H*W of each window's argmax cell, as torch returns it
    xp = x.device.backend.xp
    a = argmax._data
    ho, wo = a.shape[2:]
    with on_device(x.device):
        rows = (xp.arange(ho) * stride[0] - pads[0][0]).reshape(-1, 1) + (a // kernel[1]) * dilation[0]
        cols = xp.arange(wo) * stride[1] - pads[1][0] + (a % kernel[1]) * dilation[1]
        indices = Tensor._make((rows * x.shape[3] + cols).astype("int64"), x.device)
    return undo(out), undo(indices)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling over (N, C, L) or (C, L) input (``return_indices`` gives the argmax positions). grad: g to each window's maximum."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The max of each window (padding counts as -inf); ``return_indices`` also gives flat input indices."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def _window_counts(n: int, k: int, s: int, p: int, out: int, include_pad: bool) -> list:
    """How many cells each window of one dim averages over (torch's divisor, per output position)."""
    counts = []
    for o in range(out):
        start = o * s - p
        end = min(start + k, n + p)
        if not include_pad:
            start, end = max(start, 0), min(end, n)
        counts.append(end - start)
    return counts


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, spatial: int) -> Tensor:
    fn = f"avg_pool{spatial}d"
    x, undo = _as_4d(input, spatial, fn)
    kernel, stride, _, pads, sizes = _pool_geometry(x, spatial, kernel_size, stride, padding, 1, ceil_mode, fn)
    if spatial == 1:
        kernel, stride, pads, sizes = (1,) + kernel, (1,) + stride, ((0, 0),) + pads, (1,) + sizes
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sums = _pool_ops.WindowSum.apply(x, kernel_size=kernel, stride=stride, padding=pads)
    if divisor_override:
        return undo(sums / divisor_override)
    n_h, n_w = x.shape[2:]
    counts_h = _window_counts(n_h, kernel[0], stride[0], pads[0][0], sizes[0], count_include_pad)
    counts_w = _window_counts(n_w, kernel[1], stride[1], pads[1][0], sizes[1], count_include_pad)
    if len(set(counts_h)) == 1 and len(set(counts_w)) == 1:
        return undo(sums / float(counts_h[0] * counts_w[0]))
    divisor = _constant([[h * w for w in counts_w] for h in counts_h], x)
    return undo(sums / divisor)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L) input. grad: g / kernel size spread over each window."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window (zero padding counts unless ``count_include_pad=False``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def _along_last_dims(x: Tensor, matrices: list) -> Tensor:
    """Apply one (out, in) matrix along each of the last len(matrices) dims of x (a separable linear map)."""
    k = len(matrices)
    for i, m in enumerate(matrices):
        dim = x.ndim - k + i
        x = (x.movedim(dim, -1) @ m.mT).movedim(-1, dim) if dim != x.ndim - 1 else x @ m.mT
    return x


def _adaptive_matrix(n: int, out: int) -> list:
    """Rows average the cells [floor(i n / out), ceil((i + 1) n / out)) (torch's adaptive windows)."""
    rows = []
    for i in range(out):
        start, end = (i * n) // out, -((-(i + 1) * n) // out)
        rows.append([1.0 / (end - start) if start <= j < end else 0.0 for j in range(n)])
    return rows


def _adaptive_avg_pool(input: Tensor, output_size: Any, spatial: int) -> Tensor:
    fn = f"adaptive_avg_pool{spatial}d"
    _check_float(input, "input", fn)
    _batched(input, spatial, fn)
    requested = (output_size,) * spatial if isinstance(output_size, numbers.Integral) else tuple(output_size)
    if len(requested) != spatial:
        raise ValueError(f"{fn}: output_size must be an int or {spatial} ints, got {output_size!r}")
    for size in requested:
        _check_int64(size)
    sizes = tuple(n if o is None else int(o) for o, n in zip(requested, input.shape[-spatial:]))
    if any(o <= 0 for o in sizes):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 1, got {list(sizes)}")
    if any(n == 0 for n in input.shape[-spatial:]):
        raise RuntimeError(f"{fn}: expected input with non-zero spatial sizes, got {list(input.shape)}")
    matrices = [_constant(_adaptive_matrix(n, o), input) for n, o in zip(input.shape[-spatial:], sizes)]
    return _along_last_dims(input, matrices)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """1-D average pooling to ``output_size`` windows (torch's window bounds). grad: g spread over each window."""
    return _adaptive_avg_pool(input, output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (windows as torch's; computed as two small matrix products)."""
    return _adaptive_avg_pool(input, output_size, 2)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, D, H, W) to a fixed output size (three small matrix products)."""
    return _adaptive_avg_pool(input, output_size, 3)


# ---- normalisation ------------------------------------------------------------------------------------
def _affine(x: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple) -> Tensor:
    """x * weight + bias, broadcast as ``shape``; a copy without either, because Normalize's backward reads
    its own output, which an in-place op after the layer (``ReLU(inplace=True)``) would overwrite."""
    if weight is None and bias is None:
        return x.clone()
    if weight is not None:
        x = x * weight.reshape(shape)
    if bias is not None:
        x = x + bias.reshape(shape)
    return x


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) by the batch's statistics (``training``, which also updates the running
    ones in place) or by the running statistics."""
    _check_float(input, "input", "batch_norm")
    channels = input.shape[1] if input.ndim > 1 else 0  # torch's count for a 1-D input
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not {t.numel()}")
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if input.numel() == 0:  # nothing to normalise (as torch: the running statistics stay as they are)
        return _affine(input, weight, bias, shape) if input.ndim > 1 else input * 1
    if training:
        if input.numel() // max(channels, 1) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(input.shape)}")
        dims = (0,) + tuple(range(2, input.ndim))
        stats = (running_mean, running_var) if running_mean is not None and running_var is not None else None
        if weight is not None and bias is not None and weight.dtype == bias.dtype == input.dtype:  # one fused kernel
            out = _norm_ops.BatchNormTrain.apply(input, weight, bias, eps=eps, momentum=momentum,
                                                 running_mean=stats[0]._data if stats else None,
                                                 running_var=stats[1]._data if stats else None)
            if stats:
                stats[0]._bump_version()
                stats[1]._bump_version()
            return out
        x, _ = _norm_ops.Normalize.apply(
            input, dims=dims, eps=eps, momentum=momentum,
            running_mean=stats[0]._data if stats else None, running_var=stats[1]._data if stats else None,
        )
        if stats:
            stats[0]._bump_version()
            stats[1]._bump_version()
        return _affine(x, weight, bias, shape)
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode")
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape).to(input.dtype) + shift.reshape(shape).to(input.dtype)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of each sample."""
    if _layer_norm_arrays_fit(input, normalized_shape, weight, bias):  # the usual call, decided on the arrays
        return _norm_ops.LayerNorm.apply(input, weight, bias, dims=1, eps=eps)
    _check_float(input, "input", "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    if not shape or tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], but got "
            f"input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: expected {name} of shape {list(shape)}, got {list(t.shape)}")
    if input.numel() and all(t is None or t.dtype == input.dtype for t in (weight, bias)):  # one fused op
        return _norm_ops.LayerNorm.apply(input, weight, bias, dims=len(shape), eps=eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    x, _ = _norm_ops.Normalize.apply(input, dims=dims, eps=eps)
    return _affine(x, weight, bias, shape)


def _layer_norm_arrays_fit(input: Any, normalized_shape: Any, weight: Any, bias: Any) -> bool:
    """Whether plain tensors pass every check of ``layer_norm``'s fused op over one last dim: a non-empty floating
    x (..., n), ``normalized_shape`` the tuple (n,), weight and bias (n,) of x's dtype, each or both None."""
    if type(input) is not Tensor or type(normalized_shape) is not tuple:
        return False
    x = input._data
    if not (x.ndim and x.size and x.shape[-1:] == normalized_shape and x.dtype.kind == "f"):
        return False
    for t in (weight, bias):
        if t is not None and not (type(t) in _PLAIN_TENSORS and t._data.shape == normalized_shape
                                  and t._data.dtype == x.dtype):
            return False
    return True


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise each sample over groups of channels (and all their positions)."""
    _check_float(input, "input", "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-D input (N, C, ...), got {list(input.shape)}")
    channels = input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(f"group_norm: expected {name} of shape [{channels}], got {list(t.shape)}")
    grouped = input.reshape(input.shape[0], num_groups, math.prod(input.shape[1:]) // num_groups)
    x, _ = _norm_ops.Normalize.apply(grouped, dims=(2,), eps=eps)
    return _affine(x.reshape(input.shape), weight, bias, (1, channels) + (1,) * (input.ndim - 2))


# ---- dropout and embedding ----------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity when not training)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _check_float(input, "input", "dropout")
    if not training or p == 0.0:
        return input
    backend, dev = input.device.backend, input.device
    with on_device(dev):
        keep = backend.uniform(tuple(input.shape), 0.0, 1.0, input.dtype.name, dev.index) >= p
        scale = Tensor._make(keep.astype(input.dtype.name) * (1.0 / (1.0 - p) if p < 1.0 else 0.0), dev)
    return input.mul_(scale) if inplace else input * scale


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``; row ``padding_idx`` gets no gradient."""
    _check_tensor(input, "input", "embedding")
    kind = input._data.dtype
    if kind.kind != "i" or kind.itemsize not in (4, 8):  # int64 or int32 (dtype.name costs more)
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
            f"{input.dtype} instead (while checking arguments for embedding)"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D, got {list(weight.shape)}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported by microtorch")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError(f"Padding_idx must be within num_embeddings (got {padding_idx} for {num} embeddings)")
        padding_idx %= num
    if max_norm is not None:  # (the op checks the indices' range; renorm writes rows first, so checks them here)
        if input.numel() and (bool((input < 0).any()) or bool((input >= num).any())):
            raise IndexError(f"index out of range in self (embedding of {num} rows got indices outside [0, {num - 1}])")
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _nn_ops.Embedding.apply(weight, input, padding_idx=padding_idx)


def _embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale in place the rows that ``input`` uses whose norm exceeds ``max_norm`` (torch's max_norm)."""
    xp = weight.device.backend.xp
    with no_grad(), on_device(weight.device):
        rows = xp.unique(input._data.reshape(-1))
        norms = xp.linalg.norm(weight._data[rows], ord=norm_type, axis=1)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight._data.dtype)
        weight._data[rows] *= scale[:, None]
        weight._bump_version()


# ---- activations --------------------------------------------------------------------------------------
def _maybe_inplace(input: Tensor, inplace: bool, fn: Any) -> Tensor:
    return _inplace_ops.apply_(input, fn) if inplace else fn(input)


def _real_scalars(*numbers: Any, ctype: str = "float") -> None:
    """torch's error for a complex number given as an activation's real parameter."""
    if any(isinstance(n, complex) for n in numbers):
        raise RuntimeError(f"value cannot be converted to type {ctype} without overflow")


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)`` (in place with ``inplace=True``). grad: g where x > 0."""
    _expect(input, Tensor, "relu", "input")
    return input.relu_() if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` if x > 0 else ``negative_slope * x``. grad: g, or negative_slope * g where x <= 0."""
    _floating_kernel(input, "leaky_relu", "leaky_relu_cpu")
    _real_scalars(negative_slope)
    return _maybe_inplace(input, inplace, lambda x: x.where(x > 0, x * negative_slope))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)``. grad: g, or g * (out + alpha) where x <= 0."""
    # expm1 sees only x <= 0: no overflow (and no inf * 0 gradient) in the branch that is not taken; the
    # condition is x <= 0 (not x > 0) so that nan takes the identity branch: gradient 1 at nan, as torch
    _floating_kernel(input, "elu", "elu_cpu")
    _real_scalars(alpha)
    return _maybe_inplace(input, inplace, lambda x: (x.clamp(max=0.0).expm1() * alpha).where(x <= 0, x))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x) (``approximate='tanh'``: torch's tanh approximation of it)."""
    _check_float(input, "input", "gelu")
    if approximate == "none":
        return _activation_ops.Gelu.apply(input)
    if approximate == "tanh":
        return _activation_ops.GeluTanh.apply(input)
    raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``. grad: g * s * (1 + x * (1 - s))."""
    _floating_kernel(input, "silu", "silu_cpu")
    return _maybe_inplace(input, inplace, lambda x: x * x.sigmoid())


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``. grad: through the composition of its Tensor ops."""
    _floating_kernel(input, "mish", "mish_cpu")
    return _maybe_inplace(input, inplace, lambda x: x * softplus(x).tanh())


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold``. grad: g * sigmoid(beta * x)."""
    _floating_kernel(input, "softplus", "softplus_cpu")
    _real_scalars(beta, threshold)
    for number in (beta, threshold):
        if type(number) is int and not -0x8000000000000000 <= number < 0x10000000000000000:
            raise OverflowError("int too big to convert")
    return _activation_ops.Softplus.apply(_float_input(input), beta=beta, threshold=threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val), with torch's gradient: 1 strictly inside, 0 on and beyond the bounds."""
    _expect(input, Tensor, "hardtanh", "input")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    if input.dtype.name == "bool":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if not input.is_floating_point():  # integer input keeps its dtype; the bounds are truncated to it, as torch
        min_val, max_val = int(min_val), int(max_val)

    def fn(x: Tensor) -> Tensor:  # gradient 0 where x <= min_val or x >= max_val, else (nan too) 1, as torch
        return x.detach().clamp(min_val, max_val).where((x <= min_val) | (x >= max_val), x)

    return _maybe_inplace(input, inplace, fn)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``. grad: g where 0 < x < 6."""
    _expect(input, Tensor, "relu6", "input")
    return hardtanh(input, 0.0, 6.0, inplace)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``. grad: g * s * (1 - s)."""
    _expect(input, Tensor, "sigmoid", "input")
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent. grad: g * (1 - tanh(x)**2)."""
    _expect(input, Tensor, "tanh", "input")
    return input.tanh()


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), which never overflows."""
    _check_float(input, "input", "logsigmoid")
    return -softplus(-input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6; gradient 1/6 strictly inside (-3, 3), else (nan too) 0, as torch."""
    _floating_kernel(input, "hardsigmoid", "hardsigmoid_cpu")

    def fn(x: Tensor) -> Tensor:
        inside = (x > -3.0) & (x < 3.0)
        return ((x + 3.0) / 6.0).where(inside, ((x.detach() + 3.0) / 6.0).clamp(0.0, 1.0))

    return _maybe_inplace(input, inplace, fn)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6"""
    _check_float(input, "input", "hardswish")
    return _maybe_inplace(input, inplace, lambda x: x * hardtanh(x + 3.0, 0.0, 6.0) / 6.0)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha), with the self-normalising constants."""
    _check_float(input, "input", "selu")
    return _maybe_inplace(input, inplace, lambda x: elu(x, _SELU_ALPHA) * _SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)"""
    _real_scalars(alpha, ctype="double")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _check_float(input, "input", "celu")
    return _maybe_inplace(input, inplace, lambda x: ((x.clamp(max=0.0) / alpha).expm1() * alpha).where(x <= 0, x))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)"""
    _expect(input, Tensor, "softsign", "input")
    if input.dtype.name == "bool":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    x = _float_input(input)
    return x / (x.abs() + 1.0)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one learnable slope or one per channel (dim 1)."""
    _check_tensor(weight, "weight", "prelu")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    # one slope: a 0-d weight (the output keeps input's shape); else one per channel along dim 1
    weight = weight.reshape(()) if weight.numel() == 1 else weight.reshape((1, channels) + (1,) * (input.ndim - 2))
    return input.where(input > 0, input * weight)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), with a and b the two halves of ``input`` along ``dim``."""
    _floating_kernel(input, "glu", "glu_cpu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {size}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def _softmax_dim(name: str, ndim: int, dim: int | None) -> int:
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
                  stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (torch's implicit dim when None, with its warning). grad: s * (g - sum(g * s))."""
    if dtype is None:
        _floating_kernel(input, "softmax", "softmax_lastdim_kernel_impl")
    _expect(input, Tensor, "softmax", "input")
    return input.softmax(_softmax_dim("softmax", input.ndim, dim), dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``. grad: g - softmax(x) * sum(g)."""
    if dtype is None:
        _floating_kernel(input, "log_softmax", "log_softmax_lastdim_kernel_impl")
    _expect(input, Tensor, "log_softmax", "input")
    return input.log_softmax(_softmax_dim("log_softmax", input.ndim, dim), dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim``. grad: through softmax's."""
    _expect(input, Tensor, "softmin", "input")
    return (-input).softmax(_softmax_dim("softmin", input.ndim, dim), dtype=dtype)


# ---- attention ----------------------------------------------------------------------------------------
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + bias) V over the last two dims (torch's reference math). A bool
    ``attn_mask`` marks the allowed positions (True = attend), a float one is added to the scores;
    ``is_causal`` allows each query the keys up to its own position. Rows with no allowed key give 0."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        _check_float(t, name, "scaled_dot_product_attention")
    _check_same_dtype("scaled_dot_product_attention", query=query, key=key, value=value)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least 2-D")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: shapes do not match: query {list(query.shape)}, key {list(key.shape)}, "
            f"value {list(value.shape)} (query and key share the last dim, key and value the sequence dim)"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3]:
            raise RuntimeError("scaled_dot_product_attention: the query's heads must be a multiple of the key's for GQA")
        groups = query.shape[-3] // key.shape[-3]
        key, value = key.repeat_interleave(groups, -3), value.repeat_interleave(groups, -3)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if dropout_p == 0.0:  # one fused op (forward and backward); dropout takes the composite below
        bool_mask = attn_mask is not None and attn_mask.dtype.name == "bool"
        bias = attn_mask.to(query.dtype) if attn_mask is not None and not bool_mask else None
        return _attention_ops.Attention.apply(query, key, value, bias, attn_mask if bool_mask else None,
                                              causal=is_causal, scale=scale)
    scores = (query @ key.transpose(-2, -1)) * scale
    allowed = None
    if is_causal:
        allowed = Tensor._make(_causal_mask(query.device, query.shape[-2], key.shape[-2]), query.device)
    elif attn_mask is not None:
        if attn_mask.dtype.name == "bool":
            allowed = attn_mask
        else:
            scores = scores + attn_mask.to(scores.dtype)
    if allowed is not None:
        scores = scores.masked_fill(allowed.logical_not(), -math.inf)
    # only an explicit mask can hide every key from a query (a causal one always leaves the first)
    weights = _safe_softmax(scores) if attn_mask is not None else scores.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def _causal_mask(device: Any, rows: int, cols: int) -> Any:
    """Bool (rows, cols) array, True on and below the diagonal (torch's is_causal: top-left aligned)."""
    backend = device.backend
    with on_device(device):
        return backend.xp.tri(rows, cols, dtype=bool)


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, 0 (not nan) for rows that are all -inf (torch's SDPA does the same)."""
    all_masked = (scores == -math.inf).all(-1, keepdim=True)
    return scores.masked_fill(all_masked, 0.0).softmax(-1).masked_fill(all_masked, 0.0)


# ---- padding, resizing, encodings ---------------------------------------------------------------------
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims, last dim first: ``pad=(left, right, top, bottom, ...)``.
    Modes: 'constant' (negative amounts crop), 'reflect', 'replicate', 'circular'."""
    _check_tensor(input, "input", "pad")
    if isinstance(pad, Tensor):
        raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, not Tensor")
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got padding length {len(pad)} and input of dimension {input.ndim}")
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]  # first pair is the last dim
    dims = list(range(input.ndim - k, input.ndim))
    if mode == "constant":
        for d, (a, b) in zip(dims, pairs):
            if input.shape[d] + a + b < 0:
                raise RuntimeError(
                    f"The input size {input.shape[d]}, plus negative padding {a} and {b} resulted in a negative output "
                    f"size, which is invalid. Check dimension {d} of your input."
                )
        all_pairs = ((0, 0),) * (input.ndim - k) + tuple(pairs)
        return _nn_ops.ConstantPad.apply(input, pads=all_pairs, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if input.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor. Supported combinations for "
            "non-constant padding: 2D or 3D input with padding size 2, 3D or 4D with 4, 4D or 5D with 6"
        )
    xp = get_backend("cpu").xp
    out = input
    for d, (a, b) in zip(dims, pairs):
        n = input.shape[d]
        limit = n - 1 if mode == "reflect" else n
        if mode != "replicate" and (a > limit or b > limit):
            raise RuntimeError(
                f"Padding size should be less than the corresponding input dimension, but got: padding ({a}, {b}) at "
                f"dimension {d} of input {list(input.shape)}"
            )
        positions = xp.arange(-a, n + b)
        if mode == "reflect":
            positions = xp.abs(positions)
            positions = xp.where(positions >= n, 2 * (n - 1) - positions, positions)
        elif mode == "replicate":
            positions = xp.clip(positions, 0, n - 1)
        else:  # torch crops by negative amounts first, then wraps around what is left
            kept = n + min(a, 0) + min(b, 0)
            if kept <= 0:
                raise RuntimeError(f"Negative padding ({a}, {b}) at dimension {d} of input {list(input.shape)} "
                                   "leaves nothing to wrap around")
            positions = max(-a, 0) + xp.arange(-max(a, 0), kept + max(b, 0)) % kept
        out = out.index_select(d, Tensor._make(out.device.backend.asarray(positions, index=out.device.index), out.device))
    return out


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims: 'nearest', 'nearest-exact' and 'area' for 1-3 spatial dims, 'linear' (3-D input),
    'bilinear' and 'bicubic' (4-D; ``antialias`` filters when downsampling), 'trilinear' (5-D), with either
    ``align_corners``."""
    _check_tensor(input, "input", "interpolate")
    spatial = input.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"interpolate: expected 3-D, 4-D or 5-D input (N, C, *spatial), got {input.ndim}-D")
    linear_modes = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
    if mode not in ("nearest", "nearest-exact", "area") and mode not in linear_modes:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported by microtorch (nearest, nearest-exact, "
                                  "linear, bilinear, bicubic, trilinear, area are)")
    if mode in linear_modes and linear_modes[mode] != spatial:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {linear_modes[mode] + 2}D input")
    if mode not in linear_modes and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    in_sizes = tuple(input.shape[2:])
    if size is not None:
        out_sizes = _ntuple(size, spatial, "size", "Input and output must have the same number of spatial dimensions, "
                            f"but got input with spatial dimensions of {list(input.shape[2:])} and output size of "
                            f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                            "size in (o1, o2, ...,oK) format.", ValueError)
        scales: list = [None] * spatial
    else:
        factors = (float(scale_factor),) * spatial if isinstance(scale_factor, numbers.Real) else tuple(map(float, scale_factor))
        if len(factors) != spatial:
            raise ValueError(f"scale_factor shape must match input shape. Input is {spatial}D, scale_factor size is {len(factors)}")
        out_sizes = tuple(int(math.floor(n * f)) for n, f in zip(in_sizes, factors))
        scales = [None] * spatial if recompute_scale_factor else list(factors)
    if any(o <= 0 for o in out_sizes):
        raise RuntimeError(f"interpolate: output size {list(out_sizes)} must be positive (input {list(input.shape)})")
    xp = get_backend("cpu").xp
    if mode == "area":
        return _adaptive_avg_pool(input, out_sizes, spatial)
    if mode in linear_modes:
        if not input.is_floating_point():
            raise RuntimeError(f"interpolate: {mode} mode needs a floating point input, got {input.dtype}")
        weights = _cubic_matrix if mode == "bicubic" else _linear_matrix
        if antialias:
            weights = _antialias_cubic_matrix if mode == "bicubic" else _antialias_linear_matrix
        matrices = [_constant(weights(xp, n, o, f, bool(align_corners)), input)
                    for n, o, f in zip(in_sizes, out_sizes, scales)]
        return _along_last_dims(input, matrices)
    out = input
    for d, n, o, f in zip(range(2, input.ndim), in_sizes, out_sizes, scales):
        # torch computes source positions in float32: floor(dst * scale) ('nearest-exact': (dst + 0.5) * scale)
        scale = xp.float32(1.0 / f) if f is not None else xp.float32(n) / xp.float32(o)
        dst = xp.arange(o, dtype=xp.float32) + (xp.float32(0.5) if mode == "nearest-exact" else xp.float32(0.0))
        src = xp.minimum(xp.floor(dst * scale).astype(xp.int64), n - 1)
        out = out.index_select(d, Tensor._make(out.device.backend.asarray(src, index=out.device.index), out.device))
    return out


def _linear_matrix(xp: Any, n: int, out: int, factor: float | None, align_corners: bool) -> Any:
    """The (out, n) matrix of linear interpolation weights along one dim (torch's source positions)."""
    dst = xp.arange(out, dtype=xp.float64)
    if align_corners:
        src = dst * ((n - 1) / (out - 1) if out > 1 else 0.0)
    else:
        scale = 1.0 / factor if factor is not None else n / out
        src = xp.maximum((dst + 0.5) * scale - 0.5, 0.0)
    low = xp.minimum(xp.floor(src).astype(xp.int64), n - 1)
    high = xp.minimum(low + 1, n - 1)
    frac = src - low
    matrix = xp.zeros((out, n))
    rows = xp.arange(out)
    xp.add.at(matrix, (rows, low), 1.0 - frac)
    xp.add.at(matrix, (rows, high), frac)
    return matrix


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding along a new last dim (``num_classes=-1``: max + 1)."""
    _check_tensor(tensor, "tensor", "one_hot")
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = tensor.device.backend.xp
    data = tensor._data
    with on_device(tensor.device):
        if data.size and int(data.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            if not data.size:
                raise RuntimeError("Can not infer total number of classes from empty tensor.")
            num_classes = int(data.max()) + 1
        elif data.size and int(data.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
        return Tensor._make((data[..., None] == xp.arange(num_classes)).astype("int64"), tensor.device)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported by microtorch")
    _check_float(input, "input", "normalize")
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps)


# ---- losses -------------------------------------------------------------------------------------------
def _reduction(size_average: bool | None, reduce: bool | None, reduction: str, allowed=("none", "mean", "sum")) -> str:
    """The reduction, honouring torch's deprecated ``size_average``/``reduce`` arguments."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return ("mean" if size_average else "sum") if reduce else "none"
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _pointwise_inputs(input: Tensor, target: Tensor, fn: str) -> tuple:
    """Check a pointwise loss's arguments; warn, as torch, when they only broadcast."""
    _check_float(input, "input", fn)
    _check_tensor(target, "target", fn)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). This will likely "
            "lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
    if not target.is_floating_point():
        target = target.to(input.dtype)
    return input, target


def _weighted(loss: Tensor, input: Tensor, weight: Tensor | None, reduction: str, mean_by_weight: bool) -> Tensor:
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """(x - y)^2, averaged (or summed); ``weight`` scales each element (the mean divides by its sum)."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pointwise_inputs(input, target, "mse_loss")
    diff = input - target
    return _weighted(diff * diff, input, weight, reduction, mean_by_weight=True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """|x - y|, averaged (or summed)."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pointwise_inputs(input, target, "l1_loss")
    return _weighted((input - target).abs(), input, weight, reduction, mean_by_weight=True)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = x - y)."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pointwise_inputs(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    if beta == 0.0:
        return _reduce(diff.abs(), reduction)
    size = diff.abs()
    return _reduce((diff * diff * (0.5 / beta)).where(size < beta, size - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = x - y)."""
    reduction = _reduction(None, None, reduction)
    input, target = _pointwise_inputs(input, target, "huber_loss")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    diff = input - target
    size = diff.abs()
    loss = (diff * diff * 0.5).where(size < delta, (size - 0.5 * delta) * delta)
    return _weighted(loss, input, weight, reduction, mean_by_weight=False)


def _class_target(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, fn: str) -> bool:
    """Checks for class-index targets: dtype, shape against the input (N, C, d...), range, weight.
    Returns whether some target equals ``ignore_index``."""
    _check_tensor(target, "target", fn)
    if target.dtype.name not in ("int64", "int32", "int16", "int8", "uint8"):
        raise RuntimeError(
            f"{fn}: expected scalar type Long but found {target.dtype.name.capitalize()} (class-index targets must be "
            f"integers; floating targets are class probabilities and must have the input's shape {list(input.shape)})"
        )
    if input.ndim < 1:
        raise ValueError(f"{fn}: expected input of at least 1 dim (C), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError(f"{fn}: a 1-D input (C) needs a 0-D target, got target of shape {list(target.shape)}")
    else:
        if target.ndim == 0 or input.shape[0] != target.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                f"({target.shape[0] if target.ndim else 0})."
            )
        if tuple(target.shape[1:]) != tuple(input.shape[2:]):
            raise RuntimeError(f"{fn}: size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of "
            f"shape: {list(weight.shape)}"
        )
    data = target._data
    if not data.size:
        return False
    with on_device(target.device):
        if 0 <= data.min() and data.max() < classes:  # every target in range: the usual case, two reductions
            return 0 <= ignore_index < classes and bool((data == ignore_index).any())
        bad = ((data < 0) | (data >= classes)) & (data != ignore_index)
        if bad.any():
            raise IndexError(f"Target {int(data[bad].reshape(-1)[0])} is out of bounds (there are {classes} classes).")
        return True  # out-of-range values that are not errors are ignore_index


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-w[t] * input[t] for log-probabilities ``input`` (N, C, d...) and class indices ``target`` (N, d...)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_float(input, "input", "nll_loss")
    _class_target(input, target, weight, ignore_index, "nll_loss")
    if input.ndim == 1:
        out = _loss_ops.NLLLoss.apply(input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index=ignore_index, reduction=reduction)
        return out.squeeze(0) if reduction == "none" else out
    return _loss_ops.NLLLoss.apply(input, target, weight, ignore_index=ignore_index, reduction=reduction)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim, then the negative log-likelihood of class indices (or the cross-entropy
    with class probabilities, when ``target`` is floating and shaped like ``input``)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_float(input, "input", "cross_entropy")
    _check_tensor(target, "target", "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: expected input of at least 1 dim (C), (N, C) or (N, C, d1, ...)")
    class_dim = 1 if input.ndim > 1 else 0
    classes = input.shape[class_dim]
    if (input.ndim == 2 and weight is None and label_smoothing == 0 and not target.is_floating_point()
            and input._device is target._device):
        if not _class_target(input, target, None, ignore_index, "cross_entropy"):  # nothing ignored
            # one fused op: the common classification loss
            return _loss_ops.CrossEntropy.apply(input, target, reduction=reduction)
    logp = input.log_softmax(class_dim)
    weight_shape = (classes,) + (1,) * (input.ndim - class_dim - 1)
    if target.is_floating_point():  # class probabilities
        if target.shape != input.shape:
            raise RuntimeError(
                f"cross_entropy: floating targets are class probabilities and must have the input's shape "
                f"{list(input.shape)}, got {list(target.shape)} (class indices must be integers)"
            )
        if weight is not None and tuple(weight.shape) != (classes,):
            raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {list(weight.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * target if weight is None else logp * target * weight.reshape(weight_shape)
        return _reduce(-terms.sum(class_dim), reduction)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return loss
    # torch's label smoothing: mix in the (weighted) mean of -log p over all classes
    ignored = target == ignore_index
    smooth = -(logp if weight is None else logp * weight.reshape(weight_shape)).sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target.masked_fill(ignored, 0)
            denominator = weight[kept].masked_fill(ignored, 0.0).sum()
        else:
            denominator = (~ignored).sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-(y log x + (1 - y) log(1 - x)) for probabilities x (logs clamped at -100, as torch)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_float(input, "input", "binary_cross_entropy")
    _check_float(target, "target", "binary_cross_entropy")
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is deprecated. "
            "Please ensure they have the same size."
        )
    if input.numel() and bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = _loss_ops.BinaryCrossEntropy.apply(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), y) computed stably: (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_float(input, "input", "binary_cross_entropy_with_logits")
    _check_float(target, "target", "binary_cross_entropy_with_logits")
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    softplus_neg = softplus(-input)
    if pos_weight is None:
        loss = (1.0 - target) * input + softplus_neg
    else:
        loss = (1.0 - target) * input + ((pos_weight - 1.0) * target + 1.0) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: y (log y - x) (``log_target``: exp(y) (y - x)); 0 where y = 0."""
    reduction = _reduction(size_average, reduce, reduction, allowed=("none", "mean", "sum", "batchmean"))
    _check_float(input, "input", "kl_div")
    _check_float(target, "target", "kl_div")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides "
            "only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the "
            "same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:  # y log y with 0 log 0 = 0, and no nan gradient from the unused branch
        loss = target * target.where(target > 0, 1.0).log() - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


__all__ = [
    "linear", "bilinear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "batch_norm", "layer_norm",
    "group_norm", "dropout", "embedding", "relu", "leaky_relu", "elu", "gelu", "silu", "mish", "softplus", "hardtanh",
    "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "logsigmoid", "hardsigmoid", "hardswish", "selu", "celu",
    "softsign", "prelu", "glu", "softmin", "scaled_dot_product_attention", "pad", "interpolate", "one_hot", "normalize", "mse_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div",
]

# multi-head attention is a family of its own (projections, masks, two attention paths): its own file
from ._multi_head_attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward  # noqa: E402

__all__.append("multi_head_attention_forward")

# more layers, losses and functions (issue 13), each family in a file of its own
from ._activation_extra import (celu_, elu_, gumbel_softmax, hardshrink, hardtanh_, leaky_relu_, relu_,  # noqa: E402
                               rrelu, rrelu_, softshrink, tanhshrink, threshold, threshold_)
from ._distance import cosine_similarity, pairwise_distance  # noqa: E402
from ._dropout_extra import alpha_dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout  # noqa: E402
from ._interpolate import _antialias_cubic_matrix, _antialias_linear_matrix, _cubic_matrix  # noqa: E402
from ._losses_extra import *  # noqa: E402,F401,F403
from ._losses_extra import __all__ as _losses_extra_names  # noqa: E402
from ._norm_extra import instance_norm, local_response_norm, rms_norm  # noqa: E402
from ._shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
from ._conv3d import conv3d, conv_transpose3d  # noqa: E402
from ._pool_extra import *  # noqa: E402,F401,F403
from ._pool_extra import __all__ as _pool_extra_names  # noqa: E402
from ._fold import fold, unfold  # noqa: E402
from ._embedding_bag import embedding_bag  # noqa: E402
from ._ctc import ctc_loss  # noqa: E402
from ._grid_sample import affine_grid, grid_sample  # noqa: E402

__all__ += ["hardshrink", "rrelu", "softshrink", "tanhshrink", "threshold", "relu_", "threshold_", "hardtanh_", "elu_",
            "celu_", "leaky_relu_", "rrelu_", "gumbel_softmax", "cosine_similarity", "pairwise_distance",
            "alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout", "instance_norm",
            "local_response_norm", "rms_norm", "channel_shuffle", "pixel_shuffle", "pixel_unshuffle", "adaptive_avg_pool3d",
            "conv3d", "conv_transpose3d", "fold", "unfold", "embedding_bag", "ctc_loss",
            "affine_grid", "grid_sample"]
__all__ += _losses_extra_names + _pool_extra_names


from ._linear_cross_entropy import linear_cross_entropy  # noqa: E402
from ._upsample import upsample, upsample_bilinear, upsample_nearest  # noqa: E402
from ._fractional_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: E402
                               fractional_max_pool3d, fractional_max_pool3d_with_indices)

__all__ += ["linear_cross_entropy", "upsample", "upsample_bilinear", "upsample_nearest", "fractional_max_pool2d",
            "fractional_max_pool3d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]
# torch.nn.functional's spellings of the top-level aten functions
from .._nn_forms import conv_tbc, native_channel_shuffle  # noqa: E402

__all__ += ["conv_tbc", "native_channel_shuffle"]
# the distances between the rows of one tensor (issue 21): a composite of the p-norm, as torch.pdist
from ..autograd.ops.distance import pdist  # noqa: E402

__all__.append("pdist")
