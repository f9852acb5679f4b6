"""The folded distributions ``HalfNormal`` and ``HalfCauchy``: |X| for a distribution X symmetric about 0."""
from __future__ import annotations

import math
from typing import Any

import microtorch
from microtorch import Tensor

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class Folded(TransformedDistribution):
    """|X| for X = ``base(0, scale)``, on [0, inf): the density doubles, the cdf is 2 F(x) - 1. Subclasses name
    the base family (``base``) and give the moments."""

    base_dist: Any  # the subclass's base family (Normal, Cauchy)

    base: Any = None  # the symmetric family: Normal, Cauchy
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(self.base(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Folded":
        return super().expand(batch_shape, _instance=self._get_checked_instance(type(self), _instance))  # type: ignore[return-value]  # (super().expand fills the instance of this class it is given)

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mode(self) -> Tensor:
        return microtorch.zeros_like(self.scale)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value if isinstance(value, Tensor) else self.scale.new_tensor(value)
        return microtorch.where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)
