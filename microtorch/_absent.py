"""``ABSENT``: the default of an argument that torch's overloads accept only when it is left out.

``x.max()`` reduces every element, but ``x.max(None)`` is a TypeError in torch (no overload takes a None dim);
a ``None`` default could not tell the two apart.
"""
from __future__ import annotations

from typing import Any


class _Absent:
    """The type of :data:`ABSENT` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


#: an argument the caller did not pass
ABSENT: Any = _Absent()


def given(value: Any, fn: str, arg: str, expected: str, position: int = 1) -> Any:
    """``value``, or None when it is :data:`ABSENT`; an explicit None raises torch's TypeError."""
    if value is None:
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be {expected}, not NoneType")
    return None if value is ABSENT else value
