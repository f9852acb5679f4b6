"""Padding layers (``ConstantPad*``, ``ZeroPad*``, ``ReflectionPad*``, ``ReplicationPad*``, ``CircularPad*``):
``F.pad`` with a stored padding (an int pads every side alike; a tuple is (left, right, top, bottom, ...))."""
from __future__ import annotations

import numbers
from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


def _padding(padding: Any, spatial: int) -> tuple:
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * (2 * spatial)
    if isinstance(padding, str) or not hasattr(padding, "__iter__"):
        raise TypeError(f"padding must be an int or a tuple of {2 * spatial} ints, got {padding!r}")
    padding = tuple(padding)
    if len(padding) not in (0, 2 * spatial):  # (an empty padding pads nothing, as F.pad's)
        raise ValueError(f"padding must be an int or a tuple of {2 * spatial} ints, got {padding!r}")
    return padding


class _PadNd(Module):
    """``F.pad(input, padding, mode)`` for a fixed padding of ``_spatial`` dims."""

    _mode = "constant"
    _spatial = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _padding(padding, self._spatial)

    def forward(self, input: Tensor) -> Tensor:
        if self._mode == "circular" and input.ndim not in (self._spatial + 1, self._spatial + 2):
            raise ValueError(f"expected {self._spatial + 1}D or {self._spatial + 2}D input (got {input.ndim}D input)")
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``."""

    _spatial = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with ``value``."""

    _spatial = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with ``value``."""

    _spatial = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pads the last dim with zeros."""

    _spatial = 1


class ZeroPad2d(_ZeroPadNd):
    """Pads the last two dims with zeros."""

    _spatial = 2


class ZeroPad3d(_ZeroPadNd):
    """Pads the last three dims with zeros."""

    _spatial = 3


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its reflection (the edge not repeated)."""

    _mode, _spatial = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Pads the last two dims with their reflection."""

    _mode, _spatial = "reflect", 2


class ReflectionPad3d(_PadNd):
    """Pads the last three dims with their reflection."""

    _mode, _spatial = "reflect", 3


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge."""

    _mode, _spatial = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Pads the last two dims by repeating their edges."""

    _mode, _spatial = "replicate", 2


class ReplicationPad3d(_PadNd):
    """Pads the last three dims by repeating their edges."""

    _mode, _spatial = "replicate", 3


class CircularPad1d(_PadNd):
    """Pads the last dim by wrapping around."""

    _mode, _spatial = "circular", 1


class CircularPad2d(_PadNd):
    """Pads the last two dims by wrapping around."""

    _mode, _spatial = "circular", 2


class CircularPad3d(_PadNd):
    """Pads the last three dims by wrapping around."""

    _mode, _spatial = "circular", 3


__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ReflectionPad1d",
    "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
    "CircularPad1d", "CircularPad2d", "CircularPad3d",
]
