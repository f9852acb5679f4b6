"""The DataLoader (``torch.utils.data.dataloader``)."""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Iterator

from ..._creation import Generator
from ..._device import as_device
from ._collate import _tensor_batch, _to_device, default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _check_batching

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over a dataset in (shuffled) batches, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a map-style or iterable dataset.
        batch_size: samples per batch (default: 1); ``None`` yields single samples, uncollated.
        shuffle: reshuffle the indices at every epoch (default: False).
        sampler, batch_sampler: custom index orders (exclusive with ``shuffle``, resp. with
            ``batch_size``/``shuffle``/``sampler``/``drop_last``).
        collate_fn: merges a list of samples into a batch (default: :func:`default_collate`).
        drop_last: drop the last, incomplete batch (default: False).
        generator: the :class:`microtorch.Generator` that shuffles (seed it for reproducible orders).
        device: where to put every batch (a microtorch extra; default: leave tensors where they are).
        num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers, ...:
            accepted for torch compatibility; microtorch loads in the main process.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True,
                 device: Any = None) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.device = None if device is None else as_device(device)
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but got "
                                 f"batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if not self._iterable and sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            if self._iterable:  # batches are cut from the stream
                _check_batching(batch_size, drop_last)
            else:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self._default_collate = collate_fn is None
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or self._iterable and self.batch_size is not None

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        for batch in self._batches():
            yield batch if self.device is None else _to_device(batch, self.device)

    def _batches(self) -> Iterator[Any]:
        if self._iterable:
            it = iter(self.dataset)
            if self.batch_size is None:
                yield from map(self.collate_fn, it)
                return
            while samples := list(itertools.islice(it, self.batch_size)):
                if len(samples) < self.batch_size and self.drop_last:
                    return
                yield self.collate_fn(samples)
        elif self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
        else:
            getitems = getattr(self.dataset, "__getitems__", None)
            for indices in self.batch_sampler:
                batch = _tensor_batch(self.dataset, list(indices)) if self._default_collate else None
                if batch is None:
                    samples = getitems(list(indices)) if getitems else [self.dataset[i] for i in indices]
                    batch = self.collate_fn(samples)
                yield batch
