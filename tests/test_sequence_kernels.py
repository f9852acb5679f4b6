"""The fused kernels of sequence models against torch: the whole-sequence LSTM op, the row-wise scatter-add of
embedding's backward (values and gradients, float32 and float64, odd shapes)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-10)}


def _close(m, t, dtype, what):
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), err_msg=what, **TOL[dtype])


def _lstm_pair(dtype, **config):
    torch.manual_seed(1)
    t_mod = torch.nn.LSTM(**config).to(getattr(torch, dtype))
    m_mod = microtorch.nn.LSTM(**config).to(getattr(microtorch, dtype))
    m_mod.load_state_dict({k: microtorch.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})
    return t_mod, m_mod


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config,use", [
    (dict(input_size=3, hidden_size=5, num_layers=2), "all"),
    (dict(input_size=4, hidden_size=3, bidirectional=True, batch_first=True), "all"),
    (dict(input_size=2, hidden_size=4, bias=False), "output"),
    (dict(input_size=3, hidden_size=2, num_layers=2, bidirectional=True), "cell"),
])
def test_lstm_layer_matches_torch(dtype, config, use):
    t_mod, m_mod = _lstm_pair(dtype, **config)
    rng = np.random.default_rng(2)
    steps, batch = 7, 3
    shape = (batch, steps, config["input_size"]) if config.get("batch_first") else (steps, batch, config["input_size"])
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    arrays = [rng.standard_normal(shape)] + [rng.standard_normal((layers, batch, config["hidden_size"]))
                                             for _ in range(2)]
    results = {}
    for lib, mod in ((torch, t_mod), (microtorch, m_mod)):
        x, h0, c0 = (lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays)
        out, (h, c) = mod(x, (h0, c0))
        picked = {"all": [out, h, c], "output": [out], "cell": [c]}[use]
        loss_rng = np.random.default_rng(5)  # the same weights in both libraries' losses
        loss = sum((p * lib.tensor(loss_rng.standard_normal(tuple(p.shape)), dtype=p.dtype)).sum() for p in picked)
        grads = lib.autograd.grad(loss, [x, h0, c0] + list(mod.parameters()))
        results[lib] = (out, h, c) + tuple(grads)
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        _close(m, t, dtype, f"result {i}")


def test_lstm_layer_second_derivative_matches_torch():
    t_mod, m_mod = _lstm_pair("float64", input_size=2, hidden_size=3, bidirectional=True)
    rng = np.random.default_rng(3)
    x_array, v_array = rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 2))
    seconds = {}
    for lib, mod in ((torch, t_mod), (microtorch, m_mod)):
        x = lib.tensor(x_array, requires_grad=True)
        out, (h, c) = mod(x)
        (gx,) = lib.autograd.grad((out * out).sum() + c.sum(), x, create_graph=True)
        seconds[lib] = lib.autograd.grad((gx * lib.tensor(v_array)).sum(), [x] + list(mod.parameters()))
    for i, (m, t) in enumerate(zip(seconds[microtorch], seconds[torch])):
        _close(m, t, "float64", f"second derivative {i}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows,count", [(1000, 700), (7, 300), (3, 200)])  # (3, 200): runs longer than 16
def test_row_scatter_add_matches_torch(dtype, rows, count):
    rng = np.random.default_rng(4)
    weight = rng.standard_normal((rows, 6))
    index = rng.integers(-rows, rows, (count // 4, 4))  # negative rows too
    g = rng.standard_normal(index.shape + (6,))
    grads = []
    for lib in (torch, microtorch):
        w = lib.tensor(weight, dtype=getattr(lib, dtype), requires_grad=True)
        w[lib.tensor(index)].backward(lib.tensor(g, dtype=w.dtype))
        e = lib.tensor(weight, dtype=getattr(lib, dtype), requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(index % rows), e, padding_idx=1).backward(lib.tensor(g, dtype=e.dtype))
        grads.append((w.grad, e.grad))
    for (m, t), what in zip(zip(grads[1], grads[0]), ("indexing", "embedding")):
        _close(m, t, dtype, what)


def test_row_scatter_add_out_of_range_raises():
    w = microtorch.zeros(5, 3, requires_grad=True)
    with pytest.raises(IndexError):
        w[microtorch.arange(100) - 50]


def _torch_attention(q, k, v, mask, causal, scale):
    """torch's SDPA as explicit math (differentiable twice, unlike its CPU flash kernel)."""
    scores = q @ k.transpose(-2, -1) * scale
    if causal:
        scores = scores.masked_fill(~torch.ones(scores.shape[-2:], dtype=torch.bool).tril(), float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    blocked = (scores == float("-inf")).all(-1, keepdim=True)
    return scores.masked_fill(blocked, 0.0).softmax(-1).masked_fill(blocked, 0.0) @ v


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "broadcast float"])
def test_fused_attention_matches_torch_to_second_order(dtype, kind):
    rng = np.random.default_rng(6)
    q_a, k_a, v_a = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3, 6, 4)), rng.standard_normal((2, 3, 6, 7))
    mask_a = {"bool": rng.random((5, 6)) < 0.6, "float": rng.standard_normal((2, 3, 5, 6)),
              "broadcast float": rng.standard_normal((1, 6))}.get(kind)
    mask_a = mask_a if kind != "bool" else np.concatenate([np.zeros((1, 6), bool), mask_a[1:]])  # a blocked row
    results = {}
    for lib in (torch, microtorch):
        make = lambda a: lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)  # noqa: E731
        q_leaf, k, v = make(q_a.swapaxes(1, 2).copy()), make(k_a), make(v_a)
        q = q_leaf.transpose(1, 2)  # a non-contiguous operand
        mask = None if mask_a is None else lib.tensor(mask_a) if kind == "bool" else make(mask_a)
        wrt = [q_leaf, k, v] + ([mask] if mask is not None and mask.requires_grad else [])
        causal = kind == "causal"
        if lib is torch:
            out = _torch_attention(q, k, v, mask, causal, 0.6)
        else:
            out = lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, scale=0.6)
        firsts = lib.autograd.grad((out * out).sum(), wrt, create_graph=True)
        seconds = lib.autograd.grad(sum((g * g).sum() for g in firsts), wrt)
        results[lib] = (out,) + firsts + seconds
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        _close(m, t, dtype, f"{kind}: result {i}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("normalized,affine", [((6,), "both"), ((3, 6), "weight"), ((6,), "bias"), ((6,), "none")])
def test_fused_layer_norm_matches_torch_to_second_order(dtype, normalized, affine):
    rng = np.random.default_rng(7)
    x_a = rng.standard_normal((4, 6, 3)) * 3 + 1
    w_a, b_a = rng.standard_normal(normalized), rng.standard_normal(normalized)
    results = {}
    for lib in (torch, microtorch):
        make = lambda a: lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)  # noqa: E731
        x_leaf = make(x_a)
        x = x_leaf.transpose(1, 2)  # (4, 3, 6), not contiguous
        w = make(w_a) if affine in ("both", "weight") else None
        b = make(b_a) if affine in ("both", "bias") else None
        out = lib.nn.functional.layer_norm(x, normalized, w, b, eps=1e-3)
        wrt = [t for t in (x_leaf, w, b) if t is not None]
        firsts = lib.autograd.grad((out * lib.tensor(np.cos(np.arange(72.0)).reshape(4, 3, 6), dtype=out.dtype)).sum(),
                                   wrt, create_graph=True)
        # (the bias's gradient is a constant: torch's own double backward fails on it, so it is left out)
        seconds = lib.autograd.grad(sum((g * g).sum() for g, t in zip(firsts, wrt) if t is not b), wrt,
                                    allow_unused=True)
        results[lib] = (out,) + firsts + tuple(s if s is not None else lib.zeros(()) for s in seconds)
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        _close(m, t, dtype, f"{normalized} {affine}: result {i}")


@pytest.mark.parametrize("queries,keys", [(0, 3), (3, 0), (0, 0)])
def test_fused_attention_of_empty_sequences_matches_torch(queries, keys):
    results = {}
    for lib in (torch, microtorch):
        q, k, v = (lib.ones(2, n, d, requires_grad=True) for n, d in ((queries, 4), (keys, 4), (keys, 5)))
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v)
        out.sum().backward()
        results[lib] = (out, q.grad, k.grad, v.grad)
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        assert tuple(m.shape) == tuple(t.shape), i
        _close(m, t, "float32", f"result {i}")


def test_lstm_layer_of_one_step_and_state_gradients_only_matches_torch():
    t_mod, m_mod = _lstm_pair("float64", input_size=2, hidden_size=3)
    rng = np.random.default_rng(8)
    x_a, h_a, c_a = rng.standard_normal((1, 1, 2)), rng.standard_normal((1, 1, 3)), rng.standard_normal((1, 1, 3))
    results = {}
    for lib, mod in ((torch, t_mod), (microtorch, m_mod)):
        mod.requires_grad_(False)
        h0, c0 = lib.tensor(h_a, requires_grad=True), lib.tensor(c_a, requires_grad=True)
        out, (h, c) = mod(lib.tensor(x_a), (h0, c0))
        results[lib] = (out, c) + lib.autograd.grad((out * 2).sum() + (c * c).sum(), [h0, c0])
    for i, (m, t) in enumerate(zip(results[microtorch], results[torch])):
        _close(m, t, "float64", f"result {i}")
