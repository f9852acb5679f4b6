"""Convolution layers: ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d``."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .. import init
from ..functional import _ntuple
from ..parameter import UninitializedParameter
from .lazy import LazyModuleMixin
from .linear import add_weight_and_bias
from .module import Module


class _ConvNd(Module):
    """What convolutions share: checks, weight shapes, torch's initialisation and repr."""

    spatial = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding: Any = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        n = self.spatial
        kernel_size, stride, dilation = (_ntuple(v, n, name) for v, name in
                                         ((kernel_size, "kernel_size"), (stride, "stride"), (dilation, "dilation")))
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, n, "padding")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                f"padding_mode must be one of {{'zeros', 'reflect', 'replicate', 'circular'}}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.output_padding = _ntuple(output_padding, n, "output_padding")
        self.padding_mode = padding_mode
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        add_weight_and_bias(self, shape + kernel_size, out_channels, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))  # uniform in +-1/sqrt(fan_in)
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in:
                init.uniform_(self.bias, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))

    def _reversed_padding(self) -> list:
        """The padding as ``F.pad`` takes it (last dim first), for padding modes other than zeros."""
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        elif self.padding == "valid":
            pairs = [(0, 0)] * self.spatial
        else:
            pairs = [(p, p) for p in self.padding]
        return [v for pair in reversed(pairs) for v in pair]

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.spatial:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.spatial:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.spatial:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:
        conv = (F.conv1d, F.conv2d, F.conv3d)[self.spatial - 1]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding(), mode=self.padding_mode)
            return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L): weight (C_out, C_in/groups, k)."""

    spatial = 1


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W): weight (C_out, C_in/groups, kh, kw); ``padding`` may be
    an int, a pair, 'valid' or 'same'; ``padding_mode`` 'zeros', 'reflect', 'replicate' or 'circular'."""

    spatial = 2


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} does not support string padding ({padding!r})")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         output_padding, device=device, dtype=dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:  # choose output_padding so the result has this size
            output_size = tuple(output_size)[-self.spatial:]
            smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                        zip(input.shape[-self.spatial:], self.stride, self.padding, self.dilation, self.kernel_size)]
            extra = tuple(o - m for o, m in zip(output_size, smallest))
            if any(not 0 <= e < max(s, d) for e, s, d in zip(extra, self.stride, self.dilation)):
                raise ValueError(
                    f"requested an output size of {list(output_size)}, but valid sizes range from {smallest} to "
                    f"{[m + max(s, d) - 1 for m, s, d in zip(smallest, self.stride, self.dilation)]} (for an input of "
                    f"{list(input.shape[-self.spatial:])})"
                )
        conv = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self.spatial - 1]
        return conv(input, self.weight, self.bias, self.stride, self.padding, extra, self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """The adjoint of Conv1d in its input: weight (C_in, C_out/groups, k)."""

    spatial = 1


class ConvTranspose2d(_ConvTranspose):
    """The adjoint of Conv2d in its input (a 'deconvolution'): weight (C_in, C_out/groups, kh, kw)."""

    spatial = 2


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W): weight (C_out, C_in/groups, kd, kh, kw)."""

    spatial = 3


class ConvTranspose3d(_ConvTranspose):
    """The adjoint of Conv3d in its input: weight (C_in, C_out/groups, kd, kh, kw)."""

    spatial = 3


if TYPE_CHECKING:  # mixed into the convolution classes: type checkers see their attributes
    _LazyConvBase = _ConvNd
else:
    _LazyConvBase = object


class _LazyConvXdMixin(LazyModuleMixin, _LazyConvBase):
    """What the lazy convolutions share: ``in_channels`` from dimension 1 of a batched input (0 unbatched)."""

    def __init__(self, out_channels: int, kernel_size: Any, *args: Any, bias: bool = True, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(0, 0, kernel_size, *args, bias=False, **kwargs)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """torch's convolution initialisation, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Any, *args: Any, **kwargs: Any) -> None:
        """``in_channels`` from ``input``; materialize and initialise."""
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        with no_grad():
            self.weight.materialize(shape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()

    def _get_in_channels(self, input: Any) -> int:
        no_batch = self.spatial + 1
        if input.ndim not in (no_batch, no_batch + 1):
            raise RuntimeError(f"Expected {no_batch}D (unbatched) or {no_batch + 1}D (batched) input to "
                               f"{self.__class__.__name__}, but got input of size: {input.shape}")
        return input.shape[1] if input.ndim == no_batch + 1 else input.shape[0]


class LazyConv1d(_LazyConvXdMixin, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = Conv1d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, bias=bias,
                         padding_mode=padding_mode, device=device, dtype=dtype)


class LazyConv2d(_LazyConvXdMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, bias=bias,
                         padding_mode=padding_mode, device=device, dtype=dtype)


class LazyConvTranspose1d(_LazyConvXdMixin, ConvTranspose1d):
    """A ``ConvTranspose1d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups, bias=bias,
                         dilation=dilation, padding_mode=padding_mode, device=device, dtype=dtype)


class LazyConvTranspose2d(_LazyConvXdMixin, ConvTranspose2d):
    """A ``ConvTranspose2d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups, bias=bias,
                         dilation=dilation, padding_mode=padding_mode, device=device, dtype=dtype)


class LazyConv3d(_LazyConvXdMixin, Conv3d):
    """A ``Conv3d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = Conv3d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, bias=bias,
                         padding_mode=padding_mode, device=device, dtype=dtype)


class LazyConvTranspose3d(_LazyConvXdMixin, ConvTranspose3d):
    """A ``ConvTranspose3d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose3d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups, bias=bias,
                         dilation=dilation, padding_mode=padding_mode, device=device, dtype=dtype)
