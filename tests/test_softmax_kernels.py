"""The first-order array paths of softmax, log_softmax and the fused cross-entropy (sums along the last dim by a
GEMV, backward on arrays) against torch: values and gradients, float32 and float64, odd shapes, non-contiguous
inputs, any dim, rows masked to -inf; and their second derivatives (the Tensor-op path)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch

TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


def _pair(array: np.ndarray, dtype: str, transpose: bool) -> dict:
    """The same input in both libraries, as a leaf; transposed (a non-contiguous view) when asked."""
    out = {}
    for lib in (torch, microtorch):
        leaf = lib.tensor(array, dtype=getattr(lib, dtype), requires_grad=True)
        out[lib] = (leaf, leaf.transpose(0, -1) if transpose else leaf)
    return out


def _check(results: dict, dtype: str) -> None:
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), err_msg=f"result {i}", **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim,transpose", [
    ((3, 5, 7), -1, False), ((3, 5, 7), 1, False), ((2, 3, 1), -1, True), ((4, 3, 6, 5), -1, True), ((9,), 0, False),
])
def test_softmax_first_order_matches_torch(dtype, name, shape, dim, transpose):
    rng = np.random.default_rng(3)
    inputs = _pair(rng.standard_normal(shape) * 3, dtype, transpose)
    grad_out = rng.standard_normal(tuple(inputs[torch][1].shape))
    results = {}
    for lib, (leaf, x) in inputs.items():
        y = getattr(lib.nn.functional, name)(x, dim=dim)
        g = lib.tensor(grad_out, dtype=y.dtype).transpose(0, -1).contiguous().transpose(0, -1)  # (non-contiguous)
        results[lib] = (y,) + lib.autograd.grad(y, [leaf], g)
    _check(results, dtype)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_masked_attention_softmax_matches_torch_to_second_order(name):
    rng = np.random.default_rng(4)
    scores, mask = rng.standard_normal((2, 3, 5, 5)), np.triu(np.ones((5, 5), dtype=bool), 1)
    weight_array = np.where(mask, 0.0, rng.standard_normal((2, 3, 5, 5)))
    results = {}
    for lib in (torch, microtorch):
        x = lib.tensor(scores, requires_grad=True)
        y = getattr(lib.nn.functional, name)(x.masked_fill(lib.tensor(mask), float("-inf")), dim=-1)
        weights = lib.tensor(weight_array)
        finite = y.masked_fill(lib.tensor(mask), 0.0)  # (log_softmax is -inf at the masked cells)
        (first,) = lib.autograd.grad((finite * weights).sum(), [x], create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), [x])
        results[lib] = (finite, first, second)
    _check(results, "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("rows,classes,transpose", [(7, 5, False), (1, 3, False), (6, 11, True)])
def test_cross_entropy_first_order_matches_torch(dtype, reduction, rows, classes, transpose):
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((classes, rows) if transpose else (rows, classes)) * 4
    target = rng.integers(0, classes, rows)
    grad_out = rng.standard_normal(rows) if reduction == "none" else np.array(1.7)
    results = {}
    for lib, (leaf, x) in _pair(logits, dtype, transpose).items():
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(target), reduction=reduction)
        results[lib] = (loss,) + lib.autograd.grad(loss, [leaf], lib.tensor(grad_out, dtype=loss.dtype))
    _check(results, dtype)


def test_cross_entropy_second_derivative_matches_torch():
    rng = np.random.default_rng(6)
    logits, target = rng.standard_normal((4, 6)), rng.integers(0, 6, 4)
    results = {}
    for lib in (torch, microtorch):
        x = lib.tensor(logits, requires_grad=True)
        (first,) = lib.autograd.grad(lib.nn.functional.cross_entropy(x, lib.tensor(target)), [x], create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), [x])
        results[lib] = (first, second)
    _check(results, "float64")
