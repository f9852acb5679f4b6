"""The fast paths' own correctness checks, against torch: the vectorised erf (SciPy's absence included)."""
from __future__ import annotations

import numpy as np
import torch

from microtorch.backends import _erf, numpy_backend

_POINTS = np.concatenate([np.linspace(-7.0, 7.0, 20001), [0.0, -0.0, 1e-300, 5e-324, 1e-30, 0.5, 1.0, 2.0, 3.5, 6.0]])


def _ulps(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs) / np.spacing(np.abs(theirs).astype(theirs.dtype))))


def test_erf_float64_without_scipy_is_within_a_few_ulp_of_torchs():
    ours = _erf.erf_float64(_POINTS)
    assert ours.dtype == np.float64
    assert _ulps(ours, torch.erf(torch.tensor(_POINTS)).numpy()) <= 4
    special = _erf.erf_float64(np.array([np.inf, -np.inf, np.nan]))
    assert special[0] == 1.0 and special[1] == -1.0 and np.isnan(special[2])
    assert _erf.erf_float64(np.array(0.25)).shape == ()


def test_erf_float32_is_within_torchs_float32_tolerance_also_near_zero():
    x = _POINTS.astype(np.float32)
    ours, theirs = _erf.erf_float32(x), torch.erf(torch.tensor(x)).numpy()
    assert ours.dtype == np.float32
    nonzero = theirs != 0
    assert np.max(np.abs(ours - theirs)[nonzero] / np.abs(theirs[nonzero])) < 1e-6  # relative, so tiny x too
    assert np.array_equal(ours[theirs == 0], theirs[theirs == 0])


def test_the_backend_uses_scipy_for_float64_when_installed(monkeypatch):
    backend = numpy_backend.NumpyBackend()
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(backend.erf(x), torch.erf(torch.tensor(x)).numpy(), rtol=1e-15, atol=0)
    monkeypatch.setattr(numpy_backend, "_SCIPY_ERF", [None])  # as without SciPy: the vectorised one
    assert _ulps(backend.erf(x), torch.erf(torch.tensor(x)).numpy()) <= 4
    assert backend.erf(x.astype(np.float16)).dtype == np.float16
