"""``utils.checkpoint``: values and gradients as without checkpointing and as torch's, both variants, dropout's
draws replayed, ``autograd.grad`` through the non-reentrant one, and torch's warnings and errors."""
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt

LIBS = (torch, mt)


def _model(lib, dropout=0.0):
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Dropout(dropout), lib.nn.Tanh(), lib.nn.Linear(8, 8),
                              lib.nn.Tanh(), lib.nn.Linear(8, 2))
    with lib.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(lib.tensor(np.random.default_rng(i).standard_normal(tuple(p.shape)).astype(np.float64)))
    return model.double()


def _input(lib, requires_grad=True):
    return lib.tensor(np.random.default_rng(9).standard_normal((3, 4)), requires_grad=requires_grad)


def _grads(lib, model, x, run):
    model.zero_grad()
    x.grad = None
    lib.manual_seed(1)
    y = run(model, x)
    (y * y).sum().backward()
    return [y.detach().numpy()] + [p.grad.numpy().copy() for p in model.parameters()] + [x.grad.numpy().copy()]


RUNS = {
    "reentrant": lambda lib: lambda m, x: lib.utils.checkpoint.checkpoint(m, x, use_reentrant=True),
    "non-reentrant": lambda lib: lambda m, x: lib.utils.checkpoint.checkpoint(m, x, use_reentrant=False),
    "sequential": lambda lib: lambda m, x: lib.utils.checkpoint.checkpoint_sequential(m, 3, x, use_reentrant=False),
    "sequential reentrant": lambda lib: lambda m, x: lib.utils.checkpoint.checkpoint_sequential(m, 2, x,
                                                                                                   use_reentrant=True),
}


@pytest.mark.parametrize("variant", list(RUNS))
def test_gradients_equal_the_plain_run_and_torchs(variant):
    per_lib = []
    for lib in LIBS:
        model, x = _model(lib), _input(lib)
        plain = _grads(lib, model, x, lambda m, v: m(v))
        checkpointed = _grads(lib, model, x, RUNS[variant](lib))
        for a, b in zip(checkpointed, plain):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        per_lib.append(checkpointed)
    for a, b in zip(per_lib[1], per_lib[0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("variant", list(RUNS))
def test_dropout_draws_are_replayed_in_the_recomputation(variant):
    for lib in LIBS:  # (each library against itself: their generators draw different masks)
        model, x = _model(lib, dropout=0.5), _input(lib)
        plain = _grads(lib, model, x, lambda m, v: m(v))
        for a, b in zip(_grads(lib, model, x, RUNS[variant](lib)), plain):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_the_node_keeps_only_the_arguments_and_the_parameters():
    model, x = _model(mt), _input(mt)
    y = mt.utils.checkpoint.checkpoint(model, x, use_reentrant=False)
    assert len(y.grad_fn.saved) == 1 + len(list(model.parameters()))  # (no activation of the six layers)
    y = mt.utils.checkpoint.checkpoint(model, x, use_reentrant=True)
    assert len(y.grad_fn.saved) == 1


def test_non_reentrant_serves_autograd_grad_and_double_backward():
    results = []
    for lib in LIBS:
        model, x = _model(lib), _input(lib)
        params = list(model.parameters())
        y = lib.utils.checkpoint.checkpoint(model, x, use_reentrant=False)
        first = lib.autograd.grad(y.sum(), params + [x], create_graph=True)
        second = lib.autograd.grad(first[-1].pow(2).sum(), x)
        results.append([g.detach().numpy() for g in first] + [second[0].numpy()])
    for a, b in zip(results[1], results[0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_tuple_outputs_non_tensor_arguments_and_keywords():
    results = []
    for lib in LIBS:
        w = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([0.3, 0.1, -0.4], dtype=lib.float64, requires_grad=True)

        def f(a, scale, shift=0.0):
            return (a * w * scale).sin() + shift, a.sum()

        u, v = lib.utils.checkpoint.checkpoint(f, x, 3.0, use_reentrant=False, shift=1.5)
        (u.sum() * v).backward()
        results.append((u.detach().numpy(), w.grad.numpy(), x.grad.numpy()))
    for a, b in zip(results[1], results[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_torchs_warnings_and_errors():
    for lib in LIBS:
        model, x = _model(lib), _input(lib)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            lib.utils.checkpoint.checkpoint(model, x)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            y = lib.utils.checkpoint.checkpoint(model, _input(lib, requires_grad=False), use_reentrant=True)
        assert not y.requires_grad  # (the reentrant variant's known limit, as torch's)
        y = lib.utils.checkpoint.checkpoint(model, _input(lib, requires_grad=False), use_reentrant=False)
        assert y.requires_grad  # (the parameters still get gradients)
        with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
            lib.utils.checkpoint.checkpoint(model, x, use_reentrant=True, scale=2)
        with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
            lib.utils.checkpoint.checkpoint(model, x, use_reentrant=True, debug=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.utils.checkpoint.checkpoint(model, x, use_reentrant=False, preserve_rng_state=False)
