"""The CPU backend: NumPy arrays in host memory."""
from __future__ import annotations

import ctypes
import os
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
        _keep_freed_memory()

    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        return numpy.array(data, dtype=dtype, copy=copy)

    def to_numpy(self, array: Any) -> numpy.ndarray:
        return array

    def erf(self, x: Any) -> Any:
        try:  # SciPy's is fast; without it the exact but slow generic one serves
            from scipy.special import erf
        except ImportError:
            return super().erf(x)
        return erf(x).astype(x.dtype, copy=False)  # SciPy computes float16 in float32

    def manual_seed(self, seed: int) -> None:
        self._generator = numpy.random.default_rng(seed)

    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        return numpy.random.default_rng(DEFAULT_SEED if seed is None else seed)

    def default_generator(self, index: int | None) -> Any:
        return self._generator

    def permutation(self, n, index, generator=None):
        gen = self._generator if generator is None else generator
        return gen.permutation(n).astype(numpy.int64)


def _keep_freed_memory() -> None:
    """Let glibc keep freed memory for reuse, as torch's caching allocators do.

    By default glibc hands large freed blocks straight back to the OS, so every
    large temporary of a training step (im2col windows, activations, gradients)
    is page-faulted in and zeroed again on the next step: about a third of a
    small CNN's step time. Blocks up to 32 MiB now come from the heap, and up to
    128 MiB of free heap is kept. Nothing changes where glibc is absent or where
    the user tuned malloc through its own environment variables.
    """
    if any(k in os.environ for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 128 << 20)
