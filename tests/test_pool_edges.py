"""Pooling at its edges, against torch: an inf or nan upstream gradient in max pooling's backward (it reaches the
argmax cell only), and the stride rule (None or an empty sequence means the kernel size; a tensor counts only as
one integer) in the functions and the modules."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch


def _both(fn):
    """fn(lib) run on torch and on microtorch: (torch's result or exception, microtorch's)."""
    results = []
    for lib in (torch, microtorch):
        try:
            results.append(fn(lib))
        except Exception as e:  # compared by type below
            results.append(e)
    return results


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geometry", [dict(kernel_size=2), dict(kernel_size=3, stride=1),
                                      dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, dilation=2)],
                         ids=str)
def test_max_pool_backward_routes_inf_and_nan_to_the_argmax_only(geometry, dtype):
    rng = np.random.default_rng(3)
    x0 = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6).astype(dtype)  # distinct values: one max per window

    def grad(lib):
        x = lib.tensor(x0, requires_grad=True)
        out = lib.nn.functional.max_pool2d(x, **geometry)
        upstream = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype))
        upstream[0, 0, 0, 0], upstream[1, 2, -1, -1], upstream[0, 1, 1, 0] = float("inf"), float("nan"), -float("inf")
        out.backward(upstream)
        return x.grad.numpy()

    theirs, ours = _both(grad)
    assert np.isfinite(ours).sum() == np.isfinite(theirs).sum() > 0  # zeros stay zeros beside an inf
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)  # (overlapping windows add in another order)


def test_max_pool1d_backward_with_inf_gradient_matches_torch():
    def grad(lib):
        x = lib.tensor([[[3.0, 1.0, 2.0, 5.0, 4.0]]], requires_grad=True)
        lib.nn.functional.max_pool1d(x, 3, 1).backward(lib.tensor([[[float("inf"), 1.0, float("nan")]]]))
        return x.grad.numpy()

    theirs, ours = _both(grad)
    np.testing.assert_array_equal(ours, theirs)


_STRIDES = [None, [], (), (2, 1), [3], 2]


@pytest.mark.parametrize("stride", _STRIDES, ids=repr)
@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d", "lp_pool2d", "max_pool1d", "avg_pool1d"])
def test_pooling_stride_rule_matches_torch(fn, stride):
    def pool(lib):
        x = lib.tensor(np.arange(2 * 3 * 8 * 7, dtype=np.float64).reshape(2, 3, 8, 7) % 11)
        if fn == "lp_pool2d":
            return lib.nn.functional.lp_pool2d(x, 2.0, 3, stride).numpy()
        if fn.endswith("1d"):
            return getattr(lib.nn.functional, fn)(x[0], 3, stride if stride != (2, 1) else (2,)).numpy()
        return getattr(lib.nn.functional, fn)(x, 3, stride).numpy()

    theirs, ours = _both(pool)
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("make", [lambda lib: lib.zeros(0, 3), lambda lib: lib.zeros(0), lambda lib: lib.tensor([1, 2]),
                                  lambda lib: lib.tensor(2.0)], ids=["empty 2-d", "empty", "two", "float"])
@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d", "avg_pool1d"])
def test_pooling_tensor_stride_is_refused_as_torch(fn, make):
    def pool(lib):
        x = lib.ones(1, 2, 6, 6)
        return getattr(lib.nn.functional, fn)(x[0] if fn.endswith("1d") else x, 2, make(lib))

    theirs, ours = _both(pool)
    assert isinstance(theirs, TypeError) and isinstance(ours, TypeError), (theirs, ours)
    assert str(ours) == str(theirs).strip()


@pytest.mark.parametrize("make", [lambda lib: lib.tensor(2), lambda lib: lib.tensor([2]), lambda lib: lib.tensor(True)],
                         ids=["0-d", "one", "bool"])
def test_pooling_one_integer_tensor_stride_matches_torch(make):
    def pool(lib):
        x = lib.tensor(np.arange(72.0).reshape(1, 2, 6, 6) % 5)
        return [lib.nn.functional.max_pool2d(x, 2, make(lib)).numpy(),
                lib.nn.functional.avg_pool2d(x, 2, make(lib)).numpy()]

    theirs, ours = _both(pool)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("stride", [None, [], ()], ids=repr)
@pytest.mark.parametrize("module", ["MaxPool2d", "AvgPool2d", "AvgPool1d", "MaxPool1d", "LPPool2d"])
def test_pooling_modules_empty_stride_is_the_kernel_size(module, stride):
    def pool(lib):
        cls = getattr(lib.nn, module)
        layer = cls(2.0, 3, stride) if module == "LPPool2d" else cls(3, stride)
        x = lib.tensor(np.arange(2 * 3 * 8 * 7, dtype=np.float64).reshape(2, 3, 8, 7) % 11)
        return layer(x[0] if module.endswith("1d") else x).numpy()

    theirs, ours = _both(pool)
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("stride", [None, [], ()], ids=repr)
def test_max_unpool_empty_stride_is_the_kernel_size(stride):
    x = microtorch.tensor(np.arange(72.0).reshape(1, 2, 6, 6) % 7)
    pooled, indices = microtorch.nn.functional.max_pool2d(x, 2, return_indices=True)
    expected = microtorch.nn.functional.max_unpool2d(pooled, indices, 2, 2)
    np.testing.assert_array_equal(microtorch.nn.functional.max_unpool2d(pooled, indices, 2, stride).numpy(),
                                  expected.numpy())
    np.testing.assert_array_equal(microtorch.nn.MaxUnpool2d(2, stride)(pooled, indices).numpy(), expected.numpy())
