"""The ``torch.*`` function namespace: ``microtorch.exp(x)``, ``microtorch.cat([a, b])``, ...

Most are the Tensor methods under the same name; the rest take several tensors.
"""
from __future__ import annotations

import builtins
import functools
from typing import TYPE_CHECKING, Any, Sequence

from ._signatures import function_from_method, write_out
from ._tensor import Size, Tensor
from ._promotion import _binary, _expect
from ._absent import ABSENT
from .autograd.ops import elementwise as _ew
from .autograd.ops import inplace as _inplace
from .autograd.ops import linalg as _linalg
from .autograd.ops import shape as _shape
from .autograd.ops import differences as _differences
from .autograd.ops import distance as _distance
from .autograd.ops import matrix as _matrix
from .autograd.ops import reduce as _reduce
from .autograd.ops import statistics as _stats

_METHODS = (
    "abs absolute neg negative exp log log2 log10 log1p expm1 sqrt rsqrt square reciprocal sin cos tan tanh sigmoid "
    "relu sign sgn floor ceil round trunc frac clamp clip clamp_min clamp_max isnan isinf isfinite isclose allclose "
    "equal logical_not logical_and logical_or logical_xor sum mean var std prod amax amin argmax argmin logsumexp "
    "norm cumsum any all count_nonzero softmax log_softmax reshape flatten unflatten squeeze unsqueeze permute "
    "transpose swapaxes swapdims movedim t expand_as broadcast_to flip chunk unbind narrow gather "
    "index_select masked_fill add sub subtract mul multiply div divide true_divide pow remainder floor_divide "
    "matmul mm bmm dot eq ne lt le gt ge greater greater_equal less less_equal not_equal moveaxis is_nonzero "
    "is_same_size is_signed is_conj is_neg lerp sum_to_size asin acos atan atan2 arcsin arccos arctan arctan2 sinh cosh "
    "asinh acosh atanh arcsinh arccosh arctanh erf exp2 hypot logaddexp xlogy logit fmod deg2rad rad2deg positive "
    "addcmul addcdiv sort argsort topk scatter scatter_add take_along_dim nonzero tril triu diag trace "
    "outer ger addmm cumprod roll tile repeat_interleave nan_to_num "
    "ravel diagonal diag_embed diagflat select diagonal_scatter select_scatter slice_scatter as_strided "
    "as_strided_scatter tensor_split hsplit vsplit dsplit split_with_sizes unsafe_split unsafe_chunk rot90 fliplr flipud "
    "msort adjoint "
    "index_add index_copy index_fill index_put index_reduce scatter_reduce take put masked_scatter argwhere "
    "nonzero_static unique unique_consecutive bincount histc histogram "
    "median nanmedian mode quantile nanquantile aminmax cummax cummin logcumsumexp nansum nanmean cov "
    "corrcoef diff renorm dist mv addmv baddbmm addbmm addr vdot kron inner cross"
    " det logdet slogdet inverse cholesky cholesky_solve cholesky_inverse triangular_solve matrix_exp matrix_power"
    " svd qr pinverse lu lu_solve fix get_device"
).split()

#: torch takes a number as the first operand of these when the second is a tensor: 2 - x is x.__rsub__(2)
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "subtract": "__rsub__", "mul": "__rmul__",
              "multiply": "__rmul__", "div": "__rtruediv__", "divide": "__rtruediv__", "true_divide": "__rtruediv__",
              "pow": "__rpow__", "remainder": "__rmod__", "floor_divide": "__rfloordiv__", "xlogy": "xlogy"}

#: torch's functions of these names have no ``out=``
_NO_OUT = set(
    "isnan isinf isfinite isclose allclose equal count_nonzero reshape flatten unflatten permute transpose swapaxes "
    "swapdims movedim moveaxis is_nonzero is_same_size is_signed is_conj is_neg t expand_as broadcast_to flip chunk unbind narrow masked_fill sum_to_size "
    "trace roll tile repeat_interleave relu squeeze unsqueeze positive "
    "ravel diagonal diag_embed diagflat select diagonal_scatter select_scatter as_strided as_strided_scatter "
    "tensor_split hsplit vsplit dsplit split_with_sizes unsafe_split unsafe_chunk rot90 fliplr flipud adjoint "
    "index_fill index_put put masked_scatter argwhere unique unique_consecutive bincount cov corrcoef dist"
    " det logdet matrix_exp pinverse get_device".split()
)

for _name in _METHODS:
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name, out=_name not in _NO_OUT,
                                            reflected=_REFLECTED.get(_name))


def _dims_tuple(dims: Any, fn: str) -> tuple:
    """The function form's ``dims``: a tuple or list of ints (the method also takes them unpacked)."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    return tuple(dims)


def flip(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Reverse the order along ``dims``. grad: g flipped back."""
    _expect(input, Tensor, "flip", "input")
    return input.flip(_dims_tuple(dims, "flip"))


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Repeat the tensor along each dimension (``dims`` padded with leading 1s). grad: the sum of g's tiles."""
    _expect(input, Tensor, "tile", "input")
    return input.tile(_dims_tuple(dims, "tile"))


def max(input: Tensor, dim: Any = ABSENT, keepdim: bool = False, *, other: Any = None, out: Any = None) -> Any:  # noqa: A001
    """``max(x)``, ``max(x, dim)`` -> (values, indices), or ``max(a, b)`` (elementwise)."""
    _expect(input, Tensor, "max", "input")
    if other is not None:
        return write_out(out, _binary(_ew.Maximum, input, other), "max")
    return write_out(out, input.max(dim, keepdim), "max")


def min(input: Tensor, dim: Any = ABSENT, keepdim: bool = False, *, other: Any = None, out: Any = None) -> Any:  # noqa: A001
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


def where(condition: Tensor, input: Any = ABSENT, other: Any = ABSENT, *, out: Any = None) -> Any:
    """``where(cond, x, y)`` elementwise choice; ``where(cond)`` the indices where cond holds.

    grad: g where cond holds (x), g elsewhere (y)."""
    if input is ABSENT and other is ABSENT:
        return nonzero(condition, as_tuple=True)
    if input is ABSENT or other is ABSENT or input is None or other is None:
        raise TypeError("where() received an invalid combination of arguments: expected (Tensor condition) or "
                        "(Tensor condition, Tensor input, Tensor other), with input and other tensors or numbers")
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
    """Einstein summation over the operands' subscripts (``'ij,jk->ik'``, ``...`` broadcasting). grad: the einsum of g with the other operands."""
    return _linalg.einsum(equation, *operands)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """The tensors expanded to their common broadcast shape (views). grad: each g summed back to its shape."""
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
    for s in shapes:
        if isinstance(s, Tensor):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {s}")
    # (torch reads a None as the empty shape)
    shapes = tuple(() if s is None else (s,) if isinstance(s, int) else tuple(s) for s in shapes)
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


#: issue 21's pointwise functions, generated from their Tensor methods (those with out=, then those without)
_POINTWISE_EXTRA = (
    "erfc i0 sinc mvlgamma igamma igammac xlog1py copysign signbit fmax fmin heaviside float_power logaddexp2 "
    "isposinf isneginf frexp ldexp nextafter gcd lcm bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift "
    "bitwise_right_shift angle conj_physical"
).split()
_POINTWISE_EXTRA_NO_OUT = ("isreal", "conj", "resolve_conj", "resolve_neg")
for _name in _POINTWISE_EXTRA:
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name)
for _name in _POINTWISE_EXTRA_NO_OUT:
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name, out=False)


def real(input: Tensor) -> Tensor:
    """The real part, a view (a real tensor itself); grad: g + 0i."""
    _expect(input, Tensor, "real", "input")
    return input.real


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    _expect(input, Tensor, "rsub", "input")
    return input.__rsub__(other) if alpha == 1 else (input * alpha).__rsub__(other)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy in new memory, still in the graph."""
    _expect(input, Tensor, "clone", "input")
    return input.clone(memory_format=memory_format)


def detach(input: Tensor) -> Tensor:
    """A tensor sharing ``input``'s data, cut from the graph (no gradient flows through it)."""
    _expect(input, Tensor, "detach", "input")
    return input.detach()


# ---- statistics and the matmul family (issue 21): the ones that are not Tensor methods -------------------
def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(var, mean) over ``dim``. grad: var's and mean's"""
    return _stats.var_mean(input, dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(std, mean) over ``dim``. grad: std's and mean's"""
    return _stats.var_mean(input, dim, unbiased, keepdim, correction, _reduce.Std)


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1) -> tuple:
    """Estimates of the derivative along each of ``dim`` by finite differences (a tuple, one per dim)."""
    return _differences.gradient(input, spacing, dim, edge_order)


def trapezoid(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: int = -1) -> Tensor:
    """The trapezoid-rule integral of y along ``dim`` (at samples ``x``, or spaced ``dx``)."""
    return _differences.trapezoid(y, x, dx, dim)


def trapz(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: int = -1) -> Tensor:
    """``trapezoid``'s older name."""
    return _differences.trapezoid(y, x, dx, dim, "trapz")


def cumulative_trapezoid(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral of y along ``dim``."""
    return _differences.cumulative_trapezoid(y, x, dx, dim)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distances between the rows of x1 and of x2."""
    return _distance.cdist(x1, x2, p, compute_mode)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances between every pair of rows of a 2-D input (the upper triangle, row by row)."""
    return _distance.pdist(input, p)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Contract the last ``dims`` dims of a with the first of b (or the listed pairs of dims)."""
    return write_out(out, _matrix.tensordot(a, b, dims), "tensordot")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out: Any = None) -> tuple:
    """The k-th smallest element along ``dim`` and its index. grad: to that index"""
    return write_out(out, _stats.kthvalue(input, k, dim, keepdim), "kthvalue", (input,))


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """The product of 2-D matrices, left to right."""
    return write_out(out, _matrix.chain_matmul(*matrices), "chain_matmul")
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


def orgqr(input: Tensor, input2: Tensor, *, out: Any = None) -> Tensor:  # noqa: A002
    """Q from geqrf's (input, tau=input2): ``linalg.householder_product``. grad: that of the product"""
    from .linalg import _householder

    return _householder.householder_product(input, input2, out=out)


def unravel_index(indices: Tensor, shape: Any) -> tuple:
    """The coordinates in ``shape`` (row-major) of flat ``indices``, one tensor per dim; as torch's, by floor
    division and remainder, so an index outside the shape wraps around."""
    _expect(indices, Tensor, "unravel_index", "indices")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    if builtins.any(d < 0 for d in dims):
        raise ValueError(f"'shape' cannot have negative values, but got {dims}")
    coords, rest = [], indices
    for d in reversed(dims):
        coords.append(rest.remainder(d))
        rest = rest.div(d, rounding_mode="floor")
    return tuple(reversed(coords))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D ``x``: columns x^(N-1), ..., x^0 (``increasing``: x^0 first); bool and
    integer inputs give int64, as torch's."""
    _expect(x, Tensor, "vander", "x")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    base = x.long() if x._data.dtype.kind in "biu" else x
    if n == 0:
        return base.new_empty((x.shape[0], 0))
    columns = cat([base.new_ones((x.shape[0], 1)), base.unsqueeze(1).expand(x.shape[0], n - 1)], 1).cumprod(1)
    return columns if increasing else columns.flip(1)


__all__ = list(_METHODS) + [
    "split", "max", "min", "maximum", "minimum", "where", "masked_select", "meshgrid", "cat", "concat", "concatenate", "stack", "einsum",
    "broadcast_tensors", "broadcast_shapes", "clone", "detach",
    "lgamma", "digamma", "polygamma", "erfinv",
    *_POINTWISE_EXTRA, *_POINTWISE_EXTRA_NO_OUT, "real", "rsub",
    "var_mean", "std_mean", "kthvalue", "gradient", "trapezoid", "trapz", "cumulative_trapezoid", "cdist", "pdist", "tensordot",
    "chain_matmul",
    "lu_unpack", "geqrf", "ormqr", "orgqr", "unravel_index", "vander",
]


def fill(input: Tensor, value: Any) -> Tensor:
    """A tensor of ``input``'s shape and dtype full of ``value`` (a number or 0-d tensor); grad: 0 to input, sum to value."""
    _expect(input, Tensor, "fill", "input")
    return _inplace.fill(input, value)


def constant_pad_nd(input: Tensor, pad: Sequence[int], value: Any = 0) -> Tensor:
    """``nn.functional.pad(input, pad, value=value)``: pads (or, negative, crops) the last dims, last dim first."""
    from .nn.functional import pad as _pad

    if not isinstance(pad, (tuple, list)) or not builtins.all(isinstance(p, builtins.int) for p in pad):
        raise TypeError(f"constant_pad_nd(): argument 'pad' must be tuple of ints, not {type(pad).__name__}")
    return _pad(input, pad, "constant", value)


from ._joining import (  # noqa: E402  (they build on the functions above)
    atleast_1d, atleast_2d, atleast_3d, block_diag, cartesian_prod, column_stack, combinations, dstack, hstack, row_stack,
    vstack,
)
from ._view_copies import FUNCTIONS as _COPIES  # noqa: E402

globals().update(_COPIES)
__all__ += [
    "fill", "constant_pad_nd", "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "cartesian_prod", "column_stack",
    "combinations", "dstack", "hstack", "row_stack", "vstack", *_COPIES,
]

from . import _inplace_methods  # noqa: E402,F401  (attaches the in-place method forms: x.sin_(), x.squeeze_(), ...)
from . import _python_callbacks  # noqa: E402,F401  (attaches apply_, map_, map2_)

#: torch's top-level in-place forms: ``torch.sin_(x)`` is ``x.sin_()``
_INPLACE_FUNCTIONS = (
    "zero_ fill_ abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ as_strided_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ "
    "exp2_ exp_ expm1_ fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ "
    "nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ "
    "sqrt_ square_ tan_ tanh_ trunc_ xlogy_"
).split()
for _name in _INPLACE_FUNCTIONS:
    globals()[_name] = function_from_method(getattr(Tensor, _name), _name, out=False)
__all__ += _INPLACE_FUNCTIONS


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
    greater = Tensor.greater
    greater_equal = Tensor.greater_equal
    less = Tensor.less
    less_equal = Tensor.less_equal
    not_equal = Tensor.not_equal
    moveaxis = Tensor.moveaxis
    is_nonzero = Tensor.is_nonzero
    is_same_size = Tensor.is_same_size
    is_signed = Tensor.is_signed
    is_conj = Tensor.is_conj
    is_neg = Tensor.is_neg
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
    take_along_dim = Tensor.take_along_dim
    nonzero = Tensor.nonzero
    tril = Tensor.tril
    triu = Tensor.triu
    diag = Tensor.diag
    trace = Tensor.trace
    outer = Tensor.outer
    ger = Tensor.ger
    addmm = Tensor.addmm
    cumprod = Tensor.cumprod
    roll = Tensor.roll
    repeat_interleave = Tensor.repeat_interleave
    nan_to_num = Tensor.nan_to_num
    ravel = Tensor.ravel
    diagonal = Tensor.diagonal
    diag_embed = Tensor.diag_embed
    diagflat = Tensor.diagflat
    select = Tensor.select
    diagonal_scatter = Tensor.diagonal_scatter
    select_scatter = Tensor.select_scatter
    slice_scatter = Tensor.slice_scatter
    as_strided = Tensor.as_strided
    as_strided_scatter = Tensor.as_strided_scatter
    tensor_split = Tensor.tensor_split
    hsplit = Tensor.hsplit
    vsplit = Tensor.vsplit
    dsplit = Tensor.dsplit
    split_with_sizes = Tensor.split_with_sizes
    unsafe_split = Tensor.unsafe_split
    unsafe_chunk = Tensor.unsafe_chunk
    rot90 = Tensor.rot90
    fliplr = Tensor.fliplr
    flipud = Tensor.flipud
    msort = Tensor.msort
    adjoint = Tensor.adjoint
    index_add = Tensor.index_add
    index_copy = Tensor.index_copy
    index_fill = Tensor.index_fill
    index_put = Tensor.index_put
    index_reduce = Tensor.index_reduce
    scatter_reduce = Tensor.scatter_reduce
    take = Tensor.take
    put = Tensor.put
    masked_scatter = Tensor.masked_scatter
    argwhere = Tensor.argwhere
    nonzero_static = Tensor.nonzero_static
    unique = Tensor.unique
    unique_consecutive = Tensor.unique_consecutive
    bincount = Tensor.bincount
    histc = Tensor.histc
    histogram = Tensor.histogram
    median = Tensor.median
    nanmedian = Tensor.nanmedian
    mode = Tensor.mode
    quantile = Tensor.quantile
    nanquantile = Tensor.nanquantile
    aminmax = Tensor.aminmax
    cummax = Tensor.cummax
    cummin = Tensor.cummin
    logcumsumexp = Tensor.logcumsumexp
    nansum = Tensor.nansum
    nanmean = Tensor.nanmean
    cov = Tensor.cov
    corrcoef = Tensor.corrcoef
    diff = Tensor.diff
    renorm = Tensor.renorm
    dist = Tensor.dist
    mv = Tensor.mv
    addmv = Tensor.addmv
    baddbmm = Tensor.baddbmm
    addbmm = Tensor.addbmm
    addr = Tensor.addr
    vdot = Tensor.vdot
    kron = Tensor.kron
    inner = Tensor.inner
    cross = Tensor.cross
    det = Tensor.det
    logdet = Tensor.logdet
    slogdet = Tensor.slogdet
    inverse = Tensor.inverse
    cholesky = Tensor.cholesky
    cholesky_solve = Tensor.cholesky_solve
    cholesky_inverse = Tensor.cholesky_inverse
    triangular_solve = Tensor.triangular_solve
    matrix_exp = Tensor.matrix_exp
    matrix_power = Tensor.matrix_power
    svd = Tensor.svd
    qr = Tensor.qr
    pinverse = Tensor.pinverse
    lu = Tensor.lu
    lu_solve = Tensor.lu_solve
    fix = Tensor.fix
    get_device = Tensor.get_device
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
        "dot", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
        "moveaxis", "is_nonzero", "is_same_size", "is_signed", "is_conj", "is_neg", "lerp", "sum_to_size", "asin",
        "acos", "atan", "atan2", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "asinh", "acosh", "atanh",
        "arcsinh", "arccosh", "arctanh", "erf", "exp2", "hypot", "logaddexp", "xlogy", "logit", "fmod", "deg2rad",
        "rad2deg", "positive", "addcmul", "addcdiv", "sort", "argsort", "topk", "scatter", "scatter_add",
        "take_along_dim", "nonzero", "tril", "triu", "diag", "trace", "outer", "ger", "addmm", "cumprod", "roll",
        "tile", "repeat_interleave", "nan_to_num", "ravel", "diagonal", "diag_embed", "diagflat", "select",
        "diagonal_scatter", "select_scatter", "slice_scatter", "as_strided", "as_strided_scatter", "tensor_split",
        "hsplit", "vsplit", "dsplit", "split_with_sizes", "unsafe_split", "unsafe_chunk", "rot90", "fliplr",
        "flipud", "msort", "adjoint", "index_add", "index_copy", "index_fill", "index_put", "index_reduce",
        "scatter_reduce", "take", "put", "masked_scatter", "argwhere", "nonzero_static", "unique",
        "unique_consecutive", "bincount", "histc", "histogram", "median", "nanmedian", "mode", "quantile",
        "nanquantile", "aminmax", "cummax", "cummin", "logcumsumexp", "nansum", "nanmean", "cov", "corrcoef",
        "diff", "renorm", "dist", "mv", "addmv", "baddbmm", "addbmm", "addr", "vdot", "kron", "inner", "cross",
        "det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse", "triangular_solve",
        "matrix_exp", "matrix_power", "svd", "qr", "pinverse", "lu", "lu_solve", "fix", "get_device", "split",
        "max", "min", "maximum", "minimum", "where", "masked_select", "meshgrid", "cat", "concat", "concatenate",
        "stack", "einsum", "broadcast_tensors", "broadcast_shapes", "clone", "detach", "lgamma", "digamma",
        "polygamma", "erfinv", "erfc", "i0", "sinc", "mvlgamma", "igamma", "igammac", "xlog1py", "copysign",
        "signbit", "fmax", "fmin", "heaviside", "float_power", "logaddexp2", "isposinf", "isneginf", "frexp",
        "ldexp", "nextafter", "gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
        "bitwise_left_shift", "bitwise_right_shift", "angle", "conj_physical", "isreal", "conj", "resolve_conj",
        "resolve_neg", "real", "rsub", "var_mean", "std_mean", "kthvalue", "gradient", "trapezoid", "trapz",
        "cumulative_trapezoid", "cdist", "pdist", "tensordot", "chain_matmul", "lu_unpack", "geqrf", "ormqr",
        "orgqr", "unravel_index", "vander", "fill", "constant_pad_nd", "atleast_1d", "atleast_2d", "atleast_3d",
        "block_diag", "cartesian_prod", "column_stack", "combinations", "dstack", "hstack", "row_stack", "vstack",
        "alias_copy", "as_strided_copy", "detach_copy", "diagonal_copy", "expand_copy", "narrow_copy",
        "permute_copy", "select_copy", "split_copy", "split_with_sizes_copy", "squeeze_copy", "t_copy",
        "transpose_copy", "unbind_copy", "unfold_copy", "unsqueeze_copy", "view_copy", "zero_", "fill_", "abs_",
        "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
        "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_",
        "conj_physical_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_",
        "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_",
        "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "resize_as_",
        "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_",
        "xlogy_",
    ]
# ---- end of the generated block ----
