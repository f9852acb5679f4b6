"""``LKJCholesky(dim, concentration)``: the Cholesky factor of an LKJ-distributed correlation matrix (density
proportional to det(L L^T)^(concentration - 1)), sampled by the onion method (Ghosh and Henderson, 2003)."""
from __future__ import annotations

import math
from typing import Any

import microtorch
from microtorch import Size, Tensor

from . import constraints, utils
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """Lower-triangular dim x dim factors with unit-norm rows and a positive diagonal."""

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration: Any = 1.0, validate_args: bool | None = None) -> None:
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal = self.concentration + 0.5 * (dim - 2)
        offset = microtorch.arange(dim - 1, dtype=self.concentration.dtype, device=self.concentration.device)
        offset = microtorch.cat([microtorch.zeros_like(offset[:1]), offset])
        # row i's squared off-diagonal norm is Beta(i / 2, marginal - (i - 1) / 2) (the onion method)
        self._beta = Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.shape, Size((dim, dim)), validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LKJCholesky":
        new = self._expanded(LKJCholesky, batch_shape, ("concentration",), _instance)
        new.dim = self.dim
        new._beta = self._beta.expand(tuple(Size(batch_shape)) + (self.dim,))
        return new

    def sample(self, sample_shape: Any = Size()) -> Tensor:
        with microtorch.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            shape = self._extended_shape(sample_shape)
            directions = utils.standard_normal(shape, y.dtype, y.device).tril(-1)
            norms = directions.norm(dim=-1, keepdim=True)
            w = y.sqrt() * directions / norms.masked_fill(norms == 0, 1.0)  # (row 0 has no off-diagonal part)
            diagonal = (1 - (w ** 2).sum(-1)).clamp(min=utils.finfo(w.dtype).tiny).sqrt()
            return w + microtorch.diag_embed(diagonal)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diagonal = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = microtorch.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + (alpha - 0.5).mvlgamma(dm1) - alpha.lgamma() * dm1
        return unnormalized - normalizer
