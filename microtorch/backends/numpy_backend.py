"""The CPU backend: NumPy arrays in host memory."""
from __future__ import annotations

from typing import Any

import numpy

from .base import Backend

# torch's CPU default generator also starts from a fixed seed, so unseeded runs repeat
DEFAULT_SEED = 67280421310721


class NumpyBackend(Backend):
    xp = numpy

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

    def _gen(self, generator):
        return self._generator if generator is None else generator

    def uniform(self, shape, low, high, dtype, index, generator=None):
        gen = self._gen(generator)
        if dtype in ("float32", "float64"):
            out = gen.random(shape, dtype=dtype)
        else:
            out = gen.random(shape, dtype="float32").astype(dtype)
        if low != 0.0 or high != 1.0:
            out *= high - low
            out += low
        return out

    def normal(self, shape, mean, std, dtype, index, generator=None):
        gen = self._gen(generator)
        if dtype in ("float32", "float64"):
            out = gen.standard_normal(shape, dtype=dtype)
        else:
            out = gen.standard_normal(shape, dtype="float32").astype(dtype)
        if std != 1.0:
            out *= std
        if mean != 0.0:
            out += mean
        return out

    def integers(self, low, high, shape, dtype, index, generator=None):
        out = self._gen(generator).integers(low, high, size=shape, dtype="int64")
        return out.astype(dtype, copy=False)

    def permutation(self, n, index, generator=None):
        return self._gen(generator).permutation(n).astype(numpy.int64)
