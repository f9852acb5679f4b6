"""Bad inputs raise clear Python exceptions, as torch does."""
from __future__ import annotations

import pytest

import microtorch as mt
from conftest import DEVICES
from helpers import assert_like_torch


def test_broadcast_mismatch():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"):
        mt.ones(2, 3) + mt.ones(4)
    with pytest.raises(RuntimeError, match="must match"):
        mt.where(mt.ones(2, dtype=mt.bool), mt.ones(3), mt.ones(2))


def test_matmul_mismatch():
    with pytest.raises(RuntimeError, match=r"cannot be multiplied \(2x3 and 4x5\)"):
        mt.ones(2, 3) @ mt.ones(4, 5)
    with pytest.raises(RuntimeError, match="at least 1D"):
        mt.tensor(1.0) @ mt.ones(2)


def test_reshape_mismatch():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        mt.ones(2, 3).reshape(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        mt.ones(6).view(-1, -1)


def test_cat_mismatch():
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        mt.cat([mt.ones(2, 3), mt.ones(2, 4)])
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        mt.cat([mt.ones(2, 3), mt.ones(3)])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        mt.stack([mt.ones(2), mt.ones(3)])


def test_bad_dims():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        mt.ones(2, 3).sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        mt.ones(2, 3).softmax(-3)
    with pytest.raises(RuntimeError, match="number of dimensions"):
        mt.ones(2, 3).permute(0)
    with pytest.raises(RuntimeError, match="expanded size"):
        mt.ones(2, 3).expand(2, 4)


def test_out_of_range_index():
    with pytest.raises(IndexError, match="out of bounds"):
        mt.ones(3)[5]
    with pytest.raises(IndexError, match="out of bounds"):
        mt.ones(3)[mt.tensor([0, 3])]
    with pytest.raises(IndexError, match="too many indices"):
        mt.ones(3)[0, 0]
    with pytest.raises(IndexError, match="tensors used as indices"):
        mt.ones(3)[mt.tensor([0.5])]


def test_requires_grad_on_integer_tensor():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        mt.tensor([1, 2], requires_grad=True)


def test_ragged_nested_lists():
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 3\)"):
        mt.tensor([[1, 2], [3, 4, 5]])
    with pytest.raises(TypeError, match="could not infer a tensor dtype"):
        mt.tensor(["a", "b"])


def test_item_on_many_elements():
    with pytest.raises(RuntimeError, match="a Tensor with 3 elements cannot be converted to Scalar"):
        mt.ones(3).item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(mt.ones(3))


def test_numpy_on_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        mt.ones(2, requires_grad=True).numpy()


def test_bad_dtype_and_device_names():
    with pytest.raises(TypeError, match="unsupported dtype"):
        mt.zeros(2, dtype="complex256")
    with pytest.raises(RuntimeError, match="unknown device type 'tpu'; registered device types: cpu"):
        mt.zeros(2, device="tpu")
    with pytest.raises(ValueError, match="index"):
        mt.device("cpu:x")


def test_in_place_on_leaf_that_requires_grad():
    w = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w += 1
    with mt.no_grad():
        w -= 0.5
    assert w.tolist() == [0.5, 0.5] and w.requires_grad and w.is_leaf


def test_negative_sizes_and_bad_factories():
    with pytest.raises(RuntimeError, match="negative dimension"):
        mt.zeros(2, -1)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        mt.arange(0, 5, 0)
    with pytest.raises(TypeError, match="sizes must be integers"):
        mt.zeros(2.5)


def _assign(x, key, value):
    x[key] = value
    return x


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("key, value, shapes", [
    (0, [1.0, 2.0, 3.0], ([3], [4])),
    (slice(None), mt.ones(2, 4), ([2, 4], [3, 4])),
    (slice(0, 2), mt.ones(3, 4), ([3, 4], [2, 4])),
    (0, mt.ones(2, 4), ([2, 4], [4])),
    ([0, 1], mt.ones(3, 4), ([3, 4], [2, 4])),
    ("mask", mt.ones(5), ([5], [12])),
])
@pytest.mark.parametrize("recording", [False, True])
def test_setitem_shape_mismatch_is_a_runtime_error_naming_both_shapes(device, key, value, shapes, recording):
    x = mt.zeros(3, 4, device=device)
    if recording:
        x = x.requires_grad_() * 1.0
    key = x.detach() == 0 if key == "mask" else key
    value = value.to(device) if isinstance(value, mt.Tensor) else value
    got, expected = shapes
    message = rf"shape mismatch: value tensor of shape \[{str(got)[1:-1]}\] cannot be broadcast to indexing result of shape \[{str(expected)[1:-1]}\]"
    with pytest.raises(RuntimeError, match=message):
        x[key] = value


@pytest.mark.parametrize("assign", [
    lambda lib: _assign(lib.zeros(3, 4), 0, lib.ones(3)),
    lambda lib: _assign(lib.zeros(3, 4), [0, 1], lib.ones(3, 4)),
    lambda lib: _assign(lib.zeros(3, 4), 0, lib.ones(1, 1, 4)),  # broadcasts
])
def test_setitem_errors_like_torch(assign):
    assert_like_torch(assign, same_message=False)


@pytest.mark.parametrize("assign", [
    lambda lib: _assign(lib.zeros(3), 0, None),  # NumPy would store nan
    lambda lib: _assign(lib.zeros(3), 0, "a"),
    lambda lib: _assign(lib.zeros(3, dtype=lib.int8), 0, 1000),
    lambda lib: _assign(lib.zeros(3, dtype=lib.int64), 0, 2.7),
    lambda lib: _assign(lib.zeros(3, dtype=lib.uint8), 0, -1),
])
def test_setitem_scalars_like_torch(assign):
    assert_like_torch(assign, same_message=False)  # torch's messages name torch's types


def test_setitem_refuses_none_and_overflow():
    with pytest.raises(TypeError, match="can't assign a NoneType to a microtorch.FloatTensor"):
        mt.zeros(3)[0] = None
    with pytest.raises(RuntimeError, match="value cannot be converted to type int8_t without overflow"):
        mt.zeros(3, dtype=mt.int8)[0] = 1000
