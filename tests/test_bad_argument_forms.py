"""Bad (and borderline good) arguments the fuzz of ``fuzz_bad_inputs.py`` does not reach, mostly keyword forms:
each call runs on torch and microtorch; where torch raises, microtorch must raise the same exception type, where
torch succeeds, microtorch must give the same values (issue 15, item 4)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch._unsupported import UnsupportedError


def _x(lib):
    return lib.arange(6.0).reshape(2, 3)


CASES = {
    # an explicit None where torch's overloads take none
    "max(dim=None)": lambda lib: _x(lib).max(dim=None),
    "min(dim=None)": lambda lib: lib.min(_x(lib), dim=None),
    "prod(dim=None)": lambda lib: _x(lib).prod(dim=None),
    "squeeze(dim=None)": lambda lib: _x(lib).squeeze(dim=None),
    "squeeze_(dim=None)": lambda lib: _x(lib).squeeze_(dim=None),
    "logsumexp(dim=None)": lambda lib: lib.logsumexp(_x(lib), dim=None),
    "max() still reduces everything": lambda lib: _x(lib).max(),
    "squeeze() still squeezes": lambda lib: lib.zeros(2, 1).squeeze(),
    "trapezoid(x=None)": lambda lib: lib.trapezoid(_x(lib), x=None),
    "trapezoid(dx=None)": lambda lib: lib.trapezoid(_x(lib), dx=None),
    "trapezoid(dx='a')": lambda lib: lib.trapezoid(_x(lib), dx="a"),
    "trapezoid(dx=True)": lambda lib: lib.trapezoid(_x(lib), dx=True),
    "trapezoid(dx=2.5)": lambda lib: lib.trapezoid(_x(lib), dx=2.5),
    "trapz(dx=True)": lambda lib: lib.trapz(_x(lib), dx=True),
    "cumulative_trapezoid(dx=nan)": lambda lib: lib.cumulative_trapezoid(_x(lib), dx=math.nan),
    "cumulative_trapezoid(x=None)": lambda lib: lib.cumulative_trapezoid(_x(lib), x=None),
    "bernoulli(p=None)": lambda lib: lib.bernoulli(_x(lib) / 10, p=None),
    "bernoulli(p=2.0)": lambda lib: (_x(lib) / 10).bernoulli(p=2.0),
    "bernoulli(p=tensor(0.0))": lambda lib: lib.bernoulli(_x(lib), lib.tensor(0.0)),
    "bernoulli(probabilities above 1)": lambda lib: lib.bernoulli(_x(lib)),
    "where(cond, x, other=None)": lambda lib: lib.where(_x(lib) > 2, _x(lib), other=None),
    "where(cond) the indices": lambda lib: lib.where(_x(lib) > 2),
    # parameters torch checks
    "normal(mean=x)": lambda lib: lib.normal(mean=lib.zeros(2, 3)).shape,
    "normal(x, std=0.0)": lambda lib: lib.normal(_x(lib), std=0.0),
    "normal(1, -1, size)": lambda lib: lib.normal(1.0, -1.0, (2,)),
    "normal(x, -x)": lambda lib: lib.normal(_x(lib), -_x(lib) - 1),
    "normal(1, 1) without a size": lambda lib: lib.normal(1.0, 1.0),
    "pdist(x, p=nan)": lambda lib: lib.nn.functional.pdist(_x(lib), p=math.nan),
    "softshrink(lambd=inf)": lambda lib: lib.nn.functional.softshrink(_x(lib), lambd=math.inf),
    "rrelu(upper=nan)": lambda lib: lib.nn.functional.rrelu(_x(lib), upper=math.nan),
    "elu of an integer tensor": lambda lib: lib.nn.functional.elu(lib.arange(3)),
    "softmax of an integer tensor": lambda lib: lib.nn.functional.softmax(lib.arange(3), 0),
    "softmax of an integer tensor, dtype=": lambda lib: lib.nn.functional.softmax(lib.arange(3), 0, dtype=lib.float64),
    "norm of an integer tensor": lambda lib: lib.arange(3).norm(),
    "norm(p=None)": lambda lib: lib.norm(_x(lib), p=None),
    "median(bool, dim)": lambda lib: lib.tensor([True, False]).median(0),
    "cov(bool)": lambda lib: lib.cov(lib.tensor([[True, False]])),
    "isin(True, tensor)": lambda lib: lib.isin(_x(lib), True),
    "vander(x, N=3)": lambda lib: lib.linalg.vander(lib.arange(3.0), N=3),
    "linalg.svd(full_matrices=None)": lambda lib: lib.linalg.svd(_x(lib), full_matrices=None),
    "linalg.pinv(A, rcond=0.1)": lambda lib: lib.linalg.pinv(lib.tensor([[2.0, 0.0], [0.0, 1e-3]]), rcond=0.1),
    "linalg.pinv(A, 0.1, atol=0.1)": lambda lib: lib.linalg.pinv(_x(lib), 0.1, atol=0.1),
    "linalg.matrix_rank(A, tol=None)": lambda lib: lib.linalg.matrix_rank(_x(lib), tol=None),
    "linalg.cond of empty matrices": lambda lib: lib.linalg.cond(lib.zeros(2, 0, 0)),
    "multilabel_soft_margin_loss(x, 0.5)": lambda lib: lib.nn.functional.multilabel_soft_margin_loss(_x(lib), 0.5),
    "alpha_dropout(bool, training=False)": lambda lib: lib.nn.functional.alpha_dropout(lib.tensor([True])),
    "alpha_dropout(bool, training=True)": lambda lib: lib.nn.functional.alpha_dropout(lib.tensor([True]), training=True),
    "Dropout(nan) constructs": lambda lib: lib.nn.Dropout(math.nan).p != 0,
    "adaptive_avg_pool1d(x, 2**70)": lambda lib: lib.nn.functional.adaptive_avg_pool1d(_x(lib), 2**70),
    # huge ints
    "tensor(2**63)": lambda lib: lib.tensor(2**63),
    "tensor([2**70], dtype=float64)": lambda lib: lib.tensor([2**70, 1], dtype=lib.float64),
    "new_tensor(2**70) of an int tensor": lambda lib: lib.arange(3).new_tensor(2**70),
    "split(x, split_size=2**70)": lambda lib: _x(lib).split(2**70),
    "roll(x, 1, dims=2**70)": lambda lib: _x(lib).roll(1, dims=2**70),
    "diff(x, n=2**70)": lambda lib: _x(lib).diff(n=2**70),
    "mvlgamma(x, p=2**70)": lambda lib: _x(lib).mvlgamma(p=2**70),
    # forms and acceptances torch has
    "einsum sublists with an output": lambda lib: lib.einsum(_x(lib), [0, 1], lib.ones(3, 4), [1, 2], [0, 2]),
    "einsum sublist out of range": lambda lib: lib.einsum(_x(lib), [0, 60]),
    "mvlgamma below (p - 1) / 2": lambda lib: lib.mvlgamma(lib.tensor([0.4, 0.0, 2.0], dtype=lib.float64), 2),
    "take_along_dim(x, empty int32 index)": lambda lib: lib.take_along_dim(_x(lib), lib.zeros(0, dtype=lib.int32)),
    "x.to(2.5)": lambda lib: _x(lib).to(2.5).dtype is lib.float64,
    "flip(x, dims=0)": lambda lib: lib.flip(_x(lib), dims=0),
    "flip(x, dims=(0,))": lambda lib: lib.flip(_x(lib), dims=(0,)),
    "x.flip(0)": lambda lib: _x(lib).flip(0),
    "tile(x, dims=(2,))": lambda lib: lib.tile(_x(lib), dims=(2,)),
    "x.tile()": lambda lib: _x(lib).tile(),
    "broadcast_shapes(None, (2, 3))": lambda lib: tuple(lib.broadcast_shapes(None, (2, 3))),
    "as_tensor(data, dtype=)": lambda lib: lib.as_tensor([1, 2], dtype=lib.float64),
    "randperm(n=-1)": lambda lib: lib.randperm(-1),
    "is_contiguous(memory_format=)": lambda lib: _x(lib).is_contiguous(memory_format=lib.contiguous_format),
    "new(a tensor of its dtype)": lambda lib: _x(lib).new(_x(lib)),
    "new(a tensor of another dtype)": lambda lib: _x(lib).new(_x(lib).double()),
    "new(2.5)": lambda lib: _x(lib).new(2.5),
    "cuda(device=a tensor)": lambda lib: _x(lib).cuda(device=lib.zeros(1)),
    "to_sparse(layout='a')": lambda lib: _x(lib).to_sparse(layout="a"),
    "to_sparse(layout=strided) is a no-op": lambda lib: _x(lib).to_sparse(layout=lib.strided),
    "to_sparse(dense_dim='a')": lambda lib: _x(lib).to_sparse(dense_dim="a"),
    "to_sparse(3)": lambda lib: _x(lib).to_sparse(3),
    "to_sparse_csr(True)": lambda lib: _x(lib).to_sparse_csr(True),
    "to_sparse_csr(dense_dim=5)": lambda lib: _x(lib).to_sparse_csr(dense_dim=5),
    "to_sparse_coo(1)": lambda lib: _x(lib).to_sparse_coo(1),
}


def _run(lib, fn):
    try:
        return fn(lib), None
    except Exception as e:  # compared below
        return None, e


def _flat(value) -> list:
    """A result as a flat list of numbers (tensors, tuples of them, sizes, bools)."""
    if isinstance(value, (torch.Tensor, mt.Tensor)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flat(item)]
    return [value]


@pytest.mark.parametrize("name", list(CASES))
def test_raises_or_agrees_with_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, their_error = _run(torch, CASES[name])
        ours, our_error = _run(mt, CASES[name])
    if their_error is not None:
        assert our_error is not None, f"torch raised {their_error!r}; microtorch returned {ours!r}"
        assert not isinstance(our_error, AttributeError), repr(our_error)
        assert type(their_error).__name__ in [c.__name__ for c in type(our_error).__mro__], \
            f"torch: {their_error!r}; microtorch: {our_error!r}"
    else:
        assert our_error is None, f"torch succeeded; microtorch raised {our_error!r}"
        assert _flat(ours) == pytest.approx(_flat(theirs), nan_ok=True)


def test_sparse_conversions_are_unsupported_not_missing():
    x = mt.arange(6.0).reshape(2, 3)
    for convert in (lambda: x.to_sparse(), lambda: x.to_sparse(1), lambda: x.to_sparse_coo(),
                    lambda: x.to_sparse_csr(), lambda: x.to_sparse(dense_dim=1)):
        with pytest.raises(UnsupportedError, match="does not support sparse tensors") as info:
            convert()
        assert isinstance(info.value, NotImplementedError) and not isinstance(info.value, AttributeError)
    assert hasattr(x, "to_sparse") and not hasattr(mt, "sparse_coo")


def test_set_float32_matmul_precision_warns_on_an_unknown_name():
    for lib in (torch, mt):
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            lib.set_float32_matmul_precision("abc")
        assert lib.get_float32_matmul_precision() == "highest"
        with pytest.raises(RuntimeError, match="expects a str"):
            lib.set_float32_matmul_precision(None)


@pytest.mark.parametrize("build, shape", [
    (lambda nn, lib: nn.ZeroPad2d(()), (1, 2, 3)),
    (lambda nn, lib: nn.ZeroPad2d(lib.zeros(0, 3)), (1, 2, 3)),
    (lambda nn, lib: nn.ConstantPad3d(lib.zeros(0, 3), 1.0), (1, 2, 2, 2)),
    (lambda nn, lib: nn.AvgPool1d(3, ()), (1, 2, 7)),
    (lambda nn, lib: nn.AvgPool1d(3, lib.zeros(0, 3)), (1, 2, 7)),
])
def test_empty_padding_pads_nothing_and_empty_stride_is_the_kernel_as_torch(build, shape):
    """torch reads an empty padding (a tuple or a 0-size tensor) as no padding, an empty stride as the kernel size."""
    x = np.arange(float(np.prod(shape))).reshape(shape)
    want = build(torch.nn, torch)(torch.tensor(x))
    got = build(mt.nn, mt)(mt.tensor(x))
    assert got.shape == tuple(want.shape) and np.allclose(got.numpy(), want.numpy())


@pytest.mark.parametrize("target", [0.3, 1, 1 + 2j])
def test_multilabel_soft_margin_loss_broadcasts_a_number_target_as_torch(target):
    """torch's composite broadcasts a number target; a complex one gives a complex loss."""
    x = [[0.5, -1.0, 2.0], [1.0, 0.0, -2.0]]
    want = torch.nn.functional.multilabel_soft_margin_loss(torch.tensor(x), target)
    got = mt.nn.functional.multilabel_soft_margin_loss(mt.tensor(x), target)
    assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
    assert np.allclose(got.numpy(), want.numpy(), atol=1e-6)
