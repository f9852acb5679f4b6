"""torch.optim.swa_utils: AveragedModel (SWA, EMA, use_buffers), update_bn and SWALR against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt


def _model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    return model.double()


def _copy_weights(torch_model, mt_model) -> None:
    mt_model.load_state_dict({k: mt.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})


def _batches(lib, count: int = 4):
    rng = np.random.default_rng(3)
    return [lib.tensor(rng.standard_normal((5, 3))) for _ in range(count)]


def _averaging_run(lib, torch_model, averaged_kwargs, optimizer_steps: int = 6):
    """Train with SGD, folding the weights into an AveragedModel after every step; the averaged state_dict."""
    model = _model(lib)
    if lib is mt:
        _copy_weights(torch_model, model)
    else:
        model.load_state_dict(torch_model.state_dict())
    swa_utils = mt.optim.swa_utils if lib is mt else torch.optim.swa_utils
    kwargs = {k: (v(swa_utils) if callable(v) else v) for k, v in averaged_kwargs.items()}
    averaged = swa_utils.AveragedModel(model, **kwargs)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    for batch in _batches(lib, optimizer_steps):
        opt.zero_grad()
        (model(batch) ** 2).mean().backward()
        opt.step()
        averaged.update_parameters(model)
    out = averaged(_batches(lib, 1)[0])
    return {k: v.detach().numpy() for k, v in averaged.state_dict().items()}, out.detach().numpy()


AVERAGING = {
    "swa": {},
    "ema-avg_fn": {"avg_fn": lambda s: s.get_ema_avg_fn(0.8)},
    "ema-multi_avg_fn": {"multi_avg_fn": lambda s: s.get_ema_multi_avg_fn(0.7)},
    "swa-multi_avg_fn": {"multi_avg_fn": lambda s: s.get_swa_multi_avg_fn()},
    "swa-avg_fn-buffers": {"avg_fn": lambda s: s.get_swa_avg_fn(), "use_buffers": True},
    "ema-buffers": {"multi_avg_fn": lambda s: s.get_ema_multi_avg_fn(0.9), "use_buffers": True},
}


@pytest.mark.parametrize("name", list(AVERAGING))
def test_averaged_model_matches_torch(name):
    torch_model = _model(torch)
    (ours, out_ours), (theirs, out_theirs) = (_averaging_run(mt, torch_model, AVERAGING[name]),
                                              _averaging_run(torch, torch_model, AVERAGING[name]))
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-10, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(out_ours, out_theirs, rtol=1e-10, atol=1e-12)
    assert ours["n_averaged"].dtype == np.int64 and ours["n_averaged"] == 6


def test_update_bn_matches_torch():
    torch_model = _model(torch)
    results = []
    for lib, swa_utils in ((mt, mt.optim.swa_utils), (torch, torch.optim.swa_utils)):
        model = _model(lib)
        if lib is mt:
            _copy_weights(torch_model, model)
        else:
            model.load_state_dict(torch_model.state_dict())
        model.eval()
        loader = [(x, 0) for x in _batches(lib)]  # (input, target) batches: update_bn takes the first element
        swa_utils.update_bn(loader, model)
        bn = model[1]
        results.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(), bn.momentum, model.training,
                        int(bn.num_batches_tracked.item())))
    (mean_a, var_a, *rest_a), (mean_b, var_b, *rest_b) = results
    np.testing.assert_allclose(mean_a, mean_b, rtol=1e-12)
    np.testing.assert_allclose(var_a, var_b, rtol=1e-12)
    assert rest_a == rest_b


def test_update_bn_without_batch_norm_does_nothing_and_errors_match():
    model = mt.nn.Linear(2, 2)
    mt.optim.swa_utils.update_bn([mt.ones(1, 2)], model)  # no BatchNorm: nothing to do
    for swa_utils, nn in ((mt.optim.swa_utils, mt.nn), (torch.optim.swa_utils, torch.nn)):
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            swa_utils.AveragedModel(nn.Linear(2, 2), avg_fn=swa_utils.get_swa_avg_fn(),
                                    multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
        with pytest.raises(ValueError, match="Invalid decay value 1.5"):
            swa_utils.get_ema_avg_fn(1.5)


def test_swalr_state_dict_round_trip():
    params = [mt.zeros(2, requires_grad=True)]
    opt = mt.optim.SGD(params, lr=0.5)
    sched = mt.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear")
    for _ in range(2):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "anneal_func" not in state and state["_anneal_strategy"] == "linear"
    fresh_opt = mt.optim.SGD([mt.zeros(2, requires_grad=True)], lr=0.5)
    fresh = mt.optim.swa_utils.SWALR(fresh_opt, swa_lr=0.05, anneal_epochs=5)
    fresh.load_state_dict(state)
    fresh_opt.load_state_dict(opt.state_dict())
    for _ in range(4):
        opt.step(), sched.step(), fresh_opt.step(), fresh.step()
        assert fresh.get_last_lr() == sched.get_last_lr()
