"""``autograd.functional`` (vjp, jvp, jacobian, hessian, hvp, vhp) against torch's: values, shapes, result
structure (tensor / tuple / tuple of tuples), whether results carry a graph, and the errors of bad calls and of
strict mode, message for message."""
import numpy as np
import pytest
import torch

import microtorch as mt


def _x(lib):
    return lib.tensor(np.linspace(0.1, 1.2, 6).reshape(2, 3))


def _y(lib):
    return lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3))


def _two_outputs(x, y):
    return (x.sin() * y).sum(-1), (x * y.exp()).pow(2)


def _scalar(x):
    return x.pow(3).sum() + x.prod()


def _scalar2(x, y):
    return (x * y).sin().sum() + x.pow(2).sum() * y.sum()


def _linear(x):
    return (2 * x).sum()


CASES = {
    "vjp tuple": lambda lib, F: F.vjp(_two_outputs, (_x(lib), _y(lib)),
                                      (lib.ones(2, dtype=lib.float64), _x(lib))),
    "vjp scalar v None": lambda lib, F: F.vjp(_scalar, _x(lib)),
    "vjp create_graph": lambda lib, F: F.vjp(_scalar, _x(lib).requires_grad_(), create_graph=True),
    "jvp tuple": lambda lib, F: F.jvp(_two_outputs, (_x(lib), _y(lib)), (_y(lib), _x(lib))),
    "jvp one input": lambda lib, F: F.jvp(lambda x: x.exp() * 3, _x(lib), _y(lib)),
    "jacobian tuple-tuple": lambda lib, F: F.jacobian(_two_outputs, (_x(lib), _y(lib))),
    "jacobian single": lambda lib, F: F.jacobian(lambda x: x.tanh().cumsum(1), _x(lib)),
    "jacobian tuple in": lambda lib, F: F.jacobian(_scalar2, (_x(lib), _y(lib))),
    "jacobian unused input": lambda lib, F: F.jacobian(lambda x, y: x * 2, (_x(lib), _y(lib))),
    "jacobian vectorize": lambda lib, F: F.jacobian(lambda x: x.sin(), _x(lib), vectorize=True),
    "jacobian create_graph": lambda lib, F: F.jacobian(lambda x: x.sin(), _x(lib), create_graph=True),
    "hessian single": lambda lib, F: F.hessian(_scalar, _x(lib)),
    "hessian tuple": lambda lib, F: F.hessian(_scalar2, (_x(lib), _y(lib))),
    "hvp": lambda lib, F: F.hvp(_scalar, _x(lib), _y(lib)),
    "hvp tuple": lambda lib, F: F.hvp(_scalar2, (_x(lib), _y(lib)), (_y(lib), _x(lib))),
    "vhp": lambda lib, F: F.vhp(_scalar, _x(lib), _y(lib)),
    "vhp tuple create_graph": lambda lib, F: F.vhp(_scalar2, (_x(lib), _y(lib)), (_y(lib), _x(lib)),
                                                   create_graph=True),
    # errors
    "inputs not tensors": lambda lib, F: F.jacobian(_scalar, [1.0, 2.0]),
    "tuple input not tensors": lambda lib, F: F.vjp(_scalar2, (_x(lib), 3)),
    "output not tensor": lambda lib, F: F.jacobian(lambda x: 3.0, _x(lib)),
    "v None for a vector": lambda lib, F: F.vjp(lambda x: x * 2, _x(lib)),
    "jvp v None": lambda lib, F: F.jvp(_scalar, _x(lib)),
    "v wrong size": lambda lib, F: F.vjp(lambda x: x * 2, _x(lib), lib.ones(3, dtype=lib.float64)),
    "v wrong length": lambda lib, F: F.jvp(_scalar2, (_x(lib), _y(lib)), (_x(lib),)),
    "v entry wrong size": lambda lib, F: F.jvp(_scalar2, (_x(lib), _y(lib)), (_x(lib), lib.ones(2))),
    "hessian of a vector": lambda lib, F: F.hessian(lambda x: x * 2, _x(lib)),
    "hessian of a tuple": lambda lib, F: F.hessian(lambda x: (x.sum(), x.sum()), _x(lib)),
    "hvp of a vector": lambda lib, F: F.hvp(lambda x: x * 2, _x(lib), _x(lib)),
    "strict unused input": lambda lib, F: F.jacobian(lambda x, y: x * 2, (_x(lib), _y(lib)), strict=True),
    "strict vjp unused": lambda lib, F: F.vjp(lambda x, y: x.sum(), (_x(lib), _y(lib)), strict=True),
    "strict constant output": lambda lib, F: F.vjp(lambda x: lib.ones(1, dtype=lib.float64).sum(), _x(lib),
                                                   strict=True),
    "strict hessian of linear": lambda lib, F: F.hessian(_linear, _x(lib), strict=True),
    "strict vectorize": lambda lib, F: F.jacobian(lambda x: x.sin(), _x(lib), strict=True, vectorize=True),
    "bad strategy": lambda lib, F: F.jacobian(lambda x: x.sin(), _x(lib), strategy="sideways"),
    "forward-mode create_graph": lambda lib, F: F.jacobian(lambda x: x.sin(), _x(lib), create_graph=True,
                                                           strategy="forward-mode", vectorize=True),
}


def _outcome(lib, case):
    try:
        result = CASES[case](lib, lib.autograd.functional)
    except (TypeError, RuntimeError, AssertionError, NotImplementedError) as e:
        return ("raised", type(e).__name__, str(e).replace("microtorch.", "torch.").replace("<class 'torch.Tensor'>",
                                                                                            "<class 'Tensor'>"))
    return ("result", result)


def _compare(got, want):
    """Nested tuples alike, and at the leaves tensors of one shape, graph flag and values."""
    assert isinstance(got, tuple) == isinstance(want, tuple)
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _compare(g, w)
        return
    assert (tuple(got.shape), got.requires_grad) == (tuple(want.shape), want.requires_grad)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_as_torch(case):
    want, got = _outcome(torch, case), _outcome(mt, case)
    assert got[0] == want[0], (got, want)
    if want[0] == "raised":
        assert got[1:] == want[1:]
        return
    _compare(got[1], want[1])


def test_create_graph_results_differentiate_again_as_torch():
    seconds = []
    for lib in (torch, mt):
        x = _x(lib).requires_grad_()
        _, product = lib.autograd.functional.vjp(_scalar, x, create_graph=True)
        seconds.append(lib.autograd.grad(product.pow(2).sum(), x)[0].numpy())
    np.testing.assert_allclose(seconds[1], seconds[0], rtol=1e-12)


@pytest.mark.parametrize("name", ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"])
def test_signatures_are_torchs(name):
    import inspect

    ours = inspect.signature(getattr(mt.autograd.functional, name)).parameters
    theirs = inspect.signature(getattr(torch.autograd.functional, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]
