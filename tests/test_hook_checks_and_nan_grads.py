"""Tensor hooks that change a gradient's size or type raise torch's errors; max/min families
route gradients at nan inputs as torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt

NAN = float("nan")


def _error_of(lib, hook, leaf: bool):
    a = lib.ones(3, requires_grad=True)
    try:
        if leaf:
            a.register_hook(hook)
            (a * 2).sum().backward()
        else:
            b = a * 2
            b.register_hook(hook)
            b.sum().backward()
    except Exception as e:  # compared with torch's below
        return type(e), str(e).replace("microtorch.", "").replace("torch.", "")
    return None


def size_changer(g):
    return g.sum()


def type_changer(g):
    return g.double()


def number_returner(g):
    return 5


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize("hook", [size_changer, type_changer, number_returner])
def test_a_hook_changing_the_gradient_raises_torchs_error(hook, leaf):
    expected = _error_of(torch, hook, leaf)
    assert expected is not None
    assert _error_of(mt, hook, leaf) == expected


def test_a_hook_replacing_the_gradient_with_a_same_shaped_tensor_still_works():
    for lib in (torch, mt):
        a = lib.ones(3, requires_grad=True)
        a.register_hook(lambda g: g * 3)
        (a * 2).sum().backward()
        assert a.grad.tolist() == [6.0, 6.0, 6.0]


def test_autograd_grad_checks_hook_results_too():
    a = mt.ones(3, requires_grad=True)
    b = a * 2
    b.register_hook(size_changer)
    with pytest.raises(RuntimeError, match="hook 'size_changer' has changed the size of value"):
        mt.autograd.grad(b.sum(), a)


VALUES = {
    "one nan": [1.0, NAN, 3.0, 3.0],
    "two nans": [NAN, 2.0, NAN, 0.0],
    "all nan": [NAN, NAN],
    "nan among ties": [3.0, NAN, 3.0],
    "ties, no nan": [3.0, 1.0, 3.0],
}
REDUCTIONS = {
    "max()": lambda x: x.max(),
    "min()": lambda x: x.min(),
    "amax": lambda x: x.amax(),
    "amin": lambda x: x.amin(),
    "max(dim)": lambda x: x.max(0).values,
    "min(dim)": lambda x: x.min(0).values,
    "amax(dim) 2-d": lambda x: x.reshape(1, -1).amax(1).sum(),
    "max(dim) 2-d": lambda x: x.reshape(1, -1).max(1).values.sum(),
    "torch.max": lambda x: (torch if isinstance(x, torch.Tensor) else mt).max(x),
}


@pytest.mark.parametrize("values", VALUES.values(), ids=VALUES.keys())
@pytest.mark.parametrize("reduction", REDUCTIONS.values(), ids=REDUCTIONS.keys())
def test_max_min_gradients_at_nan_are_torchs(reduction, values):
    """max()/min() share the gradient between the nans (1 at a single nan, 0 elsewhere); max(dim) sends
    it to the first nan; amax/amin give nan over a slice whose result is nan, as torch."""
    grads = []
    for lib in (torch, mt):
        x = lib.tensor(values, requires_grad=True)
        reduction(x).backward()
        grads.append(np.asarray(x.grad.tolist()))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_max_of_all_elements_at_a_nan_gives_one_there_and_zero_elsewhere():
    x = mt.tensor([[1.0, 5.0], [NAN, 2.0]], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_max_of_all_elements_twice_differentiable_at_ties():
    for lib in (torch, mt):
        x = lib.tensor([2.0, 1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((x * x).max(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        assert g.tolist() == [2.0, 0.0, 2.0] and gg.tolist() == [1.0, 0.0, 1.0]
