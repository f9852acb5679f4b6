"""The ``torch.*`` function namespace: ``microtorch.exp(x)``, ``microtorch.cat([a, b])``, ...

Most are the Tensor methods under the same name; the rest take several tensors.
"""
from __future__ import annotations

import builtins
import functools
from typing import Any, Sequence

from ._signatures import function_from_method, write_out
from ._tensor import Size, Tensor
from ._promotion import _binary, _expect
from .autograd.ops import elementwise as _ew
from .autograd.ops import linalg as _linalg
from .autograd.ops import shape as _shape

_METHODS = (
    "abs absolute neg negative exp log log2 log10 log1p expm1 sqrt rsqrt square reciprocal sin cos tan tanh sigmoid "
    "relu sign sgn floor ceil round trunc frac clamp clip clamp_min clamp_max isnan isinf isfinite isclose allclose "
    "equal logical_not logical_and logical_or logical_xor sum mean var std prod amax amin argmax argmin logsumexp "
    "norm cumsum any all count_nonzero softmax log_softmax reshape flatten unflatten squeeze unsqueeze permute "
    "transpose swapaxes swapdims movedim t expand_as broadcast_to flip chunk unbind narrow gather "
    "index_select masked_fill add sub subtract mul multiply div divide true_divide pow remainder floor_divide "
    "matmul mm bmm dot eq ne lt le gt ge lerp sum_to_size asin acos atan atan2 arcsin arccos arctan arctan2 sinh cosh "
    "asinh acosh atanh arcsinh arccosh arctanh erf exp2 hypot logaddexp xlogy logit fmod deg2rad rad2deg positive "
    "addcmul addcdiv sort argsort topk scatter scatter_add masked_select take_along_dim nonzero tril triu diag trace "
    "outer addmm cumprod roll tile repeat_interleave nan_to_num"
).split()

#: torch takes a number as the first operand of these when the second is a tensor: 2 - x is x.__rsub__(2)
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "subtract": "__rsub__", "mul": "__rmul__",
              "multiply": "__rmul__", "div": "__rtruediv__", "divide": "__rtruediv__", "true_divide": "__rtruediv__",
              "pow": "__rpow__", "remainder": "__rmod__", "floor_divide": "__rfloordiv__", "xlogy": "xlogy"}

#: torch's functions of these names have no ``out=``
_NO_OUT = set(
    "isnan isinf isfinite isclose allclose equal count_nonzero reshape flatten unflatten permute transpose swapaxes "
    "swapdims movedim t expand_as broadcast_to flip chunk unbind narrow masked_fill sum_to_size "
    "trace roll tile repeat_interleave relu squeeze unsqueeze positive".split()
)

for _name in _METHODS:
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name, out=_name not in _NO_OUT,
                                            reflected=_REFLECTED.get(_name))


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None, out: Any = None) -> Any:  # noqa: A001
    """``max(x)``, ``max(x, dim)`` -> (values, indices), or ``max(a, b)`` (elementwise)."""
    _expect(input, Tensor, "max", "input")
    if other is not None:
        return write_out(out, _binary(_ew.Maximum, input, other), "max")
    return write_out(out, input.max(dim, keepdim), "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None, out: Any = None) -> Any:  # noqa: A001
    """``min(x)``, ``min(x, dim)`` -> (values, indices), or ``min(a, b)`` (elementwise)."""
    _expect(input, Tensor, "min", "input")
    if other is not None:
        return write_out(out, _binary(_ew.Minimum, input, other), "min")
    return write_out(out, input.min(dim, keepdim), "min")


def maximum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The elementwise maximum (nan if either is nan)."""
    _expect(input, Tensor, "maximum", "input")
    _expect(other, Tensor, "maximum", "other", 2)
    return write_out(out, _binary(_ew.Maximum, input, other), "maximum")


def minimum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The elementwise minimum (nan if either is nan)."""
    _expect(input, Tensor, "minimum", "input")
    _expect(other, Tensor, "minimum", "other", 2)
    return write_out(out, _binary(_ew.Minimum, input, other), "minimum")


def where(condition: Tensor, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """``where(cond, x, y)`` elementwise choice; ``where(cond)`` the indices where cond holds."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    return write_out(out, _ew.where(condition, input, other), "where")


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size_or_sections`` along ``dim`` (or of the listed sizes)."""
    return _shape.split(tensor, split_size_or_sections, dim)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors (``indexing='ij'`` or ``'xy'``), as ``torch.meshgrid``."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return _shape.meshgrid(tensors, indexing)


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors along an existing dimension."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    return write_out(out, _shape.cat(tensors, dim), "cat", tuple(tensors) if isinstance(tensors, (list, tuple)) else ())


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors along a new dimension."""
    if isinstance(tensors, Tensor):
        raise TypeError("stack(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    return write_out(out, _shape.stack(tensors, dim), "stack")


def einsum(equation: str, *operands: Any) -> Tensor:
    return _linalg.einsum(equation, *operands)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    for i, t in enumerate(tensors):
        _expect(t, Tensor, "broadcast_tensors", "tensors", i + 1)
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def masked_select(input: Tensor, mask: Tensor, *, out: Any = None) -> Tensor:
    """The elements of ``input`` where ``mask`` holds, as a 1-d tensor (``out`` may alias neither, as torch's)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"masked_select(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return write_out(out, input.masked_select(mask), "masked_select", (input, mask))


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (an int is a 1-d shape), with torch's errors."""
    shapes = tuple((s,) if isinstance(s, int) else tuple(s) for s in shapes)
    for s in shapes:
        for n in s:
            if not isinstance(n, int) or isinstance(n, bool):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item 0 is '{type(n).__name__}')")
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
    ndim = builtins.max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for index, s in enumerate(shapes):
        for i, n in enumerate(s):
            k = ndim - len(s) + i
            if n != 1:
                if out[k] not in (1, n):
                    raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {k - ndim}! Mismatching "
                                       f"argument at index {index} had {s}; but expected shape should be broadcastable "
                                       f"to {out}")
                out[k] = n
    return Size(out)


for _name in ("lgamma", "digamma", "erfinv"):  # the special functions (autograd/ops/special.py)
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name)


def polygamma(n: int, input: Tensor, *, out: Any = None) -> Tensor:
    """The n-th derivative of digamma, elementwise."""
    _expect(n, builtins.int, "polygamma", "n", 1)
    _expect(input, Tensor, "polygamma", "input", 2)
    return write_out(out, input.polygamma(n), "polygamma")


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy in new memory, still in the graph."""
    _expect(input, Tensor, "clone", "input")
    return input.clone(memory_format=memory_format)


def detach(input: Tensor) -> Tensor:
    _expect(input, Tensor, "detach", "input")
    return input.detach()


__all__ = list(_METHODS) + [
    "split", "max", "min", "maximum", "minimum", "where", "meshgrid", "cat", "concat", "concatenate", "stack", "einsum",
    "broadcast_tensors", "broadcast_shapes", "clone", "detach",
    "lgamma", "digamma", "polygamma", "erfinv",
]
