"""``microtorch.cuda``: GPU queries, seeds, synchronisation and memory, as ``torch.cuda``.

The cuda backend (CuPy) is built on first use, so ``import microtorch`` never imports
cupy. ``is_available()`` and ``device_count()`` answer ``False`` / ``0`` when CuPy or a
GPU is missing, and the seeding functions then do nothing (as torch's); the others
raise the backend's error, which says what is missing and how to install it.
"""
from __future__ import annotations

from typing import Any

from .._device import device as _device
from ..backends import Backend, get_backend


__all__ = [
    "is_available", "device_count", "current_device", "set_device", "synchronize", "manual_seed", "manual_seed_all",
    "get_rng_state", "set_rng_state", "get_rng_state_all", "set_rng_state_all", "memory_allocated", "memory_reserved", "empty_cache",
]


def _backend() -> Backend:
    return get_backend("cuda")


def _index(device: Any) -> int:
    """A device index from ``None`` (the current device), an int, ``'cuda:1'`` or a device."""
    if device is None:
        return _backend().current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    dev = _device(device)
    if dev.type != "cuda":
        raise ValueError(f"expected a cuda device, got {dev}")
    return _backend().current_device() if dev.index is None else dev.index


def is_available() -> bool:
    """Whether cuda tensors can be made: CuPy is installed and sees a GPU."""
    try:
        _backend()
    except RuntimeError:
        return False
    return True


def device_count() -> int:
    """The number of CUDA devices (0 without CuPy or a GPU)."""
    return _backend().device_count() if is_available() else 0


def current_device() -> int:
    """The index of the GPU that ``device='cuda'`` means."""
    return _backend().current_device()


def set_device(device: Any) -> None:
    """Make ``device`` the current GPU (``'cuda'`` then means it)."""
    _backend().set_device(_index(device))


def synchronize(device: Any = None) -> None:
    """Wait until all queued work on ``device`` (default: the current GPU) has finished."""
    _backend().synchronize(_index(device))


def manual_seed(seed: int) -> None:
    """Seed the current GPU's generator (ignored without a GPU, as torch does)."""
    if is_available():
        _backend().manual_seed_device(int(seed), current_device())


def manual_seed_all(seed: int) -> None:
    """Seed the generators of all GPUs (ignored without a GPU, as torch does)."""
    if is_available():
        _backend().manual_seed(int(seed))


def _default_generator(device: Any) -> Any:
    """The generator ``device``'s ops draw from, as a ``Generator``."""
    from .._creation import _DefaultGenerator

    return _DefaultGenerator(_device("cuda", _index(device)))


def get_rng_state(device: Any = "cuda") -> Any:
    """The state of ``device``'s generator as a uint8 cpu tensor (the backend's generators must report one:
    CuPy's cuRAND generators do not, and then this raises UnsupportedError)."""
    return _default_generator(device).get_state()


def set_rng_state(new_state: Any, device: Any = "cuda") -> None:
    """Restore ``device``'s generator to a state ``get_rng_state`` returned."""
    _default_generator(device).set_state(new_state)


def get_rng_state_all() -> list:
    """Every GPU's generator state (an empty list without a GPU, as torch's)."""
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states: Any) -> None:
    """Restore each GPU's generator from ``new_states`` (one per device, in order)."""
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


def memory_allocated(device: Any = None) -> int:
    """Bytes occupied by arrays on ``device`` (CuPy's memory pool: used bytes)."""
    return _backend().memory_stats(_index(device))["allocated_bytes"]


def memory_reserved(device: Any = None) -> int:
    """Bytes the memory pool holds on ``device``, in use or cached for reuse."""
    return _backend().memory_stats(_index(device))["reserved_bytes"]


def empty_cache() -> None:
    """Give the memory pool's unused cached blocks on the current GPU back to the driver."""
    _backend().empty_cache(current_device())


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether bfloat16 tensors can be used on the GPU: a GPU is there and the ``ml_dtypes`` package that
    gives NumPy/CuPy the bfloat16 type is installed (False without a GPU, as torch's)."""
    from .._dtype import bfloat16_available

    return is_available() and bfloat16_available()


from .._legacy import CUDA_TYPES as _CUDA_TYPES  # noqa: E402  (torch.cuda.FloatTensor, ...)

globals().update(_CUDA_TYPES)
from . import amp  # noqa: E402,F401
__all__ += ["is_bf16_supported", "amp", *_CUDA_TYPES]
