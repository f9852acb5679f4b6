"""The fast paths' own correctness checks, against torch: the vectorised erf (SciPy's absence included) and the
intra-op thread pool (every pointwise op with its elementwise calls split across threads)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microtorch.backends import _erf, numpy_backend
from op_table import OPS

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


# ---- the intra-op thread pool ---------------------------------------------------------------------------
def test_num_threads_follow_torchs_rules():
    import microtorch

    old = microtorch.get_num_threads()
    assert old >= 1
    for bad, message in ((0, "positive integer"), (-1, "positive integer"), (2.5, "expects an int"), (True, "expects an int")):
        with pytest.raises(RuntimeError, match=message):
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError, match=message):
            microtorch.set_num_threads(bad)
    try:
        microtorch.set_num_threads(3)
        assert microtorch.get_num_threads() == 3
    finally:
        microtorch.set_num_threads(old)


def test_omp_num_threads_sets_the_default():
    import os
    import subprocess
    import sys

    code = "import microtorch; print(microtorch.get_num_threads())"
    env = dict(os.environ, OMP_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


def test_chunked_ufuncs_equal_one_call():
    from microtorch.backends import _threads

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)).astype(np.float32), rng.standard_normal((5,)).astype(np.float32)
    old, threshold = _threads.get_num_threads(), _threads.threshold
    try:
        _threads.set_num_threads(3)
        _threads.threshold = 0
        for name, operands in (("tanh", (a,)), ("multiply", (a, b)), ("add", (0.5, a)), ("subtract", (a, a[:, :1])),
                               ("multiply", (a[:, :1], b)), ("arctan2", (a[:, ::2][:, :2], a[:, 1::2])),
                               ("add", (a[:1], a))):
            ours = _threads.ufunc(name, *operands)
            expected = getattr(np, name)(*operands)
            assert ours.dtype == expected.dtype and ours.shape == expected.shape
            np.testing.assert_array_equal(ours, expected)
    finally:
        _threads.threshold = threshold
        _threads.set_num_threads(old)


_POINTWISE = OPS[: [s.name for s in OPS].index("clone") + 1]  # the table starts with the pointwise entries


@pytest.mark.parametrize("spec", _POINTWISE, ids=lambda s: s.name)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(data=st.data())
def test_pointwise_ops_in_chunks_on_threads_match_torch(spec, data):
    """The pointwise property test with every elementwise call split across 2 threads (threshold 0)."""
    from microtorch.autograd import function
    from microtorch.backends import _threads
    from test_ops_property import test_op_matches_torch

    old, threshold, parallel_from = _threads.get_num_threads(), _threads.threshold, function.PARALLEL_FROM
    try:
        _threads.set_num_threads(2)
        _threads.threshold, function.PARALLEL_FROM = 0, 0
        test_op_matches_torch.hypothesis.inner_test(spec, "float32", "cpu", data)
    finally:
        _threads.threshold, function.PARALLEL_FROM = threshold, parallel_from
        _threads.set_num_threads(old)


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_run_chunks_covers_every_index_once_and_reraises(n):
    """``run_chunks`` hands out disjoint ranges covering ``0..n`` on 3 threads, and a task's error reaches the caller."""
    from microtorch.backends import _threads

    old = _threads.get_num_threads()
    try:
        _threads.set_num_threads(3)
        seen = np.zeros(n, dtype=np.int64)

        def count(lo, hi):
            seen[lo:hi] += 1

        _threads.run_chunks(count, n)
        assert seen.tolist() == [1] * n

        def fail(lo, hi):
            if lo > 0:
                raise ValueError("chunk failed")

        if n >= 2:
            with pytest.raises(ValueError, match="chunk failed"):
                _threads.run_chunks(fail, n)
    finally:
        _threads.set_num_threads(old)
