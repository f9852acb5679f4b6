"""The CPU backend: NumPy arrays in host memory."""
from __future__ import annotations

from typing import Any

import numpy

from .base import Backend

# torch's CPU default generator also starts from a fixed seed, so unseeded runs repeat
DEFAULT_SEED = 67280421310721


class NumpyBackend(Backend):
    xp = numpy
    dlpack_device_type = 1  # kDLCPU

    def __init__(self) -> None:
        self._generator = numpy.random.default_rng(DEFAULT_SEED)

    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        return numpy.array(data, dtype=dtype, copy=copy)

    def to_numpy(self, array: Any) -> numpy.ndarray:
        return array

    def manual_seed(self, seed: int) -> None:
        self._generator = numpy.random.default_rng(seed)

    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        return numpy.random.default_rng(DEFAULT_SEED if seed is None else seed)

    def default_generator(self, index: int | None) -> Any:
        return self._generator

    def permutation(self, n, index, generator=None):
        gen = self._generator if generator is None else generator
        return gen.permutation(n).astype(numpy.int64)
