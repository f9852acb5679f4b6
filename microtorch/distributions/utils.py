"""Helpers the distributions share: parameter broadcasting, noise, probs/logits conversion, lazy properties."""
from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import microtorch
from microtorch import Tensor

__all__ = ["broadcast_all", "clamp_probs", "euler_constant", "lazy_property", "logits_to_probs", "probs_to_logits", "tril_matrix_to_vec",
           "vec_to_tril_matrix"]


euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant (torch's name)


class _FloatInfo(NamedTuple):
    eps: float
    tiny: float
    max: float


_FINFO = {
    "float16": _FloatInfo(0.0009765625, 6.103515625e-05, 65504.0),
    "float32": _FloatInfo(1.1920928955078125e-07, 1.1754943508222875e-38, 3.4028234663852886e+38),
    "float64": _FloatInfo(2.220446049250313e-16, 2.2250738585072014e-308, 1.7976931348623157e+308),
}


def finfo(dtype: Any) -> _FloatInfo:
    """eps, tiny and max of a floating dtype (what ``torch.finfo`` gives the distributions)."""
    return _FINFO[dtype.name if hasattr(dtype, "name") else str(dtype)]


def is_all_true(valid: Tensor) -> bool:
    """Whether every element holds, over every example too when the check runs inside ``vmap``
    (``torch._is_all_true``): validation looks at the whole batch, not at data-dependent control flow."""
    while (physical := getattr(valid, "_phys", None)) is not None:
        valid = physical
    return bool(valid.all())


def broadcast_all(*values: Any) -> tuple:
    """Tensors (numbers become tensors of the tensors' dtype, or the default one) broadcast to one shape."""
    if not all(isinstance(v, (Tensor, int, float)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    if like is None:
        tensors = [microtorch.tensor(float(v)) for v in values]
    else:
        tensors = [v if isinstance(v, Tensor) else like.new_tensor(float(v)) for v in values]
    return microtorch.broadcast_tensors(*tensors)


def standard_normal(shape: Sequence[int], dtype: Any, device: Any) -> Tensor:
    """N(0, 1) noise of ``shape`` (the one source of Gaussian noise: tests fix it by replacing this)."""
    return microtorch.randn(tuple(shape), dtype=dtype, device=device)


def uniform(shape: Sequence[int], dtype: Any, device: Any) -> Tensor:
    """U[0, 1) noise of ``shape`` (the one source of uniform noise: tests fix it by replacing this)."""
    return microtorch.rand(tuple(shape), dtype=dtype, device=device)


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum out the rightmost ``dim`` dims."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.ndim - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: sigmoid for binary ones, softmax over the last dim otherwise."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept within [eps, 1 - eps] of their dtype."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (log p for categorical, log(p / (1 - p)) for binary), kept finite."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:  # noqa: N801 - torch's name
    """A property computed on first access and then stored on the instance (probs from logits, ...)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with microtorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class BinaryProbs:
    """Mixed into the two-outcome families (Bernoulli, Binomial, Geometric, ...): whichever of ``probs`` and
    ``logits`` was not given is computed from the other on first use."""

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    def _counts_and_param(self, total_count: Any, probs: Any, logits: Any) -> None:
        """``total_count`` broadcast with ``probs`` or ``logits`` (exactly one given) and in its dtype; ``_param``
        the one given (the counting families, Binomial and NegativeBinomial)."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            total_count, self.probs = broadcast_all(total_count, probs)
        else:
            total_count, self.logits = broadcast_all(total_count, logits)
        self._param = self.probs if probs is not None else self.logits
        self.total_count = total_count.to(self._param.dtype)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower triangle (below diagonal ``diag``) of the last two dims, row by row, as a vector."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = zip(*[(i, j) for i in range(n) for j in range(n) if j <= i + diag])
    return mat[..., list(rows), list(cols)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: a vector filled into the lower triangle of a square matrix."""
    n = int((-(1 + 2 * diag) + math.sqrt((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1))) / 2)
    eps = finfo(vec.dtype).eps
    if not math.isclose(n, round(n), abs_tol=eps):
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as the "
                         "lower triangular part of a square D x D matrix.")
    n = round(n)
    rows, cols = zip(*[(i, j) for i in range(n) for j in range(n) if j <= i + diag])
    out = vec.new_zeros(tuple(vec.shape[:-1]) + (n * n,))
    flat_index = microtorch.tensor([i * n + j for i, j in zip(rows, cols)], device=vec.device)
    index = flat_index.expand(tuple(vec.shape[:-1]) + (flat_index.shape[0],))
    return out.scatter(-1, index, vec).reshape(tuple(vec.shape[:-1]) + (n, n))
