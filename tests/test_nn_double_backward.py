"""Second derivatives of the nn.functional ops (the op table's "F." entries marked ``twice``) match torch's.

Each op's backward is written with differentiable ops, so differentiating the
gradient again (``create_graph=True``) must give torch's Hessian-vector products.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import microtorch
from helpers import assert_close, make_inputs
from op_table import OPS, values

TWICE = [s for s in OPS if s.name.startswith("F.") and s.grad and s.twice]


@pytest.mark.parametrize("spec", TWICE, ids=lambda s: s.name)
@settings(max_examples=6)
@given(data=st.data())
def test_second_derivatives_match_torch(spec, data):
    inputs, params = spec.draw(data, "float64")
    t_leaves, t_args = make_inputs(torch, inputs, "float64", "cpu", "contiguous")
    m_leaves, m_args = make_inputs(microtorch, inputs, "float64", "cpu", "contiguous")
    t_out = spec.fn(torch, *t_args, **params)
    m_out = spec.fn(microtorch, *m_args, **params)
    t_wrt = [t for t in t_leaves if t is not None]
    m_wrt = [m for m in m_leaves if m is not None]
    upstream = values(data, tuple(t_out.shape), -2.0, 2.0)
    t_grads = torch.autograd.grad(t_out, t_wrt, torch.tensor(upstream), create_graph=True, allow_unused=True)
    m_grads = microtorch.autograd.grad(m_out, m_wrt, microtorch.tensor(upstream, dtype=microtorch.float64),
                                       create_graph=True, allow_unused=True)
    # a random direction for each first derivative; differentiate <grads, directions> again (a gradient
    # that does not depend on the inputs has no graph: its second derivative is zero)
    t_terms, m_terms = [], []
    for tg, mg in zip(t_grads, m_grads):
        if tg is None and mg is None:
            continue
        direction = values(data, tuple((tg if tg is not None else mg).shape), -1.0, 1.0)
        if tg is not None and tg.requires_grad:
            t_terms.append((tg * torch.tensor(direction)).sum())
        if mg is not None and mg.requires_grad:
            m_terms.append((mg * microtorch.tensor(direction, dtype=microtorch.float64)).sum())
    t_second = torch.autograd.grad(sum(t_terms), t_wrt, allow_unused=True) if t_terms else [None] * len(t_wrt)
    m_second = microtorch.autograd.grad(sum(m_terms), m_wrt, allow_unused=True) if m_terms else [None] * len(m_wrt)
    for i, (ts, ms) in enumerate(zip(t_second, m_second)):
        if ts is not None and ts._is_zerotensor():  # torch's symbolic zeros
            ts = torch.zeros(ts.shape, dtype=ts.dtype)
        if ts is None or ms is None:  # no path to this input: the other library must say zero too
            other = ms if ts is None else ts
            assert other is None or not np.any(other.detach().numpy()), f"{spec.name}: second derivative {i} differs"
            continue
        assert_close(ms, ts, 1e-6, 1e-8, f"{spec.name} second derivative of input {i}")
