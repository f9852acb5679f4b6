"""Memory formats (``torch.contiguous_format``, ``channels_last``, ...) and layouts (``torch.strided``).

microtorch keeps every tensor row-major: ``clone``, ``contiguous``, ``to`` and the dtype casts accept a
``memory_format`` and return the same values in row-major memory, which gives the same results
(only the speed of some GPU kernels depends on the layout in torch). ``is_contiguous(memory_format)``
answers from the real strides.
"""
from __future__ import annotations

from typing import Any


class memory_format:
    """A memory format, e.g. ``microtorch.channels_last``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"microtorch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class layout:
    """A tensor layout; microtorch has only ``microtorch.strided`` (dense tensors)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"microtorch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


strided = layout("strided")


def is_contiguous_as(t: Any, fmt: Any) -> bool:
    """Whether ``t``'s strides are those of ``fmt`` (channels_last: the channel dimension varies fastest)."""
    if fmt is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    rank = {channels_last: 4, channels_last_3d: 5}.get(fmt)
    if rank is None:
        raise TypeError(f"memory_format must be a microtorch.memory_format, got {fmt!r}")
    if t.ndim != rank:
        return False
    order = (0,) + tuple(range(2, rank)) + (1,)  # N, (D,) H, W, C from slowest to fastest
    expected, stride = {}, 1
    for d in reversed(order):
        expected[d] = stride
        stride *= t.shape[d]
    return all(t.shape[d] == 1 or t.stride(d) == expected[d] for d in range(rank))


def check_layout(value: Any) -> None:
    """Refuse any layout but ``strided`` (sparse layouts are not supported)."""
    if value is not None and value is not strided:
        raise NotImplementedError(f"microtorch does not support the {value} layout (only microtorch.strided)")
