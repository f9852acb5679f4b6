"""Optimizers against torch.optim: same parameters and gradients, same 20-step trajectory."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt
from helpers import assert_like_torch

STEPS = 20
SHAPES = [(3, 4), (5,), ()]

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.1, weight_decay=0.1)),
    ("Adam", dict(lr=0.1, maximize=True)),
    ("Adam", dict(lr=0.05, betas=(0.3, 0.8), eps=1e-3, amsgrad=True, weight_decay=0.2, maximize=True)),
    ("Adam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.1)),
    ("AdamW", dict(lr=0.1, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-4)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1, maximize=True, foreach=True)),
    ("Adamax", dict(lr=0.1)),
    ("Adamax", dict(lr=0.1, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.1)),
    ("Adamax", dict(lr=0.1, maximize=True, foreach=True)),
    ("NAdam", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1, betas=(0.5, 0.8), eps=1e-3, momentum_decay=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("NAdam", dict(lr=0.1, foreach=True)),
    ("RAdam", dict(lr=0.1)),
    ("RAdam", dict(lr=0.1, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.1)),
    ("RAdam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.1, foreach=True)),
    ("ASGD", dict(lr=0.1)),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.1, t0=3, maximize=True, foreach=False)),  # torch's foreach ASGD computes eta in float32
    ("Rprop", dict(lr=0.1)),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.1, maximize=True, foreach=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-6, 1e-2), d=1.5, weight_decay=0.1)),
    ("Adafactor", dict(lr=0.2, maximize=True, foreach=True)),
]
TOLERANCES = {"float64": dict(rtol=1e-11, atol=1e-13), "float32": dict(rtol=2e-5, atol=2e-6)}


def _problem(steps: int = STEPS):
    """Initial values, gradient coefficients and per-step noise: grad_t = p * coef + noise_t."""
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s) for s in SHAPES]
    coef = [rng.standard_normal(s) for s in SHAPES]
    noise = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return init, coef, noise


def _params(lib, dtype: str, values=None):
    values = values if values is not None else _problem()[0]
    return [lib.tensor(np.asarray(a), dtype=getattr(lib, dtype), requires_grad=True) for a in values]


def _groups(params, second_lr: float = 0.05):
    """Two parameter groups: the second with its own learning rate."""
    return [{"params": params[:1]}, {"params": params[1:], "lr": second_lr}]


def _set_grads(lib, params, dtype: str, t: int, coef, noise) -> None:
    dt = getattr(lib, dtype)
    for i, p in enumerate(params):
        if i == 2 and t % 4 == 3:  # some steps without a gradient: the optimizer must skip the parameter
            p.grad = None
            continue
        with lib.no_grad():
            p.grad = p.detach() * lib.tensor(coef[i], dtype=dt) + lib.tensor(noise[t][i], dtype=dt)


def _trajectory(lib, opt, params, dtype: str, steps: range, problem) -> list:
    _, coef, noise = problem
    out = []
    for t in steps:
        _set_grads(lib, params, dtype, t, coef, noise)
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CONFIGS])
def test_trajectory_matches_torch(name, kwargs, dtype):
    problem = _problem()
    runs = {}
    for lib in (torch, mt):
        params = _params(lib, dtype)
        opt = getattr(lib.optim, name)(_groups(params), **kwargs)
        runs[lib.__name__] = (_trajectory(lib, opt, params, dtype, range(STEPS), problem), opt)
    (ours, mt_opt), (theirs, torch_opt) = runs["microtorch"], runs["torch"]
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            assert x.dtype == y.dtype
            np.testing.assert_allclose(x, y, **TOLERANCES[dtype], err_msg=f"step {step}")
    assert repr(mt_opt) == repr(torch_opt)
    ours_sd, theirs_sd = mt_opt.state_dict(), torch_opt.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for index, state in theirs_sd["state"].items():
        assert ours_sd["state"][index].keys() == state.keys()
        for key, value in state.items():
            mine = ours_sd["state"][index][key]
            assert mine.dtype.name == str(value.dtype).removeprefix("torch.")
            np.testing.assert_allclose(mine.numpy(), value.numpy(), **TOLERANCES[dtype])


ROUND_TRIP = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
]


# NAdam's mu_product (cpu) and ASGD's step (on the parameter's device) stay where torch keeps them, so these
# are left out of the device test below
MORE_ROUND_TRIPS = [
    ("Adadelta", dict(lr=0.5, weight_decay=0.1)),
    ("Adamax", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1, decoupled_weight_decay=True, weight_decay=0.1)),
    ("RAdam", dict(lr=0.1)),
    ("ASGD", dict(lr=0.1, t0=4)),
    ("Rprop", dict(lr=0.1)),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kwargs", ROUND_TRIP + MORE_ROUND_TRIPS, ids=[n for n, _ in ROUND_TRIP + MORE_ROUND_TRIPS])
def test_state_dict_round_trip_continues_the_same_trajectory(name, kwargs, tmp_path):
    problem = _problem()
    cls = getattr(mt.optim, name)
    params = _params(mt, "float32")
    uninterrupted = _trajectory(mt, cls(_groups(params), **kwargs), params, "float32", range(STEPS), problem)

    params = _params(mt, "float32")
    opt = cls(_groups(params), **kwargs)
    first = _trajectory(mt, opt, params, "float32", range(10), problem)
    mt.save({"optimizer": opt.state_dict(), "params": params}, tmp_path / "ckpt.mt")
    del opt, params

    checkpoint = mt.load(tmp_path / "ckpt.mt")
    params = [p.detach().clone().requires_grad_() for p in checkpoint["params"]]
    opt = cls(_groups(params, second_lr=123.0), **kwargs)  # the loaded groups' lr must win
    opt.load_state_dict(checkpoint["optimizer"])
    assert opt.param_groups[1]["lr"] == 0.05
    rest = _trajectory(mt, opt, params, "float32", range(10, STEPS), problem)
    for a, b in zip(first + rest, uninterrupted):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_load_state_dict_casts_to_the_parameters_dtype_and_copies():
    p = mt.zeros(3, dtype=mt.float64, requires_grad=True)
    opt = mt.optim.Adam([p])
    p.grad = mt.ones(3, dtype=mt.float64)
    opt.step()
    sd = opt.state_dict()
    q = mt.zeros(3, dtype=mt.float32, requires_grad=True)
    fresh = mt.optim.Adam([q])
    fresh.load_state_dict(sd)
    assert fresh.state[q]["exp_avg"].dtype == mt.float32
    assert fresh.state[q]["step"].dtype == mt.float32 and fresh.state[q]["step"].item() == 1
    fresh.state[q]["step"] += 1
    assert sd["state"][0]["step"].item() == 1  # the loaded optimizer does not write into the state dict


def test_load_state_dict_rejects_mismatched_groups():
    a, b = mt.zeros(2, requires_grad=True), mt.zeros(2, requires_grad=True)
    sd = mt.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        mt.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        mt.optim.SGD([a], lr=0.1).load_state_dict(sd)


BAD_ARGUMENTS = [
    ("SGD", dict(lr=-0.1)),
    ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, weight_decay=-1.0)),
    ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1e-3)),
    ("Adam", dict(eps=-1.0)),
    ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(weight_decay=-0.1)),
    ("AdamW", dict(betas=(0.9, 1.5))),
    ("RMSprop", dict(lr=-1.0)),
    ("RMSprop", dict(alpha=-0.5)),
    ("RMSprop", dict(momentum=-0.5)),
    ("RMSprop", dict(eps=-1.0)),
    ("Adagrad", dict(lr_decay=-1.0)),
    ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adagrad", dict(weight_decay=-1.0)),
    ("Adadelta", dict(lr=-1.0)),
    ("Adadelta", dict(rho=1.5)),
    ("Adadelta", dict(eps=-1.0)),
    ("Adadelta", dict(weight_decay=-1.0)),
    ("Adamax", dict(betas=(0.9, 1.0))),
    ("Adamax", dict(eps=-1.0)),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("NAdam", dict(betas=(-0.1, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))),
    ("RAdam", dict(weight_decay=-1.0)),
    ("ASGD", dict(lr=-1.0)),
    ("ASGD", dict(weight_decay=-1.0)),
    ("Rprop", dict(etas=(1.5, 1.2))),
    ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(lr=-0.1)),
    ("LBFGS", dict(lr=-1.0)),
    ("Adafactor", dict(lr=-1.0)),
    ("Adafactor", dict(beta2_decay=0.5)),
    ("Adafactor", dict(eps=(-1.0, 1e-3))),
    ("Adafactor", dict(eps=(None, -1.0))),
    ("Adafactor", dict(d=0.5)),
    ("Adafactor", dict(weight_decay=-0.1)),
]


@pytest.mark.parametrize("name,kwargs", BAD_ARGUMENTS, ids=[f"{n}-{kw}" for n, kw in BAD_ARGUMENTS])
def test_bad_hyper_parameters_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(mt.optim, name)([mt.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def _error(lib, build):
    with pytest.raises(Exception) as info:
        build(lib)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("case", ["empty", "two_groups", "non_leaf", "set", "tensor", "not_a_tensor", "missing_names"])
def test_bad_parameter_lists_raise_torchs_error(case):
    def build(lib):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        params = {
            "empty": [],
            "two_groups": [{"params": [a, b]}, {"params": [b], "lr": 0.1}],
            "non_leaf": [a * 2],
            "set": [{"params": {a}}],
            "tensor": a,
            "not_a_tensor": [a, 1.0],
            "missing_names": [("a", a), b],
        }[case]
        return lib.optim.SGD(params, lr=0.1)

    (their_type, their_msg), (our_type, our_msg) = _error(torch, build), _error(mt, build)
    assert our_type is their_type
    if case not in ("tensor", "not_a_tensor"):  # those name torch's own type names
        assert our_msg == their_msg


def test_add_param_group_and_named_parameters():
    a, b = mt.ones(2, requires_grad=True), mt.ones(3, requires_grad=True)
    opt = mt.optim.SGD([a], lr=0.5, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.1})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.1
    a.grad, b.grad = mt.ones(2), mt.ones(3)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), 0.5)
    np.testing.assert_allclose(b.detach().numpy(), 0.9)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])
    named = mt.optim.Adam([("w", a), ("b", b)])
    assert named.param_groups[0]["param_names"] == ["w", "b"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_zero_grad():
    p = mt.ones(3, requires_grad=True)
    opt = mt.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_matches_torch():
    def run(lib):
        w = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        losses = []

        def closure():
            opt.zero_grad()
            loss = ((w - 3) ** 2).sum()
            loss.backward()
            return loss

        for _ in range(5):
            losses.append(opt.step(closure).item())
        return losses, w.detach().numpy()

    (l1, w1), (l2, w2) = run(mt), run(torch)
    np.testing.assert_allclose(l1, l2, rtol=1e-12)
    np.testing.assert_allclose(w1, w2, rtol=1e-12)


def test_step_updates_in_place_without_recording_a_graph():
    p = mt.ones(4, requires_grad=True)
    opt = mt.optim.Adam([p], lr=0.1)
    before = p._data
    (p * 3).sum().backward()
    opt.step()
    assert p._data is before and p.grad_fn is None and p.is_leaf
    assert opt.state[p]["exp_avg"].grad_fn is None and not opt.state[p]["exp_avg"].requires_grad


@pytest.fixture
def other_device():
    """A second device type served by NumPy, standing in for cuda."""
    mt.backends.register_backend("npxoptim", mt.backends.NumpyBackend())
    yield "npxoptim"
    del mt.backends._REGISTRY["npxoptim"]


@pytest.mark.parametrize("name,kwargs", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_follows_the_parameters_device(name, kwargs, other_device):
    p = mt.randn(3, device=other_device, requires_grad=True)
    opt = getattr(mt.optim, name)([p], **kwargs)
    for _ in range(2):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    buffers = {k: v for k, v in opt.state[p].items() if k != "step"}
    assert buffers and all(v.device == p.device for v in buffers.values())
    q = mt.randn(3, requires_grad=True)  # loading onto a cpu parameter moves the state to the cpu
    fresh = getattr(mt.optim, name)([q], **kwargs)
    fresh.load_state_dict(opt.state_dict())
    for key, value in fresh.state[q].items():
        assert value.device == mt.device("cpu")
        np.testing.assert_array_equal(value.numpy(), opt.state[p][key].to("cpu").numpy())


def test_adafactor_factors_the_last_two_dims_of_a_stack_as_torchs():
    rng = np.random.default_rng(4)
    init, grads = rng.standard_normal((2, 3, 4)), [rng.standard_normal((2, 3, 4)) for _ in range(6)]
    results = []
    for lib in (mt, torch):
        p = lib.tensor(init, requires_grad=True)
        opt = lib.optim.Adafactor([p], lr=0.1)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        state = opt.state[p]
        results.append((p.detach().numpy(), state["row_var"].numpy(), state["col_var"].numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    for lib in (mt, torch):
        p = lib.zeros(2, dtype=lib.complex64, requires_grad=True)
        p.grad = lib.ones(2, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
            lib.optim.Adafactor([p]).step()


MUON_SHAPES = [(4, 6), (7, 3), (5, 5)]
MUON_CONFIGS = [dict(), dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.0),
                dict(lr=0.02, adjust_lr_fn="match_rms_adamw", ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5)),
                dict(lr=torch.tensor(0.03), adjust_lr_fn="original", eps=1e-3)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", MUON_CONFIGS, ids=["defaults", "plain-momentum", "adamw-rms", "tensor-lr"])
def test_muon_trajectory_matches_torch(kwargs, dtype):
    """Muon's Newton-Schulz iteration runs in bfloat16 precision as torch's (each step rounded once), so the
    trajectories, state and state_dict equal torch's over 8 steps of two parameter groups."""
    rng = np.random.default_rng(8)
    init = [rng.standard_normal(s) for s in MUON_SHAPES]
    grads = [[rng.standard_normal(s) for s in MUON_SHAPES] for _ in range(8)]
    runs = []
    for lib in (torch, mt):
        config = {k: (lib.tensor(v.item()) if isinstance(v, torch.Tensor) else v) for k, v in kwargs.items()}
        params = _params(lib, dtype, init)
        opt = lib.optim.Muon(_groups(params, second_lr=0.01), **config)
        trajectory = []
        for t, step_grads in enumerate(grads):
            for i, (p, g) in enumerate(zip(params, step_grads)):
                p.grad = None if i == 2 and t % 3 == 2 else lib.tensor(g, dtype=getattr(lib, dtype))
            opt.step()
            trajectory.append([p.detach().numpy().copy() for p in params])
        runs.append((trajectory, opt))
    (ours, mt_opt), (theirs, torch_opt) = runs[1], runs[0]
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, **TOLERANCES[dtype], err_msg=f"step {step}")
    assert repr(mt_opt) == repr(torch_opt).replace("tensor(0.0300)", "tensor(0.0300)")
    ours_sd, theirs_sd = mt_opt.state_dict(), torch_opt.state_dict()
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for index, state in theirs_sd["state"].items():
        np.testing.assert_allclose(ours_sd["state"][index]["momentum_buffer"].numpy(),
                                   state["momentum_buffer"].numpy(), **TOLERANCES[dtype])


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (5, 5), (1, 8), (64, 32)])
def test_muon_newton_schulz_is_torchs_in_bfloat16(shape):
    """The orthogonalised update equals torch's bfloat16 iteration bit for bit on small matrices; on a 64 x 32
    one float32 GEMMs may sum in another order, so a few results lie one bfloat16 step away."""
    from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

    from microtorch.optim._muon import _zeropower_via_newtonschulz as ours_ns

    grad = np.random.default_rng(9).standard_normal(shape).astype(np.float32)
    coefficients = (3.4445, -4.7750, 2.0315)
    theirs = torch_ns(torch.tensor(grad), coefficients, 5, 1e-7).float().numpy()
    ours = ours_ns(mt.tensor(grad), coefficients, 5, 1e-7).numpy()
    if max(shape) <= 10:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, atol=2 ** -6)
        assert np.mean(ours != theirs) < 0.05
    singular = np.linalg.svd(ours, compute_uv=False)
    assert singular.min() > 0.5 and singular.max() < 1.3  # near-orthogonal, as Keller Jordan's coefficients give


@pytest.mark.parametrize("build", [
    lambda lib: lib.optim.Muon([lib.zeros(3, requires_grad=True)]),
    lambda lib: lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], lr=-1.0),
    lambda lib: lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], momentum=-0.5),
    lambda lib: lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], weight_decay=-0.1),
    lambda lib: lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], adjust_lr_fn="fast"),
    lambda lib: lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], lr=lib.tensor([0.1, 0.2])),
])
def test_muon_bad_arguments_raise_torchs_error(build):
    assert_like_torch(build)


def test_muon_step_errors_as_torch():
    for lib in (torch, mt):
        p = lib.zeros(2, 2, requires_grad=True)
        p.grad = lib.ones(2, 2)
        with pytest.raises(ValueError, match="Number of steps must be less than 100"):
            lib.optim.Muon([p], ns_steps=100).step()
        c = lib.zeros(2, 2, dtype=lib.complex64, requires_grad=True)
        c.grad = lib.ones(2, 2, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="Muon does not support complex parameters"):
            lib.optim.Muon([c]).step()


@pytest.mark.parametrize("name, kwargs", [("Adam", dict()), ("AdamW", dict()), ("Adam", dict(weight_decay=0.1, amsgrad=True)),
                                          ("Adamax", dict()), ("NAdam", dict()),
                                          ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True))])
def test_a_tensor_lr_keeps_torchs_float32_arithmetic(name, kwargs):
    """With ``lr=tensor(0.03)`` torch computes ``1 - lr * weight_decay`` and ``lr / bias_correction`` in the tensor's
    float32: float64 parameters then follow torch's trajectory to 1e-15, not 1e-8."""
    rng = np.random.default_rng(0)
    init, grads = rng.standard_normal(5), [rng.standard_normal(5) for _ in range(5)]
    results = []
    for lib in (torch, mt):
        w = lib.tensor(init.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([w], lr=lib.tensor(0.03), **kwargs)
        for g in grads:
            w.grad = lib.tensor(g)
            opt.step()
        results.append(w.detach().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=0, atol=1e-15)
