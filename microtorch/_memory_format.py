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


def dim_order(t: Any, ambiguity_check: Any = False) -> tuple:
    """The dims of ``t`` from outermost to innermost in memory, by torch's rule (its elementwise output
    permutation: a contiguous or channels-last tensor answers at once; otherwise an insertion sort by stride
    in which a 0 stride compares as anything and equal strides order by size). ``ambiguity_check`` (True, or a
    list of memory formats of which exactly one must fit) raises where several orders are equally right."""
    if not isinstance(ambiguity_check, bool) and not (
            isinstance(ambiguity_check, list) and all(isinstance(f, memory_format) for f in ambiguity_check)):
        raise TypeError("The ambiguity_check argument must be a bool or a list of memory formats.")
    shape, strides = tuple(t.shape), t.stride()
    ambiguous = any(a == b for a, b in zip(strides, strides[1:])) or any(n == 1 for n in shape)
    formats = ambiguity_check if isinstance(ambiguity_check, list) else []
    if (ambiguity_check is not False and ambiguous
            and sum(bool(t.is_contiguous(memory_format=f)) for f in formats) != 1):
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact one of the given "
                           "memory formats.")
    ndim = len(shape)
    if ndim <= 1:
        return tuple(range(ndim))
    contiguous, last = t.is_contiguous(), ndim == 4 and t.is_contiguous(memory_format=channels_last)
    if contiguous and not last:
        return tuple(range(ndim))
    if last and not contiguous:
        return (0, 2, 3, 1)
    perm = list(reversed(range(ndim)))  # (sorted back to front, reversed at the end, as torch)
    for i in range(1, ndim):
        later = i
        for earlier in reversed(range(i)):
            order = _stride_order(shape, strides, perm[earlier], perm[later])
            if order > 0:
                perm[earlier], perm[later] = perm[later], perm[earlier]
                later = earlier
            elif order < 0:
                break
    if ambiguity_check and any(_stride_order(shape, strides, perm[i], perm[i + 1]) != -1 for i in range(ndim - 1)):
        raise RuntimeError("The tensor does not have unique dim order.")
    return tuple(reversed(perm))


def _stride_order(shape: tuple, strides: tuple, a: int, b: int) -> int:
    """1 if dim ``a`` belongs after dim ``b`` in the back-to-front order, -1 if before, 0 if either will do."""
    def at_least(x: int, y: int) -> bool:
        return y == 0 or (x != 0 and (x >= y or x % y == 0))

    stride_a, stride_b = strides[a], strides[b]
    if stride_a == 0 or stride_b == 0:
        return 0
    if stride_a == stride_b:
        return 0 if at_least(shape[b], shape[a]) else 1
    if at_least(stride_b, stride_a):
        return -1
    return 1 if at_least(stride_a, stride_b) else 0

