"""Recurrent layers and nn.utils.rnn against torch: the same state_dict (strict), the same inputs, then
outputs, final states, input and parameter gradients (and second derivatives) must match; Hypothesis draws
the configuration (kind, layers, directions, batch_first, bias, proj_size, initial state, packed or padded)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import microtorch
import microtorch.nn as mnn
from conftest import DEVICES
from helpers import to_numpy

KINDS = ["RNN_TANH", "RNN_RELU", "GRU", "LSTM"]
TOL = {"float64": dict(rtol=1e-9, atol=1e-11), "float32": dict(rtol=2e-4, atol=2e-5)}


def make_layer(lib, kind: str, **kw):
    if kind.startswith("RNN"):
        return lib.nn.RNN(nonlinearity="relu" if kind == "RNN_RELU" else "tanh", **kw)
    return getattr(lib.nn, kind)(**kw)


def copy_state(m_mod, t_mod, device="cpu"):
    """torch's state_dict into microtorch's module; strict, so names and shapes must agree."""
    state = {k: microtorch.tensor(to_numpy(v), device=device) for k, v in t_mod.state_dict().items()}
    assert list(m_mod.state_dict()) == list(state)
    m_mod.load_state_dict(state, strict=True)


def close(m, t, dtype, msg=""):
    np.testing.assert_allclose(to_numpy(m), to_numpy(t), err_msg=msg, **TOL[dtype])


@st.composite
def rnn_cases(draw, packed=None):
    kind = draw(st.sampled_from(KINDS))
    hidden = draw(st.integers(2, 4))
    config = dict(input_size=draw(st.integers(1, 3)), hidden_size=hidden, num_layers=draw(st.integers(1, 2)),
                  bidirectional=draw(st.booleans()), batch_first=draw(st.booleans()), bias=draw(st.booleans()))
    if kind == "LSTM" and draw(st.booleans()):
        config["proj_size"] = draw(st.integers(1, hidden - 1))
    steps, batch = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    packed = draw(st.booleans()) if packed is None else packed
    case = dict(kind=kind, config=config, steps=steps, batch=batch, packed=packed,
                with_hx=draw(st.booleans()), unbatched=not packed and draw(st.booleans()))
    if packed:
        case["lengths"] = draw(st.lists(st.integers(1, steps), min_size=batch, max_size=batch))
        case["enforce_sorted"] = draw(st.booleans())
        if case["enforce_sorted"]:
            case["lengths"] = sorted(case["lengths"], reverse=True)
    return case


def _inputs(case, rng):
    c = case["config"]
    shape = (case["batch"], case["steps"], c["input_size"]) if c["batch_first"] else \
        (case["steps"], case["batch"], c["input_size"])
    x = rng.standard_normal(shape[1:] if case["unbatched"] else shape)
    directions = 2 if c["bidirectional"] else 1
    layers = c["num_layers"] * directions
    h_size = c.get("proj_size") or c["hidden_size"]
    hx = None
    if case["with_hx"]:
        lead = (layers,) if case["unbatched"] else (layers, case["batch"])
        hx = [rng.standard_normal(lead + (h_size,))]
        if case["kind"] == "LSTM":
            hx.append(rng.standard_normal(lead + (c["hidden_size"],)))
    return x, hx


def _forward(lib, mod, case, x, hx):
    """Run the layer on padded or packed input; (padded output, tuple of final states)."""
    rnn_utils = lib.nn.utils.rnn
    inp = x
    if case["packed"]:
        inp = rnn_utils.pack_padded_sequence(x, case["lengths"], batch_first=case["config"]["batch_first"],
                                             enforce_sorted=case["enforce_sorted"])
    state = None if hx is None else (tuple(hx) if case["kind"] == "LSTM" else hx[0])
    out, h = mod(inp, state)
    if case["packed"]:
        out, lengths = rnn_utils.pad_packed_sequence(out, batch_first=case["config"]["batch_first"])
        assert lengths.tolist() == list(case["lengths"])
    return out, (tuple(h) if case["kind"] == "LSTM" else (h,))


def check_rnn_case(case, device="cpu", dtype="float64", modes=("train", "eval"), twice=False):
    """Forward, backward (and with ``twice`` a second derivative) of one configuration in both libraries."""
    torch.manual_seed(0)
    t_mod = make_layer(torch, case["kind"], **case["config"]).to(getattr(torch, dtype))
    m_mod = make_layer(microtorch, case["kind"], **case["config"]).to(getattr(microtorch, dtype)).to(device)
    copy_state(m_mod, t_mod, device)
    rng = np.random.default_rng(0)
    for mode in modes:
        t_mod.train(mode == "train")
        m_mod.train(mode == "train")
        t_mod.zero_grad()
        m_mod.zero_grad()
        x, hx = _inputs(case, rng)
        leaves = {}
        for lib, kw in ((torch, {}), (microtorch, {"device": device})):
            make = lambda a: lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True, **kw)  # noqa: E731
            leaves[lib] = (make(x), None if hx is None else [make(h) for h in hx])
        (tx, thx), (mx, mhx) = leaves[torch], leaves[microtorch]
        t_out, t_h = _forward(torch, t_mod, case, tx, thx)
        m_out, m_h = _forward(microtorch, m_mod, case, mx, mhx)
        close(m_out, t_out, dtype, f"{mode} output")
        for m, t in zip(m_h, t_h):
            close(m, t, dtype, f"{mode} final state")
        weights = [rng.standard_normal(tuple(t.shape)) for t in (t_out,) + t_h]
        t_loss = sum((t * torch.tensor(w, dtype=t.dtype)).sum() for t, w in zip((t_out,) + t_h, weights))
        m_loss = sum((m * microtorch.tensor(w, dtype=m.dtype, device=device)).sum() for m, w in zip((m_out,) + m_h, weights))
        t_in = [tx] + (thx or [])
        m_in = [mx] + (mhx or [])
        t_params, m_params = list(t_mod.parameters()), list(m_mod.parameters())
        t_grads = torch.autograd.grad(t_loss, t_in + t_params, create_graph=twice, allow_unused=True)
        m_grads = microtorch.autograd.grad(m_loss, m_in + m_params, create_graph=twice, allow_unused=True)
        names = ["input"] + [f"hx[{i}]" for i in range(len(t_in) - 1)] + [n for n, _ in t_mod.named_parameters()]
        for name, m, t in zip(names, m_grads, t_grads):
            if t is None:
                assert m is None or not np.any(to_numpy(m)), name
            else:
                close(m, t, dtype, f"{mode} grad of {name}")
        if twice:  # d/d(inputs, params) of sum(grad * v): the double backward
            _check_second_order(t_grads, m_grads, t_in + t_params, m_in + m_params, rng, dtype, device)


def _check_second_order(t_grads, m_grads, t_wrt, m_wrt, rng, dtype, device):
    pairs = [(t, m) for t, m in zip(t_grads, m_grads) if t is not None and t.requires_grad]
    vs = [rng.standard_normal(tuple(t.shape)) for t, _ in pairs]
    t_sum = sum((t * torch.tensor(v, dtype=t.dtype)).sum() for (t, _), v in zip(pairs, vs))
    m_sum = sum((m * microtorch.tensor(v, dtype=m.dtype, device=device)).sum() for (_, m), v in zip(pairs, vs))
    t_second = torch.autograd.grad(t_sum, t_wrt, allow_unused=True)
    m_second = microtorch.autograd.grad(m_sum, m_wrt, allow_unused=True)
    for i, (m, t) in enumerate(zip(m_second, t_second)):
        if t is None:
            assert m is None or not np.any(to_numpy(m)), f"second derivative {i}"
        else:
            close(m, t, dtype, f"second derivative {i}")


# ---- the layers -----------------------------------------------------------------------------------------------------
@given(rnn_cases())
def test_recurrent_layers_match_torch(case):
    check_rnn_case(case)


@given(rnn_cases(packed=True))
def test_recurrent_layers_on_packed_sequences_match_torch(case):
    check_rnn_case(case, modes=("train",))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_deep_bidirectional_on_every_device(kind, device):
    proj = {"proj_size": 2} if kind == "LSTM" else {}
    case = dict(kind=kind, config=dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                                       batch_first=True, bias=True, **proj),
                steps=4, batch=3, packed=True, lengths=[2, 4, 1], enforce_sorted=False, with_hx=True, unbatched=False)
    check_rnn_case(case, device=device, modes=("train",))


@pytest.mark.parametrize("kind", KINDS)
def test_float32_matches_torch_more_loosely(kind):
    case = dict(kind=kind, config=dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True,
                                       batch_first=False, bias=True),
                steps=6, batch=2, packed=False, with_hx=True, unbatched=False)
    check_rnn_case(case, dtype="float32", modes=("train",))


@pytest.mark.parametrize("kind", KINDS)
def test_double_backward_matches_torch(kind):
    proj = {"proj_size": 1} if kind == "LSTM" else {}
    case = dict(kind=kind, config=dict(input_size=2, hidden_size=3, num_layers=2, bidirectional=True,
                                       batch_first=False, bias=True, **proj),
                steps=3, batch=2, packed=True, lengths=[3, 2], enforce_sorted=True, with_hx=True, unbatched=False)
    check_rnn_case(case, modes=("train",), twice=True)


def test_dropout_between_layers_follows_torch():
    """p=1 zeroes the input of every layer but the first while training (deterministic in both libraries);
    eval mode ignores dropout; a single layer warns as torch."""
    case = dict(kind="LSTM", config=dict(input_size=2, hidden_size=3, num_layers=3, dropout=1.0, bidirectional=True),
                steps=3, batch=2, packed=False, with_hx=False, unbatched=False)
    case["config"].update(batch_first=False, bias=True)
    check_rnn_case(case)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        mnn.GRU(2, 3, dropout=0.5)
    lstm = mnn.LSTM(2, 3, num_layers=2, dropout=0.5)
    x = microtorch.randn(4, 2, 2)
    lstm.eval()
    assert microtorch.equal(lstm(x)[0], lstm(x)[0])
    lstm.train()
    microtorch.manual_seed(0)
    assert not microtorch.equal(lstm(x)[0], lstm(x)[0])


def test_parameters_names_repr_and_initialisation_follow_torch():
    for kind, kw in [("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)), ("GRU", dict(bias=False)),
                     ("RNN_RELU", dict(batch_first=True, num_layers=2, dropout=0.3)), ("RNN_TANH", {})]:
        t_mod, m_mod = make_layer(torch, kind, input_size=3, hidden_size=4, **kw), make_layer(microtorch, kind, input_size=3, hidden_size=4, **kw)
        assert [(n, tuple(p.shape)) for n, p in m_mod.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t_mod.named_parameters()]
        assert repr(m_mod) == repr(t_mod)
        values = microtorch.cat([p.detach().reshape(-1) for p in m_mod.parameters()])
        bound = 1 / 4 ** 0.5  # uniform in +-1/sqrt(hidden_size): std bound/sqrt(3)
        assert float(values.abs().max()) <= bound and abs(float(values.std()) - bound / 3 ** 0.5) < 0.25 * bound
        assert [[tuple(p.shape) for p in ps] for ps in m_mod.all_weights] == \
            [[tuple(p.shape) for p in ps] for ps in t_mod.all_weights]
        assert m_mod.flatten_parameters() is None
    for cls, kw in [("RNNCell", dict(nonlinearity="relu", bias=False)), ("LSTMCell", {}), ("GRUCell", {})]:
        assert repr(getattr(mnn, cls)(3, 4, **kw)) == repr(getattr(torch.nn, cls)(3, 4, **kw))


def test_modules_paths_and_torch_checkpoint():
    from microtorch.nn.modules.rnn import LSTM
    from microtorch.nn.utils.rnn import PackedSequence

    assert LSTM is mnn.LSTM and PackedSequence is mnn.utils.rnn.PackedSequence
    t_mod = torch.nn.LSTM(3, 4, num_layers=2)
    m_mod = LSTM(3, 4, num_layers=2)
    result = m_mod.load_state_dict({k: microtorch.tensor(v.numpy()) for k, v in t_mod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


# ---- the cells ------------------------------------------------------------------------------------------------------
CELLS = [("RNNCell", dict(nonlinearity="tanh")), ("RNNCell", dict(nonlinearity="relu", bias=False)),
         ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", dict(bias=False))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cls,kw", CELLS)
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cls, kw, batched, device):
    torch.manual_seed(0)
    t_cell = getattr(torch.nn, cls)(3, 4, **kw).double()
    m_cell = getattr(mnn, cls)(3, 4, **kw).double().to(device)
    copy_state(m_cell, t_cell, device)
    rng = np.random.default_rng(1)
    lead = (2,) if batched else ()
    x = rng.standard_normal(lead + (3,))
    states = [rng.standard_normal(lead + (4,)) for _ in range(2 if cls == "LSTMCell" else 1)]
    for with_hx in (True, False):
        tx, mx = torch.tensor(x, requires_grad=True), microtorch.tensor(x, requires_grad=True, device=device)
        ts = [torch.tensor(s, requires_grad=True) for s in states]
        ms = [microtorch.tensor(s, requires_grad=True, device=device) for s in states]
        t_args = (tx, (tuple(ts) if cls == "LSTMCell" else ts[0])) if with_hx else (tx,)
        m_args = (mx, (tuple(ms) if cls == "LSTMCell" else ms[0])) if with_hx else (mx,)
        t_out, m_out = t_cell(*t_args), m_cell(*m_args)
        t_out = t_out if isinstance(t_out, tuple) else (t_out,)
        m_out = m_out if isinstance(m_out, tuple) else (m_out,)
        for m, t in zip(m_out, t_out):
            close(m, t, "float64", "cell output")
        t_loss = sum((t * (i + 1.5)).sum() for i, t in enumerate(t_out))
        m_loss = sum((m * (i + 1.5)).sum() for i, m in enumerate(m_out))
        t_wrt, m_wrt = [tx] + (ts if with_hx else []), [mx] + (ms if with_hx else [])
        for m, t in zip(microtorch.autograd.grad(m_loss, m_wrt + list(m_cell.parameters())),
                        torch.autograd.grad(t_loss, t_wrt + list(t_cell.parameters()))):
            close(m, t, "float64", "cell gradient")


# ---- nn.utils.rnn ---------------------------------------------------------------------------------------------------
@given(st.data())
def test_packing_helpers_match_torch(data):
    batch = data.draw(st.integers(1, 4))
    lengths = data.draw(st.lists(st.integers(1, 5), min_size=batch, max_size=batch))
    batch_first, side = data.draw(st.booleans()), data.draw(st.sampled_from(["left", "right"]))
    rng = np.random.default_rng(2)
    seqs = [rng.standard_normal((n, 2)) for n in lengths]
    t_seqs = [torch.tensor(s, requires_grad=True) for s in seqs]
    m_seqs = [microtorch.tensor(s, requires_grad=True) for s in seqs]
    T, M = torch.nn.utils.rnn, mnn.utils.rnn
    close(M.pad_sequence(m_seqs, batch_first, -1.0, side), T.pad_sequence(t_seqs, batch_first, -1.0, side), "float64")
    t_packed, m_packed = T.pack_sequence(t_seqs, enforce_sorted=False), M.pack_sequence(m_seqs, enforce_sorted=False)
    close(m_packed.data, t_packed.data, "float64")
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        assert getattr(m_packed, field).tolist() == getattr(t_packed, field).tolist(), field
    total = max(lengths) + data.draw(st.integers(0, 2))
    t_pad, t_len = T.pad_packed_sequence(t_packed, batch_first, 0.5, total)
    m_pad, m_len = M.pad_packed_sequence(m_packed, batch_first, 0.5, total)
    close(m_pad, t_pad, "float64")
    assert m_len.tolist() == t_len.tolist() and m_len.dtype == microtorch.int64
    weights = rng.standard_normal(tuple(t_pad.shape))
    (t_pad * torch.tensor(weights)).sum().backward()
    (m_pad * microtorch.tensor(weights)).sum().backward()
    for m, t in zip(m_seqs, t_seqs):
        close(m.grad, t.grad, "float64", "gradient through pack and pad")
    for m, t in zip(M.unpack_sequence(m_packed), T.unpack_sequence(t_packed)):
        close(m, t, "float64")
    padded = T.pad_sequence(t_seqs, batch_first)
    for m, t in zip(M.unpad_sequence(M.pad_sequence(m_seqs, batch_first), microtorch.tensor(lengths), batch_first),
                    T.unpad_sequence(padded, torch.tensor(lengths), batch_first)):
        close(m, t, "float64")


def test_packed_sequence_api():
    M = mnn.utils.rnn
    packed = M.pack_padded_sequence(microtorch.randn(3, 2, 2), microtorch.tensor([3, 1]))
    assert isinstance(packed, tuple) and packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert packed.sorted_indices is None and packed.batch_sizes.tolist() == [2, 1, 1]
    assert packed.double().data.dtype == microtorch.float64 and packed.to("npx").data.device.type == "npx"
    assert packed.to("cpu") is packed and not packed.is_cuda
    rebuilt = M.PackedSequence(packed.data, packed.batch_sizes, microtorch.tensor([1, 0]))
    assert rebuilt.unsorted_indices.tolist() == [1, 0]
    assert M.invert_permutation(microtorch.tensor([2, 0, 1])).tolist() == [1, 2, 0]


# ---- errors ---------------------------------------------------------------------------------------------------------
def _same_error(call, exc=None):
    """torch and microtorch raise the same exception type with the same message (microtorch's names for
    dtypes and sizes)."""
    with pytest.raises(Exception) as t_err:
        call(torch)
    with pytest.raises(type(t_err.value) if exc is None else exc) as m_err:
        call(microtorch)
    assert str(m_err.value) == str(t_err.value).replace("torch.", "microtorch.")


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 2)),  # feature size
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3), lib.randn(1, 3, 4)),  # hidden batch
    lambda lib: lib.nn.RNN(3, 4, bidirectional=True)(lib.randn(5, 2, 3), lib.randn(1, 2, 4)),  # hidden layers
    lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 4))),
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 3))),
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(2, 4), lib.randn(2, 4))),  # hx dims
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 3), lib.randn(1, 1, 4)),
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3), lib.randn(2, 4)),
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(2, 5, 2, 3)),  # input dims
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(3)),
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64)),  # dtype
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda lib: lib.nn.LSTM(3, 0),
    lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    lambda lib: lib.nn.LSTM(3, 4, num_layers=0),
    lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 5)),
    lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3), lib.randn(3, 4)),
    lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(2, 5)),
    lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(2, 4), lib.randn(2, 2))),
    lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 2, 3)),
    lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(1, 2, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(0, 2, 3)),  # no time steps
])
def test_bad_inputs_raise_torch_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(5, 3, 2), [2, 4, 1]),  # unsorted, enforce_sorted
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(5, 3, 2), [2, 0, 1], enforce_sorted=False),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(5, 3, 2), lib.tensor([[3, 2, 1]])),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(lib.nn.utils.rnn.pack_sequence([lib.randn(3)]), total_length=2),
    lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    lambda lib: lib.nn.utils.rnn.pack_sequence([lib.randn(0, 2)]),
    lambda lib: lib.nn.utils.rnn.pad_sequence([lib.randn(2)], padding_side="middle"),
])
def test_bad_packing_raises_torch_errors(call):
    _same_error(call)


def test_bad_packing_that_torch_lets_through_raises_clearly():
    """torch reads past the input for a length beyond it, and silently drops a sequence for a missing length."""
    M = mnn.utils.rnn
    with pytest.raises(RuntimeError, match="exceeds the 5 time steps"):
        M.pack_padded_sequence(microtorch.randn(5, 3, 2), [2, 6, 1], enforce_sorted=False)
    with pytest.raises(RuntimeError, match="equal to batch_size"):
        M.pack_padded_sequence(microtorch.randn(5, 3, 2), [2, 1], enforce_sorted=False)
    with pytest.raises(RuntimeError, match="trailing shape"):
        M.pad_sequence([microtorch.randn(2, 3), microtorch.randn(2, 4)])
