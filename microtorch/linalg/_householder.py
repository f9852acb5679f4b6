"""Householder representations: ``geqrf`` (LAPACK's packed QR), ``linalg.householder_product`` and ``ormqr``
(Q = H_1 ... H_k with H_i = I - tau_i v_i v_i^T, composed with Tensor ops, so their gradients come free)."""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops import decomposition as _dec
from . import _common

Geqrf = namedtuple("geqrf", ["a", "tau"])


class _GeqrfOp(_dec.Op):
    """(a, tau): R on and above the diagonal, the Householder vectors below it (``xp.linalg.qr(mode='raw')``);
    not differentiable, as torch's"""

    def forward(ctx, a):
        xp = ctx.xp
        h, tau = _dec.lapack(xp, "qr", a, mode="raw")
        return xp.ascontiguousarray(xp.swapaxes(h, -1, -2)), tau


def geqrf(input: Tensor, *, out: Any = None) -> Any:  # noqa: A002
    """(a, tau), LAPACK's geqrf: A = Q R with Q = H_1 ... H_k given by the vectors below a's diagonal and tau.
    grad: none (torch has none either)"""
    _common.check_matrix("geqrf", input, "input")
    _common.check_float("geqrf", input)
    if input.requires_grad:
        a, tau = _GeqrfOp.apply(input.detach())
        return write_out(out, Geqrf(a, tau), "geqrf")
    return write_out(out, Geqrf(*_GeqrfOp.apply(input)), "geqrf")


def _householder_q(A: Tensor, tau: Tensor) -> Tensor:
    """The m x m product H_1 ... H_k, v_i being A's column i below the diagonal with a 1 on it."""
    m = A.shape[-2]
    k = tau.shape[-1]
    eye = _dec._eye(A, m)
    vectors = A[..., :, :k].tril(-1) + eye[:, :k]
    # (plus the empty sums of A and tau: the product is in the graph even without reflectors, as torch's)
    q = eye.expand(tuple(A.shape[:-2]) + (m, m)) + (A[..., :0, :].sum() + tau[..., :0].sum())
    for i in range(k):
        v = vectors[..., :, i:i + 1]
        q = q - (q @ v) * tau[..., i, None, None] @ v.mT
    return q


def householder_product(A: Tensor, tau: Tensor, *, out: Any = None) -> Tensor:
    """The first n columns of H_1 ... H_k (A: m x n, m >= n >= k). grad: that of the product"""
    name = "torch.linalg.householder_product"
    _common.check_matrix("householder_product", A)
    _common.check_tensor("householder_product", tau, "tau")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    _common.check_same_dtype("householder_product", A, tau, ("input", "tau"))
    _common.check_float("householder_product", A)
    return write_out(out, _householder_q(A, tau)[..., :, :A.shape[-1]], "linalg.householder_product")


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True, transpose: bool = False,  # noqa: A002
          *, out: Any = None) -> Tensor:
    """Q @ other (``left=False``: other @ Q; ``transpose``: Q^T), Q = H_1 ... H_k from geqrf's (input, tau).
    grad: that of the product"""
    _common.check_matrix("ormqr", input, "input")
    _common.check_tensor("ormqr", tau, "tau")
    _common.check_matrix("ormqr", other, "other")
    rows = other.shape[-2] if left else other.shape[-1]
    if tau.shape[-1] > min(rows, input.shape[-1]) or input.shape[-2] != rows:
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be equal to min(other.shape[-2], input.shape[-1])"
                           if tau.shape[-1] > min(rows, input.shape[-1]) else
                           f"torch.ormqr: input.shape[-2] must be equal to other.shape[{-2 if left else -1}]")
    _common.check_same_dtype("ormqr", input, other, ("input", "other"))
    _common.check_same_dtype("ormqr", input, tau, ("input", "tau"))
    q = _householder_q(input, tau)
    q = q.mT if transpose else q
    return write_out(out, q @ other if left else other @ q, "ormqr")
