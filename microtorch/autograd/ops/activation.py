"""Activation kernels: the activations with an Op of their own (the composites are in ``nn/functional.py``)."""
from __future__ import annotations

import math

from .. import grad_mode
from ..function import Op
from .elementwise import Erf


class Gelu(Op):
    """gelu(x) = x Phi(x); d gelu = (Phi(x) + x phi(x)) dx, with Phi, phi the standard normal cdf and pdf"""

    def forward(ctx, x):
        cdf = ctx.device.backend.erf(x * math.sqrt(0.5)) * 0.5 + 0.5
        ctx.save_for_backward(x, cdf)
        return x * cdf

    def backward(ctx, grad):
        x, cdf = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: Phi(x) must stay connected to x (the saved one is a constant)
            cdf = Erf.apply(x * math.sqrt(0.5)) * 0.5 + 0.5
        pdf = (x * x * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
        return grad * (cdf + x * pdf)
