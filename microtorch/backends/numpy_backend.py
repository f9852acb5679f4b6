"""The CPU backend: NumPy arrays in host memory."""
from __future__ import annotations

import ctypes
import math
import os
import sys
import threading
from typing import Any, Callable

import numpy

from . import _erf, _skinny_gemm, _threads
from .base import Backend

# torch's CPU default generator also starts from a fixed seed, so unseeded runs repeat
DEFAULT_SEED = 67280421310721


def _rows_in_bounds(rows: numpy.ndarray, n: int) -> bool:
    return bool(rows.min() >= -n and rows.max() < n)  # (out of bounds: add.at raises NumPy's IndexError)


def _add_rows(target: numpy.ndarray, rows: numpy.ndarray, values: numpy.ndarray) -> None:
    """``target[rows] += values`` over whole rows, repeated rows adding up (embedding's and gather's backward).
    ``add.at`` loops element by element (4.3 ms for 700 rows of 200 floats): instead the rows are sorted stably
    and round k adds every row's k-th occurrence with one fancy-indexed ``+=`` (0.65 ms; the same order of
    additions as ``add.at``); rows repeated many times are summed per run by ``add.reduceat``."""
    rows = numpy.where(rows < 0, rows + target.shape[0], rows)
    order = numpy.argsort(rows, kind="stable")
    ordered = rows[order]
    starts = numpy.flatnonzero(numpy.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = numpy.diff(numpy.append(starts, rows.size))
    values = values[order]
    if counts.max() > 16:
        target[ordered[starts]] += numpy.add.reduceat(values, starts, axis=0)
        return
    rank = numpy.arange(rows.size) - numpy.repeat(starts, counts)  # which occurrence of its row each one is
    for k in range(int(counts.max())):
        chosen = rank == k
        target[ordered[chosen]] += values[chosen]


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
        if _threads.parallel(x.size, "exp") and x.flags.c_contiguous:  # (large: in blocks across the pool)
            return _threads.elementwise(_erf_into, numpy.empty_like(x), x)
        return _erf_of(x)

    def normal_cdf(self, x: Any) -> Any:
        if x.dtype == numpy.float32 and not _threads.parallel(x.size, "exp"):  # (large: erf in blocks, then 2 passes)
            return _erf.normal_cdf_float32(x)
        return super().normal_cdf(x)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        rows = index[0] if len(index) == 1 else None
        if (rows is not None and isinstance(rows, numpy.ndarray) and rows.dtype.kind in "iu" and rows.size >= 64
                and target.ndim > 1 and values.dtype == target.dtype and target.dtype.kind in "fc"
                and values.shape == rows.shape + target.shape[1:] and _rows_in_bounds(rows, target.shape[0])):
            _add_rows(target, rows.reshape(-1), values.reshape((rows.size,) + target.shape[1:]))
            return
        numpy.add.at(target, index, values)

    def ufunc(self, name: str, *operands: Any, **kwargs: Any) -> Any:
        return _threads.ufunc(name, *operands, **kwargs)  # in chunks across the intra-op pool

    def elementwise(self, kernel: Any, out: Any, *operands: Any) -> Any:
        return _threads.elementwise(kernel, out, *operands)  # in blocks across the intra-op pool

    def matmul(self, a: Any, b: Any) -> Any:
        return _skinny_gemm.matmul(a, b)  # (skinny float32 products in direct-kernel pieces)

    def full_sum(self, x: Any) -> Any:
        return _threads.full_sum(x)

    def window_buffer(self, shape: tuple, dtype: Any) -> Any:
        return _spare_windows.empty(shape, numpy.dtype(dtype))

    def empty_cache(self, index: int | None = None) -> None:
        _spare_windows.forget_free()

    def run_chunks(self, task: Callable[[int, int], None], n: int, size: int) -> None:
        if size >= _threads.threshold:  # (smaller outputs cost less than handing chunks to threads)
            _threads.run_chunks(task, n)
        elif n > 0:
            task(0, n)

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


class _SpareArrays:
    """Large arrays kept for reuse. glibc maps blocks above 32 MiB (its largest mmap threshold) afresh and
    unmaps them on free, so each new im2col buffer of a ResNet layer (75 MB) is page-faulted and zeroed again:
    ~12 ms of the 75 MB window copy's ~23 ms (~9 ms into a reused one). An array is free again once only this
    list refers to it: a live view of it (the windows a convolution saved for its backward) holds its owner."""

    def __init__(self, smallest: int = 32 << 20, most: int = 256 << 20) -> None:
        self.smallest, self.most = smallest, most
        self.arrays: list = []  # least recently handed out first
        self.lock = threading.Lock()

    def empty(self, shape: tuple, dtype: numpy.dtype) -> numpy.ndarray:
        nbytes = math.prod(shape) * dtype.itemsize
        if not self.smallest <= nbytes <= self.most or not hasattr(sys, "getrefcount"):
            return numpy.empty(shape, dtype=dtype)
        with self.lock:
            for i in range(len(self.arrays)):
                array = self.arrays[i]
                # references: the list, ``array`` and getrefcount's argument; any view would add its own
                if array.shape == shape and array.dtype == dtype and sys.getrefcount(array) == 3:
                    self.arrays.append(self.arrays.pop(i))
                    return array
                del array
            self._forget_free_beyond(self.most - nbytes)
            fresh = numpy.empty(shape, dtype=dtype)
            self.arrays.append(fresh)
            return fresh

    def forget_free(self) -> None:
        """Drop every array nobody uses (``empty_cache``)."""
        with self.lock:
            self._forget_free_beyond(0)

    def _forget_free_beyond(self, most: int) -> None:
        """Drop the least recently used free arrays while all kept ones take more than ``most`` bytes."""
        kept = sum(a.nbytes for a in self.arrays)
        i = 0
        while kept > most and i < len(self.arrays):
            if sys.getrefcount(self.arrays[i]) == 2:  # (the list and the argument)
                kept -= self.arrays.pop(i).nbytes
            else:
                i += 1


_spare_windows = _SpareArrays()

_SCIPY_ERF: list = []  # [scipy.special.erf or None], once looked up


def _scipy_erf() -> Any:
    """SciPy's exact float64 erf when SciPy is installed (imported on first use), else None."""
    if not _SCIPY_ERF:
        try:
            from scipy.special import erf
        except ImportError:
            erf = None
        _SCIPY_ERF.append(erf)
    return _SCIPY_ERF[0]


def _erf_of(x: Any) -> Any:
    if x.dtype != numpy.float64:  # float32/16: the vectorised float32 one (faster than SciPy's; see _erf.py)
        return _erf.erf_float32(x).astype(x.dtype, copy=False)
    scipy_erf = _scipy_erf()
    return scipy_erf(x) if scipy_erf is not None else _erf.erf_float64(x)


def _erf_into(xp: Any, out: Any, x: Any) -> None:
    out[...] = _erf_of(x)


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
