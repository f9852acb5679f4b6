"""Intra-op threads on the CPU: a persistent pool that runs large elementwise ufunc calls in chunks.

NumPy's ufuncs release the GIL while they loop, so chunks of one call run on every core at once. The pool
is sized like torch's (``get_num_threads``: ``OMP_NUM_THREADS`` when set, else the cores this process may
use; ``set_num_threads`` changes it, and NumPy's BLAS threads too where threadpoolctl is installed). Calls
on fewer than ``threshold`` output elements run on the calling thread: below it, handing chunks to threads
costs more than it saves.
"""
from __future__ import annotations

import math
import os
import threading
import warnings
from typing import Any, Callable

import numpy

#: outputs with at least this many elements are split across the threads (tests set 0 to chunk everything)
threshold = 1 << 17


def _default_threads() -> int:
    """``OMP_NUM_THREADS`` when it is a positive integer (torch's rule), else the usable cores."""
    value = os.environ.get("OMP_NUM_THREADS")
    if value:
        try:
            n = int(value)
            if n > 0:
                return n
        except ValueError:
            pass
        warnings.warn(f"ignoring OMP_NUM_THREADS={value!r}: not a positive integer", RuntimeWarning, stacklevel=3)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not Linux)
        return os.cpu_count() or 1


_threads = _default_threads()
_pool: Any = None  # a concurrent.futures.ThreadPoolExecutor once a call is split
_pool_lock = threading.Lock()


def get_num_threads() -> int:
    """The number of threads used for intra-op parallelism on the CPU (``torch.get_num_threads``)."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for intra-op parallelism on the CPU (``torch.set_num_threads``): the elementwise pool
    and, where threadpoolctl is installed, NumPy's BLAS."""
    global _threads, _pool
    if type(n) is not int:  # (bool is refused too, as torch does)
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    with _pool_lock:
        _threads = n
        old, _pool = _pool, None
    if old is not None:
        old.shutdown(wait=False)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(n, user_api="blas")


def _executor() -> Any:
    global _pool
    from concurrent.futures import ThreadPoolExecutor  # (on first use: it adds to import time)

    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(_threads - 1, 1), thread_name_prefix="microtorch-intraop")
        return _pool


def ufunc(name: str, *operands: Any) -> Any:
    """``numpy.<name>(*operands)``, in chunks across the pool when the output is large: split along the output's
    first axis (operands that broadcast along it, with fewer dims or a size-1 first axis, and scalars are given
    whole to every chunk)."""
    function = getattr(numpy, name)
    if _threads == 1:
        return function(*operands)
    shapes = [a.shape for a in operands if isinstance(a, numpy.ndarray)]
    shape = shapes[0] if len(shapes) == 1 else numpy.broadcast_shapes(*shapes)
    if not shape or shape[0] < 2 or math.prod(shape) < max(threshold, 1):
        return function(*operands)
    probe = function(*[a[(slice(0, 1),) * a.ndim] if isinstance(a, numpy.ndarray) else a for a in operands])
    if not isinstance(probe, numpy.ndarray):
        return function(*operands)  # (a ufunc with several outputs: not chunked)
    out = numpy.empty(shape, dtype=probe.dtype)
    parts = min(_threads, shape[0])
    bounds = [shape[0] * i // parts for i in range(parts + 1)]
    pool = _executor()
    futures = [pool.submit(function, *_rows(operands, shape, lo, hi), out=out[lo:hi])
               for lo, hi in zip(bounds[1:-1], bounds[2:])]
    function(*_rows(operands, shape, bounds[0], bounds[1]), out=out[bounds[0]:bounds[1]])  # this thread's
    for f in futures:
        f.result()
    return out


def _rows(operands: tuple, shape: tuple, lo: int, hi: int) -> list:
    """Each operand's rows ``lo:hi`` of the output's first axis (operands broadcast along it stay whole)."""
    return [a[lo:hi] if isinstance(a, numpy.ndarray) and a.ndim == len(shape) and a.shape[0] == shape[0] else a
            for a in operands]


def run_chunks(task: Callable[[int, int], None], n: int) -> None:
    """Call ``task(lo, hi)`` for consecutive ranges covering ``0..n``, one range per thread, in parallel; the calling
    thread runs the first. ``task`` must write disjoint outputs (and release the GIL, as NumPy calls do, to gain)."""
    parts = min(_threads, n)
    if parts <= 1:
        if n > 0:
            task(0, n)
        return
    bounds = [n * i // parts for i in range(parts + 1)]
    pool = _executor()
    futures = [pool.submit(task, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:])]
    task(bounds[0], bounds[1])
    for f in futures:
        f.result()
