"""microtorch.func against torch.func: the same functions, inputs and weights in both libraries."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch
from microtorch.func._batched import RULES, per_example

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
Y = RNG.normal(size=(4, 3))
W = RNG.normal(size=(5, 3))


def _lib_fn(name):
    """Per-example functions written once against either library."""
    return {
        "mixed": lambda lib: lambda v: (v.sin() * v).sum() * v.exp().mean() + v.softmax(-1)[1] + v.logsumexp(0),
        "shapes": lambda lib: lambda v: (v.reshape(3, 1) * v).permute(1, 0).flip(0).cumsum(1)[..., -1].pow(2).sum(),
        "reductions": lambda lib: lambda v: v.var() + v.amax() * v.norm() + v.prod() + v.std(0) + v.max(0)[0],
        "matmul": lambda lib: lambda v: (v @ lib.tensor(W, dtype=lib.float64).T).tanh().sum(),
        "stack": lambda lib: lambda v: lib.cat([v, v * 2]).reshape(2, 3).mean(0).sum() + lib.stack([v, v]).sum(),
    }[name]


def _close(a, b, tol=1e-10):
    a = a.detach().numpy() if isinstance(a, microtorch.Tensor) else a
    np.testing.assert_allclose(a, b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["mixed", "shapes", "reductions", "matmul", "stack"])
def test_grad_vmap_jacrev_hessian_match_torch(name):
    fm, ft = _lib_fn(name)(microtorch), _lib_fn(name)(torch)
    xm, xt = microtorch.tensor(X), torch.tensor(X)
    _close(microtorch.func.vmap(fm)(xm), torch.func.vmap(ft)(xt))
    _close(microtorch.func.grad(fm)(xm[0]), torch.func.grad(ft)(xt[0]))
    _close(microtorch.func.vmap(microtorch.func.grad(fm))(xm), torch.func.vmap(torch.func.grad(ft))(xt))
    _close(microtorch.func.hessian(fm)(xm[1]), torch.func.hessian(ft)(xt[1]))
    _close(microtorch.func.vmap(microtorch.func.hessian(fm))(xm), torch.func.vmap(torch.func.hessian(ft))(xt))


def test_jacobians_vjp_jvp_match_torch():
    def f(lib):
        return lambda a, b: (a.sin() * b.sum(), a * b)

    fm, ft = f(microtorch), f(torch)
    am, bm, at, bt = microtorch.tensor(X[0]), microtorch.tensor(Y[0]), torch.tensor(X[0]), torch.tensor(Y[0])
    for jm, jt in ((microtorch.func.jacrev, torch.func.jacrev), (microtorch.func.jacfwd, torch.func.jacfwd)):
        got, expected = jm(fm, argnums=(0, 1))(am, bm), jt(ft, argnums=(0, 1))(at, bt)
        for g_out, e_out in zip(got, expected):
            for g, e in zip(g_out, e_out):
                _close(g, e)
    out_m, vjp_m = microtorch.func.vjp(fm, am, bm)
    out_t, vjp_t = torch.func.vjp(ft, at, bt)
    cts = (RNG.normal(size=3), RNG.normal(size=3))
    for g, e in zip(vjp_m(tuple(microtorch.tensor(c) for c in cts)), vjp_t(tuple(torch.tensor(c) for c in cts))):
        _close(g, e)
    tangents = (RNG.normal(size=3), RNG.normal(size=3))
    _, tan_m = microtorch.func.jvp(fm, (am, bm), tuple(microtorch.tensor(t) for t in tangents))
    _, tan_t = torch.func.jvp(ft, (at, bt), tuple(torch.tensor(t) for t in tangents))
    for g, e in zip(tan_m, tan_t):
        _close(g, e)


def test_grad_and_value_argnums_has_aux_and_nesting():
    def f(lib):
        return lambda a, b: ((a * b).sin().sum(), {"aux": a.sum()})

    gm, (vm, auxm) = microtorch.func.grad_and_value(f(microtorch), argnums=(0, 1), has_aux=True)(
        microtorch.tensor(X[0]), microtorch.tensor(Y[0]))
    gt, (vt, auxt) = torch.func.grad_and_value(f(torch), argnums=(0, 1), has_aux=True)(torch.tensor(X[0]), torch.tensor(Y[0]))
    _close(gm[0], gt[0]), _close(gm[1], gt[1]), _close(vm, vt), _close(auxm["aux"], auxt["aux"])
    assert not gm[0].requires_grad  # as torch: inputs that do not require grad give plain results
    third = microtorch.func.grad(microtorch.func.grad(microtorch.func.grad(lambda v: (v ** 4).sum() if v.ndim == 0 else v)))
    assert third(microtorch.tensor(2.0, dtype=microtorch.float64)).item() == pytest.approx(48.0)


def test_vmap_in_dims_out_dims_and_nesting_match_torch():
    def f(lib):
        return lambda a, b, scale: (a * b.sum() * scale, a.mean())

    am, bm = microtorch.tensor(RNG.normal(size=(3, 4))), microtorch.tensor(RNG.normal(size=(2, 4)))
    at, bt = torch.tensor(am.numpy()), torch.tensor(bm.numpy())
    got = microtorch.func.vmap(f(microtorch), in_dims=(1, None, None), out_dims=(1, 0))(am, bm, 2.0)
    expected = torch.func.vmap(f(torch), in_dims=(1, None, None), out_dims=(1, 0))(at, bt, 2.0)
    for g, e in zip(got, expected):
        _close(g, e)
    outer = lambda lib: lib.func.vmap(lib.func.vmap(lambda u, v: (u * v).sum(), in_dims=(0, None)), in_dims=(None, 0))
    _close(outer(microtorch)(am, bm), outer(torch)(at, bt))
    nested_dict = lambda lib, d: lib.func.vmap(lambda p: p["w"] @ p["x"], in_dims=({"w": None, "x": 0},))(d)
    dm = {"w": microtorch.tensor(W), "x": microtorch.tensor(X)}
    dt = {"w": torch.tensor(W), "x": torch.tensor(X)}
    _close(nested_dict(microtorch, dm), nested_dict(torch, dt))


def test_vmap_chunk_size_and_randomness():
    xm = microtorch.tensor(X)
    f = lambda v: (v.exp() * 2).sum()  # noqa: E731
    _close(microtorch.func.vmap(f, chunk_size=3)(xm), torch.func.vmap(f, chunk_size=3)(torch.tensor(X)))
    with pytest.raises(RuntimeError, match="randomness error mode"):
        microtorch.func.vmap(lambda v: v + microtorch.rand(3))(xm)
    same = microtorch.func.vmap(lambda v: v * 0 + microtorch.rand(3), randomness="same")(xm)
    assert (same == same[0]).all().item()
    different = microtorch.func.vmap(lambda v: v * 0 + microtorch.rand(3), randomness="different")(xm)
    assert not (different == different[0]).all().item()
    assert microtorch.rand(2).shape == (2,)  # sampling works again after the error-mode vmap
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        microtorch.func.vmap(f, randomness="sometimes")


def test_vmap_errors_are_torchs():
    xm = microtorch.tensor(X)
    cases = [
        lambda F, T: F.vmap(lambda a, b: a + b)(T(np.zeros((3, 2))), T(np.zeros((4, 2)))),  # mismatched sizes
        lambda F, T: F.vmap(lambda a, b: a + b, in_dims=(0,))(T(X), T(X)),  # in_dims of the wrong structure
        lambda F, T: F.vmap(lambda a: a, in_dims=2)(T(X)),  # in_dim out of range
        lambda F, T: F.vmap(lambda a: a, in_dims=[0])(T(X)),  # a list, not a tuple
        lambda F, T: F.vmap(lambda a: a, in_dims=None)(T(X)),  # nothing to map over
        lambda F, T: F.vmap(lambda a: a)(),
        lambda F, T: F.vmap(lambda a, n: a, in_dims=(0, 0))(T(X), 3),
        lambda F, T: F.vmap(lambda a: 3)(T(X)),
    ]
    for case in cases:
        with pytest.raises(ValueError) as expected:
            case(torch.func, lambda a: torch.tensor(a))
        with pytest.raises(ValueError) as got:
            case(microtorch.func, lambda a: microtorch.tensor(a))
        assert str(got.value).split(":")[0].split("(")[0] == str(expected.value).split(":")[0].split("(")[0]
    with pytest.raises(RuntimeError, match="item"):
        microtorch.func.vmap(lambda a: a.sum().item())(xm)
    with pytest.raises(RuntimeError, match="scalar Tensor"):
        microtorch.func.grad(lambda a: a * 2)(xm[0])


def _models():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.Tanh(),
                             nn.Flatten(), nn.Linear(6 * 3 * 3, 5))

    m = build(microtorch)
    t = build(torch)
    t.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in m.state_dict().items()})
    return m.double(), t.double()


def test_functional_call_of_a_module_matches_torch():
    m, t = _models()
    x = RNG.normal(size=(2, 1, 8, 8))
    params_m = {k: v.detach() * 0.5 for k, v in m.named_parameters()}
    params_t = {k: v.detach() * 0.5 for k, v in t.named_parameters()}
    _close(microtorch.func.functional_call(m, params_m, (microtorch.tensor(x),)),
           torch.func.functional_call(t, params_t, (torch.tensor(x),)))
    assert all((p == 0.5 * p * 2).all().item() for p in m.parameters())  # the module's own parameters are back
    with pytest.raises(RuntimeError, match="Missing key"):
        microtorch.func.functional_call(m, {"0.weight": params_m["0.weight"]}, (microtorch.tensor(x),), strict=True)
    tied = microtorch.nn.Sequential(microtorch.nn.Linear(3, 3, bias=False), microtorch.nn.Linear(3, 3, bias=False))
    tied[1].weight = tied[0].weight
    eye = {"0.weight": microtorch.eye(3)}
    v = microtorch.ones(1, 3)
    assert microtorch.func.functional_call(tied, eye, (v,)).tolist() == [[1.0, 1.0, 1.0]]
    assert microtorch.func.functional_call(tied, eye, (v,), tie_weights=False).tolist() != [[1.0, 1.0, 1.0]]


def test_per_sample_gradients_of_a_cnn_match_a_loop_and_torch():
    m, t = _models()
    x, y = RNG.normal(size=(6, 1, 8, 8)), RNG.integers(0, 5, 6)
    params = {k: v.detach() for k, v in m.named_parameters()}

    def loss(p, xi, yi):
        out = microtorch.func.functional_call(m, p, (xi.unsqueeze(0),))
        return microtorch.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    xm, ym = microtorch.tensor(x), microtorch.tensor(y)
    per_sample = microtorch.func.vmap(microtorch.func.grad(loss), in_dims=(None, 0, 0))(params, xm, ym)
    for i in range(len(x)):  # a loop of single-sample backward passes
        m.zero_grad()
        microtorch.nn.functional.cross_entropy(m(xm[i:i + 1]), ym[i:i + 1]).backward()
        for name, p in m.named_parameters():
            _close(per_sample[name][i], torch.tensor(p.grad.numpy()))

    def tloss(p, xi, yi):
        return torch.nn.functional.cross_entropy(torch.func.functional_call(t, p, (xi.unsqueeze(0),)), yi.unsqueeze(0))

    expected = torch.func.vmap(torch.func.grad(tloss), in_dims=(None, 0, 0))(
        {k: v.detach() for k, v in t.named_parameters()}, torch.tensor(x), torch.tensor(y))
    for name in expected:
        _close(per_sample[name], expected[name])


def test_ensembles_with_stack_module_state_match_torch():
    models_m = [microtorch.nn.Linear(3, 2).double() for _ in range(4)]
    models_t = [torch.nn.Linear(3, 2).double() for _ in range(4)]
    for a, b in zip(models_m, models_t):
        b.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in a.state_dict().items()})
    params_m, buffers_m = microtorch.func.stack_module_state(models_m)
    params_t, buffers_t = torch.func.stack_module_state(models_t)
    assert params_m["weight"].shape == (4, 2, 3) and params_m["weight"].requires_grad and buffers_m == {}

    def ensemble(lib, params, buffers, base, x):
        call = lambda p, b, xx: lib.func.functional_call(base, (p, b), (xx,))  # noqa: E731
        return lib.func.vmap(call, in_dims=(0, 0, None))(params, buffers, x)

    _close(ensemble(microtorch, params_m, buffers_m, models_m[0], microtorch.tensor(X)),
           ensemble(torch, params_t, buffers_t, models_t[0], torch.tensor(X)))


def test_rules_cover_the_common_ops_and_the_fallback_is_correct():
    from microtorch.autograd.ops import conv, linalg, loss, nn as nn_ops, reduce

    for op in (linalg.MatMul, nn_ops.Linear, conv.Conv2d, reduce.Sum, nn_ops.Softmax, loss.CrossEntropy):
        assert RULES[op] is not per_example
    # ops without a rule (einsum, argsort) run per example: still torch's answer
    f = lambda lib: lambda v: lib.einsum("i,i->", v, v) + v.argsort().to(v.dtype) + v.sort()[0]  # noqa: E731
    _close(microtorch.func.vmap(f(microtorch))(microtorch.tensor(X)), torch.vmap(f(torch))(torch.tensor(X)))
    assert microtorch.vmap is microtorch.func.vmap


def test_distributions_inside_vmap_and_grad_match_torch():
    """Per-example log-likelihoods and KLs (validation on) under vmap(grad), as in per-sample variational methods."""
    def f(lib):
        D = lib.distributions
        return lambda v: (D.Normal(v, 1.0 + v.exp()).log_prob(v * 2).sum()
                          + D.kl_divergence(D.Normal(v, 1.0 + 0 * v), D.Normal(0 * v, 2.0 + 0 * v)).sum()
                          + D.Categorical(logits=v).log_prob(lib.tensor(1))
                          + D.MultivariateNormal(v, lib.eye(3, dtype=v.dtype)).log_prob(v * 0.5)
                          + D.Gamma(v.exp(), 2.0).log_prob(v.exp()).sum())

    _close(microtorch.func.vmap(microtorch.func.grad(f(microtorch)))(microtorch.tensor(X)),
           torch.func.vmap(torch.func.grad(f(torch)))(torch.tensor(X)))


def test_vmapped_index_tensors_index_per_example():
    idx = np.array([0, 2, 1, 2])

    def f(lib):
        return lambda v, i, w: v[i] * w[i + 1].sum() + w[i, 0] + v[1:][i % 2]

    _close(microtorch.func.vmap(f(microtorch), in_dims=(0, 0, None))(microtorch.tensor(X), microtorch.tensor(idx),
                                                                       microtorch.tensor(W)),
           torch.func.vmap(f(torch), in_dims=(0, 0, None))(torch.tensor(X), torch.tensor(idx), torch.tensor(W)))


def test_linearize_gives_torchs_output_and_jvps():
    """linearize's output and its jvp_fn, called with two sets of tangents, equal torch's; bad tangents raise
    torch's RuntimeError."""
    x, y = np.random.default_rng(0).standard_normal(4), np.random.default_rng(1).standard_normal(4)

    def run(lib):
        def f(a, b):
            return (a.sin() * b, (a * b).sum())

        out, jvp_fn = lib.func.linearize(f, lib.tensor(x), lib.tensor(y))
        first = jvp_fn(lib.ones(4, dtype=lib.float64), lib.tensor(y))
        second = jvp_fn(lib.tensor(x), lib.zeros(4, dtype=lib.float64))
        errors = []
        for bad in (lambda: jvp_fn(lib.ones(3, dtype=lib.float64), lib.tensor(y)),
                    lambda: jvp_fn(lib.ones(4), lib.tensor(y)), lambda: jvp_fn(lib.ones(4, dtype=lib.float64))):
            with pytest.raises(RuntimeError) as info:
                bad()
            errors.append(str(info.value).split(" with ")[0].split(" tangents")[0])  # (pytree specs print apart)
        return [t.detach().numpy() for t in (*out, *first, *second)], errors

    ours, theirs = run(microtorch), run(torch)
    for a, b in zip(ours[0], theirs[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert ours[1] == theirs[1]


def test_functionalize_and_batch_norm_replacement_as_torch():
    """functionalize returns a function with the same results (eager: nothing to rewrite); a bad ``remove`` raises
    torch's RuntimeError; replace_all_batch_norm_modules_ drops the running statistics of batch norms only."""
    def f(x):
        y = x.clone()
        y.add_(1)
        return y * 2

    for lib in (microtorch, torch):
        assert lib.func.functionalize(f)(lib.ones(2)).tolist() == [4.0, 4.0]
        with pytest.raises(RuntimeError, match="received invalid argument for remove=x"):
            lib.func.functionalize(f, remove="x")
    states = []
    for lib in (microtorch, torch):
        model = lib.nn.Sequential(lib.nn.BatchNorm1d(3), lib.nn.Sequential(lib.nn.BatchNorm2d(2, affine=False)),
                                  lib.nn.InstanceNorm1d(3, track_running_stats=True), lib.nn.Linear(2, 2))
        assert lib.func.replace_all_batch_norm_modules_(model) is model
        states.append([(type(m).__name__, getattr(m, "track_running_stats", None), getattr(m, "running_mean", 0) is None,
                        getattr(m, "num_batches_tracked", 0) is None) for m in model.modules()])
    assert states[0] == states[1]
