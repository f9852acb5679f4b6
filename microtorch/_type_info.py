"""``finfo`` and ``iinfo``: the limits of floating and integer dtypes, as torch's."""
from __future__ import annotations

from typing import Any

from . import _dtype

# name -> (bits, eps, max, smallest normal, resolution); IEEE facts (bfloat16: float32's exponent, 8-bit mantissa)
_FLOAT_INFO = {
    "float16": (16, 2.0**-10, 65504.0, 2.0**-14, 0.001),
    "bfloat16": (16, 2.0**-7, 3.3895313892515355e38, 2.0**-126, 0.01),
    "float32": (32, 2.0**-23, 3.4028234663852886e38, 2.0**-126, 1e-06),
    "float64": (64, 2.0**-52, 1.7976931348623157e308, 2.0**-1022, 1e-15),
}


class finfo:
    """The numerical properties of a floating dtype: ``bits eps max min tiny smallest_normal resolution dtype``."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - torch's name
        d = _dtype.get_default_dtype() if type is None else type
        if isinstance(d, _dtype.dtype) and d.is_complex:  # a complex type's parts' limits, as torch
            d = d.to_real()
        if not isinstance(d, _dtype.dtype) or d.name not in _FLOAT_INFO:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        self.bits, self.eps, self.max, self.smallest_normal, self.resolution = _FLOAT_INFO[d.name]
        self.min = -self.max
        self.tiny = self.smallest_normal
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype: ``bits min max dtype``."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        if not isinstance(type, _dtype.dtype) or type.is_floating_point or type is _dtype.bool:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        self.bits = 8 * type.itemsize
        self.min = -(2 ** (self.bits - 1)) if type.is_signed else 0
        self.max = 2 ** (self.bits - 1) - 1 if type.is_signed else 2**self.bits - 1
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
