"""Datasets, samplers and the DataLoader (``torch.utils.data``).

A map-style :class:`Dataset` answers ``dataset[i]`` and ``len(dataset)``; an
:class:`IterableDataset` is iterated. A :class:`DataLoader` draws indices from a
sampler (in order, or shuffled with a seeded :class:`microtorch.Generator`),
groups them into batches, fetches the samples and collates them into tensors
with :func:`default_collate` (tensors are stacked, numbers become tensors,
dicts, tuples and lists are collated field by field).

Batches of a :class:`TensorDataset` (or a :class:`Subset` of one) are taken by
indexing each tensor once with the batch's index array, not sample by sample.
``DataLoader(..., device='cuda')`` places every batch on that device (a microtorch
extra; in torch you call ``.to(device)`` on each batch, which works here too).
"""
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
from ._collate import default_collate, default_convert
from .dataloader import DataLoader
from .distributed import DistributedSampler

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "DataLoader", "default_collate", "default_convert",
    "DistributedSampler",
]
