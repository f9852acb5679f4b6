"""The ``torch.*`` function namespace: ``microtorch.exp(x)``, ``microtorch.cat([a, b])``, ...

Most are the Tensor methods under the same name; the rest take several tensors.
"""
from __future__ import annotations

import builtins
import functools
from typing import Any, Sequence

from ._signatures import function_from_method, write_out
from ._tensor import Tensor
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
    " det logdet slogdet inverse cholesky cholesky_solve cholesky_inverse triangular_solve matrix_exp matrix_power"
    " svd qr pinverse lu lu_solve"
).split()

#: torch takes a number as the first operand of these when the second is a tensor: 2 - x is x.__rsub__(2)
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "subtract": "__rsub__", "mul": "__rmul__",
              "multiply": "__rmul__", "div": "__rtruediv__", "divide": "__rtruediv__", "true_divide": "__rtruediv__",
              "pow": "__rpow__", "remainder": "__rmod__", "floor_divide": "__rfloordiv__"}

#: torch's functions of these names have no ``out=``
_NO_OUT = set(
    "isnan isinf isfinite isclose allclose equal count_nonzero reshape flatten unflatten permute transpose swapaxes "
    "swapdims movedim t expand_as broadcast_to flip chunk unbind narrow masked_fill sum_to_size "
    "trace roll tile repeat_interleave relu squeeze unsqueeze positive"
    " det logdet matrix_exp pinverse".split()
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
    return write_out(out, _binary(_ew.Maximum, input, other), "maximum")


def minimum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The elementwise minimum (nan if either is nan)."""
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
    return write_out(out, _shape.cat(tensors, dim), "cat")


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors along a new dimension."""
    return write_out(out, _shape.stack(tensors, dim), "stack")


def einsum(equation: str, *operands: Any) -> Tensor:
    return _linalg.einsum(equation, *operands)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    for i, t in enumerate(tensors):
        _expect(t, Tensor, "broadcast_tensors", "tensors", i + 1)
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple:
    ndim = builtins.max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s):
            k = ndim - len(s) + i
            if n != 1:
                if out[k] not in (1, n):
                    raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape ({list(s)})")
                out[k] = n
    return tuple(out)


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


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True, *,
              out: Any = None) -> Any:
    """(P, L, U) from ``lu``'s packed factors. grad: L = tril(LU, -1) + I, U = triu(LU)"""
    from .linalg import _legacy

    return _legacy.lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots, out=out)


def geqrf(input: Tensor, *, out: Any = None) -> Any:
    """(a, tau), LAPACK's packed QR (Householder vectors below the diagonal). grad: none, as torch's"""
    from .linalg import _householder

    return _householder.geqrf(input, out=out)


def ormqr(input: Tensor, input2: Tensor, input3: Tensor, left: bool = True, transpose: bool = False, *,
          out: Any = None) -> Tensor:
    """Q @ input3 with Q = H_1 ... H_k from geqrf's (input, input2). grad: that of the Householder products"""
    from .linalg import _householder

    return _householder.ormqr(input, input2, input3, left, transpose, out=out)


__all__ = list(_METHODS) + [
    "split", "max", "min", "maximum", "minimum", "where", "meshgrid", "cat", "concat", "concatenate", "stack", "einsum",
    "broadcast_tensors", "broadcast_shapes", "clone", "detach",
    "lgamma", "digamma", "polygamma", "erfinv",
    "lu_unpack", "geqrf", "ormqr",
]
