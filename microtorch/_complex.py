"""The ``torch.*`` functions of complex tensors: ``complex``, ``polar``, ``view_as_real``, ``view_as_complex``,
``imag``, ``is_complex``, and ``can_cast`` (the ops are in ``autograd/ops/complex.py``)."""
from __future__ import annotations

from typing import Any

from . import _dtype
from ._promotion import _expect
from . import _signatures
from ._signatures import write_out
from ._tensor import Tensor
from .autograd.ops import complex as _ops


def complex(real: Tensor, imag: Tensor, *, out: Any = None) -> Tensor:  # noqa: A001 - torch's name
    """real + i imag, from two float or two double tensors (broadcast); grad: real(g) to real, imag(g) to imag."""
    return _exact_out(out, _ops.complex_from_parts(real, imag), "complex")


def polar(abs: Tensor, angle: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002 - torch's names
    """abs (cos(angle) + i sin(angle)); grad: through abs cos(angle) and abs sin(angle)."""
    return _exact_out(out, _ops.polar(abs, angle), "polar")


def _exact_out(out: Any, result: Tensor, name: str) -> Tensor:
    """``out=`` of exactly the result's dtype (torch casts none into it)."""
    if isinstance(out, Tensor) and out.dtype is not result.dtype:
        names = _signatures._SCALAR_TYPE_NAMES
        raise RuntimeError(f"Expected object of scalar type {names[result.dtype.name]} but got scalar type "
                           f"{names.get(out.dtype.name, out.dtype.name)} for argument 'out'")
    return write_out(out, result, name)


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """A complex tensor's parts as a last dim of 2, sharing memory; grad: g viewed as complex."""
    return _ops.view_as_real(input)


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """A float or double tensor with a last dim of 2 (stride 1) as a complex tensor, sharing memory;
    grad: g viewed as real."""
    return _ops.view_as_complex(input)


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor, a view; grad: 0 + g i."""
    _expect(input, Tensor, "imag", "input")
    return input.imag


def is_complex(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is a complex type."""
    _expect(input, Tensor, "is_complex", "input")
    return input.is_complex()


def can_cast(from_: _dtype.dtype, to: _dtype.dtype) -> bool:
    """Whether torch's casting rules allow ``from_`` to ``to`` (no complex to real, no floating to integer,
    nothing but bool to bool)."""
    return _dtype.can_cast(from_, to)
