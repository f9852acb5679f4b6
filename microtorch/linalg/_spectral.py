"""Spectral decompositions and what is built on them: ``qr``, ``svd``, ``svdvals``, ``eigh``, ``eigvalsh``, ``pinv``,
``lstsq``."""
from __future__ import annotations

from typing import Any

from .._absent import ABSENT, given
from .._signatures import write_out
from .._tensor import Tensor
from ..autograd.ops import linalg_spectral as _spec
from . import _common

_QR_MODES = ("reduced", "complete", "r")


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> Any:
    """(Q, R) with A = Q R, Q orthonormal, R upper triangular; mode 'reduced', 'complete' or 'r' (Q empty).
    grad: (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T"""
    _common.check_matrix("qr", A)
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or "
                           "'complete'")
    _common.check_float("qr", A)
    q, r = _spec.Qr.apply(A, mode=mode)
    if mode == "r":
        q = A.new_zeros((0,))
    return write_out(out, _common.Qr(q, r), "linalg.qr")


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None, out: Any = None) -> Any:
    """(U, S, Vh) with A = U diag(S) Vh, S descending. grad: torch's svd_backward (inf/nan for repeated S)"""
    _common.check_matrix("svd", A)
    _common.check_float("svd", A)
    if not isinstance(full_matrices, bool):
        raise TypeError(f"linalg_svd(): argument 'full_matrices' (position 2) must be bool, not "
                        f"{type(full_matrices).__name__}")
    _check_driver(driver, A)
    return write_out(out, _common.Svd(*_spec.Svd.apply(A, full_matrices=full_matrices)), "linalg.svd")


def _check_driver(driver: str | None, A: Tensor) -> None:
    if driver is not None and A.device.type != "cuda":
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")


def svdvals(A: Tensor, *, driver: str | None = None, out: Any = None) -> Tensor:
    """The singular values, descending. grad: U diag(g) Vh"""
    _common.check_matrix("svdvals", A)
    _common.check_float("svdvals", A)
    _check_driver(driver, A)
    return write_out(out, _spec.Svd.apply(A, full_matrices=False)[1], "linalg.svdvals")


def _check_uplo(name: str, uplo: str) -> None:
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U") or len(uplo) != 1:
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Any:
    """(eigenvalues ascending, eigenvectors) of the symmetric matrix whose ``UPLO`` triangle A holds.
    grad: V (diag(gL) + skew(V^T gV) / 2 / (L_j - L_i)) V^T"""
    _common.check_square("eigh", A)
    _check_uplo("eigh", UPLO)
    return write_out(out, _common.Eigh(*_spec.Eigh.apply(A, uplo=UPLO.upper())), "linalg.eigh")


def eig(A: Tensor, *, out: Any = None) -> Any:
    """(eigenvalues, eigenvectors) of a square matrix, complex (unit-norm eigenvectors, as LAPACK's geev gives
    them). grad: torch's, V^-H (diag(gL) + conj(1 / (L_j - L_i)) o (V^H gV - V^H V diag(Re diag V^H gV))) V^H"""
    _check_eig_input("eig", A)
    return write_out(out, _common.Eig(*_spec.Eig.apply(A)), "linalg.eig")


def eigvals(A: Tensor, *, out: Any = None) -> Tensor:
    """The (complex) eigenvalues of a square matrix. grad: V^-H diag(g) V^H"""
    _check_eig_input("eigvals", A)
    return write_out(out, _spec.Eig.apply(A)[0], "linalg.eigvals")


def _check_eig_input(name: str, A: Any) -> None:
    """A square floating or complex batch (the only linalg functions here taking complex input), but not half
    precision, with torch's errors."""
    _common.check_square(name, A, complex_ok=True)
    if A.dtype.name in ("float16", "bfloat16"):
        raise NotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for '{_common._torch_type_name(A)}'")


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """The eigenvalues (ascending) of the symmetric matrix whose ``UPLO`` triangle A holds. grad: V diag(g) V^T"""
    _common.check_square("eigvalsh", A)
    _check_uplo("eigvalsh", UPLO)
    return write_out(out, _spec.Eigh.apply(A, uplo=UPLO.upper())[0], "linalg.eigvalsh")


def pinv(A: Tensor, rcond: Any = ABSENT, hermitian: bool = False, *, atol: Any = None, rtol: Any = None,
         out: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse, singular values at or below max(atol, rtol * s_max) dropped (``rcond``,
    positional: torch's older name of rtol). grad: -A+^T G A+^T + (I - A A+) G^T A+ A+^T + A+^T A+ G^T (I - A+ A)"""
    from ._norms import _tolerances

    _common.check_matrix("pinv", A)
    _common.check_float("pinv", A)
    rcond = given(rcond, "linalg_pinv", "rcond", "Tensor or float", 2)
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg_pinv(): rcond is rtol's older name: pass rcond alone, or atol and rtol")
        atol, rtol = 0.0, rcond
    atol_t, rtol_t = _tolerances(A, atol, rtol)
    return write_out(out, _pinv(A, atol_t, rtol_t, hermitian), "linalg.pinv")


def _pinv(A: Tensor, atol: Tensor, rtol: Tensor, hermitian: bool) -> Tensor:
    if A.numel() == 0:
        return A.mT.clone() * 0
    return _spec.Pinv.apply(A, atol.squeeze(-1).detach(), rtol.squeeze(-1).detach(), hermitian=hermitian)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """(solution, residuals, rank, singular_values) of min ||A X - B||: X = A+ B, with singular values at or below
    rcond * s_max dropped; residuals when m > n and A has full rank; rank (not for 'gels'); singular values for
    'gelsd' and 'gelss'. grad: that of pinv(A) @ B"""
    from ._norms import _tolerances

    _common.check_matrix("lstsq", A)
    _common.check_tensor("lstsq", B, "B")
    _common.check_float("lstsq", A)
    _common.check_same_dtype("lstsq", A, B, ("self", "b"))
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})")
    atol, rtol = _tolerances(A, 0.0, rcond)
    solution = _pinv(A, atol, rtol, False) @ rhs
    m, n = A.shape[-2:]
    s = svdvals(A.detach())
    rank = (s > rtol * s[..., :1]).sum(-1) if s.shape[-1] else s.new_zeros(s.shape[:-1], dtype=None).long()
    residuals = solution.reshape(-1)[:0]  # empty, but in the graph as torch's
    if m > n and driver != "gelsy" and bool((rank == n).all()):
        residuals = ((A @ solution - rhs) ** 2).sum(-2)
    if vector:
        solution = solution.squeeze(-1)
        residuals = residuals.squeeze(-1) if residuals.numel() else residuals
    rank = rank if driver != "gels" else rank.new_zeros((0,))
    singular = s if driver in ("gelsd", "gelss") else A.new_zeros((0,))
    return _common.Lstsq(solution, residuals, rank, singular)
