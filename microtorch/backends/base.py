"""The backend contract: what microtorch needs from an array library.

A backend is a small object, not a wrapper around every function. Ops call the
NumPy-compatible namespace ``xp`` directly (``ctx.xp.exp(x)``); the methods here
cover only what really differs between array libraries: placing arrays on a
device, moving them to the host, scatter-add, seeded random numbers,
synchronisation and memory statistics.
"""
from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any


class Backend(ABC):
    """Serves every tensor whose ``device.type`` this backend is registered under."""

    #: a NumPy-compatible array namespace (``numpy``, ``cupy``, ...)
    xp: Any = None

    # ---- devices -----------------------------------------------------------------
    def device_count(self) -> int:
        """How many devices of this type exist (index 0 .. count-1)."""
        return 1

    def current_device(self) -> int:
        """The index that a bare device type (``'cuda'``) means."""
        return 0

    def check_index(self, index: int | None) -> None:
        """Raise if ``index`` does not name a device of this backend."""
        count = self.device_count()
        if index is not None and not 0 <= index < count:
            raise RuntimeError(f"invalid device index {index}: this backend has {count} device(s)")

    def on_device(self, index: int | None) -> contextlib.AbstractContextManager:
        """A context in which new arrays are allocated on device ``index``."""
        return contextlib.nullcontext()

    # ---- arrays ------------------------------------------------------------------
    @abstractmethod
    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        """An array on device ``index`` from array-like ``data`` (host data, lists, scalars or
        this backend's arrays); ``dtype`` is a dtype name. ``copy=True`` always copies,
        ``None`` copies only when needed."""

    @abstractmethod
    def to_numpy(self, array: Any) -> Any:
        """A host ``numpy.ndarray`` with the array's values (may share memory on the host)."""

    def device_index(self, array: Any) -> int | None:
        """The device index an array lives on (``None`` for the host)."""
        return None

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` in place, summing over repeated indices
        (the backward of advanced indexing and of ``gather``)."""
        self.xp.add.at(target, index, values)

    # ---- random numbers ----------------------------------------------------------
    @abstractmethod
    def manual_seed(self, seed: int) -> None:
        """Reseed the default generator of every device of this backend."""

    @abstractmethod
    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        """A fresh, independent generator object (``microtorch.Generator`` wraps it)."""

    @abstractmethod
    def uniform(self, shape: tuple, low: float, high: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from U[low, high) of a floating ``dtype``."""

    @abstractmethod
    def normal(self, shape: tuple, mean: float, std: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from N(mean, std^2) of a floating ``dtype``."""

    @abstractmethod
    def integers(self, low: int, high: int, shape: tuple, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Integers uniformly drawn from [low, high)."""

    def permutation(self, n: int, index: int | None, generator: Any = None) -> Any:
        """A random permutation of ``range(n)`` as int64."""
        keys = self.uniform((n,), 0.0, 1.0, "float64", index, generator)
        return self.xp.argsort(keys).astype("int64")

    # ---- execution and memory ----------------------------------------------------
    def synchronize(self, index: int | None = None) -> None:
        """Wait for queued work on the device (a no-op for synchronous backends)."""

    def memory_stats(self, index: int | None = None) -> dict:
        """Allocator statistics, e.g. ``{'allocated_bytes': ..., 'reserved_bytes': ...}``."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(xp={getattr(self.xp, '__name__', self.xp)})"
