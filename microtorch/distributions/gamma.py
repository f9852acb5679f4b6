"""``Gamma(concentration, rate)``, with reparameterised samples (implicit gradients)."""
from __future__ import annotations

from typing import Any

import microtorch
from microtorch import Size, Tensor
from microtorch.autograd.ops.special import RegularizedGammaP, StandardGamma

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, finfo

__all__ = ["Gamma"]


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) samples, differentiable in ``concentration`` (``torch._standard_gamma``)."""
    return StandardGamma.apply(concentration)


class Gamma(ExponentialFamily):
    """Gamma(concentration, rate): density rate^a x^(a-1) exp(-rate x) / Gamma(a)."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Gamma":
        return self._expanded(Gamma, batch_shape, ("concentration", "rate"), _instance)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.detach().clamp(min=finfo(value.dtype).tiny) + (value - value.detach())  # keep the gradient

    def log_prob(self, value: Any) -> Tensor:
        value = value if isinstance(value, Tensor) else self.rate.new_tensor(value)
        if self._validate_args:
            self._validate_sample(value)
        return (microtorch.xlogy(self.concentration, self.rate) + microtorch.xlogy(self.concentration - 1, value)
                - self.rate * value - self.concentration.lgamma())

    def entropy(self) -> Tensor:
        return (self.concentration - self.rate.log() + self.concentration.lgamma()
                + (1.0 - self.concentration) * self.concentration.digamma())

    @property
    def _natural_params(self) -> tuple:
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:  # type: ignore[override]  # (torch's signature: the natural parameters by name)
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return RegularizedGammaP.apply(self.concentration, self.rate * value)
