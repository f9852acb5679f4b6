"""LBFGS (with and without the strong-Wolfe line search) and the optimizer hooks, against torch.optim."""
from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import microtorch as mt

RNG = np.random.default_rng(7)
FEATURES, LABELS = RNG.standard_normal((40, 6)) * 2, (RNG.random(40) > 0.5).astype(float)
W0, B0 = RNG.standard_normal(6) * 2, RNG.standard_normal(1)

LBFGS_CONFIGS = [
    dict(max_iter=1),
    dict(max_iter=1, history_size=3),
    dict(max_iter=4, history_size=2, lr=0.5),
    dict(),
    dict(line_search_fn="strong_wolfe", max_iter=2),
    dict(line_search_fn="strong_wolfe", max_iter=5, max_eval=9, history_size=3, lr=0.5),
    dict(line_search_fn="strong_wolfe", tolerance_grad=1e-3, tolerance_change=1e-4),
]


def _lbfgs_run(lib, dtype: str, steps: int = 20, **kwargs):
    """20 LBFGS steps on an L2- and quartic-regularised logistic regression; the losses and parameters after each."""
    dt = getattr(lib, dtype)
    w = lib.tensor(W0, dtype=dt, requires_grad=True)
    b = lib.tensor(B0, dtype=dt, requires_grad=True)
    x, y = lib.tensor(FEATURES, dtype=dt), lib.tensor(LABELS, dtype=dt)
    opt = lib.optim.LBFGS([w, b], **kwargs)

    def closure():
        opt.zero_grad()
        loss = lib.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y) + 0.05 * (w * w).sum() + 0.01 * (w**4).sum()
        loss.backward()
        return loss

    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        history.append((loss.item(), w.detach().numpy().copy(), b.detach().numpy().copy()))
    return history, opt


def _assert_same_state(ours, theirs, rtol: float) -> None:
    """Same structure (keys, containers, tensor vs number) and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mt.Tensor)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=1e-14)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            _assert_same_state(ours[key], theirs[key], rtol)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same_state(a, b, rtol)
    else:
        assert type(ours) is type(theirs)
        if theirs is not None:
            np.testing.assert_allclose(ours, theirs, rtol=rtol)


@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS, ids=[str(kw) for kw in LBFGS_CONFIGS])
def test_lbfgs_trajectory_and_state_match_torch(kwargs):
    (ours, our_opt), (theirs, their_opt) = _lbfgs_run(mt, "float64", **kwargs), _lbfgs_run(torch, "float64", **kwargs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-13, err_msg=f"step {step}")
    our_sd, their_sd = our_opt.state_dict(), their_opt.state_dict()
    assert our_sd["param_groups"] == their_sd["param_groups"]
    _assert_same_state(our_sd["state"], their_sd["state"], rtol=1e-9)
    assert repr(our_opt) == repr(their_opt)


def test_lbfgs_float32_reaches_torchs_loss():
    for kwargs in (dict(max_iter=1), dict(line_search_fn="strong_wolfe", max_iter=3)):
        (ours, _), (theirs, _) = _lbfgs_run(mt, "float32", **kwargs), _lbfgs_run(torch, "float32", **kwargs)
        np.testing.assert_allclose([h[0] for h in ours[:6]], [h[0] for h in theirs[:6]], rtol=1e-4)
        np.testing.assert_allclose(ours[-1][0], theirs[-1][0], rtol=1e-5)


def _error(build):
    with pytest.raises(Exception) as info:
        build()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("case", ["no_closure", "groups", "bad_line_search", "tensor_lr", "negative_lr"])
def test_lbfgs_bad_input_raises_torchs_error(case):
    def build(lib):
        p, q = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)

        def closure():
            loss = (p * p).sum()
            loss.backward()
            return loss

        if case == "no_closure":
            lib.optim.LBFGS([p]).step()
        elif case == "groups":
            lib.optim.LBFGS([{"params": [p]}, {"params": [q]}])
        elif case == "bad_line_search":
            lib.optim.LBFGS([p], line_search_fn="armijo").step(closure)
        elif case == "tensor_lr":
            lib.optim.LBFGS([p], lr=lib.tensor([0.1, 0.2]))
        else:
            lib.optim.LBFGS([p], lr=-1)

    (their_type, their_msg), (our_type, our_msg) = _error(lambda: build(torch)), _error(lambda: build(mt))
    assert our_type is their_type and our_msg == their_msg


def _hook_log(lib):
    """Register global and per-optimizer hooks, step twice (once with a pre hook that rewrites the
    closure), and return what every hook saw."""
    p = lib.tensor([1.0, -2.0], requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.1)
    log = []

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    def rewrite(o, args, kwargs):
        log.append(("pre", len(args), sorted(kwargs)))
        return (o,), {"closure": closure}

    module = importlib.import_module(lib.__name__ + ".optim.optimizer")
    handles = [
        module.register_optimizer_step_pre_hook(lambda o, a, k: log.append(("global pre", type(o).__name__))),
        module.register_optimizer_step_post_hook(lambda o, a, k: log.append(("global post", sorted(k)))),
        opt.register_step_pre_hook(rewrite),
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", round(p.grad.sum().item(), 6)))),
    ]
    loss = opt.step()
    log.append(("loss", round(loss.item(), 6)))
    for handle in handles:
        handle.remove()
    opt.step(closure)
    log.append(("after remove", len(log)))
    return log, p.detach().numpy()


def test_step_hooks_match_torch():
    (ours, p_ours), (theirs, p_theirs) = _hook_log(mt), _hook_log(torch)
    assert ours == theirs
    np.testing.assert_allclose(p_ours, p_theirs, rtol=1e-6)


def test_step_pre_hook_returning_a_bad_value_raises():
    for lib in (torch, mt):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([p])
        opt.register_step_pre_hook(lambda o, a, k: 5)
        with pytest.raises(RuntimeError, match="must return None or a tuple of"):
            opt.step()


def _state_dict_hooks(lib):
    p = lib.ones(2, requires_grad=True)
    opt = lib.optim.Adam([p], lr=0.1)
    p.grad = lib.ones(2)
    opt.step()
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre"))
    opt.register_state_dict_post_hook(lambda o, sd: calls.append("sd post") or dict(sd, extra=1))
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre first"), prepend=True)
    sd = opt.state_dict()

    def load_pre(o, state_dict):
        calls.append("load pre")
        state_dict = dict(state_dict)
        state_dict.pop("extra")
        state_dict["param_groups"] = [dict(g, lr=0.5) for g in state_dict["param_groups"]]
        return state_dict

    fresh = lib.optim.Adam([lib.ones(2, requires_grad=True)], lr=0.1)
    fresh.register_load_state_dict_pre_hook(load_pre)
    fresh.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
    fresh.load_state_dict(sd)
    return calls, sd["extra"], fresh.param_groups[0]["lr"]


def test_state_dict_hooks_match_torch():
    assert _state_dict_hooks(mt) == _state_dict_hooks(torch)


def test_ignored_and_refused_keywords():
    """foreach/fused/capturable are accepted and change nothing; differentiable=True is refused."""
    p = mt.ones(2, requires_grad=True)
    for cls in (mt.optim.Adadelta, mt.optim.Adamax, mt.optim.NAdam, mt.optim.RAdam, mt.optim.ASGD, mt.optim.Rprop):
        opt = cls([p], foreach=True, capturable=True)
        assert opt.defaults["foreach"] is True and opt.defaults["capturable"] is True
        with pytest.raises(NotImplementedError, match="differentiable=True"):
            cls([p], differentiable=True)
    mt.optim.Adam([p], fused=True, foreach=False, capturable=True)


def test_hooks_run_once_when_a_subclass_step_calls_super():
    class ClippedSGD(mt.optim.SGD):
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.grad.clamp_(-1, 1)
            return super().step(closure)

    p = mt.tensor([1.0, 2.0], requires_grad=True)
    opt = ClippedSGD([p], lr=0.5)
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    p.grad = mt.tensor([5.0, -0.5])
    opt.step()
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(p.detach().numpy(), [0.5, 2.25])


def test_lbfgs_state_dict_round_trip_continues_the_same_trajectory(tmp_path):
    kwargs = dict(line_search_fn="strong_wolfe", max_iter=2, history_size=3)
    uninterrupted, _ = _lbfgs_run(mt, "float64", steps=8, **kwargs)
    first, opt = _lbfgs_run(mt, "float64", steps=4, **kwargs)
    mt.save(opt.state_dict(), tmp_path / "lbfgs.mt")
    w, b = opt.param_groups[0]["params"]
    resumed_opt = mt.optim.LBFGS([w, b], **kwargs)
    resumed_opt.load_state_dict(mt.load(tmp_path / "lbfgs.mt"))
    x, y = mt.tensor(FEATURES), mt.tensor(LABELS)

    def closure():
        resumed_opt.zero_grad()
        loss = mt.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y) + 0.05 * (w * w).sum() + 0.01 * (w**4).sum()
        loss.backward()
        return loss

    for step in range(4, 8):
        loss = resumed_opt.step(closure)
        np.testing.assert_allclose(loss.item(), uninterrupted[step][0], rtol=1e-12)
        np.testing.assert_allclose(w.detach().numpy(), uninterrupted[step][1], rtol=1e-12)
