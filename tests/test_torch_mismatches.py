"""Regression cases for issue 21's silent mismatches with torch: each case runs the same call on torch and
microtorch and compares values, dtypes and gradients (nan and inf included, signed zeros ignored)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import microtorch as mt
import microtorch.nn.functional as MF
import torch.nn.functional as TF

POINTS = [-math.inf, -1.0, 0.0, 1.0, math.inf, math.nan]


def _same(ours, theirs) -> None:
    """Values (to the last bits or so: nan and infinities where torch's are), shape and dtype equal. Two float32
    ulps: torch's float32 kernels differ by CPU (its AVX-512 logaddexp is one ulp from its AVX2 one)."""
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    rtol = 2.4e-7 if ours.dtype == np.float32 else 1e-7
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


def _grads(fn, *columns):
    """The gradients of fn(lib, *inputs).sum() for microtorch and torch, inputs float64 tensors of `columns`, as
    arrays (an input that gets no gradient: zeros)."""
    result = []
    for lib in (mt, torch):
        inputs = [lib.tensor(c, dtype=lib.float64, requires_grad=True) for c in columns]
        fn(lib, *inputs).sum().backward()
        result.append([np.zeros(len(c)) if x.grad is None else x.grad.numpy() for x, c in zip(inputs, columns)])
    return result


def _close(ours, theirs) -> None:
    """Equal to the last bits or so; nan where torch has nan, the same infinities."""
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=0)


# every activation and op issue 21 names, at -inf, -1, 0, 1, inf, nan
UNARY_GRADS = {
    "relu": lambda lib, x: (MF if lib is mt else TF).relu(x),
    "elu": lambda lib, x: (MF if lib is mt else TF).elu(x),
    "celu": lambda lib, x: (MF if lib is mt else TF).celu(x),
    "selu": lambda lib, x: (MF if lib is mt else TF).selu(x),
    "hardtanh": lambda lib, x: (MF if lib is mt else TF).hardtanh(x),
    "relu6": lambda lib, x: (MF if lib is mt else TF).relu6(x),
    "logsigmoid": lambda lib, x: (MF if lib is mt else TF).logsigmoid(x),
    "softplus": lambda lib, x: (MF if lib is mt else TF).softplus(x),
    "mish": lambda lib, x: (MF if lib is mt else TF).mish(x),
    "hardsigmoid": lambda lib, x: (MF if lib is mt else TF).hardsigmoid(x),
    "logit": lambda lib, x: x.logit(),
    "logit_eps": lambda lib, x: x.logit(eps=0.25),
    "abs": lambda lib, x: x.abs(),
    "sign": lambda lib, x: x.sign(),
    "clamp_min": lambda lib, x: x.clamp_min(0.0),
    "clamp_max": lambda lib, x: x.clamp_max(0.0),
    "clamp_min_tensor": lambda lib, x: lib.clamp_min(x, lib.zeros(6, dtype=lib.float64)),
    "clamp_max_tensor": lambda lib, x: lib.clamp_max(x, lib.zeros(6, dtype=lib.float64)),
    "pow_half": lambda lib, x: x ** 0.5,
    "pow_minus_half": lambda lib, x: x ** -0.5,
    "pow_three_halves": lambda lib, x: x ** 1.5,
    "div_trunc_x": lambda lib, x: lib.div(x, lib.tensor(2.0, dtype=lib.float64), rounding_mode="trunc"),
    "div_trunc_y": lambda lib, x: lib.div(lib.tensor(3.0, dtype=lib.float64), x, rounding_mode="trunc"),
    "atan2_y0": lambda lib, x: lib.atan2(x, lib.zeros(6, dtype=lib.float64)),
    "atan2_x0": lambda lib, x: lib.atan2(lib.zeros(6, dtype=lib.float64), x),
    "norm0": lambda lib, x: lib.norm(x, 0).reshape(1),
}


@pytest.mark.parametrize("name", sorted(UNARY_GRADS))
def test_values_and_gradients_at_special_points(name):
    fn = UNARY_GRADS[name]
    (ours,), (theirs,) = _grads(fn, POINTS)
    _close(ours, theirs)
    x_mt, x_torch = mt.tensor(POINTS, dtype=mt.float64), torch.tensor(POINTS, dtype=torch.float64)
    _same(fn(mt, x_mt), fn(torch, x_torch))


def test_atan2_gradient_at_the_origin():
    ours, theirs = _grads(lambda lib, x, y: lib.atan2(x, y), [0.0], [0.0])
    for a, b in zip(ours, theirs):
        _close(a, b)


@pytest.mark.parametrize("form", ["clamp", "clamp_min", "clamp_max", "clamp_crossed"])
def test_clamp_with_tensor_bounds_gives_ties_to_x(form):
    def fn(lib, x, lo, hi):
        if form == "clamp":
            return lib.clamp(x, lo, hi)
        if form == "clamp_crossed":  # min > max: max wins, as torch (nan aside: its value stays nan, and torch
            return lib.clamp(x.nan_to_num(5.0), hi, lo)  # gives its gradient to max, microtorch to nobody)
        return lib.clamp_min(x, lo) if form == "clamp_min" else lib.clamp_max(x, hi)

    x, lo, hi = [1.0, 2.0, 3.0, 2.0, math.nan, 0.0], [2.0, 2.0, 2.0, 1.0, 0.0, 1.0], [2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    ours, theirs = _grads(fn, x, lo, hi)
    for a, b in zip(ours, theirs):
        _close(a, b)
    args = [(lib.tensor(x), lib.tensor(lo), lib.tensor(hi)) for lib in (mt, torch)]
    _same(fn(mt, *args[0]), fn(torch, *args[1]))


@pytest.mark.parametrize("op, a, b", [
    ("logaddexp", [-math.inf, math.inf, -math.inf, 1.0], [-math.inf, math.inf, math.inf, 2.0]),
    ("hypot", [math.inf, math.nan, -math.inf, 3.0], [math.nan, math.inf, math.nan, 4.0]),
])
def test_binary_values_at_infinities(op, a, b):
    _same(getattr(mt, op)(mt.tensor(a), mt.tensor(b)), getattr(torch, op)(torch.tensor(a), torch.tensor(b)))


def test_sign_and_sgn_of_nan_are_zero():
    for name in ("sign", "sgn"):
        _same(getattr(mt, name)(mt.tensor([math.nan, -2.0, 0.0])), getattr(torch, name)(torch.tensor([math.nan, -2.0, 0.0])))


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(0.1, -7.9, -4.0, dtype=lib.int64),
    lambda lib: lib.arange(0.5, 3, 1, dtype=lib.int32),
    lambda lib: lib.linspace(-2.0, 1, 5, dtype=lib.int64),
    lambda lib: lib.linspace(-2.7, 3.9, 7, dtype=lib.int16),
    lambda lib: lib.linspace(3, 1, 1, dtype=lib.int64),
    lambda lib: lib.linspace(0.0, 1.0, 5, dtype=lib.float64),
    lambda lib: lib.logspace(0, 1.2, 2, dtype=lib.int64),
    lambda lib: lib.logspace(-1, 1, 3, dtype=lib.int64),
    lambda lib: lib.logspace(0, 2, 3, base=2, dtype=lib.int64),
])
def test_integer_ranges_with_float_ends(call):
    _same(call(mt), call(torch))


@pytest.mark.parametrize("steps", [2.0, "a", None])
def test_linspace_refuses_a_non_integer_steps(steps):
    with pytest.raises(TypeError):
        torch.linspace(0, 1, steps)
    with pytest.raises(TypeError):
        mt.linspace(0, 1, steps)


@pytest.mark.parametrize("name", ["relu6", "hardtanh"])
def test_relu6_and_hardtanh_keep_integer_dtypes(name):
    for args in ((), (-1.7, 2.7)) if name == "hardtanh" else ((),):
        _same(getattr(MF, name)(mt.tensor([-3, -1, 0, 1, 3, 8]), *args),
              getattr(TF, name)(torch.tensor([-3, -1, 0, 1, 3, 8]), *args))


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh"])
def test_bool_input_refused(name):
    with pytest.raises(RuntimeError):
        getattr(TF, name)(torch.tensor([True, False]))
    with pytest.raises(RuntimeError, match="not supported"):
        getattr(MF, name)(mt.tensor([True, False]))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "floor_divide", "true_divide"])
@pytest.mark.parametrize("a, b", [(2.0, 4), (2, 4), (7, -2.0), (True, 3)])
def test_two_python_numbers_give_a_0d_tensor(op, a, b):
    try:
        expected = getattr(torch, op)(a, b)
    except RuntimeError:  # (sub of a bool)
        with pytest.raises(RuntimeError):
            getattr(mt, op)(a, b)
        return
    _same(getattr(mt, op)(a, b), expected)


def test_number_first_operand_of_xlogy():
    for dtype in ("float32", "float64", "int64"):
        _same(mt.xlogy(2.0, mt.tensor([0, 1, 3], dtype=getattr(mt, dtype))),
              torch.xlogy(2.0, torch.tensor([0, 1, 3], dtype=getattr(torch, dtype))))


def test_norm_zero_requires_grad():
    x = mt.tensor([1.0, 0.0, 2.0], requires_grad=True)
    assert mt.norm(x, 0).requires_grad is torch.norm(torch.tensor([1.0, 0.0, 2.0], requires_grad=True), 0).requires_grad


@pytest.mark.parametrize("shape, pad", [((1, 2, 5), (-1, 2)), ((1, 2, 5), (2, -2)), ((1, 2, 3, 4), (1, -1, -1, 2)),
                                        ((1, 1, 3, 4, 5), (-2, 1, 1, 0, 0, -1))])
def test_circular_pad_with_negative_amounts(shape, pad):
    n = math.prod(shape)
    _same(MF.pad(mt.arange(float(n)).reshape(shape), pad, mode="circular"),
          TF.pad(torch.arange(float(n)).reshape(shape), pad, mode="circular"))


def test_numpy_array_copies_and_asarray_shares():
    t = mt.ones(3)
    copied, copied_explicitly, shared = np.array(t), np.array(t, copy=True), np.asarray(t)
    t.add_(1.0)
    assert copied.tolist() == copied_explicitly.tolist() == [1.0, 1.0, 1.0]
    assert shared.tolist() == [2.0, 2.0, 2.0]
    assert np.array(t, copy=False).tolist() == [2.0, 2.0, 2.0]  # no copy needed: allowed
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.array(t, dtype=np.float64, copy=False)
    with pytest.raises(ValueError):
        np.array(torch.ones(3), dtype=np.float64, copy=False)


@pytest.mark.parametrize("call", [
    lambda lib, F: F.avg_pool2d(lib.ones(1, 1, 4, 4), 2, divisor_override=0),
    lambda lib, F: F.avg_pool3d(lib.ones(1, 1, 2, 4, 4), 2, divisor_override=0),
    lambda lib, F: lib.isclose(lib.ones(2), lib.ones(2), rtol=-1.0),
    lambda lib, F: lib.isclose(lib.ones(2), lib.ones(2), atol=-1.0),
    lambda lib, F: lib.isclose(lib.ones(2), lib.ones(2, dtype=lib.int64)),
])
def test_refused_as_torch_refuses(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch, TF)
    with pytest.raises(RuntimeError) as ours:
        call(mt, MF)
    assert str(ours.value).split(",")[0] == str(theirs.value).split(",")[0]


@pytest.mark.parametrize("case", ["take_out_overlaps_index", "gather_out_is_input_view", "index_select_out_is_input"])
def test_out_sharing_memory_with_an_input_raises_as_torch(case: str) -> None:
    """op_db's error inputs for these share one storage between ``out=`` and an input, which the OpInfo harness
    cannot rebuild (it converts each tensor on its own); the same overlaps, built in both libraries."""
    def call(lib):
        if case == "take_out_overlaps_index":
            storage = lib.tensor([0, 1, 2, 0])
            return lib.take(lib.arange(3), storage[1:3], out=storage[0:2])
        x = lib.arange(6.0).reshape(2, 3)
        if case == "gather_out_is_input_view":
            return lib.gather(x, 1, lib.zeros(2, 3, dtype=lib.int64), out=x[:, :])
        return lib.index_select(x, 0, lib.tensor([1, 0]), out=x)

    with pytest.raises(RuntimeError, match="unsupported operation") as theirs:
        call(torch)
    with pytest.raises(RuntimeError, match=str(theirs.value)[:40]):
        call(mt)
