"""``segment_reduce`` against torch: op_db's ``_segment_reduce`` samples (lengths and offsets, every reduction,
with and without ``initial``, batched lengths), values and the gradients of a random weighting; and torch's
errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.testing._internal.common_methods_invocations import op_db

import microtorch as mt
from helpers import assert_like_torch

SAMPLES = [(op.variant_test_name, s) for op in op_db if op.name == "_segment_reduce"
           for s in op.sample_inputs("cpu", torch.float64, requires_grad=True)]


def _to_mt(value):
    return mt.tensor(value.detach().numpy()) if isinstance(value, torch.Tensor) else value


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_op_db_samples_match_torch(dtype):
    rng = np.random.default_rng(0)
    checked = 0
    for variant, sample in SAMPLES:
        theirs_in = sample.input.detach().to(getattr(torch, dtype)).requires_grad_()
        reduce, kwargs = sample.args[0], sample.kwargs
        theirs = torch.segment_reduce(theirs_in, reduce, **kwargs)
        ours_in = mt.tensor(theirs_in.detach().numpy(), requires_grad=True)
        ours = mt.segment_reduce(ours_in, reduce, **{k: _to_mt(v) for k, v in kwargs.items()})
        tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol, err_msg=f"{variant} {reduce}")
        weights = rng.standard_normal(tuple(theirs.shape))
        (grad_theirs,) = torch.autograd.grad((torch.nan_to_num(theirs, 0.0, 0.0, 0.0) * torch.tensor(weights)).sum(),
                                             theirs_in)
        (grad_ours,) = mt.autograd.grad((mt.nan_to_num(ours, 0.0, 0.0, 0.0) * mt.tensor(weights)).sum(), ours_in,
                                        allow_unused=True)
        grad_ours = np.zeros(tuple(ours_in.shape)) if grad_ours is None else grad_ours.numpy()
        np.testing.assert_allclose(grad_ours, grad_theirs.numpy(), **tol, err_msg=f"{variant} {reduce} gradient")
        checked += 1
    assert checked == len(SAMPLES) >= 100


@pytest.mark.parametrize("call", [
    lambda lib: lib.segment_reduce(lib.arange(12.0).reshape(2, 6), "sum", lengths=lib.tensor([[1, 2, 3], [3, 3, 0]]),
                                   axis=1),
    lambda lib: lib.segment_reduce(lib.arange(12.0).reshape(6, 2), "max", lengths=lib.tensor([1, 2, 3])),
    lambda lib: lib.segment_reduce(lib.tensor([1.0, 2, 3]), "amin", offsets=lib.tensor([0, 1, 3])),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum", lengths=lib.tensor([1, 1])),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum", lengths=lib.tensor([1, 1]), unsafe=True),
    lambda lib: lib.segment_reduce(lib.ones(5), "foo", lengths=lib.tensor([5])),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum"),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum", lengths=lib.tensor([-1, 6])),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum", indices=lib.tensor([5])),
    lambda lib: lib.segment_reduce(lib.ones(5), "sum", lengths=lib.tensor([5.0])),
], ids=["batched lengths", "a 2-d slab", "offsets and amin", "lengths not summing", "unsafe", "bad reduce",
        "no lengths", "negative length", "indices", "float lengths"])
def test_edges_and_errors_as_torch(call):
    assert_like_torch(call, same_message=False)
