"""``LowRankMultivariateNormal(loc, cov_factor, cov_diag)``: covariance W W^T + diag(D), in O(n m^2)."""
from __future__ import annotations

import math
from typing import Any

import microtorch
from microtorch import Size, Tensor
from microtorch.linalg import cholesky, solve_triangular

from . import constraints, utils
from .distribution import Distribution
from .multivariate_normal import _batch_mahalanobis, _batch_mv, _diagonal
from .utils import lazy_property

__all__ = ["LowRankMultivariateNormal"]


def _eye_like(n: int, like: Tensor) -> Tensor:
    return microtorch.eye(n, dtype=like.dtype, device=like.device)


def _batch_capacitance_tril(w: Tensor, d: Tensor) -> Tensor:
    """chol(I + W^T D^-1 W): the m x m capacitance matrix of the Woodbury identity."""
    m = w.shape[-1]
    return cholesky((w.mT / d.unsqueeze(-2)) @ w + _eye_like(m, w))


def _batch_lowrank_logdet(w: Tensor, d: Tensor, capacitance_tril: Tensor) -> Tensor:
    """log det(W W^T + D) by the matrix determinant lemma."""
    return 2 * _diagonal(capacitance_tril).log().sum(-1) + d.log().sum(-1)


def _batch_lowrank_mahalanobis(w: Tensor, d: Tensor, x: Tensor, capacitance_tril: Tensor) -> Tensor:
    """x^T (W W^T + D)^-1 x by the Woodbury identity."""
    wt_dinv_x = _batch_mv(w.mT / d.unsqueeze(-2), x)
    term2_shape = tuple(microtorch.broadcast_shapes(wt_dinv_x.shape, capacitance_tril.shape[:-1]))
    term2 = _batch_mahalanobis(capacitance_tril.expand(term2_shape + capacitance_tril.shape[-1:]),
                               wt_dinv_x.expand(term2_shape))
    return (x.pow(2) / d).sum(-1) - term2


class LowRankMultivariateNormal(Distribution):
    """A Gaussian with a low-rank-plus-diagonal covariance."""

    arg_constraints = {"loc": constraints.real_vector, "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor, validate_args: bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = tuple(loc.shape[-1:])
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != event_shape:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {Size(event_shape)}")
        try:
            loc_, self.cov_factor, cov_diag_ = microtorch.broadcast_tensors(loc.unsqueeze(-1), cov_factor,
                                                                            cov_diag.unsqueeze(-1))
        except (RuntimeError, ValueError) as e:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                             f"cov_diag {cov_diag.shape}") from e
        self.loc, self.cov_diag = loc_[..., 0], cov_diag_[..., 0]
        self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag = cov_factor, cov_diag
        self._capacitance_tril = _batch_capacitance_tril(cov_factor, cov_diag)
        super().__init__(self.loc.shape[:-1], event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LowRankMultivariateNormal":
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        loc_shape = tuple(batch_shape) + tuple(self.event_shape)
        new.loc, new.cov_diag = self.loc.expand(loc_shape), self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, Size(batch_shape), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (w.pow(2).sum(-1) + d).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    @lazy_property
    def scale_tril(self) -> Tensor:
        n = self._event_shape[0]
        d_sqrt = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled_w = self._unbroadcasted_cov_factor / d_sqrt
        return (d_sqrt * cholesky(scaled_w @ scaled_w.mT + _eye_like(n, scaled_w))).expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (w @ w.mT + d.unsqueeze(-1) * _eye_like(d.shape[-1], d)).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        wt_dinv = w.mT / d.unsqueeze(-2)
        cap = self._capacitance_tril
        batch = tuple(microtorch.broadcast_shapes(cap.shape[:-2], wt_dinv.shape[:-2]))
        a = solve_triangular(cap.expand(batch + tuple(cap.shape[-2:])), wt_dinv.expand(batch + tuple(wt_dinv.shape[-2:])),
                             upper=False)
        return ((1 / d).unsqueeze(-1) * _eye_like(d.shape[-1], d) - a.mT @ a).expand(self._matrix_shape())

    def rsample(self, sample_shape: Any = Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps_w = utils.standard_normal(tuple(shape[:-1]) + tuple(self.cov_factor.shape[-1:]), self.loc.dtype,
                                      self.loc.device)
        eps_d = utils.standard_normal(shape, self.loc.dtype, self.loc.device)
        return self.loc + _batch_mv(self._unbroadcasted_cov_factor, eps_w) + self._unbroadcasted_cov_diag.sqrt() * eps_d

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        w, d, cap = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag, self._capacitance_tril
        m = _batch_lowrank_mahalanobis(w, d, value - self.loc, cap)
        log_det = _batch_lowrank_logdet(w, d, cap)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + m)

    def entropy(self) -> Tensor:
        log_det = _batch_lowrank_logdet(self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag,
                                        self._capacitance_tril)
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return h if len(self._batch_shape) == 0 else h.expand(self._batch_shape)
