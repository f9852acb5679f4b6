"""``autograd.Variable``: the pre-0.4 wrapper, now a tensor, as in torch.

``Variable(t, requires_grad=True)`` returns a leaf sharing ``t``'s memory; ``isinstance(x, Variable)``
is True for every tensor.
"""
from __future__ import annotations

from typing import Any


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        from .._tensor import Tensor

        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: ``data`` as a leaf tensor (same memory)."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        from .._creation import empty
        from .._tensor import Tensor

        if data is None:
            return empty(0, requires_grad=requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
