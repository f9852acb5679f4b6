"""``ExponentialFamily``: distributions p(x) = h(x) exp(<theta, t(x)> - F(theta)); entropy and KL by Bregman divergence."""
from __future__ import annotations

import microtorch
from microtorch import Tensor

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """An exponential family: subclasses give ``_natural_params``, ``_log_normalizer`` and ``_mean_carrier_measure``;
    the entropy and the KL between two members then come from the log-normalizer's gradient (torch's design)."""

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """-E[log h(x)] - <theta, grad F(theta)> + F(theta)."""
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        with microtorch.enable_grad():
            lg_normal = self._log_normalizer(*nparams)
        gradients = microtorch.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = lg_normal - self._mean_carrier_measure
        for np_, g in zip(nparams, gradients):
            result = result - (np_ * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
