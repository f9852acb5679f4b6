"""The workloads. Each is written once against the shared API and built for both libraries
(``lib`` is ``torch`` or ``microtorch``) from the same NumPy inputs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class Workload:
    name: str
    build: Callable  # (lib, device, quick) -> step function
    unit: str = "ms"
    scale: float = 1e3  # seconds -> unit
    note: str = ""


def _tensor(lib, array: np.ndarray, device: str, requires_grad: bool = False):
    t = lib.tensor(array, device=device)
    return t.requires_grad_() if requires_grad else t


CHAIN_OPS = 50


def build_op_chain(lib, device, quick):
    """~50 small elementwise ops forward, then backward: the per-op cost of the dispatch path."""
    rng = np.random.default_rng(0)
    x = _tensor(lib, rng.standard_normal((16, 16)).astype(np.float32), device, requires_grad=True)

    def step():
        y = x
        for i in range(CHAIN_OPS // 5):
            y = (y * 0.9 + 0.1).tanh() * y.sigmoid() - 0.05
        y.sum().backward()
        x.grad = None

    return step


def build_large_elementwise(lib, device, quick):
    """Elementwise forward + backward on 1M-element float32 tensors."""
    n = 1 << 18 if quick else 1 << 20
    rng = np.random.default_rng(1)
    a = _tensor(lib, rng.standard_normal(n).astype(np.float32), device, requires_grad=True)
    b = _tensor(lib, rng.standard_normal(n).astype(np.float32), device, requires_grad=True)

    def step():
        y = ((a * b + a).tanh() * b.exp()).relu()
        y.sum().backward()
        a.grad = b.grad = None

    return step


def build_matmul(lib, device, quick):
    """(512x512) @ (512x512) forward + backward."""
    n = 256 if quick else 512
    rng = np.random.default_rng(2)
    a = _tensor(lib, rng.standard_normal((n, n)).astype(np.float32), device, requires_grad=True)
    b = _tensor(lib, rng.standard_normal((n, n)).astype(np.float32), device, requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return step


WORKLOADS = [
    Workload("per-op overhead (50 small ops, fwd+bwd)", build_op_chain, unit="us/op", scale=1e6 / CHAIN_OPS),
    Workload("large elementwise (1M, fwd+bwd)", build_large_elementwise),
    Workload("matmul 512 (fwd+bwd)", build_matmul),
]
