"""Issue 21's statistics, matmul family and empty-tensor cases against torch, where OpInfo's samples do not reach:
ties and nans in the selecting ops, reductions of empty tensors, the layers on empty batches."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import microtorch as mt

NAN = math.nan


def _both(values, dtype="float64", requires_grad=False):
    t = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=requires_grad)
    m = mt.tensor(values, dtype=getattr(mt, dtype), requires_grad=requires_grad)
    return t, m


def _same(t, m):
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-7, atol=1e-9, equal_nan=True)
    assert tuple(m.shape) == tuple(t.shape) and str(t.dtype).split(".")[1] == m.dtype.name


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.cummax(x, 0), lambda lib, x: lib.cummin(x, 0), lambda lib, x: x.median(0),
    lambda lib, x: x.nanmedian(0), lambda lib, x: x.mode(0),
])
def test_selected_indices_with_ties_and_nans_are_torch_s(fn):
    rows = [[2.0, 2, 1, 1, 3], [4.0, 1, 4, 1, 4], [0.0, 5, 5, 7, 0]]
    if "mode" not in fn.__code__.co_names:
        rows += [[1.0, 3, 3, 2, NAN, 5, NAN, 1], [NAN, NAN]]  # (torch's mode sorts with nan: no defined answer)
    for row in rows:
        t, m = _both(row)
        expected, ours = fn(torch, t), fn(mt, m)
        _same(expected[0], ours[0])
        np.testing.assert_array_equal(ours[1].numpy(), expected[1].numpy())


def test_median_of_everything_shares_the_gradient_between_ties_and_nans():
    for row in ([1.0, 2, 2, 3], [1.0, NAN, 2, NAN], [NAN, 0.5]):
        for ignore_nan in (False, True):
            t, m = _both(row, requires_grad=True)
            (t.nanmedian() if ignore_nan else t.median()).backward()
            (m.nanmedian() if ignore_nan else m.median()).backward()
            _same(t.grad, m.grad)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "nansum", "nanmean", "median", "nanmedian", "count_nonzero",
                                  "std", "var", "logsumexp", "amax", "amin", "aminmax", "max", "argmax"])
def test_reductions_of_empty_tensors_are_torch_s(name):
    def call(lib, x):
        if name == "logsumexp":
            return x.logsumexp((0, 1))
        return getattr(x, name)()

    t, m = torch.zeros(0, 3), mt.zeros(0, 3)
    try:
        expected = call(torch, t)
    except Exception as e:  # noqa: BLE001 - whatever torch raises, microtorch raises the same type
        with pytest.raises(type(e)):
            call(mt, m)
        return
    with np.errstate(all="ignore"), pytest.warns() if name in ("std", "var") else _nothing():
        _same(expected, call(mt, m))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("dim", [0, 1, (0, 1)])
def test_reductions_over_an_empty_dim(dim):
    t, m = torch.zeros(0, 3), mt.zeros(0, 3)
    _same(t.sum(dim), m.sum(dim))
    _same(t.prod(dim) if isinstance(dim, int) else t.prod(), m.prod(dim) if isinstance(dim, int) else m.prod())
    _same(t.logsumexp(dim), m.logsumexp(dim))
    if dim != 1:
        with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
            m.amax(dim)


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.softmax(x, 0), lambda lib, x: lib.log_softmax(x, 1), lambda lib, x: lib.nn.functional.softmin(x, 0),
    lambda lib, x: lib.nn.functional.layer_norm(x, (3,)), lambda lib, x: lib.nn.functional.group_norm(x, 1),
    lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3, dtype=x.dtype), lib.ones(3, dtype=x.dtype),
                                                training=True),
    lambda lib, x: x @ lib.ones(3, 2, dtype=x.dtype), lambda lib, x: x.mT @ x,
])
def test_layers_and_products_of_empty_batches_are_torch_s(fn):
    t, m = torch.zeros(0, 3, dtype=torch.float64, requires_grad=True), mt.zeros(0, 3, requires_grad=True,
                                                                               dtype=mt.float64)
    expected, ours = fn(torch, t), fn(mt, m)
    _same(expected, ours)
    expected.sum().backward()
    ours.sum().backward()
    _same(t.grad, m.grad)


def test_batch_norm_on_an_empty_batch_leaves_the_running_statistics():
    mean, var = mt.zeros(3), mt.ones(3)
    mt.nn.functional.batch_norm(mt.zeros(0, 3), mean, var, training=True)
    assert mean.tolist() == [0.0, 0.0, 0.0] and var.tolist() == [1.0, 1.0, 1.0]


def test_count_nonzero_over_several_dims():
    t, m = _both([[[0.0, 1, 2], [0, 0, 3]], [[1, 1, 1], [0, 0, 0]]])
    for dim in (None, 0, (0, 2), (-1, 1), (0, 1, 2)):
        np.testing.assert_array_equal(m.count_nonzero(dim).numpy(), t.count_nonzero(dim).numpy())


def test_topk_unsorted_gives_the_same_set():
    t, m = _both([[3.0, 1, 4, 1.5, 5, 9, 2, 6]])
    expected, ours = t.topk(3, sorted=False), m.topk(3, sorted=False)
    assert sorted(ours.values.tolist()[0]) == sorted(expected.values.tolist()[0])
    assert sorted(ours.indices.tolist()[0]) == sorted(expected.indices.tolist()[0])


def test_addr_addmv_with_beta_zero_ignore_nan_in_input():
    t_in, m_in = _both([[NAN, math.inf], [1.0, NAN]])
    tv, mv_ = _both([1.0, 2.0])
    _same(torch.addr(t_in, tv, tv, beta=0, alpha=2), mt.addr(m_in, mv_, mv_, beta=0, alpha=2))
    _same(torch.addmv(t_in[0], t_in.nan_to_num(), tv, beta=0), mt.addmv(m_in[0], m_in.nan_to_num(), mv_, beta=0))


def test_chain_matmul_and_errors():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 1))]
    _same(torch.chain_matmul(*map(torch.tensor, arrays)), mt.chain_matmul(*map(mt.tensor, arrays)))
    with pytest.raises(RuntimeError):
        mt.chain_matmul()
    with pytest.raises(RuntimeError, match="inputs dimension 1 must have length 3"):
        mt.linalg.cross(mt.zeros(2, 2), mt.zeros(2, 2), dim=1)
    with pytest.raises(RuntimeError, match="no dimension of size 3"):
        mt.cross(mt.zeros(2, 2), mt.zeros(2, 2))
    with pytest.raises(RuntimeError, match="q values must be in the range"):
        mt.quantile(mt.zeros(3), 1.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of"):
        mt.quantile(mt.zeros(3), 0.5, interpolation="cubic")
