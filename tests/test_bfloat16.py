"""bfloat16 through ml_dtypes: tensors, casts, promotion, arithmetic, autograd and CPU autocast, against torch.
(Without ml_dtypes: tests/test_torch_surface.py checks the error that names the package.)"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch

pytest.importorskip("ml_dtypes")

VALUES = [1.5, 2.25, -3.0, 0.1234567, 7.0e3, -1e-3]

CASES = {
    "mul_scalar": lambda lib, x: x * 2.5,
    "add_self": lambda lib, x: x + x,
    "add_float32": lambda lib, x: x + lib.ones(6),
    "add_float16": lambda lib, x: x + lib.ones(6, dtype=lib.float16),
    "div_int": lambda lib, x: x / 3,
    "exp": lambda lib, x: (x * 1e-3).exp(),
    "tanh_sq": lambda lib, x: (x * x).tanh(),
    "sum": lambda lib, x: x.sum(),
    "mean": lambda lib, x: x.mean(),
    "matmul": lambda lib, x: x.reshape(2, 3) @ x.reshape(3, 2),
    "linear": lambda lib, x: lib.nn.functional.linear(x.reshape(2, 3), x.reshape(2, 3)),
    "relu": lambda lib, x: lib.relu(x),
    "max": lambda lib, x: x.max(),
    "cast_back": lambda lib, x: x.float() * 3,
}


@pytest.mark.parametrize("name", CASES)
def test_bfloat16_values_dtypes_and_gradients_match_torch(name):
    got = {}
    for lib in (torch, microtorch):
        x = lib.tensor(VALUES).to(lib.bfloat16).requires_grad_()
        y = CASES[name](lib, x)
        y.float().sum().backward()
        got[lib] = (str(y.dtype).split(".")[-1], y.detach().float().numpy(), str(x.grad.dtype).split(".")[-1],
                    x.grad.float().numpy())
    t, m = got[torch], got[microtorch]
    assert m[0] == t[0] and m[2] == t[2] == "bfloat16"
    np.testing.assert_allclose(m[1], t[1], rtol=1e-2, atol=1e-2)  # bfloat16 has 8 bits of mantissa
    np.testing.assert_allclose(m[3], t[3], rtol=2e-2, atol=1e-2)


def test_bfloat16_tensors_print_cast_and_convert_as_torch():
    for lib in (torch, microtorch):
        b = lib.tensor([1.5, 2.25]).bfloat16()
        assert repr(b).replace(lib.__name__, "lib") == "tensor([1.5000, 2.2500], dtype=lib.bfloat16)"
        assert b.is_floating_point() and b.element_size() == 2 and b.tolist() == [1.5, 2.25]
        assert lib.zeros(2, dtype=lib.bfloat16).dtype == lib.bfloat16
        assert lib.tensor(3.14159, dtype=lib.bfloat16).item() == 3.140625
        assert lib.promote_types(lib.bfloat16, lib.float16) == lib.float32
        assert b.to(lib.int64).tolist() == [1, 2]
    assert microtorch.tensor([1.0]).type(microtorch.BFloat16Tensor).dtype is microtorch.bfloat16
    assert isinstance(microtorch.zeros(1).bfloat16(), microtorch.BFloat16Tensor)


def test_a_bfloat16_model_trains_as_torchs():
    losses = {}
    for lib in (torch, microtorch):
        rng = np.random.RandomState(0)
        model = lib.nn.Linear(4, 1).to(lib.bfloat16)
        with lib.no_grad():
            model.weight.copy_(lib.tensor(rng.randn(1, 4).astype("float32")))
            model.bias.zero_()
        opt = lib.optim.SGD(model.parameters(), lr=0.05)
        x = lib.tensor(rng.randn(16, 4).astype("float32")).bfloat16()
        y = lib.tensor(rng.randn(16, 1).astype("float32")).bfloat16()
        trace = []
        for _ in range(10):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            trace.append(loss.float().item())
        assert model.weight.dtype == lib.bfloat16
        losses[lib] = trace
    np.testing.assert_allclose(losses[microtorch], losses[torch], rtol=3e-2)
    assert losses[torch][-1] < losses[torch][0]


def test_cpu_autocast_defaults_to_bfloat16_as_torch():
    for lib in (torch, microtorch):
        x, w = lib.ones(2, 3), lib.ones(4, 3, requires_grad=True)
        with lib.autocast("cpu"):
            y = lib.nn.functional.linear(x, w)
            loss = lib.nn.functional.mse_loss(y, lib.zeros(2, 4))
        assert y.dtype == lib.bfloat16 and loss.dtype == lib.float32
        loss.backward()
        assert w.grad.dtype == lib.float32 and w.grad.tolist() == [[1.5] * 3] * 4


def test_bfloat16_as_the_default_dtype_as_torch():
    for lib in (torch, microtorch):
        lib.set_default_dtype(lib.bfloat16)
        try:
            assert lib.tensor([1.5]).dtype == lib.zeros(1).dtype == lib.bfloat16
        finally:
            lib.set_default_dtype(lib.float32)
