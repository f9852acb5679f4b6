"""Every layer against torch's: same state_dict, same inputs -> same outputs, input gradients,
parameter gradients and buffers, in train and eval mode (float64, then float32 for a few)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch
import microtorch.nn as mnn
from conftest import DEVICES
from helpers import to_numpy


def _load_from_torch(m_mod, t_mod, device):
    m_mod.load_state_dict({k: microtorch.tensor(to_numpy(v), device=device) for k, v in t_mod.state_dict().items()})


def check_parity(make, inputs, device="cpu", dtype="float64", modes=("train", "eval"), rtol=1e-7, atol=1e-9,
                 steps=2, int_inputs=()):
    """Build the layer in both libraries (``make(lib)``), copy torch's state into microtorch's and compare
    forward, backward and buffers for ``steps`` calls in each mode."""
    torch.manual_seed(0)
    t_mod = make(torch).to(getattr(torch, dtype))
    m_mod = make(microtorch).to(getattr(microtorch, dtype)).to(device)
    _load_from_torch(m_mod, t_mod, device)
    assert list(m_mod.state_dict()) == list(t_mod.state_dict())
    rng = np.random.default_rng(0)
    for mode in modes:
        t_mod.train(mode == "train")
        m_mod.train(mode == "train")
        for _ in range(steps):
            t_mod.zero_grad()
            m_mod.zero_grad()
            arrays = [a(rng) if callable(a) else a for a in inputs]
            t_in, m_in = [], []
            for i, a in enumerate(arrays):
                if i in int_inputs:
                    t_in.append(torch.tensor(a))
                    m_in.append(microtorch.tensor(a, device=device))
                else:
                    t_in.append(torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True))
                    m_in.append(microtorch.tensor(a, dtype=getattr(microtorch, dtype), device=device, requires_grad=True))
            t_out = t_mod(*t_in)
            m_out = m_mod(*m_in)
            if isinstance(t_out, tuple):  # (values, indices)
                np.testing.assert_array_equal(to_numpy(m_out[1]), to_numpy(t_out[1]))
                t_out, m_out = t_out[0], m_out[0]
            assert m_out.dtype == getattr(microtorch, dtype)
            np.testing.assert_allclose(to_numpy(m_out), to_numpy(t_out), rtol=rtol, atol=atol, err_msg=f"{mode} forward")
            if t_out.requires_grad:
                upstream = rng.standard_normal(tuple(t_out.shape))
                t_out.backward(torch.tensor(upstream, dtype=t_out.dtype))
                m_out.backward(microtorch.tensor(upstream, dtype=m_out.dtype, device=device))
                for i, (t, m) in enumerate(zip(t_in, m_in)):
                    if t.grad is not None:
                        np.testing.assert_allclose(to_numpy(m.grad), to_numpy(t.grad), rtol=rtol, atol=atol,
                                                   err_msg=f"{mode} input {i} grad")
                t_params = dict(t_mod.named_parameters())
                for name, p in m_mod.named_parameters():
                    tp = t_params[name]
                    if tp.grad is None:
                        assert p.grad is None or not np.any(to_numpy(p.grad)), name
                    else:
                        np.testing.assert_allclose(to_numpy(p.grad), to_numpy(tp.grad), rtol=rtol, atol=atol,
                                                   err_msg=f"{mode} grad of {name}")
            t_buffers = dict(t_mod.named_buffers())
            for name, b in m_mod.named_buffers():
                np.testing.assert_allclose(to_numpy(b), to_numpy(t_buffers[name]), rtol=rtol, atol=atol,
                                           err_msg=f"{mode} buffer {name}")
    return m_mod


def randn(*shape):
    return lambda rng: rng.standard_normal(shape)


def uniform(lo, hi, *shape):
    return lambda rng: rng.uniform(lo, hi, shape)


def randint(hi, *shape):
    return lambda rng: rng.integers(0, hi, shape)


LAYERS = {
    "Linear": (lambda lib: lib.nn.Linear(5, 3), [randn(4, 5)]),
    "Linear_3d_nobias": (lambda lib: lib.nn.Linear(5, 3, bias=False), [randn(2, 4, 5)]),
    "Linear_1d": (lambda lib: lib.nn.Linear(5, 3), [randn(5)]),
    "Bilinear": (lambda lib: lib.nn.Bilinear(4, 3, 2), [randn(5, 4), randn(5, 3)]),
    "Conv1d": (lambda lib: lib.nn.Conv1d(3, 4, 3, stride=2, padding=1), [randn(2, 3, 9)]),
    "Conv1d_groups_same": (lambda lib: lib.nn.Conv1d(4, 6, 4, groups=2, dilation=2, padding="same"), [randn(2, 4, 9)]),
    "Conv1d_unbatched": (lambda lib: lib.nn.Conv1d(3, 2, 2), [randn(3, 6)]),
    "Conv2d": (lambda lib: lib.nn.Conv2d(3, 4, 3), [randn(2, 3, 7, 6)]),
    "Conv2d_stride_pad": (lambda lib: lib.nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2)), [randn(2, 3, 8, 7)]),
    "Conv2d_dilation_groups": (lambda lib: lib.nn.Conv2d(4, 6, 3, dilation=2, groups=2, bias=False), [randn(2, 4, 9, 8)]),
    "Conv2d_depthwise": (lambda lib: lib.nn.Conv2d(3, 6, 3, groups=3, padding=1), [randn(2, 3, 5, 5)]),
    "Conv2d_same_even_kernel": (lambda lib: lib.nn.Conv2d(2, 3, 4, padding="same"), [randn(1, 2, 6, 5)]),
    "Conv2d_valid": (lambda lib: lib.nn.Conv2d(2, 3, 2, padding="valid", stride=3), [randn(2, 2, 8, 7)]),
    "Conv2d_reflect": (lambda lib: lib.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [randn(2, 2, 5, 6)]),
    "Conv2d_circular": (lambda lib: lib.nn.Conv2d(2, 3, 3, padding=2, padding_mode="circular"), [randn(2, 2, 5, 6)]),
    "Conv2d_replicate": (lambda lib: lib.nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), [randn(2, 2, 5, 6)]),
    "Conv2d_unbatched": (lambda lib: lib.nn.Conv2d(2, 3, 3), [randn(2, 5, 5)]),
    "ConvTranspose1d": (lambda lib: lib.nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1), [randn(2, 3, 5)]),
    "ConvTranspose2d": (lambda lib: lib.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1), [randn(2, 3, 4, 5)]),
    "ConvTranspose2d_groups_dilation": (lambda lib: lib.nn.ConvTranspose2d(4, 6, (2, 3), groups=2, dilation=2, bias=False),
                                        [randn(2, 4, 3, 4)]),
    "MaxPool1d": (lambda lib: lib.nn.MaxPool1d(3, stride=2, padding=1), [randn(2, 3, 9)]),
    "MaxPool2d": (lambda lib: lib.nn.MaxPool2d(2), [randn(2, 3, 6, 7)]),
    "MaxPool2d_overlap_pad_ceil": (lambda lib: lib.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [randn(2, 2, 8, 7)]),
    "MaxPool2d_dilation_indices": (lambda lib: lib.nn.MaxPool2d(2, stride=1, dilation=2, return_indices=True), [randn(2, 2, 6, 5)]),
    "AvgPool1d": (lambda lib: lib.nn.AvgPool1d(3, stride=2, padding=1), [randn(2, 3, 9)]),
    "AvgPool2d": (lambda lib: lib.nn.AvgPool2d(2), [randn(2, 3, 6, 7)]),
    "AvgPool2d_exclude_pad_ceil": (lambda lib: lib.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                                   [randn(2, 2, 8, 7)]),
    "AvgPool2d_include_pad_ceil": (lambda lib: lib.nn.AvgPool2d((3, 2), stride=2, padding=1, ceil_mode=True), [randn(1, 2, 6, 7)]),
    "AvgPool2d_divisor": (lambda lib: lib.nn.AvgPool2d(2, divisor_override=3), [randn(2, 2, 4, 4)]),
    "AdaptiveAvgPool1d": (lambda lib: lib.nn.AdaptiveAvgPool1d(4), [randn(2, 3, 7)]),
    "AdaptiveAvgPool2d": (lambda lib: lib.nn.AdaptiveAvgPool2d((3, 2)), [randn(2, 3, 7, 5)]),
    "AdaptiveAvgPool2d_global": (lambda lib: lib.nn.AdaptiveAvgPool2d(1), [randn(2, 3, 4, 5)]),
    "AdaptiveAvgPool2d_none": (lambda lib: lib.nn.AdaptiveAvgPool2d((None, 3)), [randn(2, 3, 4, 5)]),
    "BatchNorm1d": (lambda lib: lib.nn.BatchNorm1d(4), [randn(6, 4)]),
    "BatchNorm1d_3d": (lambda lib: lib.nn.BatchNorm1d(3, momentum=0.3), [randn(4, 3, 5)]),
    "BatchNorm2d": (lambda lib: lib.nn.BatchNorm2d(3), [randn(4, 3, 5, 4)]),
    "BatchNorm2d_cumulative": (lambda lib: lib.nn.BatchNorm2d(3, momentum=None), [randn(4, 3, 2, 3)]),
    "BatchNorm2d_no_affine": (lambda lib: lib.nn.BatchNorm2d(3, affine=False), [randn(4, 3, 2, 3)]),
    "BatchNorm2d_no_stats": (lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False), [randn(4, 3, 2, 3)]),
    "LayerNorm": (lambda lib: lib.nn.LayerNorm(5), [randn(3, 4, 5)]),
    "LayerNorm_2d_no_affine": (lambda lib: lib.nn.LayerNorm((4, 5), elementwise_affine=False), [randn(3, 4, 5)]),
    "LayerNorm_no_bias": (lambda lib: lib.nn.LayerNorm(4, bias=False), [randn(3, 4)]),
    "GroupNorm": (lambda lib: lib.nn.GroupNorm(2, 6), [randn(3, 6, 4, 2)]),
    "GroupNorm_no_affine": (lambda lib: lib.nn.GroupNorm(3, 3, affine=False), [randn(3, 3, 5)]),
    "Embedding": (lambda lib: lib.nn.Embedding(10, 3), [randint(10, 4, 5)]),
    "Embedding_padding": (lambda lib: lib.nn.Embedding(10, 3, padding_idx=2), [lambda rng: np.array([[2, 1, 2], [0, 2, 9]])]),
    "Identity": (lambda lib: lib.nn.Identity(3, k=4), [randn(2, 3)]),
    "Flatten": (lambda lib: lib.nn.Flatten(), [randn(2, 3, 4)]),
    "Unflatten": (lambda lib: lib.nn.Unflatten(1, (2, 3)), [randn(4, 6)]),
    "ReLU": (lambda lib: lib.nn.ReLU(), [randn(3, 4)]),
    "LeakyReLU": (lambda lib: lib.nn.LeakyReLU(0.2), [randn(3, 4)]),
    "ELU": (lambda lib: lib.nn.ELU(alpha=0.7), [randn(3, 4)]),
    "GELU": (lambda lib: lib.nn.GELU(), [randn(3, 4)]),
    "GELU_tanh": (lambda lib: lib.nn.GELU(approximate="tanh"), [randn(3, 4)]),
    "SiLU": (lambda lib: lib.nn.SiLU(), [randn(3, 4)]),
    "Mish": (lambda lib: lib.nn.Mish(), [randn(3, 4)]),
    "Softplus": (lambda lib: lib.nn.Softplus(beta=2.0, threshold=3.0), [randn(3, 4)]),
    "Hardtanh": (lambda lib: lib.nn.Hardtanh(-0.5, 0.7), [randn(3, 4)]),
    "ReLU6": (lambda lib: lib.nn.ReLU6(), [uniform(-3, 9, 3, 4)]),
    "Sigmoid": (lambda lib: lib.nn.Sigmoid(), [randn(3, 4)]),
    "Tanh": (lambda lib: lib.nn.Tanh(), [randn(3, 4)]),
    "Softmax": (lambda lib: lib.nn.Softmax(dim=1), [randn(3, 4)]),
    "LogSoftmax": (lambda lib: lib.nn.LogSoftmax(dim=-1), [randn(3, 4)]),
    "Sequential": (lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2)), [randn(5, 4)]),
}

LOSSES = {
    "L1Loss": (lambda lib: lib.nn.L1Loss(), [randn(3, 4), randn(3, 4)]),
    "MSELoss": (lambda lib: lib.nn.MSELoss(reduction="sum"), [randn(3, 4), randn(3, 4)]),
    "SmoothL1Loss": (lambda lib: lib.nn.SmoothL1Loss(beta=0.5), [randn(3, 4), randn(3, 4)]),
    "HuberLoss": (lambda lib: lib.nn.HuberLoss(delta=0.7, reduction="none"), [randn(3, 4), randn(3, 4)]),
    "NLLLoss": (lambda lib: lib.nn.NLLLoss(), [randn(5, 4), randint(4, 5)]),
    "CrossEntropyLoss": (lambda lib: lib.nn.CrossEntropyLoss(), [randn(5, 4), randint(4, 5)]),
    "CrossEntropyLoss_weighted": (lambda lib: lib.nn.CrossEntropyLoss(weight=lib.tensor([1.0, 2.0, 0.5, 3.0], dtype=lib.float64),
                                                                     label_smoothing=0.1, ignore_index=1),
                                  [randn(6, 4, 3), randint(4, 6, 3)]),
    "CrossEntropyLoss_probs": (lambda lib: lib.nn.CrossEntropyLoss(label_smoothing=0.2), [randn(5, 4), uniform(0, 1, 5, 4)]),
    "BCELoss": (lambda lib: lib.nn.BCELoss(), [uniform(0.05, 0.95, 3, 4), uniform(0, 1, 3, 4)]),
    "BCEWithLogitsLoss": (lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([1.0, 2.0, 0.5, 3.0], dtype=lib.float64)),
                          [randn(3, 4), uniform(0, 1, 3, 4)]),
    "KLDivLoss": (lambda lib: lib.nn.KLDivLoss(reduction="batchmean"), [randn(3, 4), uniform(0.1, 1, 3, 4)]),
    "KLDivLoss_log_target": (lambda lib: lib.nn.KLDivLoss(reduction="sum", log_target=True), [randn(3, 4), randn(3, 4)]),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name, device):
    make, inputs = LAYERS[name]
    ints = tuple(i for i, a in enumerate(inputs) if "Embedding" in name and i == 0)
    check_parity(make, inputs, device=device, int_inputs=ints)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_matches_torch(name, device):
    make, inputs = LOSSES[name]
    ints = (1,) if name.startswith(("NLL", "CrossEntropyLoss")) and not name.endswith("probs") else ()
    check_parity(make, inputs, device=device, modes=("train",), steps=1, int_inputs=ints)


@pytest.mark.parametrize("name", ["Linear", "Conv2d_stride_pad", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
                                  "BatchNorm2d", "LayerNorm", "GroupNorm", "GELU", "Embedding"])
def test_layer_matches_torch_float32(name):
    make, inputs = LAYERS[name]
    ints = (0,) if name == "Embedding" else ()
    check_parity(make, inputs, dtype="float32", rtol=1e-4, atol=1e-5, int_inputs=ints)


def test_max_pool_ties_and_nan_follow_torch():
    """Ties send the gradient to the first maximal cell; a nan wins its window (the last nan, as torch)."""
    x = np.array([[[[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0],
                    [np.nan, 2.0, 3.0, np.nan], [5.0, np.nan, np.nan, 3.0]]]])
    t_x = torch.tensor(x, requires_grad=True)
    m_x = microtorch.tensor(x, requires_grad=True)
    t_out, t_idx = torch.nn.functional.max_pool2d(t_x, 2, return_indices=True)
    m_out, m_idx = mnn.functional.max_pool2d(m_x, 2, return_indices=True)
    np.testing.assert_array_equal(to_numpy(m_out), to_numpy(t_out))
    np.testing.assert_array_equal(to_numpy(m_idx), to_numpy(t_idx))
    t_out.sum().backward()
    m_out.sum().backward()
    np.testing.assert_array_equal(to_numpy(m_x.grad), to_numpy(t_x.grad))


@pytest.mark.parametrize("norm", ["BatchNorm2d", "GroupNorm", "LayerNorm"])
def test_inplace_activation_after_an_affine_free_norm(norm):
    def make(lib):
        layer = {"BatchNorm2d": lambda: lib.nn.BatchNorm2d(3, affine=False), "GroupNorm": lambda: lib.nn.GroupNorm(3, 3, affine=False),
                 "LayerNorm": lambda: lib.nn.LayerNorm(4, elementwise_affine=False)}[norm]()
        return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 1), layer, lib.nn.ReLU(inplace=True))
    check_parity(make, [randn(2, 2, 3, 4)])
