"""Type promotion follows torch (weak Python scalars, 0-d tensors), and float32 never drifts to float64."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import microtorch as mt
from conftest import DEVICES, examples
from helpers import make_inputs
from op_table import OPS

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _make(lib, dtype: str, zero_dim: bool):
    shape = () if zero_dim else (2,)
    return lib.ones(shape, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("a_dtype,b_dtype", list(itertools.product(DTYPES, DTYPES)))
@pytest.mark.parametrize("a_0d,b_0d", [(False, False), (False, True), (True, False), (True, True)])
def test_tensor_tensor_promotion_matches_torch(a_dtype, b_dtype, a_0d, b_0d):
    ta, tb = _make(torch, a_dtype, a_0d), _make(torch, b_dtype, b_0d)
    ma, mb = _make(mt, a_dtype, a_0d), _make(mt, b_dtype, b_0d)
    assert str(mt.result_type(ma, mb)) == str(torch.result_type(ta, tb)).replace("torch", "microtorch")
    if "bool" not in (a_dtype, b_dtype):
        assert (ma + mb).dtype.name == str((ta + tb).dtype).split(".")[1]
        assert (ma * mb).dtype.name == str((ta * tb).dtype).split(".")[1]
    assert (ma / mb).dtype.name == str((ta / tb).dtype).split(".")[1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("op", ["add", "mul", "div", "radd", "rmul"])
def test_python_scalars_are_weak_like_torch(dtype, scalar, op):
    if dtype == "bool" and op in ("add", "radd") and scalar is True:
        pytest.skip("torch adds bools as a logical or; not an arithmetic case")
    fns = {
        "add": lambda x: x + scalar, "mul": lambda x: x * scalar, "div": lambda x: x / scalar,
        "radd": lambda x: scalar + x, "rmul": lambda x: scalar * x,
    }
    t = fns[op](torch.ones(3, dtype=getattr(torch, dtype)))
    m = fns[op](mt.ones(3, dtype=getattr(mt, dtype)))
    assert m.dtype.name == str(t.dtype).split(".")[1]
    np.testing.assert_allclose(m.numpy().astype(float), t.numpy().astype(float))


def test_the_promised_examples():
    assert (mt.ones(2) * 2.5).dtype == mt.float32
    assert (mt.ones(2, dtype=mt.int64) / 2).dtype == mt.float32
    assert (mt.ones(2, dtype=mt.int32) * 2.5).dtype == mt.float32
    assert (mt.ones(2, dtype=mt.float16) * mt.tensor(2.0, dtype=mt.float32)).dtype == mt.float16
    assert mt.tensor([1.5, 2.0]).dtype == mt.float32
    assert mt.tensor([1, 2]).dtype == mt.int64
    assert mt.tensor(np.zeros(2)).dtype == mt.float64  # arrays keep their dtype, as torch.tensor(ndarray)
    mt.set_default_dtype(mt.float64)
    assert mt.tensor([1.5]).dtype == mt.float64 and (mt.ones(2, dtype=mt.int64) * 0.5).dtype == mt.float64


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("spec", [s for s in OPS], ids=lambda s: s.name)
@settings(max_examples=examples(ci=2, full=3))
@given(data=st.data())
def test_no_float64_drift(spec, dtype, device, data):
    """Every op of the table keeps float32 (and float16) outputs and gradients in that dtype."""
    inputs, params = spec.draw(data, dtype)
    leaves, args = make_inputs(mt, inputs, dtype, device, "contiguous")
    out = spec.fn(mt, *args, **params)
    if out.is_floating_point() and not spec.casts:
        assert out.dtype.name == dtype, f"{spec.name}: {dtype} inputs gave {out.dtype}"
    if spec.grad and out.requires_grad:
        out.backward(mt.ones_like(out))
        for leaf in leaves:
            if leaf is not None and leaf.grad is not None:
                assert leaf.grad.dtype.name == dtype, f"{spec.name}: gradient in {leaf.grad.dtype}"
