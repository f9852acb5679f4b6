"""torch's top-level forms of the nn functions (``torch.conv2d``, ``torch.layer_norm``, ``torch.dropout``,
``torch.lstm_cell``, ...) and its top-level in-place forms (``torch.sin_``): values and gradients equal torch's,
aten's argument conventions (integer reductions, positional ``train``, weight-first ``embedding``), and torch's
errors for bad calls."""
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt
from helpers import assert_close, assert_like_torch, to_numpy

RNG = np.random.default_rng(7)


def _a(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape)


X4 = _a(2, 3, 5, 5)
X3 = _a(2, 3, 8)
W2 = _a(4, 3, 3, 3)
B4 = _a(4)
Y = _a(2, 3)
IDX = np.array([[0, 2, 4], [1, 1, 3]])
H, I = 5, 3
CELL = dict(x=_a(2, I), h=_a(2, H), c=_a(2, H), w4=_a(4 * H, I), u4=_a(4 * H, H), b4=_a(4 * H), w3=_a(3 * H, I),
            u3=_a(3 * H, H), b3=_a(3 * H), w1=_a(H, I), u1=_a(H, H), b1=_a(H))


def _c(lib, v):
    return lib.tensor(v)  # a constant (no gradient)


# name -> call(lib, T): T(array) is a float64 leaf requiring grad
CASES = {
    "conv2d": lambda lib, T: lib.conv2d(T(X4), T(W2), T(B4), 1, 1),
    "conv1d": lambda lib, T: lib.conv1d(T(X3), T(_A3), None, 2, 1, 1, 1),
    "conv_transpose2d": lambda lib, T: lib.conv_transpose2d(T(X4), T(W2.transpose(1, 0, 2, 3)), None, 2, 1, 1),
    "convolution": lambda lib, T: lib.convolution(T(X4), T(W2), T(B4), [1, 1], [1, 0], [1, 1], False, [0, 0], 1),
    "convolution_transposed": lambda lib, T: lib.convolution(T(X3), T(_A3.transpose(1, 0, 2)), None, [2], [1], [1],
                                                             True, [1], 1),
    "conv_tbc": lambda lib, T: lib.conv_tbc(T(_a(7, 2, 3)), T(_TBC_W), T(_a(4)), 1),
    "avg_pool1d": lambda lib, T: lib.avg_pool1d(T(X3), 3, (), 1),
    "max_pool1d": lambda lib, T: lib.max_pool1d(T(X3), 2),
    "max_pool1d_with_indices": lambda lib, T: lib.max_pool1d_with_indices(T(X3), 3, 2, 1),
    "max_pool2d": lambda lib, T: lib.max_pool2d(T(X4), 2, [], 0, 1, True),
    "max_pool3d": lambda lib, T: lib.max_pool3d(T(_a(1, 2, 4, 4, 4)), 2),
    "adaptive_avg_pool1d": lambda lib, T: lib.adaptive_avg_pool1d(T(X3), 3),
    "adaptive_max_pool1d": lambda lib, T: lib.adaptive_max_pool1d(T(X3), 3),
    "batch_norm": lambda lib, T: lib.batch_norm(T(X4), T(_a(3)), T(_a(3)), None, None, True, 0.1, 1e-5, False),
    "batch_norm_running": lambda lib, T: lib.batch_norm(T(X4), None, None, _c(lib, _a(3)), _c(lib, _a(3, low=0.5)),
                                                        False, 0.1, 1e-5, True),
    "instance_norm": lambda lib, T: lib.instance_norm(T(X4), T(_a(3)), None, None, None, True, 0.1, 1e-5, False),
    "layer_norm": lambda lib, T: lib.layer_norm(T(X4), [5, 5], T(_a(5, 5)), T(_a(5, 5)), 1e-5, False),
    "group_norm": lambda lib, T: lib.group_norm(T(_a(2, 4, 3)), 2, T(_a(4)), T(_a(4))),
    "rms_norm": lambda lib, T: lib.rms_norm(T(X3), [8], T(_a(8))),
    "embedding": lambda lib, T: lib.embedding(T(_a(5, 3)), _c(lib, IDX)),
    "embedding_padding": lambda lib, T: lib.embedding(T(_a(5, 3)), _c(lib, IDX), 1),
    "embedding_padding_outside": lambda lib, T: lib.embedding(T(_a(5, 3)), _c(lib, IDX), 9),
    "bce_with_logits": lambda lib, T: lib.binary_cross_entropy_with_logits(T(Y), _c(lib, _a(2, 3, low=0, high=1)),
                                                                          None, _c(lib, _a(3, low=0.5)), 2),
    "bce_with_logits_none": lambda lib, T: lib.binary_cross_entropy_with_logits(T(Y), _c(lib, _a(2, 3, low=0,
                                                                                                   high=1))),
    "kl_div": lambda lib, T: lib.kl_div(T(Y), _c(lib, _a(2, 3, low=0.1, high=1))),
    "kl_div_mean": lambda lib, T: lib.kl_div(T(Y), _c(lib, _a(2, 3, low=0.1, high=1)), 1),
    "hinge_embedding_loss_mean": lambda lib, T: lib.hinge_embedding_loss(T(Y), _c(lib, _SIGNS), 0.5, 1),
    "ctc_loss_unreduced": lambda lib, T: lib.ctc_loss(T(_LOG_PROBS).log_softmax(2), _c(lib, [[1, 2], [2, 2]]),
                                                      [6, 5], [2, 2]),
    "kl_div_sum_log_target": lambda lib, T: lib.kl_div(T(Y), T(_a(2, 3)), 2, log_target=True),
    "kl_div_unknown_code": lambda lib, T: lib.kl_div(T(Y), T(_a(2, 3, low=0.1, high=1)), 7),
    "cosine_embedding_loss": lambda lib, T: lib.cosine_embedding_loss(T(Y), T(_a(2, 3)), _c(lib, [1.0, -1.0]),
                                                                      0.1, 0),
    "hinge_embedding_loss": lambda lib, T: lib.hinge_embedding_loss(T(Y), _c(lib, _SIGNS), 0.5),
    "margin_ranking_loss": lambda lib, T: lib.margin_ranking_loss(T(Y), T(_a(2, 3)), _c(lib, _SIGNS), 0.2, 2),
    "triplet_margin_loss": lambda lib, T: lib.triplet_margin_loss(T(Y), T(_a(2, 3)), T(_a(2, 3)), 1.0, 2, 1e-6,
                                                                  True),
    "poisson_nll_loss": lambda lib, T: lib.poisson_nll_loss(T(Y), _c(lib, _a(2, 3, low=0, high=3)), True, True,
                                                            1e-8, 1),
    "ctc_loss": lambda lib, T: lib.ctc_loss(T(_LOG_PROBS).log_softmax(2), _c(lib, [[1, 2], [2, 2]]), [6, 5], [2, 2],
                                            0, 1),
    "cosine_similarity": lambda lib, T: lib.cosine_similarity(T(Y), T(_a(2, 3))),
    "pairwise_distance": lambda lib, T: lib.pairwise_distance(T(Y), T(_a(2, 3)), 1.5, 1e-6, True),
    "bilinear": lambda lib, T: lib.bilinear(T(Y), T(_a(2, 4)), T(_a(5, 3, 4)), T(_a(5))),
    "pixel_shuffle": lambda lib, T: lib.pixel_shuffle(T(_a(1, 8, 2, 3)), 2),
    "pixel_unshuffle": lambda lib, T: lib.pixel_unshuffle(T(_a(1, 2, 4, 6)), 2),
    "channel_shuffle": lambda lib, T: lib.channel_shuffle(T(_a(1, 6, 2, 2)), 3),
    "native_channel_shuffle": lambda lib, T: lib.native_channel_shuffle(_c(lib, _a(1, 6, 2, 2)), 2),
    "affine_grid_generator": lambda lib, T: lib.affine_grid_generator(T(_a(2, 2, 3)), [2, 1, 4, 5], False),
    "celu": lambda lib, T: lib.celu(T(Y), 0.7),
    "selu": lambda lib, T: lib.selu(T(Y)),
    "rrelu_eval": lambda lib, T: lib.rrelu(T(Y), 0.1, 0.3),
    "threshold": lambda lib, T: lib.threshold(T(Y), 0.1, 20.0),
    "hardshrink": lambda lib, T: lib.hardshrink(T(Y), 0.7),
    "hardshrink_method": lambda lib, T: T(Y).hardshrink(),
    "prelu": lambda lib, T: lib.prelu(T(X4), T(_a(3))),
    "prelu_method": lambda lib, T: T(X4).prelu(T(_a(1))),
    "frobenius_norm": lambda lib, T: lib.frobenius_norm(T(X4), (1, 3), True),
    "frobenius_norm_int": lambda lib, T: lib.frobenius_norm(T(X4), 2),
    "frobenius_norm_all": lambda lib, T: lib.frobenius_norm(T(X4), ()),
    "nuclear_norm": lambda lib, T: lib.nuclear_norm(T(_a(4, 3))),
    "nuclear_norm_keepdim": lambda lib, T: lib.nuclear_norm(T(_a(2, 4, 3)), True),
    "nuclear_norm_dim": lambda lib, T: lib.nuclear_norm(T(_a(4, 2, 3)), (0, 2)),
    "norm_except_dim": lambda lib, T: lib.norm_except_dim(T(X4), 2, 1),
    "norm_except_dim_last": lambda lib, T: lib.norm_except_dim(T(X4), 3, -2),
    "norm_except_dim_all": lambda lib, T: lib.norm_except_dim(T(X4), 2, -1),
    "norm_except_dim_1d": lambda lib, T: lib.norm_except_dim(T(_a(4)), 2, 0),
    "lstm_cell": lambda lib, T: lib.lstm_cell(T(CELL["x"]), (T(CELL["h"]), T(CELL["c"])), T(CELL["w4"]),
                                              T(CELL["u4"]), T(CELL["b4"]), T(CELL["b4"])),
    "lstm_cell_no_bias": lambda lib, T: lib.lstm_cell(T(CELL["x"]), [T(CELL["h"]), T(CELL["c"])], T(CELL["w4"]),
                                                      T(CELL["u4"])),
    "gru_cell": lambda lib, T: lib.gru_cell(T(CELL["x"]), T(CELL["h"]), T(CELL["w3"]), T(CELL["u3"]),
                                            T(CELL["b3"]), T(CELL["b3"])),
    "rnn_tanh_cell": lambda lib, T: lib.rnn_tanh_cell(T(CELL["x"]), T(CELL["h"]), T(CELL["w1"]), T(CELL["u1"]),
                                                      T(CELL["b1"])),
    "rnn_relu_cell": lambda lib, T: lib.rnn_relu_cell(T(CELL["x"]), T(CELL["h"]), T(CELL["w1"]), T(CELL["u1"]),
                                                      None, T(CELL["b1"])),
    "fix": lambda lib, T: lib.fix(T(Y) * 3),
    "dropout_eval": lambda lib, T: lib.dropout(T(Y), 0.5, False),
    "alpha_dropout_eval": lambda lib, T: lib.alpha_dropout(T(Y), 0.5, False),
    "feature_dropout_eval": lambda lib, T: lib.feature_dropout(T(_a(4)), 0.5, False),
    "native_dropout_eval": lambda lib, T: lib.native_dropout(T(Y), 0.5, False),
    "dropout_p0": lambda lib, T: lib.feature_alpha_dropout(T(X3), 0.0, True),
}
_A3 = _a(4, 3, 3)
_TBC_W = _a(3, 3, 4)
_SIGNS = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
_LOG_PROBS = _a(6, 2, 4)


def _run(lib, call):
    global RNG
    RNG = np.random.default_rng(11)  # (the inputs a case draws inline are the same for both libraries)
    leaves = []

    def T(array):
        t = lib.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)
        leaves.append(t)
        return t

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the deprecated norms' warnings: compared in their own test)
        out = call(lib, T)
    outs = out if isinstance(out, tuple) else (out,)
    floats = [o for o in outs if o.is_floating_point() and o.requires_grad]
    if floats:
        loss = sum((o * lib.tensor(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)))).sum() for o in floats)
        loss.backward()
    return outs, [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_equal_torchs(name):
    (got, got_grads), (want, want_grads) = (_run(lib, CASES[name]) for lib in (mt, torch))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_close(g, w, rtol=1e-9, atol=1e-10, what=f"{name} value")
    for g, w in zip(got_grads, want_grads):
        assert (g is None) == (w is None), f"{name}: gradient presence"
        if w is not None:
            assert_close(g, w, rtol=1e-8, atol=1e-10, what=f"{name} gradient")


INPLACE = ["zero_", "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
           "asin_", "asinh_", "atan_", "atanh_", "ceil_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_",
           "exp_", "expm1_", "fix_", "floor_", "frac_", "i0_", "log10_", "log1p_", "log2_", "log_", "neg_",
           "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
           "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "nan_to_num_", "conj_physical_", "detach_",
           "selu_", "celu_"]
INPLACE_WITH_ARGS = {
    "clamp_": (-0.5, 0.5), "clamp_max_": (0.3,), "clamp_min_": (0.2,), "clip_": (-0.1, 0.4), "logit_": (0.1,),
    "xlogy_": ("T",), "ldexp_": ("I",), "threshold_": (0.5, -3.0), "rrelu_": (0.2, 0.3), "fill_": (2.5,),
    "dropout_": (0.5, False), "alpha_dropout_": (0.5, False), "feature_dropout_": (0.0, True),
    "feature_alpha_dropout_": (0.3, False), "addmv_": ("M", "V"),
}


def _inplace_call(lib, name):
    x = lib.tensor([0.3, 0.6, 0.15, 0.9], dtype=lib.float64)
    extra = {"T": lib.tensor([1.5, 0.7, 2.2, 3.0], dtype=lib.float64), "I": lib.tensor([1, -2, 0, 3]),
             "M": lib.tensor(np.arange(12.0).reshape(4, 3) / 10), "V": lib.tensor([0.5, -1.0, 2.0],
                                                                                   dtype=lib.float64)}
    args = [extra.get(a, a) if isinstance(a, str) else a for a in INPLACE_WITH_ARGS.get(name, ())]
    out = getattr(lib, name)(x, *args)
    assert out is x
    return x


@pytest.mark.parametrize("name", INPLACE + sorted(INPLACE_WITH_ARGS))
def test_top_level_inplace_forms(name):
    assert_close(_inplace_call(mt, name), _inplace_call(torch, name), rtol=1e-14, atol=1e-15, what=name)


def test_every_top_level_inplace_form_torch_has_for_our_methods_exists():
    names = [n for n in dir(torch) if n.endswith("_") and not n.startswith("_") and hasattr(mt.Tensor, n)]
    assert len(names) > 50
    assert [n for n in names if not hasattr(mt, n)] == []


def test_gcd_lcm_and_integer_forms():
    for name in ("gcd_", "lcm_"):
        assert_like_torch(lambda lib: getattr(lib, name)(lib.tensor([4, 6, 9]), lib.tensor([6, 4, 3])))


def test_dropout_forms_draw_like_dropout():
    x = mt.ones(400, 50, dtype=mt.float64)
    for fn in (mt.dropout, mt.feature_dropout):
        out = fn(x, 0.25, True)
        values = set(np.unique(out.numpy()).tolist())
        assert values <= {0.0, 1 / 0.75} and len(values) == 2
        assert abs((out.numpy() == 0).mean() - 0.25) < 0.05
    rows = mt.feature_dropout(mt.ones(40, 10, 6, dtype=mt.float64), 0.5, True).numpy().reshape(400, 6)
    assert all(len(set(r.tolist())) == 1 for r in rows) and len(set(rows[:, 0].tolist())) == 2  # per (N, C)
    out, mask = mt.native_dropout(x, 0.4, True)
    assert mask.dtype == mt.bool and np.array_equal(out.numpy() != 0, mask.numpy())
    np.testing.assert_allclose(out.numpy()[mask.numpy()], 1 / 0.6)
    assert mt.dropout_(x, 1.0, True) is x and not x.numpy().any()


def test_rrelu_takes_a_generator():
    draws = []
    for _ in range(2):
        g = mt.Generator().manual_seed(3)
        draws.append(mt.rrelu(-mt.ones(50, dtype=mt.float64), 0.1, 0.3, True, g).numpy())
    np.testing.assert_array_equal(draws[0], draws[1])
    assert ((-draws[0] >= 0.1) & (-draws[0] <= 0.3)).all() and len(set(draws[0].tolist())) > 1


@pytest.mark.parametrize("name, args", [("frobenius_norm", ((0, 1),)), ("nuclear_norm", ())])
def test_deprecated_norms_warn_as_torch(name, args):
    messages = {}
    for lib in (torch, mt):
        lib.set_warn_always(True)  # (both warn once per process otherwise)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                getattr(lib, name)(lib.ones(3, 3), *args)
        finally:
            lib.set_warn_always(False)
        messages[lib] = [str(w.message) for w in caught]
    assert len(messages[torch]) == len(messages[mt]) == 1
    assert messages[torch][0].startswith(messages[mt][0])


BAD_CALLS = {
    "dropout_p": lambda lib: lib.dropout(lib.ones(3), 1.5, False),
    "dropout_no_train": lambda lib: lib.dropout(lib.ones(3), 0.5),
    "alpha_dropout_p": lambda lib: lib.alpha_dropout(lib.ones(3), -0.1, True),
    "feature_dropout_1d": lambda lib: lib.feature_dropout(lib.ones(3), 0.5, True),
    "feature_alpha_dropout_1d": lambda lib: lib.feature_alpha_dropout(lib.ones(3), 0.5, True),
    "native_dropout_p": lambda lib: lib.native_dropout(lib.ones(3), 1.5, True),
    "kl_div_str_reduction": lambda lib: lib.kl_div(lib.ones(3), lib.ones(3), "mean"),
    "kl_div_bool_reduction": lambda lib: lib.kl_div(lib.ones(3), lib.ones(3), True),
    "bce_str_reduction": lambda lib: lib.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(3), None, None,
                                                                         "sum"),
    "batch_norm_missing": lambda lib: lib.batch_norm(lib.ones(2, 3), None, None, None, None, True, 0.1, 1e-5),
    "convolution_int_stride": lambda lib: lib.convolution(lib.ones(1, 2, 5), lib.ones(3, 2, 2), None, 1, [0], [1],
                                                          False, [0], 1),
    "convolution_unbatched": lambda lib: lib.convolution(lib.ones(2, 5), lib.ones(3, 2, 2), None, [1], [0], [1],
                                                         False, [0], 1),
    "convolution_6d": lambda lib: lib.convolution(lib.ones(1, 1, 2, 5, 5, 5), lib.ones(3, 1, 2, 2, 2, 2), None, [1],
                                                  [0], [1], False, [0], 1),
    "conv_tbc_input_dims": lambda lib: lib.conv_tbc(lib.ones(7, 2), lib.ones(3, 3, 4), lib.ones(4)),
    "conv_tbc_weight_dims": lambda lib: lib.conv_tbc(lib.ones(7, 2, 3), lib.ones(3, 3), lib.ones(4)),
    "conv_tbc_bias_dims": lambda lib: lib.conv_tbc(lib.ones(7, 2, 3), lib.ones(3, 3, 4), lib.ones(4, 1)),
    "conv_tbc_channels": lambda lib: lib.conv_tbc(lib.ones(7, 2, 3), lib.ones(3, 2, 4), lib.ones(4)),
    "conv_tbc_bias_size": lambda lib: lib.conv_tbc(lib.ones(7, 2, 3), lib.ones(3, 3, 4), lib.ones(5)),
    "lstm_cell_tensor_hx": lambda lib: lib.lstm_cell(lib.ones(3, 4), lib.ones(3, 6), lib.ones(24, 4),
                                                     lib.ones(24, 6)),
    "lstm_cell_three_states": lambda lib: lib.lstm_cell(lib.ones(3, 4), (lib.ones(3, 6),) * 3, lib.ones(24, 4),
                                                        lib.ones(24, 6)),
    "lstm_cell_gate_rows": lambda lib: lib.lstm_cell(lib.ones(3, 4), (lib.ones(3, 6),) * 2, lib.ones(18, 4),
                                                     lib.ones(24, 6)),
    "gru_cell_gate_rows": lambda lib: lib.gru_cell(lib.ones(3, 4), lib.ones(3, 6), lib.ones(24, 4),
                                                   lib.ones(18, 6)),
    "rnn_cell_input_size": lambda lib: lib.rnn_tanh_cell(lib.ones(3, 5), lib.ones(3, 6), lib.ones(6, 4),
                                                         lib.ones(6, 6)),
    "rnn_cell_batch": lambda lib: lib.rnn_tanh_cell(lib.ones(3, 4), lib.ones(2, 6), lib.ones(6, 4), lib.ones(6, 6)),
    "rnn_cell_hidden": lambda lib: lib.rnn_relu_cell(lib.ones(3, 4), lib.ones(3, 7), lib.ones(6, 4),
                                                     lib.ones(6, 6)),
    "frobenius_three_dims": lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), (0, 1, 2)),
    "nuclear_norm_one_dim": lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), (1,)),
    "nuclear_norm_vector": lambda lib: lib.nuclear_norm(lib.ones(3)),
    "norm_except_dim_range": lambda lib: lib.norm_except_dim(lib.ones(3, 4, 5), 2, 3),
    "frobenius_tensor_dim": lambda lib: lib.frobenius_norm(lib.ones(3), lib.ones(0)),
    "frobenius_float_dim": lambda lib: lib.frobenius_norm(lib.ones(3), [0.0]),
    "norm_except_dim_pow_none": lambda lib: lib.norm_except_dim(lib.ones(3), None),
    "norm_except_dim_pow_float": lambda lib: lib.norm_except_dim(lib.ones(3), 2.0),
    "norm_except_dim_dim_float": lambda lib: lib.norm_except_dim(lib.ones(3), 2, 0.0),
    "nuclear_norm_none": lambda lib: lib.nuclear_norm(lib.ones(3, 3), None),
    "convolution_float_padding": lambda lib: lib.convolution(lib.ones(1, 2, 5), lib.ones(3, 2, 2), None, [1], [0.5],
                                                             [1], False, [0], 1),
    "celu_inplace_arg": lambda lib: lib.celu(lib.ones(3), 1.0, True),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_errors(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_like_torch(BAD_CALLS[name], same_message=name not in {"dropout_no_train", "batch_norm_missing",
                                                                     "celu_inplace_arg", "nuclear_norm_none"})


def test_results_have_torchs_dtypes_on_float32():
    for name in ("conv2d", "layer_norm", "lstm_cell", "embedding", "conv_tbc"):
        outs = []
        for lib in (mt, torch):
            global RNG
            RNG = np.random.default_rng(11)

            def T(array, lib=lib):
                return lib.tensor(np.asarray(array, dtype=np.float32))
            outs.append(CASES[name](lib, T))
        got, want = (o if isinstance(o, tuple) else (o,) for o in outs)
        for g, w in zip(got, want):
            assert_close(g, w, rtol=1e-5, atol=1e-5, what=name)
            assert to_numpy(g).dtype == np.float32
