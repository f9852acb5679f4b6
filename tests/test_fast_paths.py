"""The fast paths' own correctness checks, against torch: the vectorised erf (SciPy's absence included) and the
intra-op thread pool (every pointwise op with its elementwise calls split across threads)."""
from __future__ import annotations

import contextlib
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microtorch as mt
import test_optim
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


def test_erf_float32_in_cache_blocks_equals_its_blocks_computed_alone():
    """Beyond one block (``_BOUND_SIZE`` elements) erf and the normal cdf run block by block: each element's value is
    what the same element gives alone, across block edges and for a (3, n) shape; against torch as above."""
    rng = np.random.default_rng(4)
    n = 2 * _erf._BOUND_SIZE + 7
    x = (rng.standard_normal((3, n)) * 3).astype(np.float32)
    for function in (_erf.erf_float32, _erf.normal_cdf_float32):
        whole = function(x)
        assert whole.shape == x.shape and whole.dtype == np.float32
        pieces = np.concatenate([function(x.reshape(-1)[i:i + 1000]) for i in range(0, x.size, 1000)])
        np.testing.assert_array_equal(whole.reshape(-1), pieces)
    theirs = torch.erf(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_erf.erf_float32(x), theirs, rtol=1e-6, atol=1e-7)


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


_INTEROP_SCRIPT = """
import sys
lib = __import__(sys.argv[1])
lines = [str(lib.get_num_interop_threads())]
for bad in (0, -1, 2.5, "2", True, None):
    try:
        lib.set_num_interop_threads(bad)
        lines.append("accepted")
    except RuntimeError as e:
        lines.append(str(e))
lib.set_num_interop_threads(3)
lines.append(str(lib.get_num_interop_threads()))
try:
    lib.set_num_interop_threads(4)
except RuntimeError as e:
    lines.append(str(e))
print("\\n".join(lines))
"""


def test_interop_threads_follow_torchs_rules():
    """Each library in a fresh process (the setting is once per process): the default, the refused values, one
    setting, then the second one refused, all in torch's words."""
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-c", _INTEROP_SCRIPT, name], capture_output=True, text=True, check=True)
            for name in ("torch", "microtorch")]
    assert runs[1].stdout == runs[0].stdout
    assert "cannot set number of interop threads" in runs[1].stdout and "\n3\n" in runs[1].stdout


@contextlib.contextmanager
def _split_everything(threads: int = 2):
    """Every elementwise call, fused kernel and full sum split across ``threads`` threads, in blocks of 1 element."""
    from microtorch.autograd import function
    from microtorch.backends import _threads

    saved = (_threads.get_num_threads(), _threads.threshold, _threads.threshold_costly, _threads.GRAIN,
             function.PARALLEL_FROM)
    try:
        _threads.set_num_threads(threads)
        _threads.threshold = _threads.threshold_costly = function.PARALLEL_FROM = 0
        _threads.GRAIN = 1
        yield
    finally:
        _threads.set_num_threads(saved[0])
        _threads.threshold, _threads.threshold_costly, _threads.GRAIN, function.PARALLEL_FROM = saved[1:]


def test_chunked_ufuncs_equal_one_call():
    from microtorch.backends import _threads

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)).astype(np.float32), rng.standard_normal((5,)).astype(np.float32)
    with _split_everything(3):
        for name, operands in (("tanh", (a,)), ("multiply", (a, b)), ("add", (0.5, a)), ("subtract", (a, a[:, :1])),
                               ("multiply", (a[:, :1], b)), ("arctan2", (a[:, ::2][:, :2], a[:, 1::2])),
                               ("add", (a[:1], a)), ("multiply", (np.broadcast_to(b[:1], a.shape), a)),
                               ("add", (a[0, :1], a)), ("less_equal", (a, 0.0))):
            ours = _threads.ufunc(name, *operands)
            expected = getattr(np, name)(*operands)
            assert ours.dtype == expected.dtype and ours.shape == expected.shape
            np.testing.assert_array_equal(ours, expected)


def test_fused_kernels_and_full_sums_in_blocks_equal_one_call():
    """``elementwise`` on blocks (contiguous, broadcast-scalar and strided operands) and ``full_sum``'s partials."""
    from microtorch.backends import _threads

    def kernel(xp, out, x, g):
        xp.multiply(x, x, out=out)
        xp.subtract(1.0, out, out=out)
        xp.multiply(out, g, out=out)

    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((9, 7)), rng.standard_normal((9, 7))
    cases = ((x, g), (x, np.broadcast_to(np.float64(2.0), x.shape)), (x, g.T.copy().T), (x, 0.5))
    with _split_everything(3):
        for operands in cases:
            expected = np.empty_like(x)
            kernel(np, expected, *operands)
            np.testing.assert_array_equal(_threads.elementwise(kernel, np.empty_like(x), *operands), expected)
        _threads.set_num_threads(1)  # one thread: blocks of at most CACHE_BLOCK elements, in turn
        old_block, _threads.CACHE_BLOCK = _threads.CACHE_BLOCK, 5
        calls: list = []
        try:
            for operands in cases:
                expected = np.empty_like(x)
                kernel(np, expected, *operands)
                ours = _threads.elementwise(lambda *a: calls.append(1) or kernel(*a), np.empty_like(x), *operands)
                np.testing.assert_array_equal(ours, expected)
        finally:
            _threads.CACHE_BLOCK = old_block
        assert len(calls) == 3 * 13 + 1  # (63 elements in 13 blocks of at most 5; the strided operand: one call)
        np.testing.assert_allclose(_threads.full_sum(x), x.sum(), rtol=1e-14)
        assert _threads.full_sum(x.astype(np.float32)).dtype == np.float32
        assert _threads.full_sum(np.arange(10)) == 45  # (integers: NumPy's one call)


_POINTWISE = OPS[: [s.name for s in OPS].index("clone") + 1]  # the table starts with the pointwise entries
# the other ops whose large calls go to the pool: full sums, and the activations with fused backward passes
_SPLIT_TOO = [s for s in OPS if s.name in ("sum", "mean", "F.relu", "F.sigmoid", "F.tanh", "F.gelu", "F.gelu_tanh",
                                             "F.silu")]


@pytest.mark.parametrize("spec", _POINTWISE + _SPLIT_TOO, ids=lambda s: s.name)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(data=st.data())
def test_pointwise_ops_in_chunks_on_threads_match_torch(spec, data):
    """The op property test with every elementwise call split across 2 threads (thresholds 0, 1-element blocks)."""
    from test_ops_property import test_op_matches_torch

    with _split_everything():
        test_op_matches_torch.hypothesis.inner_test(spec, "float32", "cpu", data)


def _inplace_updates(lib) -> list:
    """Unrecorded in-place arithmetic (gradient accumulation, optimizer-style updates): same-shape, broadcast,
    scalar and strided right-hand sides, an integer tensor, a non-contiguous target."""
    rng = np.random.default_rng(2)
    a, b = (lib.tensor(rng.standard_normal((6, 5)), dtype=lib.float32) for _ in range(2))
    row, n = lib.tensor(rng.standard_normal(5), dtype=lib.float32), lib.arange(30).reshape(6, 5)
    with lib.no_grad():
        a += b
        a.mul_(row)
        a.sub_(b.t().t()[:, :1], alpha=0.5)
        a.div_(1.5)
        a.add_(b[::2].repeat(2, 1))
        n += 3
        n.mul_(lib.arange(5))
        b.t().add_(1.25)  # (a transposed view: not contiguous, one call)
    return [t.numpy().copy() for t in (a, b, n)]


def test_inplace_arithmetic_in_blocks_on_threads_matches_torch():
    with _split_everything(3):
        ours = _inplace_updates(mt)
    for x, y in zip(ours, _inplace_updates(torch)):
        assert x.dtype == y.dtype
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6)


_FUSED_OPTIMIZERS = [(n, kw) for n, kw in test_optim.CONFIGS if n in ("SGD", "Adam", "AdamW", "RMSprop")]


@pytest.mark.parametrize("name,kwargs", _FUSED_OPTIMIZERS, ids=[f"{n}-{kw}" for n, kw in _FUSED_OPTIMIZERS])
def test_fused_optimizer_updates_in_blocks_on_threads_match_torch(name, kwargs):
    """The optimizers whose update is one fused kernel (``Backend.elementwise``), every parameter split in blocks
    across 3 threads: torch's trajectory, and bit for bit the trajectory of one call per parameter."""
    problem = test_optim._problem()

    def run() -> list:
        params = test_optim._params(mt, "float32")
        opt = getattr(mt.optim, name)(test_optim._groups(params), **kwargs)
        return test_optim._trajectory(mt, opt, params, "float32", range(test_optim.STEPS), problem)

    whole = run()
    with _split_everything(3):
        test_optim.test_trajectory_matches_torch(name, kwargs, "float32")
        split = run()
    for a, b in zip(whole, split):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_nested_concurrent_and_single_threaded_calls_run_inline():
    """A split started inside a block (on a pool thread or the caller) runs on that thread; two user threads
    splitting at once both finish (one gets the pool, the other runs inline); one thread runs everything inline."""
    import threading

    from microtorch.backends import _threads

    with _split_everything(3):
        seen: list = []

        def outer(i: int) -> None:
            inner: set = set()
            _threads.run_blocks(lambda j: inner.add(threading.get_ident()), 4)
            seen.append((threading.get_ident(), inner))

        _threads.run_blocks(outer, 6)
        assert len(seen) == 6 and all(inner == {ident} for ident, inner in seen)

        x = np.linspace(-3, 3, 1001)
        results: list = []

        def user() -> None:
            results.append(all(np.array_equal(_threads.ufunc("tanh", x), np.tanh(x)) for _ in range(50)))

        users = [threading.Thread(target=user) for _ in range(2)]
        for t in users:
            t.start()
        for t in users:
            t.join(timeout=60)
        assert results == [True, True]

        _threads.set_num_threads(1)
        idents: set = set()
        _threads.run_blocks(lambda i: idents.add(threading.get_ident()), 5)
        assert idents == {threading.get_ident()}


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
