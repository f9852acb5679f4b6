"""Higher-order gradients: every twice-differentiable op of the table, against torch (float64).

As torch's gradgradcheck: with a random upstream ``v``, take ``g = d<out, v>/dx``
with ``create_graph=True``, then differentiate ``sum(g * w)`` (random ``w``) with
respect to the inputs and to ``v``.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microtorch as mt
from conftest import DEVICES, examples
from helpers import assert_close, make_inputs
from op_table import OPS, values

TWICE = [s for s in OPS if s.grad and s.twice]


def _second_order(lib, spec, inputs, params, v_arr, w_arrs, device):
    leaves, args = make_inputs(lib, inputs, "float64", device, "contiguous")
    kw = {"device": device} if lib is mt else {}
    out = spec.fn(lib, *args, **params)
    if not out.requires_grad:
        return None
    diff = [leaf for leaf in leaves if leaf is not None]
    v = lib.tensor(v_arr, dtype=out.dtype, requires_grad=True, **kw)  # (casts give other dtypes)
    grads = lib.autograd.grad(out, diff, grad_outputs=v, create_graph=True, allow_unused=True)
    total = None
    for g, w in zip(grads, w_arrs):
        if g is None or not g.requires_grad:
            continue
        term = (g * lib.tensor(w, dtype=lib.float64, **kw)).sum()
        total = term if total is None else total + term
    if total is None:
        return [None] * (len(diff) + 1)
    return list(lib.autograd.grad(total, diff + [v], allow_unused=True))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("spec", TWICE, ids=lambda s: s.name)
@settings(max_examples=examples(ci=3, full=6))
@given(data=st.data())
def test_double_backward_matches_torch(spec, device, data):
    inputs, params = spec.draw(data, "float64")
    t_leaves, t_args = make_inputs(torch, inputs, "float64", "cpu", "contiguous")
    out_shape = tuple(spec.fn(torch, *t_args, **params).shape)
    v = values(data, out_shape, -2.0, 2.0)
    ws = [values(data, np.shape(x), -2.0, 2.0) for x in inputs if isinstance(x, np.ndarray)]
    expected = _second_order(torch, spec, inputs, params, v, ws, "cpu")
    got = _second_order(mt, spec, inputs, params, v, ws, device)
    if expected is None:
        return
    # at non-differentiable points (std or norm of zeros) torch answers nan; microtorch answers 0
    assume(not any(e is not None and bool(e.isnan().any()) for e in expected))
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is None:  # torch found no dependence: ours must be absent or zero
            assert g is None or np.allclose(g.detach().cpu().numpy(), 0.0, atol=1e-8), f"{spec.name}: second-order gradient {i} should be zero"
            continue
        if g is None:
            g = mt.zeros(tuple(e.shape), dtype=mt.float64)
        assert_close(g, e, 1e-6, 1e-8, f"{spec.name} second-order gradient {i}")
