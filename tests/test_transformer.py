"""MultiheadAttention (kdim/vdim, add_bias_kv, add_zero_attn, every mask), F.multi_head_attention_forward and the
Transformer family against torch: torch's state_dict loaded strictly, then outputs, attention weights, input and
parameter gradients compared, with Hypothesis drawing the configuration and the masks."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn.attention import SDPBackend, sdpa_kernel

import microtorch
import microtorch.nn as mnn
from conftest import DEVICES
from helpers import to_numpy
from test_rnn import _same_error, close, copy_state


def _pair(array, dtype="float64", device="cpu", grad=True):
    """The same array as a torch and a microtorch tensor (float arrays get ``dtype`` and require grad)."""
    if array is None:
        return None, None
    if array.dtype.kind == "f":
        return (torch.tensor(array, dtype=getattr(torch, dtype), requires_grad=grad),
                microtorch.tensor(array, dtype=getattr(microtorch, dtype), device=device, requires_grad=grad))
    return torch.tensor(array), microtorch.tensor(array, device=device)


def _mask(rng, shape, kind):
    """A mask of ``kind`` ('bool' or 'float') that never hides the first key (no row is fully masked)."""
    hidden = rng.random(shape) < 0.4
    hidden[..., 0] = False
    return hidden if kind == "bool" else np.where(hidden, -np.inf, rng.standard_normal(shape)).astype(np.float64)


@st.composite
def mha_cases(draw):
    heads = draw(st.sampled_from([1, 2]))
    embed = heads * draw(st.integers(1, 3))
    cross = draw(st.booleans())
    config = dict(embed_dim=embed, num_heads=heads, bias=draw(st.booleans()), add_bias_kv=draw(st.booleans()),
                  add_zero_attn=draw(st.booleans()), batch_first=draw(st.booleans()))
    if cross and draw(st.booleans()):
        config.update(kdim=draw(st.integers(1, 4)), vdim=draw(st.integers(1, 4)))
    return dict(config=config, cross=cross, unbatched=draw(st.booleans()), tgt=draw(st.integers(1, 4)),
                src=draw(st.integers(1, 4)) if cross else None, batch=draw(st.integers(1, 3)),
                attn_mask=draw(st.sampled_from([None, "bool", "float"])), attn_3d=draw(st.booleans()),
                padding=draw(st.sampled_from([None, "bool", "float"])), need_weights=draw(st.booleans()),
                average=draw(st.booleans()))


def _mha_arrays(case, rng):
    c = case["config"]
    tgt, batch = case["tgt"], case["batch"]
    src = case["src"] or tgt

    def seq(n, features):
        shape = (n, features) if case["unbatched"] else ((batch, n, features) if c["batch_first"] else (n, batch, features))
        return rng.standard_normal(shape)

    query = seq(tgt, c["embed_dim"])
    key = seq(src, c.get("kdim") or c["embed_dim"]) if case["cross"] else None
    value = seq(src, c.get("vdim") or c["embed_dim"]) if case["cross"] else None
    # the masks cover the given keys; bias_k's and add_zero_attn's keys are appended after them, unmasked
    mask = None
    if case["attn_mask"]:
        lead = (c["num_heads"] * (1 if case["unbatched"] else batch),) if case["attn_3d"] else ()
        mask = _mask(rng, lead + (tgt, src), case["attn_mask"])
    padding = _mask(rng, (src,) if case["unbatched"] else (batch, src), case["padding"]) if case["padding"] else None
    return query, key, value, mask, padding


def check_mha(case, device="cpu", dtype="float64"):
    torch.manual_seed(0)
    t_mod = torch.nn.MultiheadAttention(**case["config"]).to(getattr(torch, dtype))
    m_mod = mnn.MultiheadAttention(**case["config"]).to(getattr(microtorch, dtype)).to(device)
    copy_state(m_mod, t_mod, device)
    rng = np.random.default_rng(0)
    for mode in ("train", "eval"):
        t_mod.train(mode == "train")
        m_mod.train(mode == "train")
        query, key, value, mask, padding = _mha_arrays(case, rng)
        tq, mq = _pair(query, dtype, device)
        tk, mk = _pair(key, dtype, device) if key is not None else (tq, mq)
        tv, mv = _pair(value, dtype, device) if value is not None else (tq, mq)
        tm, mm = _pair(mask, dtype, device, grad=False)
        tp, mp = _pair(padding, dtype, device, grad=False)
        kwargs = dict(need_weights=case["need_weights"], average_attn_weights=case["average"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns for mixed bool/float masks; so does microtorch
            t_out, t_w = t_mod(tq, tk, tv, key_padding_mask=tp, attn_mask=tm, **kwargs)
            m_out, m_w = m_mod(mq, mk, mv, key_padding_mask=mp, attn_mask=mm, **kwargs)
        close(m_out, t_out, dtype, f"{mode} output")
        assert (m_w is None) == (t_w is None)
        if t_w is not None:
            close(m_w, t_w, dtype, f"{mode} weights")
        upstream = rng.standard_normal(tuple(t_out.shape))
        t_leaves = [t for t in {id(t): t for t in (tq, tk, tv)}.values()] + list(t_mod.parameters())
        m_leaves = [m for m in {id(m): m for m in (mq, mk, mv)}.values()] + list(m_mod.parameters())
        t_grads = torch.autograd.grad((t_out * torch.tensor(upstream)).sum(), t_leaves, allow_unused=True)
        m_grads = microtorch.autograd.grad((m_out * microtorch.tensor(upstream, device=device)).sum(), m_leaves,
                                           allow_unused=True)
        for i, (m, t) in enumerate(zip(m_grads, t_grads)):
            if t is None:
                assert m is None or not np.any(to_numpy(m)), i
            else:
                close(m, t, dtype, f"{mode} gradient {i}")


@given(mha_cases())
def test_multihead_attention_matches_torch(case):
    check_mha(case)


@pytest.mark.parametrize("device", DEVICES)
def test_multihead_attention_with_every_option_on_every_device(device):
    case = dict(config=dict(embed_dim=4, num_heads=2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True,
                            batch_first=True), cross=True, unbatched=False, tgt=3, src=4, batch=2, attn_mask="bool",
                attn_3d=True, padding="bool", need_weights=True, average=False)
    check_mha(case, device=device)
    check_mha(dict(case, need_weights=False, attn_mask="float", padding="float"), device=device, dtype="float32")


def test_functional_multi_head_attention_forward_matches_torch():
    """The functional form directly, with static keys and values and the causal hint."""
    rng = np.random.default_rng(3)
    E, H, L, N = 4, 2, 3, 2
    arrays = dict(q=rng.standard_normal((L, N, E)), w=rng.standard_normal((3 * E, E)), b=rng.standard_normal(3 * E),
                  ow=rng.standard_normal((E, E)), ob=rng.standard_normal(E),
                  sk=rng.standard_normal((N * H, 5, E // H)), sv=rng.standard_normal((N * H, 5, E // H)))
    t, m = {}, {}
    for name, a in arrays.items():
        t[name], m[name] = _pair(a)
    for lib, d in ((torch, t), (microtorch, m)):
        F = lib.nn.functional
        d["static"] = F.multi_head_attention_forward(d["q"], d["q"], d["q"], E, H, d["w"], d["b"], None, None, False,
                                                     0.0, d["ow"], d["ob"], static_k=d["sk"], static_v=d["sv"])
        causal = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64) if lib is torch else \
            mnn.Transformer.generate_square_subsequent_mask(L, dtype=microtorch.float64)
        d["causal"] = F.multi_head_attention_forward(d["q"], d["q"], d["q"], E, H, d["w"], d["b"], None, None, False,
                                                     0.0, d["ow"], d["ob"], attn_mask=causal, need_weights=False,
                                                     is_causal=True)
    for key in ("static", "causal"):
        close(m[key][0], t[key][0], "float64", key)
    close(m["static"][1], t["static"][1], "float64", "static weights")
    assert m["causal"][1] is None


# ---- the Transformer family ---------------------------------------------------------------------------------------------
def _gelu_tanh(lib):
    return lambda x: lib.nn.functional.gelu(x, approximate="tanh")


@st.composite
def layer_cases(draw):
    return dict(norm_first=draw(st.booleans()), batch_first=draw(st.booleans()), bias=draw(st.booleans()),
                activation=draw(st.sampled_from(["relu", "gelu", "callable"])), nhead=draw(st.sampled_from([1, 2])),
                layers=1, causal=draw(st.booleans()), padding=draw(st.booleans()),
                unbatched=draw(st.booleans()), tgt=draw(st.integers(1, 4)), src=draw(st.integers(1, 4)))


def _build_transformer(lib, case):
    activation = _gelu_tanh(lib) if case["activation"] == "callable" else case["activation"]
    return lib.nn.Transformer(d_model=4, nhead=case["nhead"], num_encoder_layers=case["layers"],
                              num_decoder_layers=case["layers"], dim_feedforward=6, dropout=0.0, activation=activation,
                              batch_first=case["batch_first"], norm_first=case["norm_first"], bias=case["bias"])


def _transformer_call(lib, model, case, src, tgt, padding, device):
    mask = model.generate_square_subsequent_mask(tgt.shape[-2] if case["unbatched"] or case["batch_first"] else tgt.shape[0],
                                                 dtype=src.dtype, **({} if lib is torch else {"device": device}))
    masks = dict(tgt_mask=mask if case["causal"] else None, tgt_is_causal=None)
    if padding is not None:
        masks.update(src_key_padding_mask=padding, memory_key_padding_mask=padding)
    return model(src, tgt, **masks)


@given(layer_cases())
def test_transformer_matches_torch(case):
    check_transformer(case)


def check_transformer(case, device="cpu", dtype="float64", twice=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's notice, in both libraries
        torch.manual_seed(0)
        t_mod = _build_transformer(torch, case).to(getattr(torch, dtype))
        m_mod = _build_transformer(microtorch, case).to(getattr(microtorch, dtype)).to(device)
    copy_state(m_mod, t_mod, device)
    rng = np.random.default_rng(1)
    batch = 2
    shape = lambda n: (n, 4) if case["unbatched"] else ((batch, n, 4) if case["batch_first"] else (n, batch, 4))  # noqa: E731
    for mode in ("train", "eval"):
        t_mod.train(mode == "train")
        m_mod.train(mode == "train")
        ts, ms = _pair(rng.standard_normal(shape(case["src"])), dtype, device)
        tt, mt = _pair(rng.standard_normal(shape(case["tgt"])), dtype, device)
        padding = None
        if case["padding"]:
            padding = np.zeros((case["src"],) if case["unbatched"] else (batch, case["src"]), bool)
            padding[..., 1:] = rng.random(padding[..., 1:].shape) < 0.4
        tp, mp = _pair(padding, device=device)
        with sdpa_kernel(SDPBackend.MATH):  # torch's CPU flash attention has no double backward
            t_out = _transformer_call(torch, t_mod, case, ts, tt, tp, device)
        m_out = _transformer_call(microtorch, m_mod, case, ms, mt, mp, device)
        close(m_out, t_out, dtype, f"{mode} output")
        upstream = rng.standard_normal(tuple(t_out.shape))
        t_leaves, m_leaves = [ts, tt] + list(t_mod.parameters()), [ms, mt] + list(m_mod.parameters())
        t_grads = torch.autograd.grad((t_out * torch.tensor(upstream)).sum(), t_leaves, create_graph=twice)
        m_grads = microtorch.autograd.grad((m_out * microtorch.tensor(upstream, device=device)).sum(), m_leaves,
                                           create_graph=twice)
        for i, (m, t) in enumerate(zip(m_grads, t_grads)):
            close(m, t, dtype, f"{mode} gradient {i}")
        if twice:
            t2 = torch.autograd.grad((t_grads[0] ** 2).sum() + t_grads[1].sum(), [ts, tt])
            m2 = microtorch.autograd.grad((m_grads[0] ** 2).sum() + m_grads[1].sum(), [ms, mt])
            for m, t in zip(m2, t2):
                close(m, t, dtype, "second derivative")
            return


@pytest.mark.parametrize("device", DEVICES)
def test_transformer_on_every_device_and_float32(device):
    case = dict(norm_first=False, batch_first=True, bias=True, activation="gelu", nhead=2, layers=2, causal=True,
                padding=True, unbatched=False, tgt=4, src=3)
    check_transformer(case, device=device)
    check_transformer(dict(case, norm_first=True), device=device, dtype="float32")


def test_transformer_double_backward_matches_torch():
    case = dict(norm_first=True, batch_first=False, bias=True, activation="gelu", nhead=2, layers=1, causal=True,
                padding=False, unbatched=False, tgt=3, src=2)
    check_transformer(case, twice=True)


def test_encoder_in_eval_zeroes_padding_as_torch_nested_tensors():
    """torch runs a left-aligned padded batch as nested tensors in eval without gradients: the padded
    positions come out as zeros before the final norm. microtorch gives the same numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_layer = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
        m_layer = mnn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
    norm = dict(norm=None)
    t_enc = torch.nn.TransformerEncoder(t_layer, 2, **norm).double().eval()
    m_enc = mnn.TransformerEncoder(m_layer, 2, **norm).double().eval()
    copy_state(m_enc, t_enc)
    x = np.random.default_rng(4).standard_normal((2, 4, 4))
    padding = np.array([[False, False, True, True], [False, False, False, True]])
    with torch.no_grad(), microtorch.no_grad():
        t_out = t_enc(torch.tensor(x), src_key_padding_mask=torch.tensor(padding))
        m_out = m_enc(microtorch.tensor(x), src_key_padding_mask=microtorch.tensor(padding))
    assert not np.any(to_numpy(t_out)[padding])
    close(m_out, t_out, "float64")


def test_transformer_api_follows_torch():
    for make in (lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16),
                 lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, bias=False, norm_first=True),
                 lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_mod, m_mod = make(torch), make(microtorch)
        assert [(n, tuple(p.shape)) for n, p in m_mod.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t_mod.named_parameters()]
        assert repr(m_mod) == repr(t_mod).replace("torch.", "microtorch.")
    np.testing.assert_array_equal(to_numpy(mnn.Transformer.generate_square_subsequent_mask(4)),
                                  to_numpy(torch.nn.Transformer.generate_square_subsequent_mask(4)))
    layer = mnn.TransformerEncoderLayer(4, 2, batch_first=False)
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because encoder_layer.self_attn.batch_first"):
        encoder = mnn.TransformerEncoder(layer, 2, enable_nested_tensor=True)
    assert encoder.layers[0] is not encoder.layers[1] and encoder.use_nested_tensor is False
    assert mnn.TransformerEncoderLayer(4, 2, activation="gelu").activation_relu_or_gelu == 2
    from microtorch.nn.modules.activation import MultiheadAttention
    from microtorch.nn.modules.transformer import TransformerEncoder

    assert MultiheadAttention is mnn.MultiheadAttention and TransformerEncoder is mnn.TransformerEncoder


# ---- errors ---------------------------------------------------------------------------------------------------------
def _mha(lib, **kw):
    return lib.nn.MultiheadAttention(4, 2, **kw)


@pytest.mark.parametrize("call", [
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4), attn_mask=lib.zeros(2, 3)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4), attn_mask=lib.zeros(2, 3, 3)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4),
                          attn_mask=lib.zeros(3, 3, dtype=lib.int64)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4),
                          key_padding_mask=lib.zeros(2, 3, dtype=lib.int32)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4),
                          key_padding_mask=lib.zeros(3, 2, dtype=lib.bool)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4),
                          key_padding_mask=lib.zeros(2, dtype=lib.bool)),
    lambda lib: _mha(lib)(lib.randn(3, 4), lib.randn(3, 4), lib.randn(3, 4), attn_mask=lib.zeros(2, 3, 2)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 4), lib.randn(3, 4)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4), is_causal=True),
    lambda lib: _mha(lib)(lib.randn(3, 2, 5), lib.randn(3, 2, 5), lib.randn(3, 2, 5)),
    lambda lib: _mha(lib, kdim=3)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(3, 2, 4)),
    lambda lib: _mha(lib)(lib.randn(3, 2, 4), lib.randn(3, 2, 4), lib.randn(2, 2, 4)),
    lambda lib: lib.nn.MultiheadAttention(4, 3),
    lambda lib: lib.nn.TransformerEncoderLayer(4, 2, activation="tanh"),
    lambda lib: lib.nn.Transformer(4, 2, 1, 1, 8)(lib.randn(3, 2, 4), lib.randn(3, 3, 4)),
    lambda lib: lib.nn.Transformer(4, 2, 1, 1, 8)(lib.randn(3, 2, 4), lib.randn(3, 2, 5)),
    lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 8)(lib.randn(3, 2, 4), src_mask=lib.zeros(3, 2)),
    lambda lib: lib.nn.TransformerDecoderLayer(4, 2, 8)(lib.randn(3, 2, 4), lib.randn(5, 2, 4),
                                                        memory_key_padding_mask=lib.zeros(2, 3, dtype=lib.bool)),
])
def test_bad_inputs_raise_torch_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(call)


def test_merge_masks_matches_torch():
    rng = np.random.default_rng(6)
    t_mha, m_mha = torch.nn.MultiheadAttention(4, 2, batch_first=True), mnn.MultiheadAttention(4, 2, batch_first=True)
    query = rng.standard_normal((3, 5, 4))
    for attn in (None, rng.standard_normal((5, 5)), rng.standard_normal((6, 5, 5))):
        for padding in (None, rng.standard_normal((3, 5))):
            t_args = [None if a is None else torch.tensor(a) for a in (attn, padding, query)]
            m_args = [None if a is None else microtorch.tensor(a) for a in (attn, padding, query)]
            (t_mask, t_type), (m_mask, m_type) = t_mha.merge_masks(*t_args), m_mha.merge_masks(*m_args)
            assert m_type == t_type and (m_mask is None) == (t_mask is None)
            if t_mask is not None:
                close(m_mask, t_mask, "float64")


def test_mixed_mask_types_warn_as_torch():
    mha = mnn.MultiheadAttention(4, 2)
    x = microtorch.randn(3, 2, 4)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
        mha(x, x, x, key_padding_mask=microtorch.zeros(2, 3, dtype=microtorch.bool), attn_mask=microtorch.zeros(3, 3))
