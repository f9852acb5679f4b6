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
        if x.dtype != numpy.float64:  # float32/16: a fast approximation, within 6e-7 of erf
            return _erf_float32(x).astype(x.dtype, copy=False)
        try:  # float64: SciPy's (exact); without SciPy the exact but slow generic one
            from scipy.special import erf
        except ImportError:
            return super().erf(x)
        return erf(x)

    def special_function(self, name: str) -> Any:
        """``scipy.special``'s ``name`` (SciPy is imported on first use: an optional dependency)."""
        try:
            import scipy.special
        except ImportError:
            raise ModuleNotFoundError(
                f"this special function needs SciPy (scipy.special.{name}), which is not installed: pip install scipy "
                "(or pip install -e \".[special]\" from a checkout)"
            ) from None
        return getattr(scipy.special, name)

    def describe(self) -> dict:
        info = super().describe()
        blas = numpy.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        info["BLAS"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
        if blas.get("openblas configuration"):
            info["BLAS build"] = blas["openblas configuration"]
        try:  # the kernel and threads BLAS actually runs with (optional: threadpoolctl)
            from threadpoolctl import threadpool_info
        except ImportError:
            info["BLAS threads"] = "unknown (pip install threadpoolctl to see them)"
        else:
            for pool in threadpool_info():
                info[f"{pool['internal_api']} threads"] = pool["num_threads"]
                if pool.get("architecture"):
                    info[f"{pool['internal_api']} kernel"] = pool["architecture"]
        return info

    def manual_seed(self, seed: int) -> None:
        self._generator = numpy.random.default_rng(seed)

    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        return numpy.random.default_rng(DEFAULT_SEED if seed is None else seed)

    def default_generator(self, index: int | None) -> Any:
        return self._generator

    def seed_library_global_rng(self, state: list) -> None:
        numpy.random.seed(state)

    def permutation(self, n, index, generator=None):
        gen = self._generator if generator is None else generator
        return gen.permutation(n).astype(numpy.int64)


def _erf_float32(x: Any) -> Any:
    """erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, 6e-7 after float32 rounding),
    computed in place in float32: about 3x faster than SciPy's, which is not vectorised."""
    shape, x = x.shape, x.reshape(-1)  # 1-D, so 0-d inputs also give arrays to update in place
    a = numpy.abs(x, dtype=numpy.float32)
    t = a * numpy.float32(0.3275911)
    t += 1
    numpy.reciprocal(t, out=t)
    y = t * numpy.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):  # Horner's rule
        y += numpy.float32(c)
        y *= t
    numpy.square(a, out=a)
    numpy.negative(a, out=a)
    numpy.exp(a, out=a)
    y *= a
    numpy.subtract(1, y, out=y)
    return numpy.copysign(y, x, out=y).reshape(shape)


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
