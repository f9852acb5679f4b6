"""Collation: samples into batches (``torch.utils.data.default_collate`` / ``default_convert``)."""
from __future__ import annotations

import collections.abc
import copy
from typing import Any, Sequence

from .... import _dtype
from ...._creation import tensor
from ...._tensor import Tensor
from ....autograd import grad_mode
from ..dataset import Subset, TensorDataset

__all__ = ["default_collate", "default_convert"]


# ---- collation ----------------------------------------------------------------------------------------
_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_numpy(obj: Any) -> bool:
    return type(obj).__module__ == "numpy" and type(obj).__name__ not in ("str_", "bytes_")


def _stack(batch: Sequence[Tensor]) -> Tensor:
    """Stack same-shaped tensors with one array call (through autograd only if one of them needs it)."""
    from ...._functions import stack

    first = batch[0]
    if grad_mode.state.enabled and any(t._requires_grad for t in batch):
        return stack(batch)
    for i, t in enumerate(batch):
        if t._data.shape != first._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
        if t._device is not first._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found {first.device} and {t.device}")
        if t._data.dtype != first._data.dtype:
            return stack(batch)  # mixed dtypes: let stack apply type promotion
    return Tensor._make(first._device.backend.xp.stack([t._data for t in batch]), first._device)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    Tensors are stacked along a new first dimension; NumPy arrays and scalars become tensors
    and are stacked; Python floats become a float64 tensor, ints an int64 tensor, bools a
    bool tensor; strings and bytes stay a list; dicts, named tuples and sequences are
    collated field by field (tuples and lists come back as lists).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if _is_numpy(elem):
        if elem.dtype.kind in "SaUO":
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return _stack([tensor(b) if not isinstance(b, Tensor) else b for b in batch])
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return type(elem)(collated)  # type: ignore[call-arg]  # (the mapping's own class, built from a dict)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars inside ``data`` into tensors (used when ``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        return data if getattr(data, "dtype", None) is not None and data.dtype.kind in "SaUO" else tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def _to_device(data: Any, device: Any) -> Any:
    """``data`` with every tensor inside moved to ``device``."""
    if isinstance(data, Tensor):
        return data.to(device)
    if isinstance(data, dict):
        out = copy.copy(data)
        out.update((k, _to_device(v, device)) for k, v in data.items())
        return out
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(_to_device(v, device) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_to_device(v, device) for v in data)
    return data


def _tensor_batch(dataset: Any, indices: list) -> list | None:
    """The collated batch of a TensorDataset (seen through Subsets) by indexing each tensor once, else None."""
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    batch = []
    for t in dataset.tensors:
        index = t._device.backend.asarray(indices, dtype="int64", index=t._device.index)
        if grad_mode.state.enabled and t._requires_grad:
            batch.append(t[Tensor._make(index, t._device)])
        else:
            batch.append(Tensor._make(t._data[index], t._device))
    return batch
