"""``Tensor.apply_``, ``map_`` and ``map2_``: torch's in-place maps of a Python callable over the elements of a cpu
tensor (slow, one call per element, as torch's: for tests and small tensors).

Each element reaches the callable as a Python number of the tensor's kind (float, int, bool, complex); what it
returns is converted as torch converts it (a float written to an integer tensor is truncated, a value of the
wrong kind raises TypeError). Tensors that require grad are refused: the map is not differentiable.
"""
from __future__ import annotations

import numbers
import operator
from typing import Any, Callable

from . import _tensor
from .autograd import grad_mode

Tensor = _tensor.Tensor


def _converter(t: Tensor) -> Callable[[Any], Any]:
    """How a callable's result becomes an element of ``t``'s dtype (torch's unpacking of a Python number)."""
    if t.dtype.name == "bool":
        return bool
    if t.is_complex():
        return complex
    if t.is_floating_point():
        def to_float(value: Any) -> float:
            if not isinstance(value, numbers.Real):
                raise TypeError(f"must be real number, not {type(value).__name__}")
            return float(value)
        return to_float
    return lambda value: int(value) if isinstance(value, float) else operator.index(value)


def _map(self: Tensor, name: str, others: tuple, names: tuple, fn: Callable[..., Any]) -> Tensor:
    """Write ``fn(self[i], other[i], ...)`` into each element of ``self`` (the others broadcast to its shape)."""
    for t in (self, *others):
        if t._requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")
    if self.device.type != "cpu":
        raise RuntimeError(f"{name} is only implemented on CPU tensors")
    for other, arg in zip(others, names):
        if other.dtype is not self.dtype:
            where = f"'{arg}'" if name == "map_" else f"argument '{arg}'"
            raise TypeError(f"{name}: expected {self.type()} for {where} (got {other.type()})")
    convert = _converter(self)
    columns = [self.reshape(-1).tolist()] + [o.expand(self.shape).reshape(-1).tolist() for o in others]
    values = [convert(fn(*items)) for items in zip(*columns)]
    from ._creation import tensor

    with grad_mode.no_grad():
        self.copy_(tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


def apply_(self: Tensor, callable: Callable[[Any], Any]) -> Tensor:
    """Replace each element x by ``callable(x)``, in place (cpu tensors only)."""
    return _map(self, "apply_", (), (), callable)


def map_(self: Tensor, other: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """Replace each element x by ``callable(x, y)``, y the element of ``other`` (broadcast to self) at its place
    (torch's keyword is ``other``, though its documentation says ``tensor``)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"map_(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return _map(self, "map_", (other,), ("other",), callable)


def map2_(self: Tensor, x: Tensor, y: Tensor, callable: Callable[[Any, Any, Any], Any]) -> Tensor:
    """Replace each element s by ``callable(s, a, b)``, a and b the elements of ``x`` and ``y`` (broadcast)."""
    for value, arg, position in ((x, "x", 1), (y, "y", 2)):
        if not isinstance(value, Tensor):
            raise TypeError(f"map2_(): argument '{arg}' (position {position}) must be Tensor, not {type(value).__name__}")
    return _map(self, "map2_", (x, y), ("x", "y"), callable)


for _method in (apply_, map_, map2_):
    setattr(Tensor, _method.__name__, _method)
