"""Randomized low-rank SVD and PCA (torch's ``torch._lowrank``): Halko, Martinsson and Tropp's range finder
(a Gaussian sketch, ``niter`` power iterations re-orthonormalised by QR), then the SVD of the small projected
matrix. Composed of differentiable ops, so gradients flow through them as through torch's."""
from __future__ import annotations

from typing import Any, Optional

from ._creation import randn
from ._dtype import float32
from ._tensor import Tensor
from .linalg import qr, svd

__all__ = ["svd_lowrank", "pca_lowrank"]


def _floating_dtype(A: Tensor) -> Any:
    """A's dtype where it is floating or complex, else float32 (torch's ``_linalg_utils.get_floating_dtype``)."""
    return A.dtype if A.is_floating_point() or A.is_complex() else float32


def get_approximate_basis(A: Tensor, q: int, niter: Optional[int] = 2, M: Optional[Tensor] = None) -> Tensor:
    """An (m, q) matrix with orthonormal columns whose span approximates the range of ``A - M``."""
    niter = 2 if niter is None else niter
    sketch = randn(A.shape[-1], q, dtype=_floating_dtype(A), device=A.device)

    def times(X: Tensor, Y: Tensor, Z: Optional[Tensor]) -> Tensor:  # (X - Z) @ Y without forming X - Z
        return X @ Y if Z is None else X @ Y - Z @ Y

    Q = qr(times(A, sketch, M)).Q
    for _ in range(niter):
        Q = qr(times(A.mH, Q, None if M is None else M.mH)).Q
        Q = qr(times(A, Q, M)).Q
    return Q


def svd_lowrank(A: Tensor, q: Optional[int] = 6, niter: Optional[int] = 2,
                M: Optional[Tensor] = None) -> tuple[Tensor, Tensor, Tensor]:
    """``(U, S, V)`` with ``A - M ~ U diag(S) V^H`` for the ``q`` largest singular values, by a randomized range
    finder with ``niter`` power iterations (batched over leading dims; ``M`` broadcasts to ``A``)."""
    _check_tensor(A, "svd_lowrank", "A")
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:  # the range finder works on the tall orientation
        A = A.mH
        M = None if M is None else M.mH
    Q = get_approximate_basis(A, q, niter=niter, M=M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A: Tensor, q: Optional[int] = None, center: bool = True,
                niter: int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """``(U, S, V)``: the principal directions of the rows of ``A`` (columns of ``V``), by ``svd_lowrank`` of
    ``A`` less its column means (``center``); ``q`` defaults to ``min(6, m, n)``."""
    _check_tensor(A, "pca_lowrank", "A")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)


def _check_tensor(A: Any, fn: str, name: str) -> None:
    """A clear error for what is no matrix (torch fails inside with an AttributeError or IndexError)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be a Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{fn}(): expected a matrix or a batch of matrices, got a {A.ndim}-D tensor")
