"""Learning-rate schedulers against torch.optim.lr_scheduler: the same learning-rate (and momentum) sequences."""
from __future__ import annotations

import importlib
import math
import warnings

import pytest
import torch

import microtorch as mt

EPOCHS = 30


def _optimizer(lib, kind: str = "SGD", groups: int = 2):
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    param_groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
    if kind == "Adam":
        return lib.optim.Adam(param_groups, lr=0.1)
    return lib.optim.SGD(param_groups, lr=0.1, momentum=0.9)


def _sequence(lib, make, epochs: int = EPOCHS, kind: str = "SGD", metrics=None) -> list:
    """Per epoch: the last lrs and every group's lr/momentum/betas, stepping optimizer then scheduler."""
    opt = _optimizer(lib, kind)
    scheds = make(lib.optim.lr_scheduler, opt)
    scheds = scheds if isinstance(scheds, tuple) else (scheds,)
    seen = []
    for epoch in range(epochs):
        opt.step()
        for s in scheds:
            s.step(metrics[epoch]) if metrics is not None else s.step()
        seen.append(([float(v) for v in scheds[-1].get_last_lr()],
                     [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]))
    return seen


def _assert_same(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for epoch, ((last_a, groups_a), (last_b, groups_b)) in enumerate(zip(ours, theirs)):
        assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(last_a, last_b)), (epoch, last_a, last_b)
        for (lr_a, mom_a, betas_a), (lr_b, mom_b, betas_b) in zip(groups_a, groups_b):
            assert math.isclose(lr_a, lr_b, rel_tol=1e-12, abs_tol=1e-15), (epoch, lr_a, lr_b)
            assert (mom_a is None) == (mom_b is None) and (mom_a is None or math.isclose(mom_a, mom_b, rel_tol=1e-12))
            assert (betas_a is None) == (betas_b is None)
            if betas_a is not None:
                assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(betas_a, betas_b))


def _factor(epoch):
    return 0.95**epoch


SCHEDULES = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=_factor),
    "LambdaLR-per-group": lambda S, o: S.LambdaLR(o, lr_lambda=[_factor, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=20, power=2.0),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=EPOCHS),
    "OneCycleLR-per-group": lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.3], epochs=5, steps_per_epoch=6),
    "OneCycleLR-three-phase": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS, three_phase=True),
    "OneCycleLR-linear": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS, anneal_strategy="linear",
                                                   pct_start=0.4, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-three-phase-linear": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS, three_phase=True,
                                                               anneal_strategy="linear"),
    "OneCycleLR-no-momentum": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS, cycle_momentum=False),
    # two schedulers stepping one optimizer: their factors multiply (torch's chainable form)
    "two-schedulers": lambda S, o: (S.ExponentialLR(o, gamma=0.9), S.StepLR(o, step_size=3, gamma=0.5)),
    "cosine-and-multistep": lambda S, o: (S.CosineAnnealingLR(o, T_max=12), S.MultiStepLR(o, milestones=[5, 20])),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2),
                                                         S.ExponentialLR(o, gamma=0.9)]),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                    S.CosineAnnealingLR(o, T_max=20)], milestones=[5]),
    "SequentialLR-three": lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3),
                                                          S.ExponentialLR(o, gamma=0.8),
                                                          S.StepLR(o, step_size=2)], milestones=[4, 10]),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3,
                                                    step_size_down=5, mode="triangular2", base_momentum=0.7),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range",
                                                  gamma=0.9, max_momentum=[0.95, 0.99]),
    "CyclicLR-scale_fn": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=_factor,
                                                 scale_mode="iterations", cycle_momentum=False),
    "SWALR-cos": lambda S, o: _swa_utils(S).SWALR(o, swa_lr=0.05, anneal_epochs=6),
    "SWALR-linear": lambda S, o: _swa_utils(S).SWALR(o, swa_lr=[0.05, 0.5], anneal_epochs=4, anneal_strategy="linear"),
    "SWALR-no-anneal": lambda S, o: _swa_utils(S).SWALR(o, swa_lr=0.01, anneal_epochs=0),
    "cosine-then-SWALR": lambda S, o: S.SequentialLR(o, [S.CosineAnnealingLR(o, T_max=10),
                                                         _swa_utils(S).SWALR(o, swa_lr=0.02, anneal_epochs=3)],
                                                     milestones=[10]),
}


def _swa_utils(lr_scheduler_module):
    """torch.optim.swa_utils or microtorch.optim.swa_utils, next to the given lr_scheduler module."""
    return importlib.import_module(lr_scheduler_module.__name__.rsplit(".", 1)[0] + ".swa_utils")


# the optimizer only matters to OneCycleLR, which cycles SGD's momentum or Adam's beta1
CASES = [(name, "SGD") for name in SCHEDULES] + [(name, "Adam") for name in SCHEDULES
                                                 if name.startswith(("OneCycle", "CyclicLR"))]


@pytest.mark.parametrize("name,kind", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_learning_rate_sequence_matches_torch(name, kind):
    _assert_same(_sequence(mt, SCHEDULES[name], kind=kind), _sequence(torch, SCHEDULES[name], kind=kind))


METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.8, 0.8, 0.8, 0.81, 0.82, 0.5, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5, 0.49, 0.499, 0.4999, 0.5, 0.6, 0.7, 0.3, 0.3, 0.3, 0.3, 0.3]
PLATEAUS = {
    "min-rel": dict(patience=2),
    "min-abs-cooldown": dict(mode="min", threshold=0.01, threshold_mode="abs", patience=1, cooldown=2, factor=0.5),
    "max-rel": dict(mode="max", patience=1, factor=0.7),
    "max-abs-min-lr": dict(mode="max", threshold_mode="abs", threshold=0.05, patience=0, min_lr=[0.02, 0.05]),
    "min-lr-eps": dict(patience=0, factor=0.5, min_lr=0.01, eps=1e-3),
}


@pytest.mark.parametrize("name", list(PLATEAUS))
def test_reduce_lr_on_plateau_matches_torch(name):
    def make(S, o):
        return S.ReduceLROnPlateau(o, **PLATEAUS[name])

    ours, theirs = _sequence(mt, make, metrics=METRICS), _sequence(torch, make, metrics=METRICS)
    _assert_same(ours, theirs)
    assert ours[0][1][0][0] != ours[-1][1][0][0]  # the learning rate did drop somewhere


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR", "ChainedScheduler",
                                  "LambdaLR", "MultiStepLR", "CyclicLR-triangular2", "CyclicLR-scale_fn", "SWALR-cos",
                                  "CosineAnnealingWarmRestarts", "PolynomialLR", "MultiplicativeLR"])
def test_state_dict_resumes_the_schedule(name, tmp_path):
    make = SCHEDULES[name]
    full = _sequence(mt, make)

    opt = _optimizer(mt)
    sched = make(mt.optim.lr_scheduler, opt)
    for _ in range(12):
        opt.step()
        sched.step()
    mt.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ckpt.mt")

    checkpoint = mt.load(tmp_path / "ckpt.mt")
    opt = _optimizer(mt)
    sched = make(mt.optim.lr_scheduler, opt)
    opt.load_state_dict(checkpoint["optimizer"])
    sched.load_state_dict(checkpoint["scheduler"])
    resumed = []
    for _ in range(12, EPOCHS):
        opt.step()
        sched.step()
        resumed.append(([float(v) for v in sched.get_last_lr()],
                        [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]))
    _assert_same(resumed, full[12:])


def test_plateau_state_dict_round_trip(tmp_path):
    opt = _optimizer(mt)
    sched = mt.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    for m in METRICS[:8]:
        sched.step(m)
    mt.save(sched.state_dict(), tmp_path / "s.mt")
    fresh = mt.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(mt), patience=1)
    fresh.load_state_dict(mt.load(tmp_path / "s.mt"))
    assert fresh.state_dict() == sched.state_dict()
    assert math.isinf(mt.load(tmp_path / "s.mt")["mode_worse"])


def test_last_epoch_and_initial_lr_semantics_match_torch():
    for lib in (mt, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        assert sched.last_epoch == 0 and opt.param_groups[0]["initial_lr"] == 0.1
        assert sched.get_last_lr() == [0.1, 0.2]
    with pytest.raises(KeyError, match="initial_lr"):
        mt.optim.lr_scheduler.StepLR(_optimizer(mt), step_size=2, last_epoch=3)


def test_closed_form_step_with_an_epoch_matches_torch():
    def run(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5], gamma=0.5)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in [3, 1, 7, 5]:
                opt.step()
                sched.step(epoch)
                out.append(sched.get_last_lr())
        return out

    assert run(mt) == run(torch)


def test_warns_when_stepped_before_the_optimizer():
    opt = _optimizer(mt)
    sched = mt.optim.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = _optimizer(mt)
    sched = mt.optim.lr_scheduler.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


@pytest.mark.parametrize("build", [
    lambda S, o: S.LinearLR(o, start_factor=0.0),
    lambda S, o: S.LinearLR(o, end_factor=1.5),
    lambda S, o: S.ConstantLR(o, factor=2.0),
    lambda S, o: S.OneCycleLR(o, max_lr=0.1),
    lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
    lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
    lambda S, o: S.OneCycleLR(o, max_lr=[0.1], total_steps=10),
    lambda S, o: S.ReduceLROnPlateau(o, factor=1.0),
    lambda S, o: S.ReduceLROnPlateau(o, mode="median"),
    lambda S, o: S.ReduceLROnPlateau(o, threshold_mode="log"),
    lambda S, o: S.LambdaLR(o, lr_lambda=[_factor]),
    lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
    lambda S, o: S.ChainedScheduler([]),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda S, o: S.CyclicLR(o, base_lr=0.1, max_lr=1.0, mode="sawtooth"),
    lambda S, o: S.CyclicLR(o, base_lr=[0.1], max_lr=1.0),
    lambda S, o: S.CyclicLR(S.__dict__["Optimizer"]([o.param_groups[0]["params"][0]], {"lr": 0.1}), 0.1, 1.0),
    lambda S, o: _swa_utils(S).SWALR(o, swa_lr=0.1, anneal_strategy="exp"),
    lambda S, o: _swa_utils(S).SWALR(o, swa_lr=0.1, anneal_epochs=-1),
    lambda S, o: _swa_utils(S).SWALR(o, swa_lr=[0.1, 0.2, 0.3]),
])
def test_bad_arguments_raise_torchs_error(build):
    with pytest.raises(Exception) as theirs:
        build(torch.optim.lr_scheduler, _optimizer(torch))
    with pytest.raises(Exception) as ours:
        build(mt.optim.lr_scheduler, _optimizer(mt))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _optimizer(mt)
    sched = mt.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        sched.step()


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        mt.optim.lr_scheduler.StepLR(object(), step_size=1)


def _assert_same_layout(ours, theirs, where: str = "") -> None:
    """The same keys and containers, numbers equal to 1e-12, callables on both sides or neither."""
    if isinstance(theirs, dict):
        assert sorted(ours) == sorted(theirs), where
        for key in theirs:
            _assert_same_layout(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same_layout(a, b, f"{where}[{i}]")
    elif callable(theirs):
        assert callable(ours), where
    elif isinstance(theirs, float):
        assert math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-15), (where, ours, theirs)
    else:
        assert ours == theirs, (where, ours, theirs)


@pytest.mark.parametrize("name", [n for n in SCHEDULES if not isinstance(SCHEDULES[n](torch.optim.lr_scheduler,
                                                                                        _optimizer(torch)), tuple)])
def test_state_dict_layout_matches_torch(name):
    """The same keys and values after 7 steps (sub-schedulers of SequentialLR/ChainedScheduler included)."""
    def state(lib):
        opt = _optimizer(lib)
        sched = SCHEDULES[name](lib.optim.lr_scheduler, opt)
        for _ in range(7):
            opt.step()
            sched.step()
        return sched.state_dict()

    _assert_same_layout(state(mt), state(torch))
