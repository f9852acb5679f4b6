"""Matrix structure: ``tril``/``triu``, ``diag``, ``trace``; the matmul family (``mv``, ``addmv``, ``baddbmm``,
``addbmm``, ``addr``, ``vdot``, ``kron``, ``tensordot``, ``inner``, ``cross``, ``chain_matmul``).

All are compositions of differentiable ops (a ``Where`` with a constant mask, indexing with
``arange`` keys), so their gradients, to any order, come from those ops.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

from . import linalg as _linalg
from . import shape as _shape
from ..._device import on_device
from ..._dtype import bool as bool_, result_type
from ..._promotion import _normalize_dim
from ..._tensor import Tensor
from .elementwise import Where
from .index import GetItem, IndexAccumulate


def _triangle(x, diagonal: int, lower: bool, fn: str):
    """x where the element is on or below (``lower``) / above the ``diagonal``-th diagonal, else 0."""
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")
    n, m = x.shape[-2:]
    xp = x.device.backend.xp
    with on_device(x.device):
        keep = xp.tri(n, m, k=diagonal, dtype=bool)  # on and below the diagonal
        if not lower:
            keep = ~xp.tri(n, m, k=diagonal - 1, dtype=bool)
    zero = False if x._data.dtype.kind == "b" else 0  # a weak scalar: the result keeps x's dtype
    return Where.apply(Tensor._make(keep, x.device), x, zero)


def tril(x, diagonal: int = 0):
    return _triangle(x, diagonal, True, "tril")


def triu(x, diagonal: int = 0):
    return _triangle(x, diagonal, False, "triu")


def _diagonal_key(x, n: int, diagonal: int) -> tuple:
    """(rows, cols) of the ``n`` cells of the ``diagonal``-th diagonal."""
    xp = x.device.backend.xp
    with on_device(x.device):
        i = xp.arange(n)
        return (i - min(diagonal, 0), i + max(diagonal, 0))


def diag(x, diagonal: int = 0):
    """A 1-D tensor -> the square matrix with it on the ``diagonal``-th diagonal;
    a 2-D tensor -> its ``diagonal``-th diagonal."""
    if x.ndim == 1:
        n = x.shape[0] + abs(diagonal)
        return IndexAccumulate.apply(x, key=_diagonal_key(x, x.shape[0], diagonal), shape=(n, n))
    if x.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    rows, cols = x.shape
    length = max(0, min(rows + min(diagonal, 0), cols - max(diagonal, 0)))
    return GetItem.apply(x, key=_diagonal_key(x, length, diagonal))


def trace(x):
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    return diag(x).sum()


# ---- the matmul family (composites of matmul, mul and sum: their gradients come from those ops) -------
def _check_dims(fn: str, **tensors: Any) -> None:
    """Each named tensor has the number of dims given with it: ``_check_dims("mv", mat=(m, 2))``."""
    for name, (t, ndim) in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t.ndim != ndim:
            raise RuntimeError(f"{fn}: Expected {name} to be a {ndim}-D tensor, but got a {t.ndim}-D tensor")


def _scaled_sum(fn: str, input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """beta * input + alpha * product; with beta == 0 ``input`` is ignored (nan and inf too, as torch)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim > product.ndim or any(s not in (1, n) for s, n in zip(input.shape[::-1], product.shape[::-1])):
        raise RuntimeError(f"{fn}: the input of shape {list(input.shape)} does not broadcast to {list(product.shape)}")
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # input stays in the graph (a zero gradient, as torch's) but not in the values
        return product + Where.apply(input.new_zeros((), dtype=bool_), input, 0.0)
    return (input if beta == 1 else input * beta) + product


def mv(mat: Tensor, vec: Tensor) -> Tensor:
    """matrix @ vector. grad: (g vec^T, mat^T g)"""
    _check_dims("mv", input=(mat, 2), vec=(vec, 1))
    return _linalg.matmul(mat, vec)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def _bmm(fn: str, batch1: Tensor, batch2: Tensor) -> Tensor:
    _check_dims(fn, batch1=(batch1, 3), batch2=(batch2, 3))
    if batch1.shape[0] != batch2.shape[0] or batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"{fn}: batch1 and batch2 of shapes {list(batch1.shape)} and {list(batch2.shape)} "
                           "cannot be multiplied")
    return _linalg.matmul(batch1, batch2)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    return _scaled_sum("baddbmm", input, _bmm("baddbmm", batch1, batch2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b] (one GEMM over the batch-concatenated inner dim)."""
    _bmm("addbmm", batch1, batch2)
    b, n, m = batch1.shape
    left = batch1.permute(1, 0, 2).reshape(n, b * m)
    return _scaled_sum("addbmm", input, _linalg.matmul(left, batch2.reshape(b * m, batch2.shape[2])), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    _check_dims("addr", vec1=(vec1, 1), vec2=(vec2, 1))
    return _scaled_sum("addr", input, _linalg.outer(vec1, vec2), beta, alpha)


def vdot(a: Tensor, b: Tensor) -> Tensor:
    """The dot product of two 1-D tensors (real tensors: no conjugation). grad: (g b, g a)"""
    _check_dims("vdot", input=(a, 1), other=(b, 1))
    if a.dtype != b.dtype:
        raise RuntimeError(f"vdot : expected both vectors to have same dtype, but found {a.dtype.name.capitalize()} "
                           f"and {b.dtype.name.capitalize()}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           "the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    return _linalg.matmul(a, b)


def kron(a: Tensor, b: Tensor) -> Tensor:
    """The Kronecker product: result[i * b.shape + j] = a[i] * b[j] (a broadcast product, reshaped)."""
    if not isinstance(b, Tensor):
        raise TypeError(f"kron(): argument 'other' (position 1) must be Tensor, not {type(b).__name__}")
    ndim = max(a.ndim, b.ndim)
    sa = (1,) * (ndim - a.ndim) + tuple(a.shape)
    sb = (1,) * (ndim - b.ndim) + tuple(b.shape)
    left = a.reshape(tuple(x for s in sa for x in (s, 1)))
    right = b.reshape(tuple(x for s in sb for x in (1, s)))
    return (left * right).reshape(tuple(p * q for p, q in zip(sa, sb)))


def _tensordot_dims(a: Tensor, b: Tensor, dims: Any) -> tuple:
    """(dims of a, dims of b) to contract, from an int or a pair of lists (or a tensor of them)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return tuple(range(a.ndim - dims, a.ndim)), tuple(range(dims))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise RuntimeError("tensordot expects dims to be an int or a pair of lists of dims")
    da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [_normalize_dim(d, a.ndim) for d in da]
    db = [_normalize_dim(d, b.ndim) for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j] and 1 not in (a.shape[i], b.shape[j]):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} and "
                               f"second has size {b.shape[j]} in dim {j}")
    return tuple(da), tuple(db)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract ``dims`` of ``a`` with those of ``b``: one matmul of the permuted, flattened operands."""
    _check_dims_like("tensordot", a, b)
    da, db = _tensordot_dims(a, b, dims)
    for i, j in zip(da, db):  # a size-1 dim against a longer one: that one is summed first (torch's broadcast)
        if a.shape[i] != b.shape[j]:
            a, b = (a.sum(i, keepdim=True), b) if b.shape[j] == 1 else (a, b.sum(j, keepdim=True))
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    left = a.permute(*free_a, *da).reshape(math.prod(a.shape[d] for d in free_a), k)
    right = b.permute(*db, *free_b).reshape(k, math.prod(b.shape[d] for d in free_b))
    return _linalg.matmul(left, right).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def _check_dims_like(fn: str, a: Any, b: Any) -> None:
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {b.dtype.name.capitalize()} but found {a.dtype.name.capitalize()}")


def inner(a: Tensor, b: Tensor) -> Tensor:
    """The sum over the last dims of a * b (a plain product when either is 0-d)."""
    if not isinstance(b, Tensor):
        raise TypeError(f"inner(): argument 'other' must be Tensor, not {type(b).__name__}")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    return tensordot(a, b, ([-1], [-1]))


def cross(a: Tensor, b: Tensor, dim: int | None, fn: str = "linalg.cross") -> Tensor:
    """The cross product along ``dim`` (of size 3), after broadcasting. grad: (b x g, g x a)"""
    if not isinstance(b, Tensor):
        raise TypeError(f"{fn}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if a.ndim != b.ndim:
        raise RuntimeError(f"{fn}: inputs must have the same number of dimensions.")
    if dim is None:  # torch.cross's default: the first dim of size 3
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=3)
        dim = next((d for d in range(a.ndim) if a.shape[d] == 3 and b.shape[d] == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    dim = _normalize_dim(dim, a.ndim)
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"{fn}: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and {b.shape[dim]}")
    if a.dtype != b.dtype:
        target = result_type(a, b)
        a, b = a.to(target), b.to(target)
    shape = list(broadcast_shape(a.shape, b.shape))
    shape[dim] = 3
    a, b = a.expand(shape), b.expand(shape)
    a1, a2, a3 = (a.narrow(dim, i, 1) for i in range(3))
    b1, b2, b3 = (b.narrow(dim, i, 1) for i in range(3))
    return _shape.cat([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim)


def broadcast_shape(sa: Any, sb: Any) -> tuple:
    """The broadcast of two shapes (torch's error when they do not broadcast)."""
    ndim = max(len(sa), len(sb))
    sa, sb = (1,) * (ndim - len(sa)) + tuple(sa), (1,) * (ndim - len(sb)) + tuple(sb)
    for i, (p, q) in enumerate(zip(sa, sb)):
        if p != q and 1 not in (p, q):
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) at non-singleton "
                               f"dimension {i}")
    return tuple(max(p, q) if 0 not in (p, q) else 0 for p, q in zip(sa, sb))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, left to right (torch's deprecated ``chain_matmul``)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        _check_dims("chain_matmul", **{f"matrices[{i}]": (m, 2)})
    out = matrices[0]
    for m in matrices[1:]:
        out = _linalg.matmul(out, m)
    return out.clone() if len(matrices) == 1 else out
