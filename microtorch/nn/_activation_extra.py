"""Thresholding and shrinkage activations and RReLU (torch's ``nn.functional`` names), re-exported by
``nn.functional``."""
from __future__ import annotations

import math

from .._signatures import _SCALAR_TYPE_NAMES
from .._tensor import Tensor
from .._type_info import finfo


def _check_float(fn: str, input: Tensor) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not input.is_floating_point():
        raise RuntimeError(f"{fn}: expected a floating point input, got {input.dtype}")


def _maybe_inplace(input: Tensor, inplace: bool, fn) -> Tensor:
    from .functional import _maybe_inplace as apply

    return apply(input, inplace, fn)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    _check_float("threshold", input)
    return _maybe_inplace(input, inplace, lambda x: x.masked_fill(x <= threshold, value))  # nan stays nan


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    _check_float("hardshrink", input)
    return input.masked_fill((input >= -lambd) & (input <= lambd), 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    _check_float("softshrink", input)
    top = finfo(input.dtype).max
    if not 0 <= lambd <= top:  # (nan and inf too, as torch)
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{_SCALAR_TYPE_NAMES[input.dtype.name]}, but found {lambd}")
    zero = input.detach() * 0.0
    return (input - lambd).where(input > lambd, (input + lambd).where(input < -lambd, zero))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    _check_float("tanhshrink", input)
    return input - input.tanh()


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """x where x >= 0, else a x: a ~ U(lower, upper) per element while training, (lower + upper) / 2 otherwise."""
    _check_float("rrelu", input)
    for name, bound in (("lower", lower), ("upper", upper)):
        if not math.isfinite(bound):
            raise RuntimeError(f"rrelu: {name} bound must be finite, got {bound}")
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        slope = (lower + upper) / 2
        return _maybe_inplace(input, inplace, lambda x: x.where(x >= 0, x * slope))
    from .._creation import empty

    slopes = empty(tuple(input.shape), dtype=input.dtype, device=input.device).uniform_(lower, upper)
    return _maybe_inplace(input, inplace, lambda x: x.where(x >= 0, x * slopes))


__all__ = ["threshold", "hardshrink", "softshrink", "tanhshrink", "rrelu"]
