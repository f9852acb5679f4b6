"""nn.utils.prune against torch: masks, the _orig/_mask layout, iterative pruning, global pruning, removal."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401  (torch does not import it with torch.nn.utils)

import microtorch as mt


def _model(lib):
    gen = np.random.default_rng(11)
    model = lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3), lib.nn.Flatten(), lib.nn.Linear(36, 5)).double()
    with lib.no_grad():
        for p in model.parameters():  # distinct magnitudes: no ties for topk to break differently
            p.copy_(lib.tensor(gen.permutation(p.numel()).reshape(tuple(p.shape)) * 0.01 - 0.1 + gen.random() * 1e-3))
    return model


def _x(lib):
    return lib.tensor(np.random.default_rng(12).standard_normal((2, 2, 5, 5)))


STEPS = {
    "l1-fraction": lambda P, m: P.l1_unstructured(m[0], "weight", amount=0.3),
    "l1-count": lambda P, m: P.l1_unstructured(m[2], "weight", amount=17),
    "l1-twice": lambda P, m: (P.l1_unstructured(m[2], "weight", 0.5), P.l1_unstructured(m[2], "weight", 0.5)),
    "l1-importance": lambda P, m: P.l1_unstructured(m[2], "bias", 2, importance_scores=m[2].bias.detach().flip(0)),
    "ln-structured": lambda P, m: P.ln_structured(m[0], "weight", amount=0.5, n=2, dim=0),
    "ln-structured-l1-inf": lambda P, m: (P.ln_structured(m[0], "weight", 1, n=1, dim=1),
                                          P.ln_structured(m[0], "weight", 1, n=math.inf, dim=-1)),
    "structured-then-unstructured": lambda P, m: (P.ln_structured(m[2], "weight", 2, n=2, dim=0),
                                                  P.l1_unstructured(m[2], "weight", 0.25)),
    "custom": lambda P, m: P.custom_from_mask(m[2], "bias", mask=_bias_mask(m)),
    "identity-then-l1": lambda P, m: (P.identity(m[0], "bias"), P.l1_unstructured(m[0], "bias", 1)),
    "global": lambda P, m: P.global_unstructured([(m[0], "weight"), (m[2], "weight")],
                                                 pruning_method=P.L1Unstructured, amount=0.4),
    "global-after-local": lambda P, m: (P.l1_unstructured(m[0], "weight", 0.2),
                                        P.global_unstructured([(m[0], "weight"), (m[2], "bias")],
                                                              pruning_method=P.L1Unstructured, amount=10)),
}


def _bias_mask(model):
    lib = torch if isinstance(model[2].bias, torch.Tensor) else mt
    return lib.tensor([1.0, 0.0, 1.0, 0.0, 1.0])


def _run(lib, name: str, remove: bool):
    model = _model(lib)
    STEPS[name](lib.nn.utils.prune, model)
    pruned = lib.nn.utils.prune.is_pruned(model)
    out = model(_x(lib))
    (out * out).sum().backward()
    grads = {n: p.grad.numpy().copy() for n, p in model.named_parameters()}
    if remove:
        for module in (model[0], model[2]):
            for tensor_name in ("weight", "bias"):
                if hasattr(module, tensor_name + "_mask"):
                    lib.nn.utils.prune.remove(module, tensor_name)
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    return pruned, out.detach().numpy(), grads, state, lib.nn.utils.prune.is_pruned(model)


@pytest.mark.parametrize("remove", [False, True])
@pytest.mark.parametrize("name", list(STEPS))
def test_pruning_matches_torch(name, remove):
    (pruned_a, out_a, grads_a, state_a, after_a), (pruned_b, out_b, grads_b, state_b, after_b) = (
        _run(mt, name, remove), _run(torch, name, remove))
    assert pruned_a is pruned_b is True and after_a is after_b is (not remove)
    np.testing.assert_allclose(out_a, out_b, rtol=1e-12, atol=1e-12)
    assert list(grads_a) == list(grads_b)
    for key in grads_b:
        np.testing.assert_allclose(grads_a[key], grads_b[key], rtol=1e-12, atol=1e-12, err_msg=key)
    assert list(state_a) == list(state_b)
    for key in state_b:
        np.testing.assert_array_equal(state_a[key], state_b[key], err_msg=key)
    assert any(k.endswith("_mask") for k in state_a) is (not remove)


@pytest.mark.parametrize("method", ["random_unstructured", "random_structured"])
def test_random_pruning_prunes_the_requested_amount(method):
    model = _model(mt)
    prune = mt.nn.utils.prune
    if method == "random_unstructured":
        prune.random_unstructured(model[2], "weight", amount=0.25)
        assert int((model[2].weight_mask == 0).sum()) == round(0.25 * 180)
    else:
        prune.random_structured(model[0], "weight", amount=2, dim=0)
        channels_zeroed = (model[0].weight_mask.sum(dim=[1, 2, 3]) == 0).sum()
        assert int(channels_zeroed) == 2
    weight = model[2].weight if method == "random_unstructured" else model[0].weight
    orig = model[2].weight_orig if method == "random_unstructured" else model[0].weight_orig
    mask = model[2].weight_mask if method == "random_unstructured" else model[0].weight_mask
    np.testing.assert_array_equal(weight.detach().numpy(), (orig * mask).detach().numpy())


@pytest.mark.parametrize("call", [
    lambda P, m: P.l1_unstructured(m[2], "weight", amount=1.5),
    lambda P, m: P.l1_unstructured(m[2], "weight", amount=-1),
    lambda P, m: P.l1_unstructured(m[2], "weight", amount="half"),
    lambda P, m: P.l1_unstructured(m[2], "bias", amount=9),
    lambda P, m: P.ln_structured(m[2], "bias", amount=1, n=2, dim=0),
    lambda P, m: P.ln_structured(m[2], "weight", amount=1, n=2, dim=3),
    lambda P, m: P.global_unstructured([(m[2], "weight")], pruning_method=P.LnStructured, amount=1, n=2, dim=0),
    lambda P, m: P.global_unstructured(5, pruning_method=P.L1Unstructured, amount=1),
    lambda P, m: P.remove(m[2], "weight"),
])
def test_bad_pruning_raises_torchs_error(call):
    def error(lib):
        model = _model(lib)
        with pytest.raises(Exception) as info:
            call(lib.nn.utils.prune, model)
        message = str(info.value).replace("microtorch", "torch")
        return type(info.value), message, [n for n, _ in model.named_parameters()]  # the parameter is put back

    ours, theirs = error(mt), error(torch)
    assert ours[0] is theirs[0] and ours[2] == theirs[2]
    if "module" not in theirs[1]:  # messages that print the module's repr differ only by library name
        assert ours[1] == theirs[1]
