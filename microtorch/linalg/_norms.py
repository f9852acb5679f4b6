"""``linalg.vector_norm``, ``matrix_norm``, ``norm``, ``cond`` and ``matrix_rank`` (torch's ``_refs`` logic)."""
from __future__ import annotations

import math
from typing import Any

from .._absent import ABSENT, given
from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops.linalg_norm import PNorm
from ..autograd.ops.reduce import Norm2, normalize_dims
from . import _common


def _check_dtype_arg(name: str, dtype: Any, x: Tensor) -> Tensor:
    """x cast to ``dtype`` (a floating type no narrower than x's), as torch's ``dtype=`` of the norms."""
    if dtype is None:
        return x
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name}: dtype should be floating point or complex. Got {dtype}")
    if dtype.itemsize < x.dtype.itemsize:
        raise RuntimeError(f"{name}: the dtype of the input ({x.dtype}) should be convertible without narrowing to "
                           f"the specified dtype ({dtype})")
    return x.to(dtype)


def _dims(dim: Any, ndim: int) -> tuple | None:
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return normalize_dims(dim, ndim)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
                out: Any = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over ``dim`` (every element by default); ord 0, inf, -inf as torch.
    grad: g x |x|^(ord-2) / norm^(ord-1) (0 where the norm is 0)"""
    _common.check_tensor("vector_norm", x, "x")
    _common.check_float("vector_norm", x)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if isinstance(ord, int) and not -0x8000000000000000 <= ord < 0x10000000000000000:
        raise OverflowError("int too big to convert")
    x = _check_dtype_arg("linalg.vector_norm", dtype, x)
    dims = _dims(dim, x.ndim)
    if (ord < 0 or ord == math.inf) and x.numel() == 0:
        empty = dims is None or any(x.shape[d] == 0 for d in dims)
        if empty:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {float(ord)} norm on an empty tensor because "
                               "the operation does not have an identity")
    return write_out(out, _vector_norm(x, float(ord), dims, keepdim), "linalg.vector_norm")


def _vector_norm(x: Tensor, ord: float, dims: tuple | None, keepdim: bool) -> Tensor:
    if ord == 2:
        return Norm2.apply(x, dim=dims, keepdim=keepdim)
    if ord == 1:
        return x.abs().sum(dims, keepdim=keepdim)
    if ord == math.inf:
        return x.abs().amax(dims if dims is not None else (), keepdim=keepdim)
    if ord == -math.inf:
        return x.abs().amin(dims if dims is not None else (), keepdim=keepdim)
    return PNorm.apply(x, p=ord, dim=dims, keepdim=keepdim)


def _matrix_dims(A: Tensor, dim: Any) -> tuple:
    if isinstance(dim, int):
        dim = (dim,)
    dims = tuple(d + A.ndim if d < 0 else d for d in dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")  # (torch's spelling)
    if any(not -A.ndim <= d < A.ndim for d in dim):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-A.ndim}, {A.ndim - 1}], but got "
                         f"{[d for d in dim if not -A.ndim <= d < A.ndim][0]})")
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, {dims[1]})")
    return dims


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None,
                out: Any = None) -> Tensor:
    """The matrix norm over the two ``dim``: 'fro', 'nuc' (sum of singular values), 2/-2 (largest/smallest
    singular value), 1/-1 (max/min column sum of |A|), inf/-inf (max/min row sum).
    grad: that of the composition (svdvals' for nuc and 2: U V^T-shaped)"""
    _common.check_matrix("matrix_norm", A)
    dims = _matrix_dims(A, dim)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    _common.check_float("matrix_norm", A)
    A = _check_dtype_arg("linalg.matrix_norm", dtype, A)
    return write_out(out, _matrix_norm(A, ord, dims, keepdim), "linalg.matrix_norm")


def _matrix_norm(A: Tensor, ord: Any, dims: tuple, keepdim: bool) -> Tensor:
    if ord == "fro":
        return Norm2.apply(A, dim=tuple(sorted(dims)), keepdim=keepdim)
    if ord == "nuc" or abs(ord) == 2:
        from ._spectral import svdvals

        s = svdvals(A.movedim(dims, (-2, -1)))
        result = s.sum(-1) if ord == "nuc" else _max_min(s, -1, ord > 0, False)
        if keepdim:
            result = result.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), dims)
        return result
    dim0, dim1 = dims
    if abs(ord) == math.inf:
        dim0, dim1 = dim1, dim0
    if not keepdim and dim0 < dim1:
        dim1 -= 1
    return _max_min(A.abs().sum(dim0, keepdim=keepdim), dim1, ord > 0, keepdim)


def _max_min(x: Tensor, dim: int, largest: bool, keepdim: bool) -> Tensor:
    if x.shape[dim] == 0 and largest:  # torch: the max over nothing is 0 here
        shape = list(x.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return x.new_zeros(tuple(shape))
    return x.amax(dim, keepdim=keepdim) if largest else x.amin(dim, keepdim=keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, out: Any = None,
         dtype: Any = None) -> Tensor:
    """A vector norm (``dim`` of length 1, or 1-D input, or no ``ord``: the flattened 2-norm) or a matrix norm
    (``dim`` of length 2, or 2-D input with ``ord``). grad: that of vector_norm or matrix_norm"""
    _common.check_tensor("norm", A)
    if dim is not None:
        if isinstance(dim, int):
            dim = (dim,)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)):
        result = matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    else:
        result = vector_norm(A, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype)
    return write_out(out, result, "linalg.norm")


def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """The condition number: s_max / s_min for p None/2 (-2: s_min / s_max), else
    matrix_norm(A, p) * matrix_norm(A^-1, p) (inf for singular A). grad: that of the composition"""
    from ._solve import inv_ex
    from ._spectral import svdvals

    _common.check_matrix("cond", A)
    _common.check_float("cond", A)
    if p is None or p in (2, -2):
        if A.numel() == 0:  # (torch: 0 for an empty matrix)
            return write_out(out, A.new_zeros(A.shape[:-2]), "linalg.cond")
        s = svdvals(A)
        result = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
        return write_out(out, result, "linalg.cond")
    if isinstance(p, str) and p not in ("fro", "nuc") or not isinstance(p, str) and p not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _common.check_square("cond", A)
    inverse, info = inv_ex(A)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    result = result.masked_fill(info > 0, math.inf)
    return write_out(out, result, "linalg.cond")


def matrix_rank(A: Tensor, tol: Any = ABSENT, hermitian: bool = False, *, atol: Any = None, rtol: Any = None,
                out: Any = None) -> Tensor:
    """The number of singular values (|eigenvalues| if ``hermitian``) above max(atol, rtol * s_max)
    (rtol defaults to eps * max(m, n) when neither is given). grad: none (an integer)"""
    from ._spectral import eigvalsh, svdvals

    _common.check_matrix("matrix_rank", A)
    _common.check_float("matrix_rank", A)
    tol = given(tol, "linalg_matrix_rank", "tol", "Tensor or float", 2)
    if tol is not None:
        atol, rtol = tol, 0.0
    s = eigvalsh(A).abs() if hermitian else svdvals(A)
    atol_t, rtol_t = _tolerances(A, atol, rtol)
    top = s.amax(-1, keepdim=True) if s.shape[-1] else s.new_zeros(s.shape[:-1] + (1,))
    threshold = (rtol_t * top).maximum(atol_t)
    return write_out(out, (s.detach() > threshold.detach()).sum(-1), "linalg.matrix_rank")


def _tolerances(A: Tensor, atol: Any, rtol: Any) -> tuple:
    """(atol, rtol) as torch's defaults: rtol = eps * max(m, n) unless atol > 0 is given alone; as (..., 1) tensors."""
    from .._type_info import finfo

    def as_column(v: Any) -> Tensor:
        t = v if isinstance(v, Tensor) else A.new_tensor(float(v))
        return t.to(A.dtype).unsqueeze(-1) if t.ndim else t.to(A.dtype).reshape(1)

    if rtol is None:
        default = finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1])
        given_atol = atol is not None and (bool((atol > 0).any()) if isinstance(atol, Tensor) else atol > 0)
        rtol = 0.0 if given_atol else default
    return as_column(0.0 if atol is None else atol), as_column(rtol)
