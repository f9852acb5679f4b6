"""Thresholding and shrinkage activations and RReLU (torch's ``nn.functional`` names), re-exported by
``nn.functional``."""
from __future__ import annotations

import math
import warnings
from typing import Any

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


_threshold = threshold  # (threshold_'s parameter of that name hides the function there)


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
    return _rrelu(input, lower, upper, training, inplace, None)


def _rrelu(input: Tensor, lower: float, upper: float, training: bool, inplace: bool, generator: Any) -> Tensor:
    """rrelu, the training slopes drawn from ``generator`` (None: the default one; torch.rrelu takes one)."""
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

    slopes = empty(tuple(input.shape), dtype=input.dtype, device=input.device).uniform_(lower, upper,
                                                                                         generator=generator)
    return _maybe_inplace(input, inplace, lambda x: x.where(x >= 0, x * slopes))


# ---- torch's in-place spellings: F.relu_(x) is F.relu(x, inplace=True) ----------------------------------------
def relu_(input: Tensor) -> Tensor:
    """``relu`` in place."""
    from .functional import relu

    return relu(input, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` in place."""
    return _threshold(input, threshold, value, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``hardtanh`` in place (as torch's, no check that min_val <= max_val: then every value becomes max_val)."""
    from .functional import hardtanh

    if min_val > max_val:
        return input.clamp_(min_val, max_val)
    return hardtanh(input, min_val, max_val, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu`` in place."""
    from .functional import elu

    return elu(input, alpha, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` in place."""
    from .functional import celu

    return celu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu`` in place."""
    from .functional import leaky_relu

    return leaky_relu(input, negative_slope, inplace=True)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """``rrelu`` in place."""
    return rrelu(input, lower, upper, training, inplace=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution: ``softmax((logits + g) / tau)``, g ~ Gumbel(0, 1);
    with ``hard``, the one-hot of its argmax in forward and the soft sample's gradient (straight-through)."""
    if not isinstance(logits, Tensor):
        raise TypeError(f"gumbel_softmax(): argument 'logits' must be Tensor, not {type(logits).__name__}")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -logits.detach().new_empty(tuple(logits.shape)).exponential_().log()
    soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    one_hot = logits.detach().new_zeros(tuple(logits.shape)).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


__all__ = ["threshold", "hardshrink", "softshrink", "tanhshrink", "rrelu", "relu_", "threshold_", "hardtanh_", "elu_",
           "celu_", "leaky_relu_", "rrelu_", "gumbel_softmax"]
