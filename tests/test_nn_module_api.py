"""The rest of nn.Module's API against torch: hooks (forward with kwargs, full backward, state_dict),
submodule/parameter lookup, load_state_dict(assign=True), to_empty, compile, ParameterList/ParameterDict."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import microtorch as mt

LIBS = (mt, torch)


def _linear(lib, in_features: int = 3, out_features: int = 2):
    layer = lib.nn.Linear(in_features, out_features).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(np.arange(in_features * out_features).reshape(out_features, in_features) / 7.0))
        layer.bias.copy_(lib.tensor(np.linspace(-1, 1, out_features)))
    return layer


class _Scaled:
    """A module whose forward takes a keyword argument (built for either library)."""

    @staticmethod
    def build(lib):
        class Scaled(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = _linear(lib)

            def forward(self, x, scale=1.0, *, shift=0.0):
                return self.inner(x) * scale + shift

        return Scaled()


def _x(lib, requires_grad: bool = True):
    return lib.tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), requires_grad=requires_grad)


def _forward_hook_log(lib):
    model = _Scaled.build(lib)
    log = []

    def pre_with_kwargs(module, args, kwargs):
        log.append(("pre kw", len(args), sorted(kwargs)))
        return args, dict(kwargs, shift=kwargs.get("shift", 0.0) + 1.0)

    model.register_forward_pre_hook(lambda m, args: log.append(("pre", len(args))))
    model.register_forward_pre_hook(pre_with_kwargs, with_kwargs=True)
    model.register_forward_pre_hook(lambda m, args: log.append(("first",)), prepend=True)
    model.register_forward_hook(lambda m, args, kwargs, out: log.append(("post kw", sorted(kwargs))) or out * 2,
                                with_kwargs=True)
    handle = model.register_forward_hook(lambda m, args, out: log.append(("post", tuple(out.shape))))
    out = model(_x(lib), scale=3.0, shift=0.5)
    handle.remove()
    out2 = model(_x(lib), 2.0)
    return log, out.detach().numpy(), out2.detach().numpy()


def test_forward_hooks_with_kwargs_match_torch():
    (log_a, out_a, out2_a), (log_b, out_b, out2_b) = _forward_hook_log(mt), _forward_hook_log(torch)
    assert log_a == log_b and len(log_a) == 9
    np.testing.assert_allclose(out_a, out_b, rtol=1e-12)
    np.testing.assert_allclose(out2_a, out2_b, rtol=1e-12)


def test_bad_pre_hook_result_and_always_call_match_torch():
    for lib in LIBS:
        model = _linear(lib)
        model.register_forward_pre_hook(lambda m, a, k: "bad", with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of \\(new_args, new_kwargs\\)"):
            model(_x(lib))

    def failing(lib):
        model = _linear(lib)
        calls = []
        model.register_forward_hook(lambda m, a, out: calls.append(("always", out)), always_call=True)
        model.register_forward_hook(lambda m, a, out: calls.append(("normal", out)))
        with pytest.raises(RuntimeError):
            model(lib.ones(2, 5, dtype=lib.float64))  # wrong feature size: forward raises
        return calls

    assert failing(mt) == failing(torch) == [("always", None)]


def _backward_hook_run(lib, replace_input: bool, replace_output: bool):
    layer = _linear(lib)
    seen = []

    def hook(module, grad_input, grad_output):
        seen.append(("hook", [None if g is None else g.numpy().copy() for g in grad_input],
                     [g.numpy().copy() for g in grad_output]))
        return (grad_input[0] * 10,) if replace_input else None

    def pre_hook(module, grad_output):
        seen.append(("pre", [g.numpy().copy() for g in grad_output]))
        return (grad_output[0] + 1,) if replace_output else None

    layer.register_full_backward_hook(hook)
    layer.register_full_backward_pre_hook(pre_hook)
    x = _x(lib)
    (layer(x) ** 2).sum().backward()
    return seen, x.grad.numpy(), layer.weight.grad.numpy()


def _assert_nested_close(a, b):
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_nested_close(u, v)
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    else:
        assert a == b


@pytest.mark.parametrize("replace_input,replace_output", [(False, False), (True, False), (False, True), (True, True)])
def test_full_backward_hooks_match_torch(replace_input, replace_output):
    ours, theirs = _backward_hook_run(mt, replace_input, replace_output), _backward_hook_run(torch, replace_input, replace_output)
    _assert_nested_close(ours, theirs)
    assert [kind for kind, *_ in ours[0]] == ["pre", "hook"]


def test_full_backward_hook_without_input_grads_and_bad_results_match_torch():
    def run(lib):
        layer = _linear(lib)
        seen = []
        layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape[0])))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            layer(_x(lib, requires_grad=False), ).sum().backward()
        return seen, any("no inputs require gradients" in str(w.message) for w in caught)

    assert run(mt) == run(torch) == ([((None,), 2)], True)
    for lib in LIBS:
        layer = _linear(lib)
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but expected 1"):
            layer(_x(lib)).sum().backward()


def _error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e), str(e)
    return None


def _tree(lib):
    model = lib.nn.Sequential(_linear(lib), lib.nn.ReLU())
    model.register_module("extra", lib.nn.BatchNorm1d(2))
    model.tag = "not a module"
    return model


@pytest.mark.parametrize("call", [
    lambda m: m.get_submodule("extra"), lambda m: m.get_submodule("0"), lambda m: m.get_submodule(""),
    lambda m: m.get_submodule("missing"), lambda m: m.get_submodule("tag"), lambda m: m.get_submodule("0.weight"),
    lambda m: m.get_parameter("0.weight"), lambda m: m.get_parameter("0.nothing"),
    lambda m: m.get_parameter("extra.running_mean"), lambda m: m.get_buffer("extra.running_mean"),
    lambda m: m.get_buffer("extra.weight"), lambda m: m.get_buffer("extra.nothing"),
    lambda m: m.register_module("bad.name", None), lambda m: m.register_module("x", "not a module"),
])
def test_lookup_and_registration_match_torch(call):
    ours, theirs = _error(lambda: call(_tree(mt))), _error(lambda: call(_tree(torch)))
    if theirs is None:
        result_a, result_b = call(_tree(mt)), call(_tree(torch))
        assert type(result_a).__name__ == type(result_b).__name__
        assert tuple(getattr(result_a, "shape", ())) == tuple(getattr(result_b, "shape", ()))
    else:
        assert ours is not None and ours[0] is theirs[0]
        assert ours[1].replace("microtorch", "torch") == theirs[1]


def test_named_parameters_remove_duplicate_matches_torch():
    def names(lib, remove_duplicate):
        shared = _linear(lib)
        model = lib.nn.Sequential(shared, lib.nn.Sequential(shared, _linear(lib, 2, 2)))
        model.tied = model[1][1].weight
        return [n for n, _ in model.named_parameters(remove_duplicate=remove_duplicate)]

    for remove_duplicate in (True, False):
        assert names(mt, remove_duplicate) == names(torch, remove_duplicate)
    assert len(names(mt, False)) > len(names(mt, True))


def _state_dict_hooks(lib):
    calls = []
    model = lib.nn.Sequential(_linear(lib), _linear(lib, 2, 2))
    model.register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(("pre", prefix, keep_vars)))
    model[0].register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(("pre child", prefix)))

    def add_note(module, state_dict, prefix, local_metadata):
        calls.append(("post", prefix, sorted(local_metadata)))
        state_dict[prefix + "note"] = lib.ones(1)

    model[1].register_state_dict_post_hook(add_note)
    model[1]._register_state_dict_hook(lambda m, sd, prefix, meta: {k: v for k, v in sd.items() if "bias" not in k})
    state = model.state_dict()
    calls.append(("keys", list(state)))

    fresh = lib.nn.Sequential(_linear(lib), _linear(lib, 2, 2))

    def rename(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
        calls.append(("load pre", prefix, strict))
        state_dict.pop(prefix + "note", None)

    def forgive(module, incompatible):
        calls.append(("load post", sorted(incompatible.missing_keys), sorted(incompatible.unexpected_keys)))
        incompatible.missing_keys.clear()

    fresh[1].register_load_state_dict_pre_hook(rename)
    fresh.register_load_state_dict_post_hook(forgive)
    result = fresh.load_state_dict(state)
    calls.append(("result", result.missing_keys, result.unexpected_keys))
    return calls


def test_state_dict_hooks_match_torch():
    ours, theirs = _state_dict_hooks(mt), _state_dict_hooks(torch)
    ours = [tuple([c[0], c[1], ["version" if k == "version" else k for k in c[2]]] + list(c[3:]))
            if c[0] == "post" else c for c in ours]
    assert ours == theirs


def test_public_state_dict_post_hook_must_return_none():
    for lib in LIBS:
        model = _linear(lib)
        model.register_state_dict_post_hook(lambda m, sd, prefix, meta: {})
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            model.state_dict()
        model = _linear(lib)
        model.register_load_state_dict_post_hook(lambda m, keys: 1)
        with pytest.raises(AssertionError, match="not expected to return new values"):
            model.load_state_dict(_linear(lib).state_dict())


def test_load_state_dict_assign_matches_torch():
    for lib in LIBS:
        model = _linear(lib)
        weight, bias = lib.zeros(2, 3, dtype=lib.float64), lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        model.load_state_dict({"weight": weight, "bias": bias}, assign=True)
        assert isinstance(model.weight, lib.nn.Parameter) and model.weight.requires_grad
        assert model.bias is bias
        with lib.no_grad():
            weight.add_(5)
        assert model.weight.sum().item() == 30.0  # the assigned tensor's memory, not a copy


def test_to_empty_and_compile_match_torch():
    for lib in LIBS:
        model = lib.nn.Sequential(_linear(lib), lib.nn.BatchNorm1d(2))
        params = list(model.parameters())
        assert model.to_empty(device="cpu") is model
        assert [p is q for p, q in zip(model.parameters(), params)] == [True] * 4
        assert [(tuple(p.shape), str(p.dtype).split(".")[-1]) for p in model.parameters()] == \
               [((2, 3), "float64"), ((2,), "float64"), ((2,), "float32"), ((2,), "float32")]
        assert model[1].running_mean.shape == (2,)
    mt_model = _linear(mt)
    assert mt_model.compile(mode="reduce-overhead", fullgraph=True) is None
    np.testing.assert_allclose(mt_model(_x(mt)).detach().numpy(), _linear(torch)(_x(torch)).detach().numpy(), rtol=1e-12)


def _containers(lib):
    model = lib.nn.Module()
    model.plist = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
    model.plist.append(lib.ones(1)).extend([lib.zeros(2, 2), "an object"])
    model.pdict = lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.nn.Parameter(lib.zeros(1, 2))})
    model.pdict.update([("z", lib.ones(3)), ("c", lib.zeros(1))])
    model.pdict.setdefault("d", lib.ones(1))
    popped = model.pdict.popitem()[0]
    merged = model.pdict | lib.nn.ParameterDict({"e": lib.ones(5)})
    return dict(
        repr=repr(model).replace("microtorch", "LIB").replace("torch", "LIB"),
        names=[n for n, _ in model.named_parameters()],
        keys=list(model.state_dict()), sliced=len(model.plist[1:4]), negative=tuple(model.plist[-2].shape),
        popped=popped, merged=list(merged.keys()), kinds=[type(p).__name__ for p in model.plist],
        grads=[p.requires_grad for p in model.pdict.values()], contains=("a" in model.pdict, "q" in model.pdict),
        got=model.pdict.get("q", 7), fromkeys=list(model.pdict.fromkeys(["x", "y"]).keys()),
    )


def test_parameter_list_and_dict_match_torch():
    ours, theirs = _containers(mt), _containers(torch)
    assert ours == theirs
    assert ours["names"][:4] == ["plist.0", "plist.1", "plist.2", "plist.3"]


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.ParameterList([lib.ones(1)])[3],
    lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
    lambda lib: lib.nn.ParameterList()(lib.ones(1)),
    lambda lib: lib.nn.ParameterDict()[1],
    lambda lib: lib.nn.ParameterDict().update(5),
    lambda lib: lib.nn.ParameterDict().update([("a", lib.ones(1), 3)]),
    lambda lib: lib.nn.ParameterDict()(lib.ones(1)),
    lambda lib: lib.nn.ParameterDict()["missing"],
])
def test_container_errors_match_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert ours[0] is theirs[0]
    assert ours[1].replace("microtorch", "torch") == theirs[1]


def test_torch_state_dict_loads_into_parameter_containers():
    def build(lib):
        model = lib.nn.Module()
        model.plist = lib.nn.ParameterList([lib.randn(2, 3), lib.randn(4)])
        model.pdict = lib.nn.ParameterDict({"w": lib.randn(3)})
        return model

    theirs = build(torch)
    ours = build(mt)
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    for (name_a, a), (name_b, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name_a == name_b
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _functional_call_run(lib, tie_weights: bool, strict: bool):
    model = lib.nn.Sequential(_linear(lib), lib.nn.BatchNorm1d(2).double(), _linear(lib, 2, 2))
    replacement = {"0.weight": lib.tensor(np.ones((2, 3)), requires_grad=True),
                   "1.running_mean": lib.tensor(np.array([0.5, -0.5]))}
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if strict:
            with pytest.raises(RuntimeError) as info:
                lib.nn.utils.stateless.functional_call(model, replacement, (_x(lib),), strict=True)
            return str(info.value)
        out = lib.nn.utils.stateless.functional_call(model, replacement, _x(lib), tie_weights=tie_weights)
    out.sum().backward()
    return (out.detach().numpy(), replacement["0.weight"].grad.numpy(), model[0].weight.grad,
            model[0].weight.detach().numpy(), model[1].running_mean.numpy())


def test_stateless_functional_call_matches_torch():
    for tie_weights in (True, False):
        ours, theirs = _functional_call_run(mt, tie_weights, False), _functional_call_run(torch, tie_weights, False)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
        assert ours[2] is None and theirs[2] is None  # the module's own weight got no gradient and is back
        np.testing.assert_allclose(ours[3], theirs[3])
        np.testing.assert_allclose(ours[4], theirs[4])
    assert _functional_call_run(mt, True, True) == _functional_call_run(torch, True, True)


def test_functional_call_with_tied_weights_matches_torch():
    def run(lib):
        model = lib.nn.Sequential(_linear(lib, 2, 2), _linear(lib, 2, 2))
        model[1].weight = model[0].weight
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            out = lib.nn.utils.stateless.functional_call(model, {"0.weight": lib.eye(2, dtype=lib.float64)},
                                                         (lib.ones(1, 2, dtype=lib.float64),))
            with pytest.raises(ValueError, match="which are tied"):
                lib.nn.utils.stateless.functional_call(
                    model, {"0.weight": lib.eye(2, dtype=lib.float64), "1.weight": lib.zeros(2, 2, dtype=lib.float64)},
                    (lib.ones(1, 2, dtype=lib.float64),))
        return out.detach().numpy()

    np.testing.assert_allclose(run(mt), run(torch), rtol=1e-12)


LAZY = {
    "LazyLinear": (lambda nn: nn.LazyLinear(3), (2, 4)),
    "LazyLinear-no-bias": (lambda nn: nn.LazyLinear(3, bias=False), (5, 2, 6)),
    "LazyConv1d": (lambda nn: nn.LazyConv1d(4, 3, stride=2), (2, 3, 9)),
    "LazyConv2d": (lambda nn: nn.LazyConv2d(4, 3, padding=1, groups=2), (2, 2, 5, 5)),
    "LazyConv2d-unbatched": (lambda nn: nn.LazyConv2d(2, 2), (3, 4, 4)),
    "LazyConvTranspose1d": (lambda nn: nn.LazyConvTranspose1d(2, 3, output_padding=1, stride=2), (1, 3, 4)),
    "LazyConvTranspose2d": (lambda nn: nn.LazyConvTranspose2d(4, 3, stride=2), (2, 3, 4, 4)),
    "LazyConv3d": (lambda nn: nn.LazyConv3d(4, 2, padding=1), (1, 2, 3, 3, 3)),
    "LazyConvTranspose3d": (lambda nn: nn.LazyConvTranspose3d(2, 2, stride=2), (1, 3, 2, 2, 2)),
    "LazyBatchNorm1d": (lambda nn: nn.LazyBatchNorm1d(), (4, 3)),
    "LazyBatchNorm2d": (lambda nn: nn.LazyBatchNorm2d(momentum=0.3), (2, 3, 4, 4)),
    "LazyBatchNorm3d-no-affine": (lambda nn: nn.LazyBatchNorm3d(affine=False), (2, 3, 2, 2, 2)),
    "LazyBatchNorm1d-no-bias": (lambda nn: nn.LazyBatchNorm1d(bias=False, track_running_stats=False), (4, 5, 2)),
    "LazyInstanceNorm1d": (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 5)),
    "LazyInstanceNorm2d": (lambda nn: nn.LazyInstanceNorm2d(affine=False), (2, 3, 4, 4)),
    "LazyInstanceNorm3d": (lambda nn: nn.LazyInstanceNorm3d(track_running_stats=False), (1, 2, 3, 3, 3)),
}


def _lazy_run(lib, name: str):
    build, shape = LAZY[name]
    x = lib.tensor(np.random.default_rng(8).standard_normal(shape), dtype=lib.float32)
    lazy = build(lib.nn)
    before = (repr(lazy), list(lazy.state_dict()), repr(lazy.weight), lazy.has_uninitialized_params())
    out = lazy(x)
    after = (repr(lazy), type(lazy).__name__, [(n, tuple(p.shape)) for n, p in lazy.named_parameters()],
             tuple(out.shape), hasattr(lazy, "_initialize_hook"))
    return before, after


@pytest.mark.parametrize("name", list(LAZY))
def test_lazy_modules_match_torch(name):
    assert _lazy_run(mt, name) == _lazy_run(torch, name)


@pytest.mark.parametrize("name", [n for n in LAZY if "Norm" in n])
def test_lazy_norms_compute_and_track_as_torchs(name):
    build, shape = LAZY[name]
    x = np.random.default_rng(3).standard_normal(shape)
    results = []
    for lib in (mt, torch):
        module = build(lib.nn).double()
        outs = [module(lib.tensor(x)) for _ in range(2)]
        module.eval()
        outs.append(module(lib.tensor(x * 2)))
        results.append([o.detach().numpy() for o in outs] + [v.numpy() for v in module.state_dict().values()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_lazy_instance_norm_reads_dim_1_even_unbatched_as_torchs():
    for lib in (mt, torch):  # (torch's lazy norms take num_features from shape[1]: 5 here, then the check refuses)
        with pytest.raises(ValueError, match=r"expected input's size at dim=0 to match num_features \(5\), but got: 3"):
            lib.nn.LazyInstanceNorm1d()(lib.ones(3, 5))


def test_lazy_module_loads_torch_weights_and_checks_input():
    theirs = torch.nn.Conv2d(3, 4, 3)
    ours = mt.nn.LazyConv2d(4, 3)
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(mt.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert type(ours).__name__ == "Conv2d"
    for lib in LIBS:
        with pytest.raises(RuntimeError) as info:
            lib.nn.LazyConv2d(4, 3)(lib.ones(5))
        assert "Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input of size" in str(info.value)
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5))
