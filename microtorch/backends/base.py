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


#: the context ``on_device`` returns when there is nothing to switch (one shared, reusable object)
NO_SWITCH = contextlib.nullcontext()


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

    def set_device(self, index: int) -> None:
        """Make device ``index`` the current one."""
        self.check_index(index)

    def on_device(self, index: int | None) -> contextlib.AbstractContextManager:
        """A context in which arrays are allocated, and kernels run, on device ``index``
        (CuPy works on a "current device"); the default has one device and does nothing."""
        return NO_SWITCH

    # ---- arrays ------------------------------------------------------------------
    @abstractmethod
    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        """An array on device ``index`` from array-like ``data`` (host data, lists, scalars or
        this backend's arrays); ``dtype`` is a dtype name. ``copy=True`` always copies,
        ``None`` copies only when needed."""

    @abstractmethod
    def to_numpy(self, array: Any) -> Any:
        """A host ``numpy.ndarray`` with the array's values: the array itself when it already
        is one (host backends), else a new host copy."""

    def device_index(self, array: Any) -> int | None:
        """The device index an array lives on (``None`` for the host)."""
        return None

    #: the DLPack device type of this backend's arrays (1 = kDLCPU, 2 = kDLCUDA), or None
    dlpack_device_type: int | None = None

    def from_dlpack(self, obj: Any, index: int | None) -> Any:
        """An array sharing memory with ``obj``, which exports DLPack (``__dlpack__``)."""
        return self.xp.from_dlpack(obj)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` in place, summing over repeated indices
        (the backward of advanced indexing and of ``gather``)."""
        self.xp.add.at(target, index, values)

    # ---- random numbers ----------------------------------------------------------
    # The samplers below draw from generators with NumPy's Generator API (random,
    # standard_normal, integers), which numpy.random.Generator and cupy.random.Generator share;
    # a backend with another kind of generator overrides them.
    @abstractmethod
    def manual_seed(self, seed: int) -> None:
        """Reseed the default generator of every device of this backend."""

    def manual_seed_device(self, seed: int, index: int) -> None:
        """Reseed the default generator of device ``index`` only (one generator: all of them)."""
        self.manual_seed(seed)

    @abstractmethod
    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        """A fresh, independent generator object (``microtorch.Generator`` wraps it)."""

    @abstractmethod
    def default_generator(self, index: int | None) -> Any:
        """The generator that samples on device ``index`` when no generator is given."""

    def uniform(self, shape: tuple, low: float, high: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from U[low, high) of a floating ``dtype``."""
        gen = self.default_generator(index) if generator is None else generator
        out = gen.random(shape, dtype="float64" if dtype == "float64" else "float32")
        if dtype not in ("float32", "float64"):
            # float16: steps of 2**-11, as torch's, since float32 samples near 1 would round up to 1.0
            out *= 2048.0
            self.xp.floor(out, out=out)
            out /= 2048.0
        if low != 0.0 or high != 1.0:
            out *= high - low
            out += low
        return out.astype(dtype, copy=False)

    def normal(self, shape: tuple, mean: float, std: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from N(mean, std^2) of a floating ``dtype``."""
        gen = self.default_generator(index) if generator is None else generator
        out = gen.standard_normal(shape, dtype="float64" if dtype == "float64" else "float32")
        if std != 1.0:
            out *= std
        if mean != 0.0:
            out += mean
        return out.astype(dtype, copy=False)

    def integers(self, low: int, high: int, shape: tuple, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Integers uniformly drawn from [low, high)."""
        gen = self.default_generator(index) if generator is None else generator
        return gen.integers(low, high, size=shape, dtype="int64").astype(dtype, copy=False)

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

    def empty_cache(self, index: int | None = None) -> None:
        """Release cached, unused memory of device ``index`` (a no-op without a caching allocator)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(xp={getattr(self.xp, '__name__', self.xp)})"
