"""Bad arguments to layers, functionals and losses raise the exception torch raises, with a message
that names the problem."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch
import microtorch.nn as mnn


def _f32(lib, *shape):
    return lib.ones(*shape)


def _long(lib, values):
    return lib.tensor(values)


# (name, call(lib), exception type, words the message must contain)
CASES = [
    ("conv2d wrong input channels", lambda lib: lib.nn.functional.conv2d(_f32(lib, 2, 3, 8, 8), _f32(lib, 4, 2, 3, 3)),
     RuntimeError, "expected input[2, 3, 8, 8] to have 2 channels, but got 3 channels"),
    ("conv2d input of wrong rank", lambda lib: lib.nn.functional.conv2d(_f32(lib, 8, 8), _f32(lib, 4, 1, 3, 3)),
     RuntimeError, "Expected 3D (unbatched) or 4D (batched) input"),
    ("conv2d kernel larger than input", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 1, 2, 2), _f32(lib, 1, 1, 3, 3)),
     RuntimeError, "Kernel size can't be greater than actual input size"),
    ("conv2d groups do not divide", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 4, 5, 5), _f32(lib, 3, 2, 3, 3), groups=2),
     RuntimeError, "divisible by 2"),
    ("conv2d bias of wrong size", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 1, 5, 5), _f32(lib, 2, 1, 3, 3), _f32(lib, 3)),
     RuntimeError, "bias"),
    ("conv2d same padding with stride", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 1, 5, 5), _f32(lib, 1, 1, 3, 3), stride=2, padding="same"),
     RuntimeError, "strided convolutions"),
    ("conv2d integer input", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 5, 5, dtype=lib.int64), _f32(lib, 1, 1, 3, 3)),
     RuntimeError, ""),
    ("conv2d mixed dtypes", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 5, 5, dtype=lib.float64), _f32(lib, 1, 1, 3, 3)),
     RuntimeError, ""),
    ("Conv2d layer wrong channels", lambda lib: lib.nn.Conv2d(3, 4, 3)(_f32(lib, 1, 1, 8, 8)), RuntimeError, "3 channels"),
    ("Conv2d in_channels not divisible", lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
    ("Conv2d bad padding string", lambda lib: lib.nn.Conv2d(3, 4, 3, padding="full"), ValueError, "Invalid padding string"),
    ("Conv2d bad padding mode", lambda lib: lib.nn.Conv2d(3, 4, 3, padding_mode="mirror"), ValueError, "padding_mode"),
    ("conv_transpose2d output padding too big", lambda lib: lib.nn.functional.conv_transpose2d(
        _f32(lib, 1, 1, 3, 3), _f32(lib, 1, 1, 3, 3), stride=2, output_padding=2), RuntimeError, "output padding must be smaller"),
    ("linear shape mismatch", lambda lib: lib.nn.Linear(4, 2)(_f32(lib, 3, 5)), RuntimeError, "mat1 and mat2 shapes cannot be multiplied (3x5 and 4x2)"),
    ("linear mixed dtypes", lambda lib: lib.nn.functional.linear(lib.ones(2, 3, dtype=lib.float64), _f32(lib, 4, 3)), RuntimeError, ""),
    ("max_pool2d padding too big", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 1, 1, 5, 5), 2, padding=2),
     RuntimeError, "pad should be at most half of effective kernel size"),
    ("max_pool2d output too small", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 1, 1, 1, 1), 3),
     RuntimeError, "Output size is too small"),
    ("max_pool2d wrong rank", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 5, 5), 2), RuntimeError, ""),
    ("BatchNorm2d on 3-D input", lambda lib: lib.nn.BatchNorm2d(3)(_f32(lib, 2, 3, 4)), ValueError, "expected 4D input (got 3D input)"),
    ("BatchNorm1d one value per channel", lambda lib: lib.nn.BatchNorm1d(3)(_f32(lib, 1, 3)), ValueError,
     "Expected more than 1 value per channel when training"),
    ("batch_norm wrong running stats size", lambda lib: lib.nn.functional.batch_norm(_f32(lib, 4, 3), _f32(lib, 2), _f32(lib, 2)),
     RuntimeError, "running_mean should contain 3 elements not 2"),
    ("layer_norm shape mismatch", lambda lib: lib.nn.functional.layer_norm(_f32(lib, 2, 3), (4,)), RuntimeError,
     "expected input with shape [*, 4], but got input of size[2, 3]"),
    ("GroupNorm channels not divisible", lambda lib: lib.nn.GroupNorm(4, 6), ValueError, "divisible by num_groups"),
    ("group_norm channels not divisible", lambda lib: lib.nn.functional.group_norm(_f32(lib, 2, 6, 3), 4), RuntimeError,
     "divisible by num_groups"),
    ("dropout probability", lambda lib: lib.nn.Dropout(1.5), ValueError, "dropout probability has to be between 0 and 1, but got 1.5"),
    ("embedding float indices", lambda lib: lib.nn.Embedding(5, 2)(_f32(lib, 3)), RuntimeError, "indices"),
    ("embedding index out of range", lambda lib: lib.nn.Embedding(5, 2)(_long(lib, [1, 5])), IndexError, "index out of range in self"),
    ("cross_entropy class index out of range", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), _long(lib, [0, 3])),
     IndexError, "Target 3 is out of bounds"),
    ("cross_entropy negative class index", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), _long(lib, [0, -1])),
     IndexError, "Target -1 is out of bounds"),
    ("cross_entropy float targets of the wrong shape", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), lib.tensor([0.0, 1.0])),
     RuntimeError, ""),
    ("cross_entropy batch mismatch", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), _long(lib, [0, 1, 2])),
     ValueError, "Expected input batch_size (2) to match target batch_size (3)."),
    ("cross_entropy weight of wrong size", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), _long(lib, [0, 1]), _f32(lib, 4)),
     RuntimeError, "weight tensor should be defined either for all 3 classes or no classes"),
    ("cross_entropy label smoothing out of range", lambda lib: lib.nn.functional.cross_entropy(_f32(lib, 2, 3), _long(lib, [0, 1]), label_smoothing=1.5),
     RuntimeError, "label_smoothing must be between 0.0 and 1.0"),
    ("nll_loss float targets", lambda lib: lib.nn.functional.nll_loss(_f32(lib, 2, 3), lib.tensor([0.0, 1.0])), RuntimeError, "Long"),
    ("nll_loss spatial mismatch", lambda lib: lib.nn.functional.nll_loss(_f32(lib, 2, 3, 4), lib.zeros(2, 5, dtype=lib.int64)),
     RuntimeError, "size mismatch"),
    ("binary_cross_entropy shape mismatch", lambda lib: lib.nn.functional.binary_cross_entropy(_f32(lib, 3) * 0.5, _f32(lib, 3, 1) * 0.5),
     ValueError, "different to the input size"),
    ("binary_cross_entropy probability out of range", lambda lib: lib.nn.functional.binary_cross_entropy(_f32(lib, 3) * 2, _f32(lib, 3)),
     RuntimeError, "all elements of input should be between 0 and 1"),
    ("bce_with_logits shape mismatch", lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(_f32(lib, 3), _f32(lib, 2)),
     ValueError, "must be the same as input size"),
    ("mse_loss shapes that do not broadcast", lambda lib: lib.nn.functional.mse_loss(_f32(lib, 3), _f32(lib, 4)), RuntimeError,
     "must match the size of tensor b"),
    ("loss bad reduction", lambda lib: lib.nn.functional.l1_loss(_f32(lib, 3), _f32(lib, 3), reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    ("pad odd length", lambda lib: lib.nn.functional.pad(_f32(lib, 2, 3), (1,)), RuntimeError, "Padding length must be divisible by 2"),
    ("pad reflect too wide", lambda lib: lib.nn.functional.pad(_f32(lib, 1, 2, 3), (3, 0), mode="reflect"), RuntimeError,
     "Padding size should be less than the corresponding input dimension"),
    ("interpolate size and scale", lambda lib: lib.nn.functional.interpolate(_f32(lib, 1, 1, 3), size=4, scale_factor=2.0),
     ValueError, "only one of size or scale_factor should be defined"),
    ("one_hot negative class", lambda lib: lib.nn.functional.one_hot(_long(lib, [0, -1])), RuntimeError, "Class values must be non-negative."),
    ("one_hot class too large", lambda lib: lib.nn.functional.one_hot(_long(lib, [0, 3]), 3), RuntimeError,
     "Class values must be smaller than num_classes."),
    ("softplus/gelu bad approximate", lambda lib: lib.nn.functional.gelu(_f32(lib, 2), approximate="fast"), RuntimeError, "approximate"),
    ("Unflatten sizes", lambda lib: lib.nn.Unflatten(1, (2, 4))(_f32(lib, 3, 6)), RuntimeError, ""),
    # a window argument of the wrong length: torch's C++ checks raise RuntimeError; a non-integer, TypeError
    ("conv2d padding of 3", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 2, 5, 5), _f32(lib, 3, 2, 2, 2),
     padding=(0, 1, 2)), RuntimeError, "expected padding to be a single integer value or a list of 2 values"),
    ("conv1d stride of 2", lambda lib: lib.nn.functional.conv1d(_f32(lib, 1, 2, 5), _f32(lib, 3, 2, 2), stride=(1, 1)),
     RuntimeError, "expected stride to be a single integer value or a list of 1 values"),
    ("conv3d dilation of 2", lambda lib: lib.nn.functional.conv3d(_f32(lib, 1, 2, 4, 4, 4), _f32(lib, 3, 2, 2, 2, 2),
     dilation=(1, 1)), RuntimeError, "expected dilation to be a single integer value or a list of 3 values"),
    ("conv_transpose2d output_padding of 3", lambda lib: lib.nn.functional.conv_transpose2d(
        _f32(lib, 1, 2, 5, 5), _f32(lib, 2, 3, 2, 2), stride=2, output_padding=(0, 1, 2)), RuntimeError,
     "expected output_padding to be a single integer value or a list of 2 values"),
    ("conv2d float padding", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 2, 5, 5), _f32(lib, 3, 2, 2, 2),
     padding=(0, 1.5)), TypeError, "padding"),
    ("conv2d unknown padding string", lambda lib: lib.nn.functional.conv2d(_f32(lib, 1, 2, 5, 5), _f32(lib, 3, 2, 2, 2),
     padding="bad"), RuntimeError, "Invalid padding string: 'bad'"),
    ("max_pool2d kernel of 3", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 1, 1, 5, 5), (1, 2, 3)), RuntimeError,
     "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    ("max_pool2d stride of 3", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 1, 1, 5, 5), 2, (1, 2, 3)),
     RuntimeError, "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints"),
    ("max_pool2d dilation of 3", lambda lib: lib.nn.functional.max_pool2d(_f32(lib, 1, 1, 5, 5), 2, 1, 0, (1, 1, 1)),
     RuntimeError, "max_pool2d: dilation must be either a single int, or a tuple of two ints"),
    ("avg_pool2d padding of 3", lambda lib: lib.nn.functional.avg_pool2d(_f32(lib, 1, 1, 5, 5), 2, 1, (0, 0, 0)),
     RuntimeError, "avg_pool2d: padding must either be a single int, or a tuple of two ints"),
    ("max_pool3d kernel of 2", lambda lib: lib.nn.functional.max_pool3d(_f32(lib, 1, 1, 4, 4, 4), (1, 2)),
     RuntimeError, "max_pool3d: kernel_size must either be a single int, or a tuple of three ints"),
    ("avg_pool1d kernel of 2", lambda lib: lib.nn.functional.avg_pool1d(_f32(lib, 1, 1, 5), (1, 2)), RuntimeError,
     "kernel_size"),
    ("unfold kernel of 3", lambda lib: lib.nn.functional.unfold(_f32(lib, 1, 1, 5, 5), (1, 2, 3)), RuntimeError,
     "kernel_size"),
    ("interpolate size of 3", lambda lib: lib.nn.functional.interpolate(_f32(lib, 1, 1, 5, 5), size=(1, 2, 3)),
     ValueError, "Input and output must have the same number of spatial dimensions, but got input with spatial "
     "dimensions of [5, 5] and output size of (1, 2, 3)."),
]


@pytest.mark.parametrize("name,call,exc,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_like_torch(name, call, exc, words):
    with pytest.raises(exc) as torch_error:
        call(torch)
    with pytest.raises(exc) as ours:
        call(microtorch)
    assert words in str(ours.value), f"{name}: message {str(ours.value)!r} lacks {words!r} (torch: {torch_error.value})"


def test_module_attribute_errors():
    model = mnn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign"):
        model.weight = np.zeros((2, 2))
    with pytest.raises(TypeError, match="not a Module subclass"):
        model.add_module("child", 3)
    with pytest.raises(KeyError, match="empty"):
        model.register_parameter("", None)
    with pytest.raises(ValueError, match="non-leaf"):
        model.register_parameter("derived", _non_leaf_parameter())
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        model.load_state_dict([1, 2])


def _non_leaf_parameter():
    """A Parameter object that is not a leaf (torch refuses to register one)."""
    p = mnn.Parameter(microtorch.ones(1))
    p._grad_fn = (p * 2).grad_fn  # (the slot the public, read-only grad_fn reads)
    return p


def test_avg_pool_wrong_rank_is_named():  # torch raises an IndexError about dims here; we name the problem
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input"):
        mnn.functional.avg_pool2d(microtorch.ones(5, 5), 2)


def test_dropout_and_losses_on_integer_inputs():
    with pytest.raises(RuntimeError, match="floating point"):
        mnn.functional.dropout(microtorch.ones(3, dtype=microtorch.int64))
    with pytest.raises(RuntimeError, match="floating point"):
        mnn.functional.cross_entropy(microtorch.ones(2, 3, dtype=microtorch.int64), microtorch.tensor([0, 1]))
