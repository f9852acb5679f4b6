"""The backend registry: which array library serves which device type.

``register_backend("npx", MyBackend())`` makes ``device="npx"`` work everywhere
(factories, ``.to()``, ``Module.to()``, the test suite).
"""
from __future__ import annotations

from typing import Callable

from .base import Backend
from .cupy_backend import CupyBackend
from .numpy_backend import NumpyBackend

# device type -> a backend, or a zero-argument factory for backends that import lazily
# (the CupyBackend class itself: cupy is imported when the first cuda tensor is asked for)
_REGISTRY: dict[str, "Backend | Callable[[], Backend]"] = {"cpu": NumpyBackend(), "cuda": CupyBackend}


def register_backend(device_type: str, backend: "Backend | Callable[[], Backend]") -> None:
    """Serve tensors on ``device_type`` with ``backend`` (or a factory called on first use)."""
    if not isinstance(device_type, str) or not device_type.isidentifier():
        raise ValueError(f"device type must be an identifier such as 'npx', got {device_type!r}")
    if not isinstance(backend, Backend) and not callable(backend):
        raise TypeError(f"backend must be a microtorch.backends.Backend, got {type(backend).__name__}")
    _REGISTRY[device_type] = backend
    from .._device import _INTERNED

    for dev in _INTERNED.values():  # devices cache their backend; drop stale ones
        if dev.type == device_type:
            dev._backend = None


def registered_device_types() -> list[str]:
    """The device types with a registered backend ('cpu', 'cuda', ...)."""
    return list(_REGISTRY)


def get_backend(device) -> Backend:
    """The backend for a device type, a device, or a device string (``'cuda:1'``)."""
    device_type = device if isinstance(device, str) else device.type
    device_type = device_type.partition(":")[0]
    try:
        backend = _REGISTRY[device_type]
    except KeyError:
        raise RuntimeError(
            f"no backend is registered for device type {device_type!r}; registered: {', '.join(_REGISTRY)}"
        ) from None
    if not isinstance(backend, Backend):  # a lazy factory: build it now, keep the result
        backend = _REGISTRY[device_type] = backend()
        if _seed is not None:
            backend.manual_seed(_seed)
    return backend


_seed: int | None = None


def seed_all(seed: int) -> None:
    """Seed every backend built so far, and remember the seed for those built later."""
    global _seed
    _seed = seed
    for backend in _REGISTRY.values():
        if isinstance(backend, Backend):
            backend.manual_seed(seed)


__all__ = [
    "Backend", "NumpyBackend", "CupyBackend", "register_backend", "get_backend", "registered_device_types", "seed_all",
]

# torch.backends' flag modules (they import nothing heavy)
from . import cuda, cudnn, mkldnn, mps  # noqa: E402
__all__ += ["cuda", "cudnn", "mkldnn", "mps"]
