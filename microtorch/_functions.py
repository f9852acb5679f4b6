"""The ``torch.*`` function namespace: ``microtorch.exp(x)``, ``microtorch.cat([a, b])``, ...

Most are the Tensor methods under the same name; the rest take several tensors.
"""
from __future__ import annotations

import builtins
import functools
from typing import TYPE_CHECKING, Any, Sequence

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
).split()

#: torch takes a number as the first operand of these when the second is a tensor: 2 - x is x.__rsub__(2)
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "subtract": "__rsub__", "mul": "__rmul__",
              "multiply": "__rmul__", "div": "__rtruediv__", "divide": "__rtruediv__", "true_divide": "__rtruediv__",
              "pow": "__rpow__", "remainder": "__rmod__", "floor_divide": "__rfloordiv__"}

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
    return write_out(out, _binary(_ew.Maximum, input, other), "maximum")


def minimum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The elementwise minimum (nan if either is nan)."""
    return write_out(out, _binary(_ew.Minimum, input, other), "minimum")


def where(condition: Tensor, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """``where(cond, x, y)`` elementwise choice; ``where(cond)`` the indices where cond holds.

    grad: g where cond holds (x), g elsewhere (y)."""
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
    """Einstein summation over the operands' subscripts (``'ij,jk->ik'``, ``...`` broadcasting). grad: the einsum of g with the other operands."""
    return _linalg.einsum(equation, *operands)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """The tensors expanded to their common broadcast shape (views). grad: each g summed back to its shape."""
    for i, t in enumerate(tensors):
        _expect(t, Tensor, "broadcast_tensors", "tensors", i + 1)
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple:
    """The shape that ``shapes`` broadcast to (a ``Size``), or RuntimeError if they do not."""
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
    """A tensor sharing ``input``'s data, cut from the graph (no gradient flows through it)."""
    _expect(input, Tensor, "detach", "input")
    return input.detach()


__all__ = list(_METHODS) + [
    "split", "max", "min", "maximum", "minimum", "where", "meshgrid", "cat", "concat", "concatenate", "stack", "einsum",
    "broadcast_tensors", "broadcast_shapes", "clone", "detach",
    "lgamma", "digamma", "polygamma", "erfinv",
]


# ---- for type checkers (generated by `python -m tools.typing_exports`; do not edit) ----
if TYPE_CHECKING:
    # the loop over _METHODS is out of mypy's sight: each generated function has its method's type
    # (its first parameter is the method's ``self``; ``out=`` is not in the type)
    abs = Tensor.abs
    absolute = Tensor.absolute
    neg = Tensor.neg
    negative = Tensor.negative
    exp = Tensor.exp
    log = Tensor.log
    log2 = Tensor.log2
    log10 = Tensor.log10
    log1p = Tensor.log1p
    expm1 = Tensor.expm1
    sqrt = Tensor.sqrt
    rsqrt = Tensor.rsqrt
    square = Tensor.square
    reciprocal = Tensor.reciprocal
    sin = Tensor.sin
    cos = Tensor.cos
    tan = Tensor.tan
    tanh = Tensor.tanh
    sigmoid = Tensor.sigmoid
    relu = Tensor.relu
    sign = Tensor.sign
    sgn = Tensor.sgn
    floor = Tensor.floor
    ceil = Tensor.ceil
    round = Tensor.round
    trunc = Tensor.trunc
    frac = Tensor.frac
    clamp = Tensor.clamp
    clip = Tensor.clip
    clamp_min = Tensor.clamp_min
    clamp_max = Tensor.clamp_max
    isnan = Tensor.isnan
    isinf = Tensor.isinf
    isfinite = Tensor.isfinite
    isclose = Tensor.isclose
    allclose = Tensor.allclose
    equal = Tensor.equal
    logical_not = Tensor.logical_not
    logical_and = Tensor.logical_and
    logical_or = Tensor.logical_or
    logical_xor = Tensor.logical_xor
    sum = Tensor.sum
    mean = Tensor.mean
    var = Tensor.var
    std = Tensor.std
    prod = Tensor.prod
    amax = Tensor.amax
    amin = Tensor.amin
    argmax = Tensor.argmax
    argmin = Tensor.argmin
    logsumexp = Tensor.logsumexp
    norm = Tensor.norm
    cumsum = Tensor.cumsum
    any = Tensor.any
    all = Tensor.all
    count_nonzero = Tensor.count_nonzero
    softmax = Tensor.softmax
    log_softmax = Tensor.log_softmax
    reshape = Tensor.reshape
    flatten = Tensor.flatten
    unflatten = Tensor.unflatten
    squeeze = Tensor.squeeze
    unsqueeze = Tensor.unsqueeze
    permute = Tensor.permute
    transpose = Tensor.transpose
    swapaxes = Tensor.swapaxes
    swapdims = Tensor.swapdims
    movedim = Tensor.movedim
    t = Tensor.t
    expand_as = Tensor.expand_as
    broadcast_to = Tensor.broadcast_to
    flip = Tensor.flip
    chunk = Tensor.chunk
    unbind = Tensor.unbind
    narrow = Tensor.narrow
    gather = Tensor.gather
    index_select = Tensor.index_select
    masked_fill = Tensor.masked_fill
    add = Tensor.add
    sub = Tensor.sub
    subtract = Tensor.subtract
    mul = Tensor.mul
    multiply = Tensor.multiply
    div = Tensor.div
    divide = Tensor.divide
    true_divide = Tensor.true_divide
    pow = Tensor.pow
    remainder = Tensor.remainder
    floor_divide = Tensor.floor_divide
    matmul = Tensor.matmul
    mm = Tensor.mm
    bmm = Tensor.bmm
    dot = Tensor.dot
    eq = Tensor.eq
    ne = Tensor.ne
    lt = Tensor.lt
    le = Tensor.le
    gt = Tensor.gt
    ge = Tensor.ge
    lerp = Tensor.lerp
    sum_to_size = Tensor.sum_to_size
    asin = Tensor.asin
    acos = Tensor.acos
    atan = Tensor.atan
    atan2 = Tensor.atan2
    arcsin = Tensor.arcsin
    arccos = Tensor.arccos
    arctan = Tensor.arctan
    arctan2 = Tensor.arctan2
    sinh = Tensor.sinh
    cosh = Tensor.cosh
    asinh = Tensor.asinh
    acosh = Tensor.acosh
    atanh = Tensor.atanh
    arcsinh = Tensor.arcsinh
    arccosh = Tensor.arccosh
    arctanh = Tensor.arctanh
    erf = Tensor.erf
    exp2 = Tensor.exp2
    hypot = Tensor.hypot
    logaddexp = Tensor.logaddexp
    xlogy = Tensor.xlogy
    logit = Tensor.logit
    fmod = Tensor.fmod
    deg2rad = Tensor.deg2rad
    rad2deg = Tensor.rad2deg
    positive = Tensor.positive
    addcmul = Tensor.addcmul
    addcdiv = Tensor.addcdiv
    sort = Tensor.sort
    argsort = Tensor.argsort
    topk = Tensor.topk
    scatter = Tensor.scatter
    scatter_add = Tensor.scatter_add
    masked_select = Tensor.masked_select
    take_along_dim = Tensor.take_along_dim
    nonzero = Tensor.nonzero
    tril = Tensor.tril
    triu = Tensor.triu
    diag = Tensor.diag
    trace = Tensor.trace
    outer = Tensor.outer
    addmm = Tensor.addmm
    cumprod = Tensor.cumprod
    roll = Tensor.roll
    tile = Tensor.tile
    repeat_interleave = Tensor.repeat_interleave
    nan_to_num = Tensor.nan_to_num
    __all__ = [
        "abs", "absolute", "neg", "negative", "exp", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt",
        "square", "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sign", "sgn", "floor", "ceil",
        "round", "trunc", "frac", "clamp", "clip", "clamp_min", "clamp_max", "isnan", "isinf", "isfinite",
        "isclose", "allclose", "equal", "logical_not", "logical_and", "logical_or", "logical_xor", "sum", "mean",
        "var", "std", "prod", "amax", "amin", "argmax", "argmin", "logsumexp", "norm", "cumsum", "any", "all",
        "count_nonzero", "softmax", "log_softmax", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze",
        "permute", "transpose", "swapaxes", "swapdims", "movedim", "t", "expand_as", "broadcast_to", "flip",
        "chunk", "unbind", "narrow", "gather", "index_select", "masked_fill", "add", "sub", "subtract", "mul",
        "multiply", "div", "divide", "true_divide", "pow", "remainder", "floor_divide", "matmul", "mm", "bmm",
        "dot", "eq", "ne", "lt", "le", "gt", "ge", "lerp", "sum_to_size", "asin", "acos", "atan", "atan2", "arcsin",
        "arccos", "arctan", "arctan2", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh",
        "erf", "exp2", "hypot", "logaddexp", "xlogy", "logit", "fmod", "deg2rad", "rad2deg", "positive", "addcmul",
        "addcdiv", "sort", "argsort", "topk", "scatter", "scatter_add", "masked_select", "take_along_dim",
        "nonzero", "tril", "triu", "diag", "trace", "outer", "addmm", "cumprod", "roll", "tile",
        "repeat_interleave", "nan_to_num", "split", "max", "min", "maximum", "minimum", "where", "meshgrid", "cat",
        "concat", "concatenate", "stack", "einsum", "broadcast_tensors", "broadcast_shapes", "clone", "detach",
        "lgamma", "digamma", "polygamma", "erfinv",
    ]
# ---- end of the generated block ----
