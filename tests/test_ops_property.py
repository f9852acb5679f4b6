"""Every op in the op table: forward values, dtypes, shapes and gradients match PyTorch.

Hypothesis draws shapes (broadcasting, 0-d, size-1 dims), values inside each op's
domain, contiguous or non-contiguous layouts and a random upstream gradient.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import microtorch
from conftest import DEVICES, examples
from helpers import assert_close, make_inputs
from op_table import OPS, values


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spec", OPS, ids=lambda s: s.name)
@settings(max_examples=examples(ci=6))
@given(data=st.data())
def test_op_matches_torch(spec, dtype, device, data):
    if dtype not in spec.dtypes:
        pytest.skip(f"{spec.name} is not tested in {dtype}")
    inputs, params = spec.draw(data, dtype)
    layout = data.draw(st.sampled_from(["contiguous", "transposed", "strided"]), label="layout") if spec.noncontiguous else "contiguous"
    rtol, atol = spec.tolerances(dtype)

    t_leaves, t_args = make_inputs(torch, inputs, dtype, "cpu", layout)
    m_leaves, m_args = make_inputs(microtorch, inputs, dtype, device, layout)
    t_out = spec.fn(torch, *t_args, **params)
    m_out = spec.fn(microtorch, *m_args, **params)
    assert isinstance(m_out, microtorch.Tensor)
    assert m_out.device == microtorch.device(device) or m_out.device.type == device
    assert_close(m_out, t_out, rtol, atol, f"{spec.name} forward")

    if not (spec.grad and t_out.requires_grad):
        assert not m_out.requires_grad or not spec.grad
        return
    assert m_out.requires_grad
    upstream = values(data, tuple(t_out.shape), -2.0, 2.0)
    t_out.backward(torch.tensor(upstream, dtype=t_out.dtype))
    m_out.backward(microtorch.tensor(upstream, dtype=m_out.dtype, device=device))
    for i, (tl, ml) in enumerate(zip(t_leaves, m_leaves)):
        if tl is None:
            continue
        if tl.grad is None:
            assert ml.grad is None or not np.any(ml.grad.cpu().numpy()), f"{spec.name}: input {i} got a gradient torch does not give"
            continue
        assert ml.grad is not None, f"{spec.name}: no gradient for input {i}"
        assert_close(ml.grad, tl.grad, rtol, atol, f"{spec.name} grad of input {i}")
