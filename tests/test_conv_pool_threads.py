"""Convolution and pooling with their window passes (im2col, col2im, pooling windows) split across 3 threads at
every size (``run_chunks``, threshold 0), against torch: the op-table entries, their double backward, and larger
batches so that every thread gets samples (odd sizes, non-contiguous inputs, float32 and float64)."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microtorch
from op_table import OPS

_WINDOW_OPS = [s for s in OPS if s.name.startswith("F.") and ("conv" in s.name or "pool" in s.name)]


@contextlib.contextmanager
def _three_threads_always():
    from microtorch.backends import _threads

    old, threshold = _threads.get_num_threads(), _threads.threshold
    try:
        _threads.set_num_threads(3)
        _threads.threshold = 0
        yield
    finally:
        _threads.threshold = threshold
        _threads.set_num_threads(old)


@pytest.mark.parametrize("spec", _WINDOW_OPS, ids=lambda s: s.name)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(data=st.data())
def test_window_ops_in_chunks_on_threads_match_torch(spec, data):
    from test_ops_property import test_op_matches_torch

    with _three_threads_always():
        test_op_matches_torch.hypothesis.inner_test(spec, "float64", "cpu", data)


_TWICE = [s for s in _WINDOW_OPS if s.grad]


@pytest.mark.parametrize("spec", _TWICE, ids=lambda s: s.name)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(data=st.data())
def test_window_ops_double_backward_in_chunks_match_torch(spec, data):
    from test_double_backward import test_double_backward_matches_torch

    with _three_threads_always():
        test_double_backward_matches_torch.hypothesis.inner_test(spec, "cpu", data)


def _layer_cases():
    conv = lambda lib, x, w, b, **kw: lib.nn.functional.conv2d(x, w, b, **kw)  # noqa: E731
    convt = lambda lib, x, w, b, **kw: lib.nn.functional.conv_transpose2d(x, w, b, **kw)  # noqa: E731
    return [
        ("conv2d 3x3 pad 1", conv, (7, 3, 9, 8), (4, 3, 3, 3), 4, dict(padding=1)),
        ("conv2d 3x3 stride 2 dilation 2 groups 2", conv, (5, 4, 13, 11), (6, 2, 3, 3), 6,
         dict(stride=2, dilation=2, groups=2)),
        ("conv_transpose2d stride 2", convt, (5, 4, 5, 6), (4, 3, 3, 3), 3, dict(stride=2, padding=1, output_padding=1)),
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", _layer_cases(), ids=lambda c: c[0])
def test_conv_layers_in_chunks_match_torch(case, dtype):
    _, fn, x_shape, w_shape, out_channels, params = case
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal(x_shape[:2] + x_shape[:1:-1]).astype(dtype)  # stored (N, C, W, H): a transposed view
    w0, b0 = rng.standard_normal(w_shape).astype(dtype), rng.standard_normal((out_channels,)).astype(dtype)
    results = {}
    with _three_threads_always():
        for lib in (torch, microtorch):
            x = lib.tensor(x0).requires_grad_()
            w, b = lib.tensor(w0).requires_grad_(), lib.tensor(b0).requires_grad_()
            out = fn(lib, x.transpose(2, 3), w, b, **params)
            upstream = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype))
            out.backward(upstream)
            results[lib.__name__] = [t.detach().numpy() for t in (out, x.grad, w.grad, b.grad)]
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for ours, theirs in zip(results["microtorch"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("params", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, stride=1, dilation=2, ceil_mode=True)], ids=str)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_in_chunks_matches_torch(kind, params, dtype):
    if kind == "avg":
        if "dilation" in params:
            pytest.skip("avg_pool2d has no dilation")
        params = dict(params, count_include_pad=False)
    rng = np.random.default_rng(8)
    x0 = rng.permutation(7 * 3 * 11 * 9).reshape(7, 3, 9, 11).astype(dtype)  # distinct values: one max per window
    results = {}
    with _three_threads_always():
        for lib in (torch, microtorch):
            x = lib.tensor(x0).requires_grad_()
            out = getattr(lib.nn.functional, f"{kind}_pool2d")(x.transpose(2, 3), **params)
            out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype)))
            results[lib.__name__] = [out.detach().numpy(), x.grad.numpy()]
    for ours, theirs in zip(results["microtorch"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
