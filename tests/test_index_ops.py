"""Issue 21's indexing, counting, sampling and creation names against torch, beyond what op_db samples: the
counting ops (bincount, histc, histogram, histogramdd), unique/searchsorted/isin options, the in-place samplers'
checks, the strided and permuted empties, 0-d gather/scatter, and the backend's scatter_reduce without ufunc.at."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch.backends.base import scatter_in_rounds


def _same(ours, theirs) -> None:
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-12)


def _both(fn, *arrays, **kw):
    """fn(lib, *tensors) in microtorch and torch, from the same arrays."""
    ours = fn(mt, *(mt.tensor(a) for a in arrays), **kw)
    theirs = fn(torch, *(torch.tensor(a) for a in arrays), **kw)
    _same(ours, theirs)


RNG = np.random.default_rng(0)
DATA = RNG.normal(size=(7, 3)).round(1)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.bincount(x),
    lambda lib, x: lib.bincount(x, minlength=10),
    lambda lib, x: x.bincount(weights=(x * 0.5).double()),
    lambda lib, x: x.bincount(weights=(x * 0.5).float(), minlength=2),
    lambda lib, x: lib.bincount(x[:0]),
])
def test_bincount(call):
    _both(call, np.array([1, 4, 4, 0, 7]))


def test_bincount_refuses_what_torch_refuses():
    for bad in (mt.tensor([1, -1]), mt.tensor([[1]]), mt.tensor([1.0])):
        with pytest.raises(RuntimeError, match="non-negative integral"):
            mt.bincount(bad)
    with pytest.raises(RuntimeError, match="same length"):
        mt.bincount(mt.tensor([1, 2]), weights=mt.tensor([1.0]))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.histc(x, bins=5),
    lambda lib, x: lib.histc(x, bins=4, min=-1, max=1),
    lambda lib, x: x.histc(3, 2.0, 2.0),  # min == max: the data's range
    lambda lib, x: lib.histogram(x, bins=4),
    lambda lib, x: lib.histogram(x, bins=3, range=(-1.0, 2.0), density=True),
    lambda lib, x: x.histogram(lib.tensor([-2.0, 0.0, 0.5, 3.0], dtype=x.dtype), weight=x.abs()),
    lambda lib, x: lib.histogramdd(x[:, :2], bins=[2, 3]),
    lambda lib, x: lib.histogramdd(x, bins=2, range=[-1.0, 1.0, -2.0, 2.0, 0.0, 1.0], density=True),
    lambda lib, x: lib.histogramdd(x[:, :2], bins=[lib.tensor([-3.0, 0.0, 3.0], dtype=x.dtype)] * 2, weight=x[:, 2]),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histograms(call, dtype):
    _both(call, DATA.astype(dtype))


def test_histogram_errors_are_torch_s():
    x = mt.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        mt.histc(x, bins=3, min=2, max=1)
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        mt.histogram(x, bins=0)
    with pytest.raises(RuntimeError, match="not finite"):
        mt.histc(mt.tensor([1.0, float("inf")]))
    with pytest.raises(NotImplementedError, match="Long"):
        mt.histc(mt.tensor([1, 2]))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True),
    lambda lib, x: x.unique(sorted=False, return_counts=True),
    lambda lib, x: lib.unique(x, dim=0, return_inverse=True),
    lambda lib, x: lib.unique(x, dim=1, return_counts=True),
    lambda lib, x: lib.unique_consecutive(x, return_inverse=True, return_counts=True),
    lambda lib, x: lib.unique_consecutive(x, dim=0, return_inverse=True, return_counts=True),
    lambda lib, x: x.unique_consecutive(dim=1),
])
def test_unique(call):
    _both(call, np.array([[1, 2, 2], [1, 2, 2], [0, 5, 5], [1, 2, 2]]))


@pytest.mark.parametrize("call", [
    lambda lib, s, v: lib.searchsorted(s, v),
    lambda lib, s, v: lib.searchsorted(s, v, right=True, out_int32=True),
    lambda lib, s, v: lib.searchsorted(s, v, side="right"),
    lambda lib, s, v: lib.searchsorted(s.flip(0), v, sorter=lib.arange(s.shape[0] - 1, -1, -1)),
    lambda lib, s, v: lib.searchsorted(s.expand(2, -1), v.reshape(2, -1)),
    lambda lib, s, v: lib.searchsorted(s, 0.5),
    lambda lib, s, v: lib.bucketize(v, s, right=True),
    lambda lib, s, v: lib.bucketize(2.0, s),
    lambda lib, s, v: lib.isin(v, s),
    lambda lib, s, v: lib.isin(v, s, invert=True),
    lambda lib, s, v: lib.isin(v, 2.0),
    lambda lib, s, v: lib.isin(element=2.0, test_elements=s),
])
def test_searchsorted_bucketize_isin(call):
    _both(call, np.array([-1.0, 0.0, 0.5, 2.0, 2.0, 7.0]), np.array([-3.0, 0.0, 2.0, 2.5, 7.0, 9.0]))


def test_searchsorted_errors():
    s = mt.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="side can only be"):
        mt.searchsorted(s, s, side="middle")
    with pytest.raises(RuntimeError, match="opposites"):
        mt.searchsorted(s, s, side="left", right=True)
    with pytest.raises(RuntimeError, match="first N-1 dimensions"):
        mt.searchsorted(mt.zeros(2, 3), mt.zeros(3, 1))
    with pytest.raises(RuntimeError, match="1 dimension"):
        mt.bucketize(s, mt.zeros(2, 2))


@pytest.mark.parametrize("args", [(3, 3), (4, 2, 1), (2, 5, -1), (0, 3), (3, 4, 10)])
@pytest.mark.parametrize("which", ["tril_indices", "triu_indices"])
def test_triangle_indices(which, args):
    _same(getattr(mt, which)(*args), getattr(torch, which)(*args))
    _same(getattr(mt, which)(*args, dtype=mt.int32), getattr(torch, which)(*args, dtype=torch.int32))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.gather(x, 0, lib.tensor(0)),
    lambda lib, x: lib.index_select(x, 0, lib.tensor([0])),
    lambda lib, x: lib.scatter(x, 0, lib.tensor(0), lib.tensor(5.0, dtype=x.dtype)),
    lambda lib, x: lib.scatter_add(x, -1, lib.tensor(0), lib.tensor(5.0, dtype=x.dtype)),
    lambda lib, x: lib.scatter_reduce(x, 0, lib.tensor(0), lib.tensor(5.0, dtype=x.dtype), "prod"),
    lambda lib, x: x.index_add(0, lib.tensor([0]), lib.tensor(2.0, dtype=x.dtype)),
    lambda lib, x: x.index_fill(0, lib.tensor(0), 3.0),
])
def test_zero_dim_gather_and_scatter_along_dim_0(call):
    _both(call, np.array(1.5))


def test_take_along_dim_counts_negative_indices_from_the_end():
    _both(lambda lib, x, i: lib.take_along_dim(x, i, 1), DATA, np.array([[-1, 0, -3]] * 7))
    with pytest.raises(RuntimeError, match="out of bounds"):  # (torch: not without a dim)
        mt.take_along_dim(mt.tensor(DATA), mt.tensor([-1]))


@pytest.mark.parametrize("how", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_of_integers(how, include_self):
    _both(lambda lib, x, i, s: x.scatter_reduce(0, i, s, how, include_self=include_self),
          np.array([5, -2, 3, 7]), np.array([0, 0, 2, 0, 2]), np.array([-4, 9, 3, 1, -6]))


@pytest.mark.parametrize("how", ["multiply", "add"])
def test_scatter_with_reduce(how):
    _both(lambda lib, x, i, s: x.scatter(0, i, s, reduce=how), DATA[:3], np.array([[0, 2, 0], [0, 0, 1]]), DATA[:2])
    _both(lambda lib, x, i: x.scatter(0, i, 1.5, reduce=how), DATA[:3], np.array([[0, 2, 0], [0, 0, 1]]))
    with pytest.raises(RuntimeError, match="add or multiply"):
        mt.tensor(DATA).scatter(0, mt.tensor([[0]]), 1.0, reduce="mean")


@pytest.mark.parametrize("ufunc", ["multiply", "maximum", "minimum", "add"])
def test_scatter_in_rounds_matches_ufunc_at(ufunc):
    """The CuPy backend's scatter_reduce for reductions without ufunc.at, run on NumPy arrays."""
    target = RNG.normal(size=(4, 3))
    index = (RNG.integers(0, 4, size=(6, 3)), np.arange(3).reshape(1, 3))
    values = RNG.normal(size=(6, 3))
    expected = target.copy()
    getattr(np, ufunc).at(expected, index, values)
    got = target.copy()
    scatter_in_rounds(np, got, index, values, getattr(np, ufunc))
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    strided = target.copy().T  # a target that is not C-contiguous
    scatter_in_rounds(np, strided, (index[1].reshape(3, 1), index[0].T), values.T, getattr(np, ufunc))
    np.testing.assert_allclose(strided, expected.T, rtol=1e-12)


def test_nonzero_static_and_argwhere():
    _both(lambda lib, x: lib.nonzero_static(x, size=6), DATA > 0.5)
    _both(lambda lib, x: x.nonzero_static(size=1, fill_value=9), DATA > 0.5)
    _both(lambda lib, x: lib.argwhere(x), DATA > 0.5)


@pytest.mark.parametrize("sample, message", [
    (lambda x: x.uniform_(3, -1), "from=3 > to=-1"),
    (lambda x: x.normal_(0, -1), "std >= 0.0, but found std -1"),
    (lambda x: x.cauchy_(0, -1), "sigma > 0.0"),
    (lambda x: x.exponential_(-1), "lambda > 0.0"),
    (lambda x: x.geometric_(1.5), r"p to be in \(0, 1\)"),
    (lambda x: x.log_normal_(0, -1), "std > 0.0"),
    (lambda x: x.random_(5, 2), "from=5 >= to=2"),
    (lambda x: x.long().exponential_(), "continuous probability distribution"),
    (lambda x: x.uniform_(0, float("inf")), "exceed the limit"),
])
def test_samplers_refuse_what_torch_refuses(sample, message):
    with pytest.raises(RuntimeError, match=message):
        sample(mt.zeros(3))
    with pytest.raises(RuntimeError):
        sample(torch.zeros(3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_samplers_draw_their_distributions(dtype):
    x = mt.zeros(20000, dtype=getattr(mt, dtype))
    gen = mt.Generator().manual_seed(1)
    assert abs(float(x.exponential_(4.0, generator=gen).mean()) - 0.25) < 0.01 and float(x.min()) >= 0
    assert abs(float(x.geometric_(0.25, generator=gen).mean()) - 4.0) < 0.1 and float(x.min()) >= 1
    assert float((x == x.round()).all()) == 1.0
    assert abs(float(x.cauchy_(1.0, 2.0, generator=gen).sort().values[10000]) - 1.0) < 0.1
    assert abs(float(x.log_normal_(0.5, 0.25, generator=gen).log().mean()) - 0.5) < 0.01
    assert sorted(x.random_(3, 6, generator=gen).unique().tolist()) == [3.0, 4.0, 5.0]
    assert sorted(x.random_(2, generator=gen).unique().tolist()) == [0.0, 1.0]
    assert x.dtype.name == dtype
    first = mt.zeros(5).cauchy_(generator=mt.Generator().manual_seed(3))
    again = mt.zeros(5).cauchy_(generator=mt.Generator().manual_seed(3))
    assert (first == again).all()


def test_integer_samplers():
    x = mt.zeros(1000, dtype=mt.int64)
    assert int(x.random_().min()) >= 0
    assert int(x.geometric_(0.5).min()) >= 1 and x.dtype == mt.int64
    assert set(mt.zeros(100, dtype=mt.bool).random_().tolist()) <= {True, False}


def test_strided_and_permuted_empties():
    x = mt.empty_strided((2, 3), (1, 2), dtype=mt.float64)
    assert x.shape == (2, 3) and x.dtype == mt.float64 and x.is_contiguous()
    assert mt.ones(2).new_empty_strided((4,), (1,)).dtype == mt.float32
    assert mt.empty_permuted((2, 3, 4), (2, 0, 1)).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="dimensionality of sizes"):
        mt.empty_strided((2, 3), (1,))
    with pytest.raises(RuntimeError, match="Duplicate dim"):
        mt.empty_permuted((2, 3), (1, 1))
    _same(mt.scalar_tensor(3), torch.scalar_tensor(3))
    _same(mt.scalar_tensor(2, dtype=mt.int64), torch.scalar_tensor(2, dtype=torch.int64))


@pytest.mark.parametrize("n", [0, -1])
def test_multinomial_refuses_no_samples(n):
    with pytest.raises(RuntimeError, match="n_sample <= 0"):
        mt.multinomial(mt.ones(3), n)
    with pytest.raises(RuntimeError, match="n_sample <= 0"):
        torch.multinomial(torch.ones(3), n)
