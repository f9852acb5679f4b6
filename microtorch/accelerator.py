"""``microtorch.accelerator``: the device-agnostic accelerator API of ``torch.accelerator``.

microtorch's accelerator is the registered ``cuda`` backend (CuPy on a GPU). Without one,
``is_available()`` is False, ``current_accelerator()`` is None, ``device_count()`` is 0, and the
calls that need a device raise torch's error.
"""
from __future__ import annotations

from typing import Any

from . import cuda as _cuda
from ._device import device as _device

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """Whether an accelerator (a GPU that CuPy sees) can be used."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False) -> _device | None:
    """``device('cuda')`` when the cuda backend is usable, else None (``check_available`` is accepted
    for torch's signature: microtorch has no build-time accelerator, so both checks are the same)."""
    return _device("cuda") if _cuda.is_available() else None


def device_count() -> int:
    """How many accelerator devices there are (0 without one)."""
    return _cuda.device_count()


def _require() -> None:
    if not _cuda.is_available():
        raise RuntimeError(_NONE_AVAILABLE)


def _index(device: Any) -> int:
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    dev = _device(device)
    if dev.type != "cuda":
        raise ValueError(f"{dev} doesn't match the current accelerator cuda.")
    return _cuda.current_device() if dev.index is None else dev.index


def current_device_index() -> int:
    """The index of the current accelerator device."""
    _require()
    return _cuda.current_device()


def set_device_index(device: Any, /) -> None:
    """Make ``device`` (an index, ``'cuda:1'`` or a device) the current one; a negative index does nothing."""
    _require()
    index = _index(device)
    if index >= 0:
        _cuda.set_device(index)


current_device_idx, set_device_idx = current_device_index, set_device_index  # torch's deprecated names


def synchronize(device: Any = None, /) -> None:
    """Wait for all work queued on ``device`` (default: the current one)."""
    _require()
    _cuda.synchronize(None if device is None else _index(device))


class device_index:
    """``with microtorch.accelerator.device_index(1):`` makes device 1 current inside (None: no switch)."""

    def __init__(self, device: int | None, /) -> None:
        self.idx, self.prev_idx = device, -1

    def __enter__(self) -> None:
        if self.idx is not None:
            self.prev_idx = current_device_index()
            set_device_index(self.idx)

    def __exit__(self, *exc_info: object) -> None:
        if self.idx is not None:
            set_device_index(self.prev_idx)


def memory_allocated(device: Any = None, /) -> int:
    """Bytes in use on the accelerator device."""
    _require()
    return _cuda.memory_allocated(device)


def memory_reserved(device: Any = None, /) -> int:
    """Bytes the accelerator's memory pool holds."""
    _require()
    return _cuda.memory_reserved(device)


def empty_cache() -> None:
    """Release the accelerator's unused cached memory (nothing to do without one)."""
    if _cuda.is_available():
        _cuda.empty_cache()


__all__ = [
    "is_available", "current_accelerator", "device_count", "current_device_index", "set_device_index",
    "current_device_idx", "set_device_idx", "synchronize", "device_index", "memory_allocated", "memory_reserved",
    "empty_cache",
]
