"""The DataLoader's worker processes (``torch.utils.data._utils.worker``): their loop, their seeding and
:func:`get_worker_info`."""
from __future__ import annotations

import os
import pickle
import queue
import random
from dataclasses import dataclass
from typing import Any, Callable

from ...._creation import manual_seed
from ....backends import get_backend
from ....backends._threads import set_num_threads
from . import MANAGER_STATUS_CHECK_INTERVAL, ExceptionWrapper
from .fetch import _IterableDatasetFetcher, _MapDatasetFetcher

__all__ = ["WorkerInfo", "get_worker_info"]


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a DataLoader worker knows about itself: ``id`` (0 to ``num_workers - 1``), ``num_workers``,
    ``seed`` (the base seed plus the id) and ``dataset``, this process's own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the DataLoader worker process calling it; ``None`` in the main process.

    An IterableDataset's ``__iter__`` or a ``worker_init_fn`` uses it to give each worker its own shard."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """A persistent worker starts a new epoch (a new fetcher, a new iterator over its dataset)."""

    seed: int | None = None


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self) -> None:
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


def _generate_state(base_seed: int, worker_id: int) -> list:
    """Four 32-bit words to seed NumPy with, mixed from the base seed and the worker id as NumPy's
    SeedSequence mixes entropy (torch's function, so NumPy's stream in a worker is torch's)."""
    mask32, xshift = 0xFFFFFFFF, 16
    hash_const = [0x43B0D7E5]

    def hash32(value: int) -> int:
        value = (value ^ hash_const[0]) & mask32
        hash_const[0] = (hash_const[0] * 0x931E8875) & mask32
        value = (value * hash_const[0]) & mask32
        return (value ^ (value >> xshift)) & mask32

    def mix(x: int, y: int) -> int:
        result = (((0xCA01F9DD * x) & mask32) - ((0x4973F715 * y) & mask32)) & mask32
        return (result ^ (result >> xshift)) & mask32

    entropy = [worker_id, base_seed & mask32, base_seed >> 32, 0]
    pool = [hash32(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash32(pool[i_src]))
    const_b, state = 0x8B51F9DD, []
    for value in pool:
        value = (value ^ const_b) & mask32
        const_b = (const_b * 0x58F38DED) & mask32
        value = (value * const_b) & mask32
        state.append((value ^ (value >> xshift)) & mask32)
    return state


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's ``random``, microtorch and NumPy's global state in this worker, as torch's workers."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    get_backend("cpu").seed_library_global_rng(_generate_state(base_seed, worker_id))
    return seed


def _create_fetcher(iterable: bool, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> Any:
    kind = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


def _pickled(idx: Any, data: Any, worker_id: int) -> bytes:
    """The result as bytes, pickled here so that a result that cannot be pickled becomes an error for the
    main process (a Queue pickles in a background thread, which would drop it and leave the main waiting)."""
    try:
        return pickle.dumps((idx, data), pickle.HIGHEST_PROTOCOL)
    except Exception:
        error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        return pickle.dumps((idx, error), pickle.HIGHEST_PROTOCOL)
    except Exception:  # the exception's own type cannot be pickled (a class made inside a function, say)
        error.exc_type = RuntimeError
        return pickle.dumps((idx, error), pickle.HIGHEST_PROTOCOL)


def _worker_loop(iterable: bool, dataset: Any, index_queue: Any, data_queue: Any, done_event: Any,
                 auto_collation: bool, collate_fn: Callable, drop_last: bool, base_seed: int,
                 init_fn: Callable | None, worker_id: int, num_workers: int) -> None:
    """Seed, run ``init_fn``, then answer ``(idx, index)`` tasks with ``(idx, batch)`` until told to stop
    (``None``) or the main process dies. Errors go back as :class:`ExceptionWrapper`."""
    global _worker_info
    try:
        set_num_threads(1)  # as torch's workers: N workers times the intra-op threads would oversubscribe the cores
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False  # an exhausted iterable: skip further tasks until the final None
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            try:
                task = index_queue.get(timeout=MANAGER_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(task, _ResumeIteration):
                data_queue.put(_pickled(task, None, worker_id))
                iteration_end = False
                fetcher = _create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if task is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = task
            data: Any  # a batch, or what the main process re-raises
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data, iteration_end = _IterableDatasetStopIteration(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put(_pickled(idx, data, worker_id))
            del data, idx, index, task  # hold no batch while waiting for the next task
    except KeyboardInterrupt:
        pass  # the main process raises it
    if done_event.is_set():  # nobody reads what is left in the pipe: do not wait for it to drain at exit
        data_queue.cancel_join_thread()
        data_queue.close()
