"""nn.utils against torch: weight_norm and spectral_norm (hook-based and parametrization forms),
register_parametrization and friends, fuse_conv_bn_eval / fuse_linear_bn_eval, clip_grad_norm_'s options."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt

LIBS = (mt, torch)


def _to_mt(state_dict) -> dict:
    return {k: mt.tensor(v.detach().numpy()) for k, v in state_dict.items()}


def _layer(lib, kind: str):
    gen = np.random.default_rng({"linear": 0, "conv": 1, "convT": 2}[kind])
    if kind == "linear":
        layer = lib.nn.Linear(4, 3)
    elif kind == "conv":
        layer = lib.nn.Conv2d(2, 3, 3)
    else:
        layer = lib.nn.ConvTranspose2d(2, 3, 3)
    layer = layer.double()
    with lib.no_grad():
        for p in layer.parameters():
            p.copy_(lib.tensor(gen.standard_normal(tuple(p.shape))))
    return layer


def _input(lib, kind: str):
    gen = np.random.default_rng(5)
    shape = (2, 4) if kind == "linear" else (2, 2, 5, 5)
    return lib.tensor(gen.standard_normal(shape))


def _forward_backward(lib, module, kind: str, calls: int = 3):
    """Outputs of ``calls`` forwards, then the gradients of every parameter after the last backward."""
    outs = []
    for _ in range(calls):
        module.zero_grad()
        out = module(_input(lib, kind))
        (out * out).sum().backward()
        outs.append(out.detach().numpy().copy())
    grads = {n: p.grad.numpy().copy() for n, p in module.named_parameters()}
    return outs, grads, {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _assert_runs_equal(ours, theirs, rtol: float = 1e-10):
    (outs_a, grads_a, state_a), (outs_b, grads_b, state_b) = ours, theirs
    for a, b in zip(outs_a, outs_b):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)
    assert list(grads_a) == list(grads_b)
    for name in grads_b:
        np.testing.assert_allclose(grads_a[name], grads_b[name], rtol=rtol, atol=1e-12, err_msg=name)
    assert list(state_a) == list(state_b)
    for name in state_b:
        np.testing.assert_allclose(state_a[name], state_b[name], rtol=rtol, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None, -1])
@pytest.mark.parametrize("form", ["hook", "parametrization"])
def test_weight_norm_matches_torch(kind, dim, form):
    def run(lib):
        layer = _layer(lib, kind)
        utils = lib.nn.utils if form == "hook" else lib.nn.utils.parametrizations
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            utils.weight_norm(layer, dim=dim)
        return _forward_backward(lib, layer, kind)

    _assert_runs_equal(run(mt), run(torch))


def test_weight_norm_hook_registration_and_removal_match_torch():
    for lib in LIBS:
        layer = _layer(lib, "linear")
        with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
            lib.nn.utils.weight_norm(layer)
        assert [n for n, _ in layer.named_parameters()] == ["bias", "weight_g", "weight_v"]
        assert tuple(layer.weight_g.shape) == (3, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
                lib.nn.utils.weight_norm(layer)
        expected = layer.weight.detach().numpy().copy()
        lib.nn.utils.remove_weight_norm(layer)
        assert [n for n, _ in layer.named_parameters()] == ["bias", "weight"]
        np.testing.assert_allclose(layer.weight.detach().numpy(), expected, rtol=1e-12)
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
            lib.nn.utils.remove_weight_norm(layer)


def test_parametrized_weight_norm_loads_torch_and_old_checkpoints():
    theirs = torch.nn.utils.parametrizations.weight_norm(_layer(torch, "linear"))
    ours = mt.nn.utils.parametrizations.weight_norm(_layer(mt, "linear"))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    with torch.no_grad():
        theirs.parametrizations.weight.original1.mul_(2.0)
    ours.load_state_dict(_to_mt(theirs.state_dict()))
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old_style = torch.nn.utils.weight_norm(_layer(torch, "linear"))
    fresh = mt.nn.utils.parametrizations.weight_norm(_layer(mt, "linear"))
    fresh.load_state_dict(_to_mt(old_style.state_dict()))  # weight_g / weight_v keys are converted
    np.testing.assert_allclose(fresh.weight.detach().numpy(), old_style.weight.detach().numpy(), rtol=1e-12)
    assert type(ours).__name__ == type(theirs).__name__ == "ParametrizedLinear"


@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
@pytest.mark.parametrize("form", ["hook", "parametrization"])
@pytest.mark.parametrize("n_power_iterations", [1, 3])
def test_spectral_norm_matches_torch(kind, form, n_power_iterations):
    """Torch's random u and v are loaded into microtorch's module; then training forwards (power
    iteration each time) and an eval forward agree, buffers included."""
    def build(lib):
        utils = lib.nn.utils if form == "hook" else lib.nn.utils.parametrizations
        return utils.spectral_norm(_layer(lib, kind), n_power_iterations=n_power_iterations)

    theirs, ours = build(torch), build(mt)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(_to_mt(theirs.state_dict()))
    _assert_runs_equal(_forward_backward(mt, ours, kind), _forward_backward(torch, theirs, kind), rtol=1e-9)
    ours.eval(), theirs.eval()
    _assert_runs_equal(_forward_backward(mt, ours, kind, 1), _forward_backward(torch, theirs, kind, 1), rtol=1e-9)


def test_spectral_norm_errors_and_removal_match_torch():
    for lib in LIBS:
        layer = lib.nn.utils.spectral_norm(_layer(lib, "linear"))
        assert [n for n, _ in layer.named_parameters()] == ["bias", "weight_orig"]
        assert [n for n, _ in layer.named_buffers()] == ["weight_u", "weight_v"]
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
            lib.nn.utils.spectral_norm(layer)
        lib.nn.utils.remove_spectral_norm(layer)
        assert [n for n, _ in layer.named_parameters()] == ["bias", "weight"]
        assert not layer._state_dict_hooks
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
            lib.nn.utils.remove_spectral_norm(layer)
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            lib.nn.utils.parametrizations.spectral_norm(_layer(lib, "linear"), n_power_iterations=0)
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.nn.utils.parametrizations.spectral_norm(_layer(lib, "linear"), dim=2)
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'kernel'"):
            lib.nn.utils.parametrizations.spectral_norm(_layer(lib, "linear"), name="kernel")


def _parametrization_classes(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(0, 1)

        def right_inverse(self, a):
            return a.triu()

    class Scale(lib.nn.Module):
        def forward(self, x):
            return x * 2.0

        def right_inverse(self, a):
            return a / 2.0

    class Shrink(lib.nn.Module):  # changes the shape: only with unsafe=True
        def forward(self, x):
            return x[:2]

    class NoInverse(lib.nn.Module):
        def forward(self, x):
            return x + 1.0

    return Symmetric, Scale, Shrink, NoInverse


def _register_run(lib):
    Symmetric, Scale, Shrink, NoInverse = _parametrization_classes(lib)
    P = lib.nn.utils.parametrize
    layer = lib.nn.Linear(3, 3).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(np.arange(9.0).reshape(3, 3)))
    log = [P.is_parametrized(layer), type(layer).__name__]
    P.register_parametrization(layer, "weight", Symmetric())
    P.register_parametrization(layer, "weight", Scale())
    log += [P.is_parametrized(layer), P.is_parametrized(layer, "weight"), P.is_parametrized(layer, "bias"),
            type(layer).__name__, P.type_before_parametrizations(layer).__name__, list(layer.state_dict()),
            [n for n, _ in layer.named_parameters()], layer.weight.detach().numpy().tolist()]
    layer.weight = lib.tensor(np.eye(3) * 4.0)  # runs the right inverses: original = triu(w / 2)
    log.append(layer.parametrizations.weight.original.detach().numpy().tolist())
    with P.cached():
        log.append(layer.weight is layer.weight)
    log.append(layer.weight is layer.weight)
    out = layer(lib.ones(1, 3, dtype=lib.float64))
    out.sum().backward()
    log.append(layer.parametrizations.weight.original.grad.numpy().tolist())
    P.remove_parametrizations(layer, "weight", leave_parametrized=True)
    log += [type(layer).__name__, [n for n, _ in layer.named_parameters()], layer.weight.detach().numpy().tolist(),
            P.is_parametrized(layer)]
    P.register_parametrization(layer, "bias", Shrink(), unsafe=True)
    log.append(tuple(layer.bias.shape))
    P.register_parametrization(layer, "weight", NoInverse())
    P.remove_parametrizations(layer, "weight", leave_parametrized=False)
    log.append(layer.weight.detach().numpy().tolist())
    return log


def test_register_parametrization_matches_torch():
    assert _register_run(mt) == _register_run(torch)


@pytest.mark.parametrize("case", ["shape", "missing", "no_inverse_on_assign", "not_parametrized", "chain_shape"])
def test_parametrize_errors_match_torch(case):
    def run(lib):
        Symmetric, Scale, Shrink, NoInverse = _parametrization_classes(lib)
        P = lib.nn.utils.parametrize
        layer = lib.nn.Linear(3, 3)
        if case == "shape":
            P.register_parametrization(layer, "bias", Shrink())
        elif case == "missing":
            P.register_parametrization(layer, "kernel", Scale())
        elif case == "no_inverse_on_assign":
            P.register_parametrization(layer, "weight", NoInverse())
            layer.weight = lib.zeros(3, 3)
        elif case == "not_parametrized":
            P.remove_parametrizations(layer, "weight")
        else:
            P.register_parametrization(layer, "bias", Scale())
            P.register_parametrization(layer, "bias", Shrink())

    def error(lib):
        with pytest.raises(Exception) as info:
            run(lib)
        return type(info.value), str(info.value).split("\n")[0]

    ours, theirs = error(mt), error(torch)
    assert ours[0] is theirs[0]
    if case not in ("missing", "not_parametrized"):  # those print the module's repr
        assert ours[1] == theirs[1]


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_torch(transpose):
    def run(lib):
        gen = np.random.default_rng(9)
        conv = (lib.nn.ConvTranspose2d(2, 3, 3, bias=False) if transpose else lib.nn.Conv2d(2, 3, 3)).double()
        bn = lib.nn.BatchNorm2d(3).double()
        with lib.no_grad():
            for t in list(conv.parameters()) + [bn.weight, bn.bias, bn.running_mean]:
                t.copy_(lib.tensor(gen.standard_normal(tuple(t.shape))))
            bn.running_var.copy_(lib.tensor(gen.random(3) + 0.5))
        conv.eval(), bn.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        x = _input(lib, "conv")
        return (fused(x).detach().numpy(), bn(conv(x)).detach().numpy(),
                [(n, p.requires_grad) for n, p in fused.named_parameters()])

    (fused_a, ref_a, names_a), (fused_b, ref_b, names_b) = run(mt), run(torch)
    np.testing.assert_allclose(fused_a, fused_b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fused_a, ref_a, rtol=1e-10, atol=1e-12)
    assert names_a == names_b


def test_fuse_linear_bn_eval_matches_torch_and_refuses_training():
    def run(lib):
        gen = np.random.default_rng(4)
        linear, bn = _layer(lib, "linear"), lib.nn.BatchNorm1d(3).double()
        with lib.no_grad():
            for t in (bn.weight, bn.bias, bn.running_mean):
                t.copy_(lib.tensor(gen.standard_normal(3)))
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_linear_bn_eval(linear, bn)
        linear.eval(), bn.eval()
        fused = lib.nn.utils.fuse_linear_bn_eval(linear, bn)
        with pytest.raises(AssertionError, match="To fuse, linear.out_features == bn.num_features"):
            lib.nn.utils.fuse_linear_bn_eval(linear, lib.nn.BatchNorm1d(5).eval())
        return fused(_input(lib, "linear")).detach().numpy()

    np.testing.assert_allclose(run(mt), run(torch), rtol=1e-12, atol=1e-12)


def _grads(lib, scale: float = 1.0):
    gen = np.random.default_rng(2)
    params = [lib.tensor(gen.standard_normal(s), requires_grad=True) for s in ((3, 4), (5,), ())]
    for p in params[:2]:
        p.grad = lib.tensor(gen.standard_normal(tuple(p.shape)) * scale)
    return params  # the last one has no gradient and is skipped


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, -math.inf, 0.5])
@pytest.mark.parametrize("foreach", [None, True, False])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, foreach, max_norm):
    ours, theirs = _grads(mt), _grads(torch)
    total_a = mt.nn.utils.clip_grad_norm_(ours, max_norm, norm_type, foreach=foreach)
    total_b = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type, foreach=foreach)
    np.testing.assert_allclose(total_a.numpy(), total_b.numpy(), rtol=1e-12)
    for a, b in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_clip_grad_helpers_and_errors_match_torch():
    for lib in LIBS:
        params = _grads(lib)
        params[0].grad[0, 0] = math.inf
        with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
            lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
        with pytest.warns(UserWarning, match="empty generator"):
            assert lib.nn.utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0
        with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
            lib.nn.utils.clip_grad_norm(_grads(lib), 1.0)
    ours, theirs = _grads(mt, 3.0), _grads(torch, 3.0)
    norm_a = mt.nn.utils.get_total_norm([p.grad for p in ours[:2]], 3.0)
    norm_b = torch.nn.utils.get_total_norm([p.grad for p in theirs[:2]], 3.0)
    np.testing.assert_allclose(norm_a.numpy(), norm_b.numpy(), rtol=1e-12)
    mt.nn.utils.clip_grads_with_norm_(ours, 2.0, norm_a)
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, norm_b)
    for a, b in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_parameter_vectors_round_trip_as_torch():
    def run(lib):
        model = lib.nn.Sequential(_layer(lib, "linear"), lib.nn.Linear(3, 2).double())
        vec = lib.nn.utils.parameters_to_vector(model.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2 + 1, model.parameters())
        with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
            lib.nn.utils.vector_to_parameters([1.0], model.parameters())
        return vec.detach().numpy(), [p.detach().numpy() for p in model.parameters()]

    (vec_a, params_a), (vec_b, params_b) = run(mt), run(torch)
    assert vec_a.shape == vec_b.shape == (3 * 4 + 3 + 3 * 2 + 2,)
    np.testing.assert_allclose(vec_a[:15], vec_b[:15], rtol=1e-12)  # the first layer has the same weights
    for a, b, v in zip(params_a[:2], params_b[:2], (vec_a[:12], vec_a[12:15])):
        np.testing.assert_allclose(a.reshape(-1), b.reshape(-1), rtol=1e-12)
        np.testing.assert_allclose(a.reshape(-1), v * 2 + 1, rtol=1e-12)


def test_skip_init_matches_torch():
    for lib in LIBS:
        layer = lib.nn.utils.skip_init(lib.nn.Linear, 4, 3, bias=False)
        assert type(layer) is lib.nn.Linear and tuple(layer.weight.shape) == (3, 4) and layer.bias is None
        assert layer.weight.requires_grad and isinstance(layer.weight, lib.nn.Parameter)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
            lib.nn.utils.skip_init(lib.nn.ReLU)
        with pytest.raises(RuntimeError, match="Expected a Module; got"):
            lib.nn.utils.skip_init(int)
