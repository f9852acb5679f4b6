"""``GeneralizedPareto(loc, scale, concentration)``: the peaks-over-threshold distribution."""
from __future__ import annotations

import math
from typing import Any

import microtorch
from microtorch import Size, Tensor

from . import constraints, utils
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """Survival (1 + xi z)^(-1 / xi) for z = (x - loc) / scale (exp(-z) at xi = 0; xi: concentration); support
    [loc, loc - scale / xi] for xi < 0, [loc, inf) otherwise."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "GeneralizedPareto":
        return self._expanded(GeneralizedPareto, batch_shape, ("loc", "scale", "concentration"), _instance)

    def _safe_concentration(self) -> tuple:
        """(xi == 0 up to isclose, xi with those replaced by 1): the xi = 0 limit is taken separately."""
        zero = microtorch.isclose(self.concentration, microtorch.zeros_like(self.concentration))
        return zero, microtorch.where(zero, microtorch.ones_like(self.concentration), self.concentration)

    def rsample(self, sample_shape: Any = Size()) -> Tensor:
        return self.icdf(utils.uniform(self._extended_shape(sample_shape), self.loc.dtype, self.loc.device))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, xi = self._safe_concentration()
        y = 1 / xi + microtorch.ones_like(z)
        nonzero = microtorch.where(y == 0, y, y * (xi * z).log1p())
        return -self.scale.log() - microtorch.where(zero, z, nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        """log P(X > value)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        zero, xi = self._safe_concentration()
        return microtorch.where(zero, -z, -(xi * z).log1p() / xi)

    def log_cdf(self, value: Tensor) -> Tensor:
        """log P(X <= value)."""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        zero, xi = self._safe_concentration()
        logu = (-value).log1p()
        return microtorch.where(zero, self.loc - self.scale * logu, self.loc + self.scale / xi * (-xi * logu).expm1())

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        xi = microtorch.where(valid, self.concentration, 0.5)
        return microtorch.where(valid, self.loc + self.scale / (1 - xi), math.nan)

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        xi = microtorch.where(valid, self.concentration, 0.25)
        return microtorch.where(valid, self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), math.nan)

    def entropy(self) -> Tensor:
        return (self.scale.log() + self.concentration + 1).broadcast_to(tuple(self._batch_shape))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Any:
        upper = microtorch.where(self.concentration < 0, self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)
