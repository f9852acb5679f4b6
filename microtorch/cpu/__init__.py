"""``microtorch.cpu``: the CPU device module, as ``torch.cpu`` (``is_available``, ``device_count``, ``amp``)."""
from __future__ import annotations

from . import amp  # noqa: F401


def is_available() -> bool:
    """Always True."""
    return True


def device_count() -> int:
    """1, as torch's."""
    return 1


def current_device() -> str:
    """The CPU device's name, ``'cpu'``."""
    return "cpu"


def synchronize(device: object = None) -> None:
    """Nothing to wait for: CPU work is synchronous."""


__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]
