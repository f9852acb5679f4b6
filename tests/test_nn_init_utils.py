"""nn.init (distributions, bounds and gains as torch's) and nn.utils (clipping, parameter vectors) against torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import microtorch
import microtorch.nn as mnn
from helpers import to_numpy


@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                                ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert mnn.init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


def test_fan_in_and_out_match_torch():
    for shape in [(3, 4), (8, 3, 5, 5), (6, 2, 3)]:
        assert mnn.init._calculate_fan_in_and_fan_out(microtorch.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        mnn.init.xavier_uniform_(microtorch.empty(4))


def _stats(t):
    a = to_numpy(t).ravel()
    return a.min(), a.max(), a.mean(), a.std()


def test_uniform_initialisers_fill_their_bounds():
    w = microtorch.empty(200, 300)
    bound = math.sqrt(6.0 / 500)
    lo, hi, mean, std = _stats(mnn.init.xavier_uniform_(w))
    assert -bound <= lo and hi <= bound and hi > 0.99 * bound and abs(std - bound / math.sqrt(3)) < 0.01 * bound
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 300)  # kaiming_uniform_ for relu, fan_in = 300
    lo, hi, _, std = _stats(mnn.init.kaiming_uniform_(w, nonlinearity="relu"))
    assert -bound <= lo and hi <= bound and abs(std - bound / math.sqrt(3)) < 0.01 * bound
    lo, hi, _, _ = _stats(mnn.init.uniform_(w, -0.5, 2.0))
    assert -0.5 <= lo and hi <= 2.0


def test_normal_initialisers_have_their_std():
    w = microtorch.empty(300, 400)
    _, _, mean, std = _stats(mnn.init.xavier_normal_(w, gain=2.0))
    assert abs(mean) < 0.01 and std == pytest.approx(2.0 * math.sqrt(2.0 / 700), rel=0.01)
    _, _, mean, std = _stats(mnn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"))
    assert std == pytest.approx(math.sqrt(2.0 / 300), rel=0.01)
    _, _, mean, std = _stats(mnn.init.normal_(w, 3.0, 0.5))
    assert mean == pytest.approx(3.0, abs=0.01) and std == pytest.approx(0.5, rel=0.01)


def test_trunc_normal_stays_in_range_with_the_truncated_std():
    w = mnn.init.trunc_normal_(microtorch.empty(200, 500), mean=0.0, std=1.0, a=-1.0, b=2.0)
    lo, hi, mean, std = _stats(w)
    assert -1.0 <= lo and hi <= 2.0
    reference = torch.nn.init.trunc_normal_(torch.empty(200, 500), 0.0, 1.0, -1.0, 2.0)
    assert mean == pytest.approx(float(reference.mean()), abs=0.01) and std == pytest.approx(float(reference.std()), abs=0.01)
    with pytest.raises(ValueError, match="redrawing"):
        mnn.init.trunc_normal_(microtorch.empty(3), mean=0.0, std=1.0, a=10.0, b=11.0)


def test_orthogonal_constant_zeros_ones():
    for shape in [(4, 6), (6, 4), (3, 2, 2)]:
        w = mnn.init.orthogonal_(microtorch.empty(shape), gain=2.0)
        flat = to_numpy(w).reshape(shape[0], -1)
        gram = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    assert float(mnn.init.constant_(microtorch.empty(3), 0.25).sum()) == 0.75
    assert float(mnn.init.ones_(microtorch.empty(3)).sum()) == 3.0
    assert float(mnn.init.zeros_(microtorch.ones(3)).sum()) == 0.0


def test_initialisers_leave_no_graph_and_keep_requires_grad():
    p = mnn.Parameter(microtorch.empty(3, 4))
    mnn.init.kaiming_uniform_(p)
    assert p.requires_grad and p.grad_fn is None and p.is_leaf


def test_layer_default_initialisation_follows_torch():
    linear = mnn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for t in (linear.weight, linear.bias):
        lo, hi, _, std = _stats(t)
        assert -bound <= lo and hi <= bound
    assert _stats(linear.weight)[3] == pytest.approx(bound / math.sqrt(3), rel=0.02)
    conv = mnn.Conv2d(6, 16, 5)
    bound = 1 / math.sqrt(6 * 25)
    assert all(-bound <= v <= bound for v in _stats(conv.weight)[:2] + _stats(conv.bias)[:2])
    emb = mnn.Embedding(500, 64, padding_idx=3)
    assert float(emb.weight[3].abs().sum()) == 0.0 and _stats(emb.weight)[3] == pytest.approx(1.0, rel=0.05)
    bn = mnn.BatchNorm2d(4)
    assert to_numpy(bn.weight).tolist() == [1.0] * 4 and to_numpy(bn.running_var).tolist() == [1.0] * 4


def _twin_grads(seed=0):
    """The same parameters with the same gradients in both libraries."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) * 3 for s in [(3, 4), (4,), (2, 2)]]
    grads = [rng.standard_normal(a.shape) for a in arrays]
    t_params = [torch.tensor(a, requires_grad=True) for a in arrays]
    m_params = [microtorch.tensor(a, requires_grad=True) for a in arrays]
    for tp, mp, g in zip(t_params, m_params, grads):
        tp.grad = torch.tensor(g)
        mp.grad = microtorch.tensor(g)
    return t_params, m_params


@pytest.mark.parametrize("norm_type,max_norm", [(2.0, 1.0), (1.0, 2.0), (float("inf"), 0.5), (2.0, 100.0)])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    t_params, m_params = _twin_grads()
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    m_total = mnn.utils.clip_grad_norm_(m_params, max_norm, norm_type)
    np.testing.assert_allclose(to_numpy(m_total), to_numpy(t_total), rtol=1e-10)
    for tp, mp in zip(t_params, m_params):
        np.testing.assert_allclose(to_numpy(mp.grad), to_numpy(tp.grad), rtol=1e-10)


def test_clip_grad_norm_nonfinite_and_no_grads():
    _, m_params = _twin_grads()
    m_params[0].grad = m_params[0].grad * float("nan")
    with pytest.raises(RuntimeError, match="non-finite"):
        mnn.utils.clip_grad_norm_(m_params, 1.0, error_if_nonfinite=True)
    assert float(mnn.utils.clip_grad_norm_([microtorch.zeros(2, requires_grad=True)], 1.0)) == 0.0


def test_clip_grad_value_matches_torch():
    t_params, m_params = _twin_grads(1)
    torch.nn.utils.clip_grad_value_(t_params, 0.7)
    mnn.utils.clip_grad_value_(m_params, 0.7)
    for tp, mp in zip(t_params, m_params):
        np.testing.assert_array_equal(to_numpy(mp.grad), to_numpy(tp.grad))


def test_parameters_to_vector_and_back():
    t_model, m_model = torch.nn.Linear(3, 2), mnn.Linear(3, 2)
    m_model.load_state_dict({k: microtorch.tensor(to_numpy(v)) for k, v in t_model.state_dict().items()})
    t_vec = torch.nn.utils.parameters_to_vector(t_model.parameters())
    m_vec = mnn.utils.parameters_to_vector(m_model.parameters())
    np.testing.assert_array_equal(to_numpy(m_vec), to_numpy(t_vec))
    assert m_vec.requires_grad  # differentiable, as torch's
    mnn.utils.vector_to_parameters(microtorch.arange(8, dtype=microtorch.float32), m_model.parameters())
    assert to_numpy(m_model.weight).ravel().tolist() == [0, 1, 2, 3, 4, 5] and to_numpy(m_model.bias).tolist() == [6, 7]
    with pytest.raises(RuntimeError, match="8 elements"):
        mnn.utils.vector_to_parameters(microtorch.zeros(5), m_model.parameters())
