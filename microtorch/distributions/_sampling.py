"""Samplers the backends provide (Poisson, binomial counts), as Tensors on the parameters' device."""
from __future__ import annotations

from microtorch import Tensor
from microtorch._device import on_device


def poisson(rate: Tensor) -> Tensor:
    """Poisson(rate) counts, elementwise, in ``rate``'s dtype (``torch.poisson``)."""
    rate = rate.detach()
    with on_device(rate.device):
        return Tensor._make(rate.device.backend.poisson(rate.contiguous()._data, rate.device.index), rate.device)


def binomial(count: Tensor, probs: Tensor) -> Tensor:
    """Binomial(count, probs) counts, elementwise, in ``probs``' dtype (``torch.binomial``)."""
    count, probs = count.detach(), probs.detach()
    with on_device(probs.device):
        data = probs.device.backend.binomial(count.contiguous()._data, probs.contiguous()._data, probs.device.index)
    return Tensor._make(data, probs.device)
