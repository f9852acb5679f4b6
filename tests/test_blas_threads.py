"""The NumPy backend's small products on one BLAS thread (``backends/_blas.py``): the same values as NumPy's
matmul in every layout conv issues, BLAS's thread count restored afterwards (also with several user threads
switching at once), and convolutions and linear layers through it against torch."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import microtorch
from microtorch.backends import _blas, _threads

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> list:
    return [lib.get_num_threads() for lib in threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers]


@pytest.fixture
def two_threads():
    old = _threads.get_num_threads()
    _threads.set_num_threads(2)
    try:
        yield
    finally:
        _threads.set_num_threads(old)


@pytest.mark.parametrize("layout", ["contiguous", "transposed a", "transposed b"])
@pytest.mark.parametrize("shape", [(6, 25, 3000), (16, 6400, 15), (80, 70, 60)])
def test_small_products_match_numpy_and_restore_blas_threads(two_threads, shape, layout):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m)).T if layout == "transposed a" else rng.standard_normal((m, k))
    b = rng.standard_normal((n, k)).T if layout == "transposed b" else rng.standard_normal((k, n))
    before = _blas_threads()
    assert _blas.BLAS_ALONE < m * n * k < _blas.SMALL
    np.testing.assert_array_equal(_blas.matmul(a, b), np.matmul(a, b))
    assert _blas_threads() == before


def test_switching_from_several_threads_restores_blas_threads(two_threads):
    before = _blas_threads()
    a, b = np.ones((70, 64)), np.ones((64, 64))  # (just above OpenBLAS's own one-thread bound)
    assert _blas.BLAS_ALONE < 70 * 64 * 64 < _blas.SMALL
    errors = []

    def work() -> None:
        for _ in range(30):
            if not (_blas.matmul(a, b) == 64).all():
                errors.append("wrong product")

    workers = [threading.Thread(target=work) for _ in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors and _blas_threads() == before


@pytest.mark.parametrize("groups", [1, 2])
def test_lenet_sized_convolution_on_two_threads_matches_torch(two_threads, groups):
    rng = np.random.default_rng(1)
    x0, w0 = rng.standard_normal((9, 6, 14, 13)), rng.standard_normal((16, 6 // groups, 5, 5))
    results = []
    for lib in (torch, microtorch):
        x, w = lib.tensor(x0, requires_grad=True), lib.tensor(w0, requires_grad=True)
        out = lib.nn.functional.conv2d(x, w, groups=groups)
        out.backward(lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape))))
        results.append([t.detach().numpy() for t in (out, x.grad, w.grad)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_small_products_run_on_one_blas_thread_and_large_ones_on_all(two_threads, monkeypatch):
    seen = []
    real = np.matmul

    def recording(a, b):
        seen.append(_blas_threads())
        return real(a, b)

    monkeypatch.setattr(_blas.numpy, "matmul", recording)
    _blas.matmul(np.ones((6, 25)), np.ones((25, 3000)))
    monkeypatch.setattr(_blas, "SMALL", 400_000)  # (450 000 multiply-adds: now large)
    _blas.matmul(np.ones((6, 25)), np.ones((25, 3000)))
    assert seen[0] == [1] * len(seen[0]) and seen[1] == [2] * len(seen[1])


def test_lenet_sized_linear_and_matmul_on_two_threads_match_torch(two_threads):
    rng = np.random.default_rng(2)
    x0, w0, b0 = rng.standard_normal((64, 400)), rng.standard_normal((120, 400)), rng.standard_normal(120)
    results = []
    for lib in (torch, microtorch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        out = lib.nn.functional.linear(x, w, b) @ lib.tensor(np.ones((120, 84)) / 7)
        out.backward(lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape))))
        results.append([t.detach().numpy() for t in (out, x.grad, w.grad, b.grad)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
