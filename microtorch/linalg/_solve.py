"""Solves, inverses and determinants: ``inv``, ``solve``, ``det``, ``slogdet``, ``cholesky``, ``solve_triangular``,
``matrix_power``, ``matrix_exp``, ``multi_dot``, ``vecdot``, ``diagonal``, ``vander``, ``tensorinv``, ``tensorsolve``."""
from __future__ import annotations

import math
from typing import Any, Sequence

from .._creation import arange
from .._dtype import float64, int64
from .._promotion import _normalize_dim
from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops import decomposition as _dec
from . import _common


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    """A^-1 (LinAlgError for singular A). grad: -A^-T G A^-T"""
    _common.check_square("inv", A)
    return write_out(out, _dec.Inverse.apply(A), "linalg.inv")


def _info(A: Tensor) -> Tensor:
    """LAPACK's getrf info per matrix: 0, or the 1-based index of the first zero pivot (int32)."""
    return _dec.LuFactor.apply(A.detach())[2]


def inv_ex(A: Tensor, *, check_errors: bool = False, out: Any = None) -> Any:
    """(inverse, info): inv without raising for singular matrices (info > 0 says which failed). grad: inv's"""
    _common.check_square("inv_ex", A)
    info = _info(A)
    if check_errors and bool((info > 0).any()):
        raise _common.LinAlgError(f"linalg.inv_ex: The diagonal element {int(info[info > 0][0])} is zero, the "
                                  "inversion could not be completed because the input matrix is singular.")
    return write_out(out, _common.InvEx(_dec.Inverse.apply(A, check=False), info), "linalg.inv_ex")


def _is_vector_rhs(A: Tensor, B: Tensor) -> bool:
    """torch's rule: B is a (batch of) vector(s) if 1-D, or if its shape is A's without the last dim."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve(name: str, A: Tensor, B: Tensor, left: bool, check: bool) -> Tensor:
    _common.check_square(name, A)
    _common.check_tensor(name, B, "B")
    _common.check_same_dtype(name, A, B)
    vector = _is_vector_rhs(A, B)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        A = A.mT
    rhs = B.unsqueeze(-1) if vector else (B if left else B.mT)
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-1]:
        rows = rhs.shape[-2] if rhs.ndim >= 2 else rhs.shape[0]
        raise RuntimeError(f"linalg.{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and {rows}x"
                           f"{rhs.shape[-1] if rhs.ndim >= 2 else 1})")
    x = _dec.Solve.apply(A, rhs, check=check)
    return x.squeeze(-1) if vector else (x if left else x.mT)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B); B may be a (batch of) vector(s). grad: G_B = A^-T G, G_A = -G_B X^T"""
    return write_out(out, _solve("solve", A, B, left, True), "linalg.solve")


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out: Any = None) -> Any:
    """(result, info): solve without raising for singular A. grad: solve's"""
    result = _solve("solve_ex", A, B, left, check_errors)
    return write_out(out, _common.SolveEx(result, _info(A)), "linalg.solve_ex")


def det(A: Tensor, *, out: Any = None) -> Tensor:
    """The determinant. grad: g det(A) A^-T (the cofactor matrix)"""
    _common.check_square("det", A)
    return write_out(out, _dec.Det.apply(A), "linalg.det")


def slogdet(A: Tensor, *, out: Any = None) -> Any:
    """(sign, logabsdet) of the determinant. grad: g_logabsdet A^-T"""
    _common.check_square("slogdet", A)
    return write_out(out, _common.SlogDet(*_dec.SlogDet.apply(A)), "linalg.slogdet")


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """The Cholesky factor L of a symmetric positive-definite A (A = L L^T); ``upper=True``: L^T.
    grad: sym(L^-T Phi(L^T G) L^-1)"""
    _common.check_square("cholesky", A)
    low = _dec.Cholesky.apply(A)
    return write_out(out, low.mT if upper else low, "linalg.cholesky")


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out: Any = None) -> Any:
    """(L, info): cholesky without raising (info: the order of the first leading minor that is not positive-definite).
    grad: cholesky's"""
    _common.check_square("cholesky_ex", A)
    low, info = _dec.Cholesky.apply(A, ex=True)
    if check_errors and bool((info > 0).any()):
        raise _common.LinAlgError(f"linalg.cholesky_ex: The factorization could not be completed because the input "
                                  f"is not positive-definite (the leading minor of order {int(info[info > 0][0])} "
                                  "is not positive-definite).")
    return write_out(out, _common.CholeskyEx(low.mT if upper else low, info), "linalg.cholesky_ex")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False,
                     out: Any = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A; only A's triangle is read.
    grad: G_B = A^-T G, G_A = -G_B X^T on A's triangle"""
    _common.check_square("solve_triangular", A)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    _common.check_same_dtype("solve_triangular", A, B)
    if unitriangular:
        eye = _dec._eye(A, A.shape[-1])
        A = A.tril(-1) + eye if not upper else A.triu(1) + eye
    if not left:  # X A = B  <=>  A^T X^T = B^T
        if A.shape[-1] != B.shape[-1]:
            raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation XA = B "
                               f"({B.shape[-2]}x{B.shape[-1]} and {A.shape[-2]}x{A.shape[-1]})")
        return write_out(out, _dec.SolveTriangular.apply(A.mT, B.mT, upper=not upper).mT, "linalg.solve_triangular")
    if A.shape[-1] != B.shape[-2]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    return write_out(out, _dec.SolveTriangular.apply(A, B, upper=upper), "linalg.solve_triangular")


def _identity_batch(A: Tensor) -> Tensor:
    """The identity in A's shape, recorded as a function of A (zero gradient), as torch's matrix_power(A, 0)."""
    from ..autograd.ops.elementwise import Where

    eye = _dec._eye(A, A.shape[-1])
    return Where.apply(eye == eye, eye, A)


def matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:
    """A^n by repeated squaring (n < 0: of A^-1; n = 0: the identity). grad: that of the products"""
    _common.check_matrix("matrix_power", A)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg_matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        return write_out(out, _identity_batch(A), "linalg.matrix_power")
    if n < 0:
        _common.check_float("inv", A)
        A, n = _dec.Inverse.apply(A), -n
    result = None
    power = A
    while n:
        if n & 1:
            result = power if result is None else result @ power
        n >>= 1
        if n:
            power = power @ power
    return write_out(out, result, "linalg.matrix_power")


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = sum A^k / k!, by scaling and squaring (a Taylor polynomial of degree 18 on A / 2^s with
    ||A / 2^s||_1 <= 1/2; narrower floats computed in float64). grad: that of the polynomial and the squarings"""
    _common.check_square("matrix_exp", A)
    if A.numel() == 0:
        return A.clone()
    if A.dtype.itemsize < 8:  # the squarings amplify rounding errors: compute in float64 (a recorded cast)
        return matrix_exp(A.to(float64)).to(A.dtype)
    norm = float(A.detach().abs().sum(-2).amax())
    squarings = max(0, math.ceil(math.log2(norm / 0.5))) if math.isfinite(norm) and norm > 0.5 else 0
    x = A / 2.0 ** squarings
    eye = _dec._eye(A, A.shape[-1])
    result = eye + x / 18.0
    for k in range(17, 0, -1):  # Horner: I + x/1 (I + x/2 (I + ...))
        result = eye + (x @ result) / float(k)
    for _ in range(squarings):
        result = result @ result
    return result


def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """The chained product of the matrices (the first and last may be vectors). grad: that of the products"""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        _common.check_tensor("multi_dot", t, f"tensors[{i}]")
        if t.ndim != 2 and not (t.ndim == 1 and i in (0, len(tensors) - 1)):
            where = "first" if i == 0 else "last" if i == len(tensors) - 1 else None
            if where:
                raise RuntimeError(f"multi_dot(): the {where} tensor must be 1D or 2D but got {t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{tensors[0].dtype.name.replace('float32', 'float').replace('float64', 'double')} "
                               f"and tensor {i} {t.dtype.name.replace('float32', 'float').replace('float64', 'double')}")
    first_vector, last_vector = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = [tensors[0].unsqueeze(0) if first_vector else tensors[0], *tensors[1:-1],
            tensors[-1].unsqueeze(-1) if last_vector else tensors[-1]]
    result = mats[0]
    for i, m in enumerate(mats[1:], 1):
        if result.shape[-1] != m.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {list(tensors[i - 1].shape)} and "
                               f"{list(tensors[i].shape)} cannot be multiplied")
        result = result @ m
    if first_vector:
        result = result.squeeze(0)
    if last_vector:
        result = result.squeeze(-1)
    return write_out(out, result, "linalg.multi_dot")


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """sum(x * y) along ``dim`` (broadcasting). grad: g y and g x"""
    _common.check_tensor("vecdot", x, "x")
    _common.check_tensor("vecdot", y, "y")
    _common.check_same_dtype("vecdot", x, y, "xy")
    return write_out(out, (x * y).sum(dim), "linalg.vecdot")


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The ``offset``-th diagonals of the matrices in dims ``dim1``, ``dim2``, as the last dim. grad: g on the diagonal"""
    _common.check_tensor("diagonal", A)
    d1, d2 = _normalize_dim(dim1, A.ndim), _normalize_dim(dim2, A.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = A.movedim((d1, d2), (-2, -1))
    rows, cols = x.shape[-2:]
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = arange(length, device=A.device)
    return x[..., i - min(offset, 0), i + max(offset, 0)]


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix [1, x, x^2, ..., x^(N-1)] along a new last dim. grad: that of the cumulative product"""
    from ..autograd.ops.shape import cat

    _common.check_tensor("vander", x, "x")
    if x.dtype.name == "bool":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    if x.ndim == 0:
        x = x.unsqueeze(0)
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    x = x.to(int64) if x.dtype.name == "bool" or x.dtype.name.startswith(("int", "uint")) else x
    powers = x.unsqueeze(-1).expand(tuple(x.shape) + (n - 1,)).cumprod(-1)
    return cat([x.new_ones(tuple(x.shape) + (1,)), powers], -1)


def tensorinv(A: Tensor, ind: int = 2, *, out: Any = None) -> Tensor:
    """The inverse of A as a map from its first ``ind`` dims to the rest: shape A.shape[ind:] + A.shape[:ind].
    grad: inv's, reshaped"""
    _common.check_tensor("tensorinv", A)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    result = inv(A.reshape(rows, cols)).reshape(tuple(A.shape[ind:]) + tuple(A.shape[:ind]))
    return write_out(out, result, "linalg.tensorinv")


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None, *, out: Any = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B (``dims``: A's dims moved to the end first). grad: solve's, reshaped"""
    _common.check_tensor("tensorsolve", A)
    _common.check_tensor("tensorsolve", B, "B")
    if dims is not None:
        dims = [d + A.ndim if d < 0 else d for d in dims]
        A = A.movedim(tuple(dims), tuple(range(A.ndim - len(dims), A.ndim)))
    rest = tuple(A.shape[B.ndim:])
    rows, cols = B.numel(), math.prod(rest)
    if math.prod(A.shape) != rows * cols or rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {math.prod(A.shape[:B.ndim])}")
    result = solve(A.reshape(rows, cols), B.reshape(rows)).reshape(rest)
    return write_out(out, result, "linalg.tensorsolve")
