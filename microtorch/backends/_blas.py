"""Small matrix products on one BLAS thread.

OpenBLAS splits every product above its own small threshold across all its threads; for the skinny products of
a small CNN (LeNet's (6 x 25) @ (25 x 50176) forward, its long-K weight gradients) the threads' start and
synchronisation cost more than they save: measured on the 2-core AMD EPYC beside other jobs, (6 x 25) @ (25 x
50176) took 0.7 ms on one thread and 12 ms on two, (16 x 6400) @ (6400 x 150) 0.60 and 0.75 ms. Below ``SMALL``
multiply-adds a product runs with BLAS set to one thread (threadpoolctl's handle on the loaded BLAS libraries: ~3
us per product for the switch there and back); without threadpoolctl products run as NumPy issues them.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy

from . import _threads

#: products with fewer multiply-adds (m * n * k) run on one BLAS thread
SMALL = 1 << 24
#: OpenBLAS runs products of at most this many multiply-adds on one thread itself: no switch for those
BLAS_ALONE = 1 << 18

_libraries: list = []  # [threadpoolctl's controllers of the BLAS libraries loaded at the first product]
_switch = threading.Lock()  # (one switch at a time: two threads restoring each other's counts would leave 1)


def _blas_libraries() -> list:
    if not _libraries:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _libraries.append([])
        else:
            _libraries.append(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _libraries[0]


def matmul(a: Any, b: Any) -> Any:
    """``numpy.matmul(a, b)`` of 2-D arrays, on one BLAS thread when the product is small and BLAS may use
    several."""
    size = a.shape[0] * a.shape[1] * b.shape[1]
    if not BLAS_ALONE < size < SMALL or _threads.get_num_threads() == 1 or not _blas_libraries():
        return numpy.matmul(a, b)
    # another thread switching: run as BLAS is (waiting on the lock would cost a GIL switch interval, 5 ms)
    if not _switch.acquire(blocking=False):
        return numpy.matmul(a, b)
    try:
        libraries = _blas_libraries()
        counts = [library.get_num_threads() for library in libraries]
        for library in libraries:
            library.set_num_threads(1)
        try:
            return numpy.matmul(a, b)
        finally:
            for library, count in zip(libraries, counts):
                library.set_num_threads(count)
    finally:
        _switch.release()
