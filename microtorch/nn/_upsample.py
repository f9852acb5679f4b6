"""``F.upsample``, ``F.upsample_nearest`` and ``F.upsample_bilinear``: torch's deprecated spellings of
``interpolate``, with torch's deprecation warning."""
from __future__ import annotations

import warnings
from typing import Any

from .._tensor import Tensor

__all__ = ["upsample", "upsample_bilinear", "upsample_nearest"]


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """``interpolate(input, size, scale_factor, mode, align_corners)`` (deprecated in torch). grad: interpolate's."""
    from .functional import interpolate

    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode='nearest')`` (deprecated in torch). grad: interpolate's."""
    from .functional import interpolate

    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode='bilinear', align_corners=True)`` (deprecated in torch). grad: interpolate's."""
    from .functional import interpolate

    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
