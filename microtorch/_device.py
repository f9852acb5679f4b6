"""Devices: ``device('cpu')``, ``device('cuda:1')``, ``device('<registered type>:N')``.

A device names where a tensor's array lives; its ``backend`` (looked up in the
registry of :mod:`microtorch.backends` by the device type) does the array work.
Device objects are interned, so tensors compare devices with ``is``.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from .backends.base import NO_SWITCH as _NO_SWITCH


class device:
    """``device(type, index=None)`` or ``device('type:index')``, as ``torch.device``."""

    __slots__ = ("type", "index", "_backend")
    type: str
    index: int | None
    _backend: Any

    def __new__(cls, type_or_spec: "str | device | int", index: int | None = None) -> "device":
        if isinstance(type_or_spec, device):
            return type_or_spec
        key = (type_or_spec, index)
        cached = _INTERNED.get(key)
        if cached is not None:
            return cached
        dev_type, dev_index = _parse(type_or_spec, index)
        canonical = _INTERNED.get((dev_type, dev_index))
        if canonical is None:
            canonical = object.__new__(cls)
            canonical.type = dev_type
            canonical.index = dev_index
            canonical._backend = None
            _INTERNED[(dev_type, dev_index)] = canonical
        _INTERNED[key] = canonical
        return canonical

    @property
    def backend(self):
        """The array backend that serves this device type."""
        backend = self._backend
        if backend is None:
            from .backends import get_backend  # the registry imports this module

            backend = get_backend(self.type)
            if self.index is not None and not self.index < backend.device_count():
                count = backend.device_count()
                raise RuntimeError(
                    f"device {self} does not exist: there {'is' if count == 1 else 'are'} {count} {self.type} "
                    f"device(s), indices 0 to {count - 1}"
                )
            self._backend = backend
        return backend

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (str(self),))


_INTERNED: dict = {}


def _parse(spec, index):
    from .backends import registered_device_types

    if isinstance(spec, int) and not isinstance(spec, bool):  # torch: device(0) is cuda:0
        spec, index = "cuda", spec
    if not isinstance(spec, str):
        raise TypeError(f"device() expects a string such as 'cpu' or 'cuda:0', got {type(spec).__name__}")
    dev_type, sep, idx = spec.partition(":")
    if sep:
        if index is not None:
            raise ValueError(f"device string {spec!r} already has an index; don't pass index={index}")
        if not idx.isdigit():
            raise ValueError(f"invalid device string {spec!r}: the index after ':' must be a non-negative integer")
        index = int(idx)
    if index is not None and (not isinstance(index, int) or index < 0):
        raise ValueError(f"device index must be a non-negative integer, got {index!r}")
    known = registered_device_types()
    if dev_type not in known:
        raise RuntimeError(
            f"unknown device type {dev_type!r}; registered device types: {', '.join(known)} "
            "(add one with microtorch.backends.register_backend)"
        )
    if dev_type == "cpu":
        if index not in (None, 0):
            raise ValueError(f"the cpu device has no index {index}")
        index = None
    return dev_type, index


def _resolve_index(dev: device) -> device:
    """A concrete device for allocation: 'cuda' becomes 'cuda:<current>' (0 by default)."""
    if dev.index is None and dev.type != "cpu":
        return device(dev.type, dev.backend.current_device())
    return dev


def on_device(dev: device):
    """A context making ``dev`` its backend's current device (CuPy allocates and launches kernels
    on the current device), for array work outside ``Op.apply``; it does nothing for host devices."""
    return _NO_SWITCH if dev.index is None else dev.backend.on_device(dev.index)


class _DefaultDevice(threading.local):
    """This thread's default device (per thread, as torch's ``set_default_device``); None until first read."""

    device: "device | None" = None


_default = _DefaultDevice()


def get_default_device() -> device:
    """The device that factories use when no ``device=`` is given (``MICROTORCH_DEVICE`` or cpu)."""
    dev = _default.device
    if dev is None:
        spec = os.environ.get("MICROTORCH_DEVICE") or "cpu"
        try:
            dev = _default.device = _resolve_index(device(spec))
        except (RuntimeError, ValueError) as e:
            raise type(e)(f"MICROTORCH_DEVICE={spec!r}: {e}") from None
    return dev


def set_default_device(dev: "str | device | None") -> None:
    """Make ``dev`` the device of this thread's new tensors (``None`` resets to cpu), as
    ``torch.set_default_device``; other threads keep theirs."""
    _default.device = _resolve_index(device(dev if dev is not None else "cpu"))


def as_device(dev) -> device:
    """Normalise a ``device=`` argument (None means the default device)."""
    if dev is None:
        return get_default_device()
    if dev.__class__ is device and (dev.index is not None or dev.type == "cpu"):
        return dev
    return _resolve_index(device(dev))
