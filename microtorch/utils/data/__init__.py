"""Datasets, samplers and the DataLoader (``torch.utils.data``), at torch's module paths.

A map-style :class:`Dataset` answers ``dataset[i]`` and ``len(dataset)``; an
:class:`IterableDataset` is iterated. A :class:`DataLoader` draws indices from a
sampler (in order, or shuffled with a seeded :class:`microtorch.Generator`),
groups them into batches, fetches the samples and collates them into tensors
with :func:`default_collate` (tensors are stacked, numbers become tensors,
dicts, tuples and lists are collated field by field). With ``num_workers > 0``
worker processes load the batches (:func:`get_worker_info` tells a worker who it is).

Batches of a :class:`TensorDataset` (or a :class:`Subset` of one) are taken by
indexing each tensor once with the batch's index array, not sample by sample.
``DataLoader(..., device='cuda')`` places every batch on that device (a microtorch
extra; in torch you call ``.to(device)`` on each batch, which works here too).
"""
from .dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)
from .sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
from ._utils.collate import default_collate, default_convert
from ._utils.worker import get_worker_info
from .dataloader import DataLoader
from .distributed import DistributedSampler

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "StackDataset", "ChainDataset", "WeightedRandomSampler", "get_worker_info",
    "DataLoader", "default_collate", "default_convert",
    "DistributedSampler",
]
