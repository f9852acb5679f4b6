"""Layers and aten-level functions added for op_db coverage, against torch: ``linear_cross_entropy`` (and its
Module and options), fractional max pooling with fixed samples, ``native_*_norm``, ``grid_sampler_*``,
the deprecated ``upsample*`` spellings."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt


def _pair(shape, rng, requires_grad=True):
    x = rng.standard_normal(shape)
    return torch.tensor(x, requires_grad=requires_grad), mt.tensor(x, requires_grad=requires_grad)


def _close(ours, theirs, tol=1e-10) -> None:
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("case", ["indices", "probabilities", "k_dim", "unbatched", "bias_weight_smoothing", "none"])
def test_linear_cross_entropy_matches_torch(case: str) -> None:
    rng = np.random.default_rng(0)
    n, d, c = 6, 4, 5
    wshape = (c, 3, d) if case == "k_dim" else (c, d)
    (xt, xm), (wt, wm) = _pair((d,) if case == "unbatched" else (n, d), rng), _pair(wshape, rng)
    if case == "probabilities":
        p = rng.random((n, c))
        tt, tm = torch.tensor(p / p.sum(1, keepdims=True)), mt.tensor(p / p.sum(1, keepdims=True))
    else:
        shape = () if case == "unbatched" else (n, 3) if case == "k_dim" else (n,)
        t = rng.integers(0, c, shape)
        tt, tm = torch.tensor(t), mt.tensor(t)
    kw_t, kw_m = {}, {}
    if case == "bias_weight_smoothing":
        (bt, bm), cw = _pair((c,), rng), rng.random(c)
        kw_t = {"linear_bias": bt, "weight": torch.tensor(cw), "label_smoothing": 0.2, "ignore_index": 1}
        kw_m = {"linear_bias": bm, "weight": mt.tensor(cw), "label_smoothing": 0.2, "ignore_index": 1}
    if case == "none":
        kw_t = kw_m = {"reduction": "none"}
    lt = torch.nn.functional.linear_cross_entropy(xt, wt, tt, **kw_t)
    lm = mt.nn.functional.linear_cross_entropy(xm, wm, tm, **kw_m)
    _close(lm, lt)
    g = rng.standard_normal(lt.shape)
    lt.backward(torch.tensor(g))
    lm.backward(mt.tensor(g))
    _close(xm.grad, xt.grad)
    _close(wm.grad, wt.grad)


def test_linear_cross_entropy_module_and_options() -> None:
    torch.manual_seed(0)
    theirs = torch.nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True, dtype=torch.float64,
                                             options=torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    ours = mt.nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True, dtype=mt.float64,
                                        options=mt.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}, strict=True)
    x, t = np.random.default_rng(1).standard_normal((5, 4)), np.random.default_rng(2).integers(0, 3, (5, 2))
    _close(ours(mt.tensor(x), mt.tensor(t)), theirs(torch.tensor(x), torch.tensor(t)))
    for bad in ({"acc_policy": "fast"}, {"batch_chunk_size": 0}, {"chunking_method": "rows"}):
        with pytest.raises(ValueError):
            torch.nn.LinearCrossEntropyOptions(**bad)
        with pytest.raises(ValueError):
            mt.nn.LinearCrossEntropyOptions(**bad)


@pytest.mark.parametrize("call", [
    lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(x.reshape(1, 2, 12), w, t),
    lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(x, w[:, :3], t),
    lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(x, w, t, linear_bias=w[0]),
])
def test_linear_cross_entropy_errors(call) -> None:
    rng = np.random.default_rng(0)
    (xt, xm), (wt, wm) = _pair((6, 4), rng), _pair((5, 4), rng)
    t = rng.integers(0, 5, (6,))
    with pytest.raises(RuntimeError) as theirs:
        call(torch, xt, wt, torch.tensor(t))
    with pytest.raises(RuntimeError, match=str(theirs.value)[:25]):
        call(mt, xm, wm, mt.tensor(t))


@pytest.mark.parametrize("spatial,shape,kernel,out", [(2, (2, 3, 9, 11), (3, 2), (4, 5)), (2, (3, 7, 7), 2, (1, 6)),
                                                      (3, (2, 2, 7, 8, 9), (2, 3, 2), (3, 4, 5))])
def test_fractional_max_pool_with_fixed_samples(spatial, shape, kernel, out) -> None:
    rng = np.random.default_rng(0)
    xt, xm = _pair(shape, rng)
    batch = shape[:2] if len(shape) == spatial + 2 else (1, shape[0])
    samples = rng.random((*batch, spatial))
    name = f"fractional_max_pool{spatial}d"
    vt, it = getattr(torch.nn.functional, name)(xt, kernel, out, return_indices=True,
                                                _random_samples=torch.tensor(samples))
    vm, im = getattr(mt.nn.functional, name)(xm, kernel, out, return_indices=True,
                                             _random_samples=mt.tensor(samples))
    _close(vm, vt)
    assert (im.numpy() == it.numpy()).all()
    g = rng.standard_normal(vt.shape)
    vt.backward(torch.tensor(g))
    vm.backward(mt.tensor(g))
    _close(xm.grad, xt.grad)


def test_fractional_max_pool_ratio_module_and_errors() -> None:
    x = mt.randn(2, 3, 10, 9)
    assert mt.nn.FractionalMaxPool2d(3, output_ratio=0.5)(x).shape == torch.nn.FractionalMaxPool2d(
        3, output_ratio=0.5)(torch.randn(2, 3, 10, 9)).shape
    with pytest.raises(ValueError):
        mt.nn.functional.fractional_max_pool2d(x, 3)
    with pytest.raises(RuntimeError, match="too large"):
        mt.nn.functional.fractional_max_pool2d(x, 3, output_size=9)


def test_native_norms_match_torch() -> None:
    rng = np.random.default_rng(0)
    (xt, xm), (wt, wm), (bt, bm) = _pair((3, 4, 5), rng), _pair((5,), rng), _pair((5,), rng)
    for ours, theirs in zip(mt.native_layer_norm(xm, (5,), wm, bm, 1e-5), torch.native_layer_norm(xt, (5,), wt, bt, 1e-5)):
        _close(ours, theirs, 1e-8)
        assert ours.requires_grad == theirs.requires_grad
    rm, rv = rng.standard_normal(4), rng.random(4)
    running_t, running_m = (torch.tensor(rm), torch.tensor(rv)), (mt.tensor(rm), mt.tensor(rv))
    for training in (True, False):
        theirs = torch.native_batch_norm(xt, wt[:4], bt[:4], *running_t, training, 0.1, 1e-5)
        ours = mt.native_batch_norm(xm, wm[:4], bm[:4], *running_m, training, 0.1, 1e-5)
        for o, t in zip(ours, theirs):
            assert tuple(o.shape) == tuple(t.shape)
            _close(o, t, 1e-8)
        _close(running_m[0], running_t[0], 1e-10)
    theirs = torch.native_group_norm(xt, wt[:4], bt[:4], 3, 4, 5, 2, 1e-5)
    ours = mt.native_group_norm(xm, wm[:4], bm[:4], 3, 4, 5, 2, 1e-5)
    for o, t in zip(ours, theirs):
        _close(o, t, 1e-8)
    g = [rng.standard_normal(t.shape) for t in theirs]
    grads_t = torch.autograd.grad(theirs, [xt, wt], [torch.tensor(v) for v in g])
    grads_m = mt.autograd.grad(list(ours), [xm, wm], [mt.tensor(v) for v in g])
    for o, t in zip(grads_m, grads_t):
        _close(o, t, 1e-8)


@pytest.mark.parametrize("mode,padding", [(0, 0), (1, 1), (2, 2), (0, 2)])
def test_grid_sampler_codes(mode: int, padding: int) -> None:
    rng = np.random.default_rng(0)
    xt, xm = _pair((2, 3, 5, 6), rng)
    grid = rng.uniform(-1.2, 1.2, (2, 4, 3, 2))
    ours = mt.grid_sampler_2d(xm, mt.tensor(grid), mode, padding, False)
    _close(ours, torch.grid_sampler_2d(xt, torch.tensor(grid), mode, padding, False))
    with pytest.raises(RuntimeError):
        mt.grid_sampler_3d(xm, mt.tensor(grid), mode, padding, False)


def test_upsample_spellings_warn_and_match() -> None:
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    for name, kw in (("upsample_nearest", {"scale_factor": 2}), ("upsample_bilinear", {"size": (5, 7)}),
                     ("upsample", {"scale_factor": 2, "mode": "bilinear", "align_corners": False})):
        with pytest.warns(UserWarning, match="deprecated"):
            ours = getattr(mt.nn.functional, name)(mt.tensor(x), **kw)
        _close(ours, getattr(torch.nn.functional, name)(torch.tensor(x), **kw))
