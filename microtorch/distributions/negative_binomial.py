"""``NegativeBinomial(total_count, probs | logits)``: as torch counts it, the successes (each of probability
``probs``) before ``total_count`` failures."""
from __future__ import annotations

from typing import Any

import microtorch
from microtorch import Size, Tensor

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import BinaryProbs, lazy_property

__all__ = ["NegativeBinomial"]


class NegativeBinomial(BinaryProbs, Distribution):
    """P(k) = C(k + r - 1, k) p^k (1 - p)^r for k = 0, 1, ... (r: total_count, p: probs); sampled as a
    Poisson of a Gamma(r, (1 - p) / p) rate."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._counts_and_param(total_count, probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "NegativeBinomial":
        new = self._expanded(NegativeBinomial, batch_shape, ("total_count", "probs", "logits"), _instance)
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    @property
    def param_shape(self) -> Size:
        return self._param.shape

    @lazy_property
    def _gamma(self) -> Gamma:
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(), validate_args=False)

    def sample(self, sample_shape: Any = Size()) -> Tensor:
        with microtorch.no_grad():
            return microtorch.poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        from microtorch.nn.functional import logsigmoid

        unnormalized = self.total_count * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        normalization = (-(self.total_count + value).lgamma() + (1.0 + value).lgamma() + self.total_count.lgamma())
        return unnormalized - normalization.masked_fill(self.total_count + value == 0.0, 0.0)
