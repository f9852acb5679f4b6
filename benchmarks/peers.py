"""The same workloads in NumPy-based peers a user might pick instead: HIPS ``autograd`` (``pip install autograd``,
the ``bench`` extra). Each build returns a step function, or None when the peer is not installed.

tinygrad is not a peer here: its CPU device compiles kernels with clang or LLVM, which need system packages
(on a machine without them it finds no usable device).
"""
from __future__ import annotations

from typing import Callable

import numpy as np


def _autograd():
    try:
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp
    except ImportError:
        return None
    return autograd, anp, logsumexp


def large_elementwise(quick: bool) -> Callable | None:
    """``workloads.build_large_elementwise`` in autograd: the gradients of sum(relu(tanh(a b + a) exp(b)))."""
    lib = _autograd()
    if lib is None:
        return None
    autograd, anp, _ = lib
    n = 1 << 18 if quick else 1 << 20
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)

    def loss(ab):
        x, y = ab
        return anp.sum(anp.maximum(anp.tanh(x * y + x) * anp.exp(y), 0.0))

    gradient = autograd.grad(loss)

    def step():
        gradient((a, b))

    return step


def mlp(sizes: tuple, batch: int) -> Callable:
    """``workloads.mlp_workload`` in autograd: the same weights, batch, cross-entropy and Adam (torch's defaults)."""

    def build(quick: bool) -> Callable | None:
        lib = _autograd()
        if lib is None:
            return None
        autograd, anp, logsumexp = lib
        rng = np.random.default_rng(3)  # _copy_weights' draws, in parameter order (weight, bias per layer)
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            for shape in ((fan_out, fan_in), (fan_out,)):
                scale = 1.0 / np.sqrt(max(1, int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]))
                params.append((rng.standard_normal(shape) * scale).astype(np.float32))
        data = np.random.default_rng(4)
        x = data.standard_normal((batch, sizes[0])).astype(np.float32)
        y = data.integers(0, sizes[-1], batch)

        def loss(ps):
            h = x
            for i in range(0, len(ps), 2):
                h = anp.dot(h, ps[i].T) + ps[i + 1]
                if i < len(ps) - 2:
                    h = anp.maximum(h, 0.0)
            return anp.mean(logsumexp(h, axis=1) - h[np.arange(batch), y])

        gradient = autograd.grad(loss)
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        state = {"t": 0}

        def step():
            state["t"] += 1
            t = state["t"]
            for p, g, m_, v_ in zip(params, gradient(params), m, v):  # Adam, in place as torch's
                m_ *= 0.9
                m_ += 0.1 * g
                v_ *= 0.999
                v_ += 0.001 * g * g
                denom = np.sqrt(v_ / (1 - 0.999 ** t)) + 1e-8
                p -= (1e-3 / (1 - 0.9 ** t)) * m_ / denom

        return step

    return build
