"""``HalfCauchy(scale)``: |X| for X ~ Cauchy(0, scale)."""
from __future__ import annotations

import math

import microtorch
from microtorch import Tensor

from ._folded import Folded
from .cauchy import Cauchy

__all__ = ["HalfCauchy"]


class HalfCauchy(Folded):
    """The folded Cauchy(0, scale) on [0, inf)."""

    base = Cauchy

    @property
    def mean(self) -> Tensor:
        return microtorch.full(self._extended_shape(), math.inf, dtype=self.scale.dtype, device=self.scale.device)

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance
