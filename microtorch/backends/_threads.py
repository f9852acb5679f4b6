"""Intra-op threads on the CPU: a persistent pool that runs large elementwise work in blocks on every core.

NumPy's ufuncs release the GIL while they loop, so blocks of one call run on every core at once. The pool
is sized like torch's (``get_num_threads``: ``OMP_NUM_THREADS`` when set, else the cores this process may
use; ``set_num_threads`` changes it, and NumPy's BLAS threads too where threadpoolctl is installed).

Blocks are handed out one at a time from a shared counter and the calling thread takes them too, so a
worker that is slow to wake (a busy core) costs at most the block it took: the caller never waits for work
nobody started. Work below a size threshold runs on the calling thread (handing blocks to threads costs more
than it saves there), and so does work started while the pool is busy: from a pool thread (nested), from
inside a task, or from a second user thread, so nothing ever waits on itself.
"""
from __future__ import annotations

import itertools
import os
import threading
import warnings
from typing import Any, Callable

import numpy

#: outputs of at least this many elements are split across the threads, for ufuncs that cost about as much
#: as an add per element (measured: DEVELOPERS.md's performance notes; tests set 0 to split everything)
threshold = 1 << 22
#: the threshold for the transcendental ufuncs (``exp``, ``tanh``, ...: 5-10x an add's cost per element)
threshold_costly = 1 << 19
#: the ufuncs that count as costly: float32 per-element time at least 5x an add's (measured: sqrt 6x, exp and
#: tanh 20x, power 90x; multiply, divide and maximum cost what add costs)
COSTLY = frozenset({
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "power", "float_power", "sqrt", "cbrt",
    "floor_divide", "remainder", "fmod", "hypot", "logaddexp", "logaddexp2",
})
#: fused kernels (``elementwise``) over more elements than this, and too few to split, run in blocks of at most this
#: many on the calling thread: their 5-10 passes then stay in the core's L2 cache (Intel Xeon, one thread, 2^19
#: float32: GELU's tanh-form gradient 1.81 -> 1.33 ms, its erf-form one 1.20 -> 1.01 ms; DEVELOPERS.md's notes)
CACHE_BLOCK = 1 << 16
#: the fewest elements per block: a block's Python cost (~1-3 us per NumPy call) must stay small beside its loop.
#: Work is cut into up to 4 blocks per thread (so a late thread costs little); more blocks cost more than they
#: save there (measured on the AMD EPYC: DEVELOPERS.md's performance notes)
GRAIN = 1 << 14
BLOCKS_PER_THREAD = 4


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
    return _usable_cores()


def _usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not Linux)
        return os.cpu_count() or 1


class _Job:
    """One call's blocks: ``task(i)`` for ``i`` in ``0..n``, taken in turn by whoever is free."""

    __slots__ = ("task", "n", "taken", "finished", "done", "error")

    def __init__(self, task: Callable[[int], None], n: int) -> None:
        self.task, self.n = task, n
        self.taken, self.finished = itertools.count(), itertools.count()  # (next() on a count is atomic)
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Take blocks until none is left; the thread finishing the last one sets ``done``."""
        n = self.n
        while True:
            i = next(self.taken)
            if i >= n:
                return
            if self.error is None:  # (after an error the rest are only counted off)
                try:
                    self.task(i)
                except BaseException as e:  # re-raised by the caller
                    self.error = e
            if next(self.finished) == n - 1:
                self.done.set()


_local = threading.local()  # ``in_pool``: set on the pool's own threads


class _Pool:
    """``workers`` daemon threads that sleep on a semaphore and help with the current job when woken."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.busy = threading.Lock()  # held by the thread whose job the pool runs
        self.wake = threading.Semaphore(0)
        self.job: _Job | None = None
        self.open = True
        for i in range(workers):
            threading.Thread(target=self._work, name=f"microtorch-intraop-{i}", daemon=True).start()

    def _work(self) -> None:
        _local.in_pool = True
        while True:
            self.wake.acquire()
            if not self.open:
                return
            job = self.job
            if job is not None:
                job.run()

    def run(self, job: _Job) -> None:
        """Run ``job`` with the caller and the workers (the caller holds ``busy``)."""
        self.job = job
        for _ in range(min(self.workers, job.n - 1)):
            self.wake.release()
        job.run()
        job.done.wait()  # (only for blocks a worker took and is finishing)
        self.job = None

    def close(self) -> None:
        self.open = False
        for _ in range(self.workers):
            self.wake.release()


_threads = _default_threads()
_pool: _Pool | None = None  # started on the first split call
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
        old.close()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(n, user_api="blas")


#: the inter-op setting (``torch.set_num_interop_threads``): None until set. microtorch runs no inter-op parallel
#: work (ops run one at a time on the calling thread; ``jit.fork`` has no scripted mode to run asynchronously), so
#: the number is validated, kept and reported, and changes nothing else
_interop_threads: int | None = None


def get_num_interop_threads() -> int:
    """The number of threads for inter-op parallelism on the CPU (``torch.get_num_interop_threads``): the value
    set, else the usable cores (torch's default). microtorch runs no inter-op parallel work, so it is only reported."""
    return _usable_cores() if _interop_threads is None else _interop_threads


def set_num_interop_threads(n: int) -> None:
    """Set the number of inter-op threads (``torch.set_num_interop_threads``): once per process, as torch allows.
    microtorch has no inter-op parallel work, so the value is kept and reported by ``get_num_interop_threads``."""
    global _interop_threads
    if type(n) is not int:  # (bool is refused too, as torch does)
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _interop_threads = n


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: start a new pool there when one is needed."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _started_pool() -> _Pool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = _Pool(_threads - 1)
        return _pool


def run_blocks(task: Callable[[int], None], n: int) -> None:
    """Call ``task(i)`` for every ``i`` in ``0..n``, on every thread of the pool (the caller's too); ``task`` must
    write disjoint outputs (and release the GIL, as NumPy's loops do, to gain). Inline when there is one thread,
    one block, or the pool is busy (a nested call)."""
    pool = _pool if _pool is not None else (_started_pool() if _threads > 1 and n > 1 else None)
    if pool is None or n <= 1 or getattr(_local, "in_pool", False) or not pool.busy.acquire(blocking=False):
        for i in range(n):
            task(i)
        return
    try:
        job = _Job(task, n)
        pool.run(job)
    finally:
        pool.busy.release()
    if job.error is not None:
        raise job.error


def run_chunks(task: Callable[[int, int], None], n: int) -> None:
    """Call ``task(lo, hi)`` for consecutive ranges covering ``0..n``, one range per thread, in parallel; the calling
    thread runs the first. ``task`` must write disjoint outputs (and release the GIL, as NumPy calls do, to gain)."""
    parts = min(_threads, n)
    if parts <= 1:
        if n > 0:
            task(0, n)
        return
    bounds = [n * i // parts for i in range(parts + 1)]
    run_blocks(lambda i: task(bounds[i], bounds[i + 1]), parts)


def parallel(size: int, name: str = "") -> bool:
    """Whether an elementwise call of ``size`` output elements (of the ufunc ``name``) is worth splitting."""
    return _threads > 1 and size >= (threshold_costly if name in COSTLY else threshold)


def ufunc(name: str, *operands: Any, **kwargs: Any) -> Any:
    """``numpy.<name>(*operands, **kwargs)``, in blocks across the pool when the output is large: blocks of the flat
    arrays when every array operand is C-contiguous of the output's shape (or a single value), else rows of the
    output's first axis (operands broadcast along it, and scalars, are given whole to every block). ``out=`` (an
    array: the in-place updates) is written block by block where it is C-contiguous of the output's shape."""
    function = getattr(numpy, name)
    # (the output is as large as the largest operand, but for outer broadcasts: those stay one call)
    if not parallel(max(a.size if isinstance(a, numpy.ndarray) else 1 for a in operands), name):
        return function(*operands, **kwargs)
    shapes = [a.shape for a in operands if isinstance(a, numpy.ndarray)]
    shape = shapes[0] if all(s == shapes[0] for s in shapes) else numpy.broadcast_shapes(*shapes)
    out = kwargs.pop("out", None)
    if out is None:
        probe = function(*[a[(slice(0, 1),) * a.ndim] if isinstance(a, numpy.ndarray) else a for a in operands],
                         **kwargs)
        if not isinstance(probe, numpy.ndarray):
            return function(*operands, **kwargs)  # (a ufunc with several outputs: not split)
        out = numpy.empty(shape, dtype=probe.dtype)
    elif not isinstance(out, numpy.ndarray) or out.shape != shape or not out.flags.c_contiguous:
        return function(*operands, out=out, **kwargs)
    flat = _flat_operands(operands, shape)
    if flat is not None:
        _blocked(lambda o, *a: function(*a, out=o, **kwargs), out.reshape(-1), flat)
    elif shape[0] >= 2:
        rows = min(_threads * BLOCKS_PER_THREAD, shape[0])
        bounds = [shape[0] * i // rows for i in range(rows + 1)]
        run_blocks(lambda i: function(*_rows(operands, shape, bounds[i], bounds[i + 1]),
                                      out=out[bounds[i]:bounds[i + 1]], **kwargs), rows)
    else:
        function(*operands, out=out, **kwargs)
    return out


def elementwise(kernel: Callable, out: Any, *operands: Any) -> Any:
    """``kernel(numpy, out, *operands)``: an elementwise kernel writing ``out`` from operands of its shape (or
    single values), when ``out`` is larger than ``CACHE_BLOCK`` and every operand is contiguous (or one value
    broadcast) in blocks: the pool's when large, else of at most ``CACHE_BLOCK`` elements in turn; one call
    otherwise. Returns ``out``."""
    split = _threads > 1 and out.size >= threshold_costly  # (split: the pool's blocks, as large as they come)
    if (split or out.size > CACHE_BLOCK) and out.flags.c_contiguous:
        flat = _flat_operands(operands, out.shape)
        if flat is not None:
            _blocked(lambda o, *a: kernel(numpy, o, *a), out.reshape(-1), flat, split)
            return out
    kernel(numpy, out, *operands)
    return out


def full_sum(x: Any) -> Any:
    """``x.sum()`` of a large C-contiguous floating array as partial sums of blocks across the pool (each block
    NumPy's pairwise sum, then the partials summed in order), else NumPy's one call."""
    if not parallel(x.size) or not x.flags.c_contiguous or x.dtype.kind not in "fc":
        return x.sum()
    flat = x.reshape(-1)
    bounds = _block_bounds(x.size)
    partials = numpy.empty(len(bounds) - 1, dtype=x.dtype)

    def block(i: int) -> None:
        partials[i] = flat[bounds[i]:bounds[i + 1]].sum()

    run_blocks(block, len(partials))
    return partials.sum()


def _flat_operands(operands: tuple, shape: tuple) -> list | None:
    """The operands as flat views (single values, also one value broadcast, as 0-d), or None where one is not
    C-contiguous of ``shape``."""
    flat = []
    for a in operands:
        if isinstance(a, numpy.ndarray):
            if a.size == 1:
                a = a.reshape(())
            elif not any(a.strides) and a.shape == shape:  # (one value broadcast: expand's view)
                a = a[(slice(0, 1),) * a.ndim].reshape(())
            elif a.shape != shape or not a.flags.c_contiguous:
                return None
            else:
                a = a.reshape(-1)
        flat.append(a)
    return flat


def _blocked(block_kernel: Callable, out: Any, flat: list, split: bool = True) -> None:
    """``block_kernel(out, *flat)`` on 1-d operands (0-d ones given whole), in the pool's blocks across its threads
    if ``split``, else in blocks of at most CACHE_BLOCK elements in turn on this thread."""
    bounds = _block_bounds(out.shape[0], split)

    def block(i: int) -> None:
        lo, hi = bounds[i], bounds[i + 1]
        block_kernel(out[lo:hi], *[a[lo:hi] if isinstance(a, numpy.ndarray) and a.ndim else a for a in flat])

    if split:
        run_blocks(block, len(bounds) - 1)
    else:
        for i in range(len(bounds) - 1):
            block(i)


def _block_bounds(n: int, split: bool = True) -> list:
    """Where the blocks of ``n`` elements start (and the end): for the pool (``split``) at least GRAIN elements each,
    at most BLOCKS_PER_THREAD blocks per thread; else as few as keep each within CACHE_BLOCK elements."""
    count = min(-(-n // GRAIN), _threads * BLOCKS_PER_THREAD) if split else -(-n // CACHE_BLOCK)
    count = max(count, 1)
    return [n * i // count for i in range(count + 1)]


def _rows(operands: tuple, shape: tuple, lo: int, hi: int) -> list:
    """Each operand's rows ``lo:hi`` of the output's first axis (operands broadcast along it stay whole)."""
    return [a[lo:hi] if isinstance(a, numpy.ndarray) and a.ndim == len(shape) and a.shape[0] == shape[0] else a
            for a in operands]
