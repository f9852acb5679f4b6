"""The APIs added together (sorting, scatter, triangular, tiling, attention, more activations), beyond
the op table: non-differentiable results, edge cases, errors, and the new layers' parity with torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import DEVICES
from helpers import to_numpy
from test_nn_parity import check_parity, randn, uniform


def _same(m, t):
    """Same shape, dtype and values (tuples element by element)."""
    if isinstance(t, (tuple, list)):
        assert len(m) == len(t)
        for a, b in zip(m, t):
            _same(a, b)
        return
    assert tuple(m.shape) == tuple(t.shape), (m.shape, t.shape)
    assert m.dtype.name == str(t.dtype).split(".")[1], (m.dtype, t.dtype)
    np.testing.assert_allclose(to_numpy(m).astype(float), to_numpy(t).astype(float), rtol=1e-6, atol=1e-6)


def _both(data, device, **kw):
    return mt.tensor(data, device=device, **kw), torch.tensor(data, **{k: getattr(torch, v.name) for k, v in kw.items()})


@pytest.mark.parametrize("device", DEVICES)
def test_sort_ties_nan_and_integers_follow_torch(device):
    data = [[3.0, 1.0, float("nan"), 1.0, 3.0, -2.0], [0.0, 0.0, 5.0, -1.0, 0.0, 2.0]]
    m, t = _both(data, device)
    for descending in (False, True):
        _same(m.sort(descending=descending, stable=True), t.sort(descending=descending, stable=True))
        _same(m.argsort(dim=0, descending=descending), t.argsort(dim=0, descending=descending, stable=True))
    mi, ti = _both([[5, 1, 5, 0], [2, 2, 9, 1]], device)
    _same(mi.sort(descending=True, stable=True), ti.sort(descending=True, stable=True))
    _same(mt.sort(mi.bool(), stable=True), torch.sort(ti.bool(), stable=True))
    m0, t0 = _both(2.5, device)
    _same(m0.sort(), t0.sort())
    _same(m0.topk(1), t0.topk(1))
    values, indices = mt.topk(mi[:, 1:], 2, dim=1, largest=False)  # (no ties: topk's order among them is unspecified)
    _same((values, indices), torch.topk(ti[:, 1:], 2, dim=1, largest=False))
    assert type(m.sort()).__name__ == "sort" and m.topk(1).indices.dtype == mt.int64


@pytest.mark.parametrize("device", DEVICES)
def test_nonzero_meshgrid_and_integer_results(device):
    m, t = _both([[0, 3, 0], [1, 0, 2]], device)
    _same(mt.nonzero(m), torch.nonzero(t))
    _same(m.nonzero(as_tuple=True), t.nonzero(as_tuple=True))
    _same(mt.where(m > 0), torch.where(t > 0))
    m0, t0 = _both(1.5, device)
    _same(m0.nonzero(), t0.nonzero())
    _same(mt.nonzero(m0 * 0, as_tuple=True), torch.nonzero(t0 * 0, as_tuple=True))
    a, ta = _both([1, 2, 3], device)
    b, tb = _both([4, 5], device)
    for indexing in ("ij", "xy"):
        _same(mt.meshgrid(a, b, indexing=indexing), torch.meshgrid(ta, tb, indexing=indexing))
        _same(mt.meshgrid([a, b, a], indexing=indexing), torch.meshgrid([ta, tb, ta], indexing=indexing))
    with pytest.warns(UserWarning, match="indexing"):
        _same(mt.meshgrid(a, b), torch.meshgrid(ta, tb, indexing="ij"))
    _same(m.tril(-1), t.tril(-1))
    _same(m.bool().triu(1), t.bool().triu(1))
    _same(mt.diag(a, 1), torch.diag(ta, 1))
    _same(m.trace(), t.trace())
    _same(m.cumprod(1), t.cumprod(1))
    _same(m.bool().cumprod(0), t.bool().cumprod(0))
    _same(mt.outer(a, b), torch.outer(ta, tb))
    _same(m.roll(1), t.roll(1))
    _same(m.tile(2), t.tile(2))
    _same(a.repeat_interleave(2), ta.repeat_interleave(2))
    _same(mt.repeat_interleave(m, mt.tensor([2, 0], device=device), dim=0), torch.repeat_interleave(t, torch.tensor([2, 0]), dim=0))
    _same(m.nan_to_num(), t.nan_to_num())
    _same(m.masked_select(m > 0), t.masked_select(t > 0))


@pytest.mark.parametrize("device", DEVICES)
def test_scatter_forms_follow_torch(device):
    x, tx = _both(np.arange(12.0).reshape(3, 4), device)
    idx, tidx = _both([[2, 0], [1, 3]], device)
    src, tsrc = _both(-np.arange(9.0).reshape(3, 3), device)  # larger than the index: only its corner is read
    _same(x.scatter(1, idx, src), tx.scatter(1, tidx, tsrc))
    _same(x.scatter(0, idx % 3, 7.5), tx.scatter(0, tidx % 3, 7.5))
    _same(x.scatter(1, idx, value=-1.0), tx.scatter(1, tidx, value=-1.0))
    _same(x.scatter(1, idx, src, reduce="add"), tx.scatter(1, tidx, tsrc, reduce="add"))
    rep, trep = _both([[1, 1, 1], [0, 0, 2]], device)
    _same(mt.scatter_add(x, 1, rep, src[:2]), torch.scatter_add(tx, 1, trep, tsrc[:2]))
    y, ty = x.clone(), tx.clone()
    assert y.scatter_(1, idx, src) is y and y.scatter_add_(0, rep, src[:2]) is y
    ty.scatter_(1, tidx, tsrc).scatter_add_(0, trep, tsrc[:2])
    _same(y, ty)
    n, tn = _both([[1, 2], [3, 4]], device)
    _same(n.scatter(0, mt.tensor([[1, 0]], device=device), 9), tn.scatter(0, torch.tensor([[1, 0]]), 9))
    col, tcol = _both([[0], [3], [1]], device)
    _same(x.take_along_dim(col, 1), tx.take_along_dim(tcol, 1))
    _same(mt.take_along_dim(x, col), torch.take_along_dim(tx, tcol))


def test_scatter_into_a_leaf_that_requires_grad_in_place_raises_like_torch():
    x = mt.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.scatter_(1, mt.tensor([[0], [1]]), 1.0)


def test_cumprod_gradient_with_zeros_matches_torch():
    data = [[2.0, 0.0, 3.0, 0.0, 1.5], [0.0, 1.0, -2.0, 4.0, 0.5], [1.0, 2.0, 0.0, 3.0, -1.0]]
    for dim in (0, 1):
        m, t = mt.tensor(data, dtype=mt.float64, requires_grad=True), torch.tensor(data, dtype=torch.float64, requires_grad=True)
        g = np.random.default_rng(dim).standard_normal((3, 5))
        m.cumprod(dim).backward(mt.tensor(g))
        t.cumprod(dim).backward(torch.tensor(g))
        np.testing.assert_allclose(to_numpy(m.grad), to_numpy(t.grad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call,error,match", [
    (lambda lib, x: x.topk(5), RuntimeError, "selected index k out of range"),
    (lambda lib, x: x.topk(-1), RuntimeError, "selected index k out of range"),
    (lambda lib, x: x.sort(dim=2), IndexError, "Dimension out of range"),
    (lambda lib, x: x.gather(1, lib.tensor([[0.0]])), RuntimeError, "int64"),
    (lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]).short(), x[:1, :2]), RuntimeError, "int64"),
    (lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]), x[:1, :2].double()), RuntimeError, "self.dtype to be equal to src.dtype"),
    (lambda lib, x: x.scatter(1, lib.tensor([0, 1]), 1.0), RuntimeError, "same number of dimensions"),
    (lambda lib, x: x.scatter(1, lib.tensor([[0, 1]] * 4), 1.0), RuntimeError, "no larger than self"),
    (lambda lib, x: x.scatter_add(1, lib.tensor([[0, 1, 2]]), x[:1, :2]), RuntimeError, "no larger"),
    (lambda lib, x: x.scatter(1, lib.tensor([[0, 7]]), 1.0), RuntimeError, "out of bounds"),
    (lambda lib, x: x.index_select(0, lib.tensor([0.0])), RuntimeError, "int32( or |/)int64"),
    (lambda lib, x: x.masked_select(lib.ones(4)), RuntimeError, "expected BoolTensor for mask"),
    (lambda lib, x: lib.diag(x[None]), RuntimeError, "Supports 1D or 2D tensors"),
    (lambda lib, x: lib.trace(x[0]), RuntimeError, "expected a matrix"),
    (lambda lib, x: lib.tril(x[0]), RuntimeError, "at least 2 dimensions"),
    (lambda lib, x: lib.outer(x[0], x), RuntimeError, "Expected 1-D argument vec2"),
    (lambda lib, x: lib.addmm(x[0], x, x), RuntimeError, "cannot be multiplied"),
    (lambda lib, x: lib.roll(x, (1, 2), (0,)), RuntimeError, "shifts and dimensions must align"),
    (lambda lib, x: x.repeat_interleave(-1), RuntimeError, "must be non-negative"),
    (lambda lib, x: lib.take_along_dim(x, lib.tensor([[0.0]]), 1), RuntimeError, "Long|int64"),
    (lambda lib, x: lib.meshgrid(x, x, indexing="ij"), RuntimeError, "0D or 1D"),
    (lambda lib, x: lib.nn.functional.glu(x[:, :3]), RuntimeError, "Halving dimension must be even"),
    (lambda lib, x: lib.nn.functional.prelu(x, lib.ones(3)), RuntimeError, "Mismatch of parameter numbers"),
    (lambda lib, x: lib.nn.functional.celu(x, 0.0), RuntimeError, "alpha cannot be 0"),
    (lambda lib, x: lib.nn.functional.scaled_dot_product_attention(x, x, x, attn_mask=lib.ones(3, 3).bool(), is_causal=True),
     RuntimeError, "Explicit attn_mask should not be set when is_causal=True"),
])
def test_bad_arguments_raise_like_torch(call, error, match):
    with pytest.raises(error, match=match):
        call(torch, torch.zeros(3, 4))
    with pytest.raises(error, match=match):
        call(mt, mt.zeros(3, 4))


def test_sdpa_dropout_uses_the_library_dropout():
    q = mt.randn(2, 3, 4)
    mt.manual_seed(0)
    a = mt.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert a.shape == (2, 3, 4) and not mt.allclose(a, mt.nn.functional.scaled_dot_product_attention(q, q, q))
    h = mt.randn(1, 4, 3, 2)  # grouped-query attention: 4 query heads share 2 key/value heads
    kv = mt.randn(1, 2, 5, 2)
    t = torch.nn.functional.scaled_dot_product_attention(torch.tensor(h.numpy()), torch.tensor(kv.numpy()), torch.tensor(kv.numpy()),
                                                         enable_gqa=True)
    _same(mt.nn.functional.scaled_dot_product_attention(h, kv, kv, enable_gqa=True), t)


# ---- layers ------------------------------------------------------------------------------------------------
LAYERS = {
    "LogSigmoid": (lambda lib: lib.nn.LogSigmoid(), [randn(3, 4)]),
    "Softmin": (lambda lib: lib.nn.Softmin(dim=1), [randn(3, 4)]),
    "GLU": (lambda lib: lib.nn.GLU(dim=0), [randn(4, 3)]),
    "Hardswish": (lambda lib: lib.nn.Hardswish(), [uniform(-5, 5, 3, 4)]),
    "Hardsigmoid": (lambda lib: lib.nn.Hardsigmoid(), [uniform(-5, 5, 3, 4)]),
    "SELU": (lambda lib: lib.nn.SELU(), [randn(3, 4)]),
    "CELU": (lambda lib: lib.nn.CELU(alpha=0.6), [randn(3, 4)]),
    "Softsign": (lambda lib: lib.nn.Softsign(), [randn(3, 4)]),
    "PReLU": (lambda lib: lib.nn.PReLU(), [randn(2, 3, 4)]),
    "PReLU_channels": (lambda lib: lib.nn.PReLU(3, init=0.1), [randn(2, 3, 4, 2)]),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name, device):
    make, inputs = LAYERS[name]
    check_parity(make, inputs, device=device, modes=("train",), steps=1)


def test_prelu_and_mha_initialisation_follow_torch():
    p = mt.nn.PReLU(4)
    assert p.weight.shape == (4,) and p.weight.tolist() == [0.25] * 4 and repr(p) == "PReLU(num_parameters=4)"
    mt.manual_seed(0)
    m = mt.nn.MultiheadAttention(8, 2)
    t = torch.nn.MultiheadAttention(8, 2)
    assert list(m.state_dict()) == list(t.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_bias.abs().sum().item() == 0 and m.out_proj.bias.abs().sum().item() == 0
    bound = (6 / (8 + 24)) ** 0.5  # xavier_uniform_ on (24, 8)
    assert m.in_proj_weight.abs().max().item() <= bound and m.in_proj_weight.std().item() > bound / 3
    nb = mt.nn.MultiheadAttention(8, 2, bias=False, batch_first=True)
    assert list(nb.state_dict()) == list(torch.nn.MultiheadAttention(8, 2, bias=False).state_dict())
    kv = mt.nn.MultiheadAttention(8, 2, kdim=4, vdim=3, add_bias_kv=True)  # separate projections, as torch's
    assert list(kv.state_dict()) == list(torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=3, add_bias_kv=True).state_dict())
    with pytest.raises(AssertionError, match="divisible"):
        mt.nn.MultiheadAttention(8, 3)


def _mha_case(device, batch_first, need_weights, average, masks, cross, unbatched=False, dtype="float64"):
    """One forward/backward of torch's and microtorch's MultiheadAttention with the same weights."""
    rng = np.random.default_rng(1)
    E, H, L, S, N = 6, 3, 4, 5, 2
    torch.manual_seed(0)
    t_mod = torch.nn.MultiheadAttention(E, H, batch_first=batch_first).to(getattr(torch, dtype))
    with torch.no_grad():  # non-zero biases, so their gradients are tested too
        t_mod.in_proj_bias.normal_()
        t_mod.out_proj.bias.normal_()
    m_mod = mt.nn.MultiheadAttention(E, H, batch_first=batch_first, device=device).to(getattr(mt, dtype))
    m_mod.load_state_dict({k: mt.tensor(to_numpy(v), device=device) for k, v in t_mod.state_dict().items()})

    def seq(n):
        if unbatched:
            return (n, E)
        return (N, n, E) if batch_first else (n, N, E)

    arrays = [rng.standard_normal(seq(L))] + ([rng.standard_normal(seq(S)), rng.standard_normal(seq(S))] if cross else [])
    src = S if cross else L
    kw_np = {}
    if "bool" in masks:
        kw_np["attn_mask"] = np.triu(np.ones((L, src), bool), 1)  # True = not allowed
    if "float" in masks:
        kw_np["attn_mask"] = rng.standard_normal((N * H, L, src)) if not unbatched else rng.standard_normal((L, src))
    if "causal" in masks:
        kw_np["attn_mask"] = np.triu(np.ones((L, src), bool), 1)
    if "padding" in masks:
        pad = np.zeros((N, src), bool)
        pad[0, -2:] = True
        kw_np["key_padding_mask"] = pad[0] if unbatched else pad
    results = []
    for lib, mod, kw in ((torch, t_mod, {}), (mt, m_mod, {"device": device})):
        ins = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True, **kw) for a in arrays]
        masks_kw = {k: lib.tensor(v, **kw) if v.dtype == bool else lib.tensor(v, dtype=getattr(lib, dtype), **kw)
                    for k, v in kw_np.items()}
        q, k, v = (ins[0], ins[0], ins[0]) if not cross else ins
        out, weights = mod(q, k, v, need_weights=need_weights, average_attn_weights=average,
                           is_causal="causal" in masks, **masks_kw)
        (out.sum() + (out * out).sum()).backward()
        grads = [i.grad for i in ins] + [p.grad for _, p in sorted(mod.named_parameters())]
        results.append((out, weights, grads))
    (t_out, t_w, t_g), (m_out, m_w, m_g) = results
    tol = dict(rtol=1e-7, atol=1e-9) if dtype == "float64" else dict(rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(to_numpy(m_out), to_numpy(t_out), **tol)
    assert (m_w is None) == (t_w is None)
    if t_w is not None:
        assert tuple(m_w.shape) == tuple(t_w.shape)
        np.testing.assert_allclose(to_numpy(m_w), to_numpy(t_w), **tol)
    for i, (m, t) in enumerate(zip(m_g, t_g)):
        np.testing.assert_allclose(to_numpy(m), to_numpy(t), err_msg=f"gradient {i}", **tol)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("masks", [(), ("bool",), ("float", "padding"), ("causal",)])
def test_multihead_attention_matches_torch(device, batch_first, need_weights, average, masks):
    _mha_case(device, batch_first, need_weights, average, masks, cross="float" in masks)


@pytest.mark.parametrize("case", ["cross_padding", "unbatched", "float32"])
def test_multihead_attention_more_forms(case):
    if case == "cross_padding":
        _mha_case("cpu", True, True, True, ("bool", "padding"), cross=True)
    elif case == "unbatched":
        _mha_case("cpu", False, True, False, ("padding",), cross=False, unbatched=True)
    else:
        _mha_case("cpu", True, False, True, ("causal",), cross=True, dtype="float32")


def test_convert_conv_weight_memory_format_as_torch():
    """Both walk the tree, convert the convolutions of their rank only and return the module; the weights keep
    their values and stay Parameters (microtorch's memory stays row-major)."""
    results = []
    for lib in (mt, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.Sequential(lib.nn.ConvTranspose2d(2, 1, 2)),
                                  lib.nn.Conv3d(1, 1, 1), lib.nn.Linear(2, 2))
        before = [p.detach().clone() for p in model.parameters()]
        assert lib.nn.utils.convert_conv2d_weight_memory_format(model, lib.channels_last) is model
        assert lib.nn.utils.convert_conv3d_weight_memory_format(model, lib.channels_last_3d) is model
        results.append([(type(p).__name__, bool((p == b).all())) for p, b in zip(model.parameters(), before)])
    assert results[0] == results[1]


def test_set_default_tensor_type_as_torch(monkeypatch):
    """A legacy type or its name sets the default dtype (with torch's deprecation warning, once per process);
    integer types and other objects raise TypeError."""
    from microtorch import _warn_once

    monkeypatch.setattr(_warn_once, "given", set())
    with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
        mt.set_default_tensor_type(mt.FloatTensor)
    try:
        for lib in (mt, torch):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.set_default_tensor_type(lib.DoubleTensor)
                assert lib.ones(1).dtype == lib.float64 and lib.get_default_dtype() == lib.float64
                lib.set_default_tensor_type("torch.FloatTensor")
                assert lib.ones(1).dtype == lib.float32
                for bad in (lib.IntTensor, 3):
                    with pytest.raises(TypeError, match="only floating-point types are supported"):
                        lib.set_default_tensor_type(bad)
    finally:
        mt.set_default_dtype(mt.float32)
        torch.set_default_dtype(torch.float32)


def test_set_multithreading_enabled_is_a_call_a_context_and_a_decorator():
    switch = mt.autograd.set_multithreading_enabled
    with switch(False):
        assert switch.enabled is False
        x = mt.ones(2, requires_grad=True)
        (x * 3).sum().backward()  # backward runs the same either way
        assert x.grad.tolist() == [3.0, 3.0]
    assert switch.enabled is True

    @switch(False)
    def inside():
        return switch.enabled

    assert switch.enabled is True and inside() is False and switch.enabled is True
    assert switch(True).clone().mode is True
