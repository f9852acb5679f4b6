"""Storages (torch's ``torch.storage``): the memory a tensor and all its views share.

A microtorch tensor's storage is the array of its root (the tensor a view was taken from, or the tensor
itself): ``UntypedStorage`` sees that memory as bytes, from its lowest address to its highest, and
``TypedStorage`` (deprecated in torch, as here) as elements of a dtype. Both share the memory, so
``x[1:].untyped_storage().data_ptr() == x.data_ptr()`` and writing a storage's bytes changes the tensors
on it. Storages cannot be resized (torch's ``resize_`` frees or grows the memory under live tensors).
"""
from __future__ import annotations

import warnings
from typing import Any, Iterator

from ._device import as_device
from ._tensor import Tensor

__all__ = ["UntypedStorage", "TypedStorage"]


def _byte_view(array: Any, xp: Any) -> Any:
    """The bytes ``array``'s elements span, as a 1-D uint8 array sharing its memory (strides are non-negative
    multiples of the item size for every array microtorch holds, so the span starts at the first element)."""
    if array.size == 0:
        return xp.zeros(0, dtype=xp.uint8)
    items = 1 + sum((n - 1) * s for n, s in zip(array.shape, array.strides)) // array.itemsize
    flat = xp.lib.stride_tricks.as_strided(array, shape=(items,), strides=(array.itemsize,))
    return flat.view(xp.uint8)


class UntypedStorage:
    """The bytes of memory tensors share (``torch.UntypedStorage``): ``UntypedStorage(n)`` holds ``n`` zero bytes,
    ``UntypedStorage([1, 2, 3])`` those bytes; ``tensor.untyped_storage()`` is the memory of ``tensor``."""

    def __init__(self, *args: Any, device: Any = None) -> None:
        from ._creation import tensor, zeros
        from ._dtype import uint8

        if len(args) > 1:
            raise TypeError(f"UntypedStorage(): expected at most one argument (a size or a sequence of bytes), got "
                            f"{len(args)}")
        value = args[0] if args else 0
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise RuntimeError(f"UntypedStorage(): the size must be non-negative, got {value}")
            owner = zeros(value, dtype=uint8, device=device)
        else:
            owner = tensor(list(value), dtype=uint8, device=device)
        self._bind(owner._data, owner.device)

    @classmethod
    def _of(cls, array: Any, device: Any) -> "UntypedStorage":
        storage = cls.__new__(cls)
        storage._bind(array, device)
        return storage

    def _bind(self, array: Any, device: Any) -> None:
        self._array, self._device = array, device
        with self._here():
            self._bytes = _byte_view(array, device.backend.xp)

    def _here(self) -> Any:
        """A context in which the memory's device is the current one (CuPy computes on the current GPU)."""
        return self._device.backend.on_device(self._device.index)

    # ---- what it is -----------------------------------------------------------------------------------
    @property
    def device(self) -> Any:
        """The device the memory is on."""
        return self._device

    @property
    def is_cuda(self) -> bool:
        """Whether the memory is on a CUDA device."""
        return self._device.type == "cuda"

    def get_device(self) -> int:
        """The device index (-1 on the cpu), as ``Tensor.get_device``."""
        return -1 if self._device.index is None else self._device.index

    def data_ptr(self) -> int:
        """The address of the first byte."""
        return Tensor._make(self._array, self._device).data_ptr()  # (the tensor's rule: host or device pointer)

    def nbytes(self) -> int:
        """The number of bytes."""
        return int(self._bytes.size)

    def size(self) -> int:
        """The number of bytes (an untyped storage's elements are bytes)."""
        return self.nbytes()

    def __len__(self) -> int:
        return self.nbytes()

    def element_size(self) -> int:
        """1: the elements are bytes."""
        return 1

    def is_shared(self) -> bool:
        """False: microtorch's DataLoader workers send tensors back by pickling, not through shared memory."""
        return False

    def share_memory_(self) -> "UntypedStorage":
        """Returns self (nothing moves to shared memory, as ``Tensor.share_memory_``)."""
        return self

    def is_pinned(self, device: Any = "cuda") -> bool:
        """False: host memory is never page-locked here."""
        return False

    def untyped(self) -> "UntypedStorage":
        """Itself."""
        return self

    def type(self) -> str:
        """torch's type name."""
        return "torch.storage.UntypedStorage"

    # ---- the bytes ----------------------------------------------------------------------------------
    def _host_bytes(self) -> Any:
        with self._here():
            return self._bytes.get() if hasattr(self._bytes, "get") else self._bytes

    def tolist(self) -> list:
        """The bytes as a list of ints."""
        return [int(b) for b in self._host_bytes()]

    def __iter__(self) -> Iterator[int]:
        return iter(self.tolist())

    def _index(self, index: Any) -> int:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"can't index a torch.UntypedStorage with {type(index).__name__}")
        return _in_range(index, self.nbytes(), shown_wrapped=True)

    def __getitem__(self, index: int) -> int:
        with self._here():
            return int(self._bytes[self._index(index)])

    def __setitem__(self, index: int, value: int) -> None:
        if isinstance(index, int) and not 0 <= index < self.nbytes():  # (torch counts no index from the end here)
            raise RuntimeError(f"index {index} out of bounds for storage of size {self.nbytes()} (storage "
                               "assignment takes indices from 0)")
        with self._here():
            self._bytes[self._index(index)] = int(value) & 0xFF  # (torch keeps the low byte)

    def fill_(self, value: int) -> "UntypedStorage":
        """Set every byte to ``value``."""
        with self._here():
            self._bytes[...] = value
        return self

    def copy_(self, source: "UntypedStorage", non_blocking: bool | None = None) -> "UntypedStorage":
        """Copy the bytes of a storage of the same size into this one."""
        if not isinstance(source, UntypedStorage):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be torch.Storage, not {type(source).__name__}")
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was {source.nbytes()} "
                               "bytes")
        with self._here():
            self._bytes[...] = self._device.backend.asarray(source._host_bytes(), index=self._device.index)
        return self

    def clone(self) -> "UntypedStorage":
        """A new storage with a copy of the bytes."""
        with self._here():
            return UntypedStorage._of(self._bytes.copy(), self._device)

    def to(self, device: Any = None, non_blocking: bool = False) -> "UntypedStorage":
        """The storage on ``device`` (itself if it is there already)."""
        target = as_device(device)
        if target == self._device:
            return self
        return UntypedStorage._of(target.backend.asarray(self._host_bytes(), index=target.index), target)

    def cpu(self) -> "UntypedStorage":
        """The storage in host memory."""
        return self.to("cpu")

    def resize_(self, size: int) -> "UntypedStorage":
        """Not supported: the memory is a NumPy (or CuPy) array that live tensors view."""
        from ._unsupported import UnsupportedError

        raise UnsupportedError("UntypedStorage.resize_: microtorch's storages cannot be resized (tensors view "
                               "their memory)")

    def __repr__(self) -> str:
        values = "".join(f" {b}\n" for b in self.tolist())
        return f"{values}[torch.storage.UntypedStorage(device={self._device}) of size {self.nbytes()}]"


class TypedStorage:
    """A storage seen as elements of one dtype (``torch.TypedStorage``, deprecated there in favour of
    ``UntypedStorage``; ``tensor.storage()`` returns one and warns once, as torch)."""

    def __init__(self, untyped: UntypedStorage, dtype: Any) -> None:
        self._untyped_storage, self.dtype = untyped, dtype

    @property
    def device(self) -> Any:
        """The device the memory is on."""
        return self._untyped_storage.device

    @property
    def is_cuda(self) -> bool:
        """Whether the memory is on a CUDA device."""
        return self._untyped_storage.is_cuda

    def untyped(self) -> UntypedStorage:
        """The same memory as bytes."""
        return self._untyped_storage

    def data_ptr(self) -> int:
        """The address of the first element."""
        return self._untyped_storage.data_ptr()

    def nbytes(self) -> int:
        """The number of bytes."""
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    def size(self) -> int:
        """The number of elements."""
        return self.nbytes() // self.element_size()

    def __len__(self) -> int:
        return self.size()

    def _values(self) -> Tensor:
        """The elements, as a 1-D tensor on the memory."""
        untyped = self._untyped_storage
        return Tensor._make(untyped._bytes, untyped.device).view(self.dtype)

    def tolist(self) -> list:
        """The elements as Python numbers."""
        return self._values().tolist()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.tolist())

    def __getitem__(self, index: int) -> Any:
        if not isinstance(index, int) or isinstance(index, bool):
            raise RuntimeError(f"can't index a {type(self)} with {type(index)}")
        return self._values()[_in_range(index, self.size())].item()

    def type(self) -> str:
        """torch's type name."""
        return "torch.storage.TypedStorage"

    def is_shared(self) -> bool:
        """False, as ``UntypedStorage.is_shared``."""
        return False

    def __repr__(self) -> str:
        values = "".join(f" {v}\n" for v in self.tolist())
        return (f"{values}[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size "
                f"{self.size()}]")


def _in_range(index: int, n: int, shown_wrapped: bool = False) -> int:
    """``index`` (negative: from the end) within ``n`` elements, else torch's IndexError (an untyped storage's
    shows a negative index after adding ``n``)."""
    if not -n <= index < n:
        raise IndexError(f"index {index + n if index < 0 and shown_wrapped else index} out of range for storage "
                         f"of size {n}")
    return index % n


_warned_typed_storage = False


def warn_typed_storage_removal() -> None:
    """torch's once-per-process deprecation warning for ``TypedStorage``."""
    global _warned_typed_storage
    if not _warned_typed_storage:
        _warned_typed_storage = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                      "only storage class. This should only matter to you if you are using storages directly.  To "
                      "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)


def untyped_storage_of(tensor: Tensor) -> UntypedStorage:
    """The memory of ``tensor``'s root (its view base, or itself)."""
    root = tensor if tensor._base is None else tensor._base
    return UntypedStorage._of(root._data, root.device)


def is_storage(obj: Any) -> bool:
    """Whether ``obj`` is a storage (untyped or typed)."""
    return isinstance(obj, (UntypedStorage, TypedStorage))
