"""Deterministic cases at kinks and ties, where torch picks a convention."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import DEVICES


def _grads(fn, values, device, *extra):
    """Gradients of fn(x).sum() at ``values`` in both libraries."""
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    mx = mt.tensor(values, dtype=mt.float64, requires_grad=True, device=device)
    fn(torch, tx, *extra).sum().backward()
    fn(mt, mx, *extra).sum().backward()
    return mx.grad.cpu().numpy(), tx.grad.numpy()


CASES = {
    "relu_at_zero": (lambda lib, x: lib.relu(x), [-1.0, 0.0, 1.0]),
    "abs_at_zero": (lambda lib, x: lib.abs(x), [-1.0, 0.0, 1.0]),
    "clamp_at_bounds": (lambda lib, x: lib.clamp(x, -1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0]),
    "maximum_ties": (lambda lib, x: lib.maximum(x, lib.tensor([1.0, 0.0, 3.0], dtype=x.dtype, device=x.device) if lib is mt else lib.tensor([1.0, 0.0, 3.0], dtype=x.dtype)), [1.0, 2.0, 3.0]),
    "minimum_ties": (lambda lib, x: lib.minimum(x, x.detach() * 0 + 2.0), [1.0, 2.0, 3.0]),
    "max_all_ties": (lambda lib, x: x.max(), [3.0, 1.0, 3.0, 3.0]),
    "min_all_ties": (lambda lib, x: x.min(), [0.0, 1.0, 0.0]),
    "amax_dim_ties": (lambda lib, x: x.reshape(2, 3).amax(1), [5.0, 5.0, 1.0, 2.0, 7.0, 7.0]),
    "max_dim_ties": (lambda lib, x: x.reshape(2, 3).max(1).values, [5.0, 5.0, 1.0, 2.0, 7.0, 7.0]),
    "sign_zero_grad": (lambda lib, x: lib.sign(x), [-2.0, 0.0, 2.0]),
    "floor_zero_grad": (lambda lib, x: lib.floor(x), [-1.5, 0.0, 1.5]),
    "ceil_zero_grad": (lambda lib, x: lib.ceil(x), [-1.5, 0.0, 1.5]),
    "round_half_even": (lambda lib, x: lib.round(x) * x, [-2.5, -0.5, 0.5, 1.5, 2.5]),
    "norm_at_zero": (lambda lib, x: x.norm(), [0.0, 0.0, 0.0]),
    "norm_dim_at_zero": (lambda lib, x: x.reshape(2, 2).norm(dim=1), [0.0, 0.0, 3.0, 4.0]),
    "std_constant": (lambda lib, x: x.std(), [2.0, 2.0, 2.0]),
    "prod_one_zero": (lambda lib, x: x.prod(), [2.0, 0.0, 3.0]),
    "prod_two_zeros": (lambda lib, x: x.prod(), [0.0, 0.0, 3.0]),
    "prod_dim_zero": (lambda lib, x: x.reshape(2, 2).prod(1), [0.0, 2.0, 3.0, 4.0]),
    "pow_zero_base_tensor_exponent": (lambda lib, x: (x * 0) ** x, [0.5, 1.0, 2.0]),
    "pow_zero_exponent": (lambda lib, x: x ** 0, [0.0, 1.0, -2.0]),
    "sqrt_of_square": (lambda lib, x: (x * x + 1.0).sqrt(), [0.0, 1.0]),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_kink_convention_matches_torch(name, device):
    fn, values = CASES[name]
    got, expected = _grads(fn, values, device)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=name)


@pytest.mark.parametrize("device", DEVICES)
def test_max_dim_tie_picks_the_same_index_as_torch(device):
    values = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    m = mt.tensor(values, device=device).max(1)
    t = torch.tensor(values).max(1)
    assert m.indices.tolist() == t.indices.tolist()
    assert m.values.tolist() == t.values.tolist()
    assert m.indices.dtype == mt.int64


@pytest.mark.parametrize("device", DEVICES)
def test_nan_propagates_like_torch(device):
    values = [float("nan"), 1.0, -1.0]
    for fn in (lambda lib, x: lib.relu(x), lambda lib, x: x.exp(), lambda lib, x: lib.maximum(x, x * 0)):
        got = fn(mt, mt.tensor(values, device=device)).cpu().numpy()
        expected = fn(torch, torch.tensor(values)).numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
