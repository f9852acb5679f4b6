"""The backward pass: seeding, accumulation, freeing, deep graphs, grad mode."""
from __future__ import annotations

import gc
import warnings
import weakref

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import DEVICES


@pytest.mark.parametrize("device", DEVICES)
def test_scalar_backward_and_accumulation(device):
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [2.0, 4.0, 6.0])
    (x * 3).sum().backward()  # accumulates, as torch
    np.testing.assert_allclose(x.grad.cpu().numpy(), [5.0, 7.0, 9.0])
    assert isinstance(x.grad, mt.Tensor) and not x.grad.requires_grad and x.grad.grad_fn is None


def test_implicit_gradient_only_for_scalars():
    x = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(mt.tensor([1.0, 0.0, -1.0]))
    assert x.grad.tolist() == [2.0, 0.0, -2.0]
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(mt.ones(4))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mt.ones(1).sum().backward()


def test_non_leaf_gradients_are_not_kept():
    x = mt.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    assert y.grad is None and x.grad is not None
    assert not y.is_leaf and x.is_leaf


def test_second_backward_through_freed_graph_raises():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_saved_arrays_are_released_after_backward():
    x = mt.randn(100, requires_grad=True)
    y = x.exp()  # Exp saves its output array
    node = y.grad_fn
    saved = weakref.ref(y._data)
    loss = y.sum()
    del y
    gc.collect()
    assert saved() is not None  # still needed by the graph
    loss.backward()
    gc.collect()
    assert node.saved is None
    assert saved() is None, "the saved output array should be freed once backward has used it"


def test_saved_arrays_kept_with_retain_graph():
    x = mt.randn(10, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward(retain_graph=True)
    assert node.saved is not None


def test_hundred_thousand_op_chain():
    x = mt.tensor(1.0, dtype=mt.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** 100_000, rel=1e-9)


def test_diamond_graph_matches_torch():
    def f(lib, x):
        a = x.exp()
        b = a * x
        c = a.sin() + b
        return (c * b).sum() + a.mean()

    tx = torch.tensor([0.1, -0.4, 0.7], dtype=torch.float64, requires_grad=True)
    mx = mt.tensor([0.1, -0.4, 0.7], dtype=mt.float64, requires_grad=True)
    f(torch, tx).backward()
    f(mt, mx).backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_leaf_grads_do_not_alias():
    a = mt.ones(3, requires_grad=True)
    b = mt.ones(3, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad.mul_(10)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]
    seed = mt.ones(3)
    c = mt.ones(3, requires_grad=True)
    c.backward(seed)
    c.grad.add_(1)
    assert seed.tolist() == [1.0, 1.0, 1.0]


def test_backward_inputs_restricts_accumulation():
    a = mt.ones(2, requires_grad=True)
    b = mt.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


@pytest.mark.parametrize("call", ["grad", "backward"])
def test_inputs_that_are_not_tensors_are_refused_as_torch(call):
    messages = []
    for lib in (torch, mt):
        loss = (lib.ones(2, requires_grad=True) * 2).sum()
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad(loss, [3]) if call == "grad" else lib.autograd.backward(loss, inputs=[3])
        messages.append(str(e.value))
    assert messages[0] == messages[1] == "all inputs have to be Tensors or GradientEdges, but got int"


def test_grad_function_returns_gradients():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = mt.tensor([3.0, 4.0], requires_grad=True)
    gx, gy = mt.autograd.grad((x * y).sum(), [x, y])
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert x.grad is None
    z = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        mt.autograd.grad((x * 2).sum(), [z])
    (gz,) = mt.autograd.grad((x * 2).sum(), [z], allow_unused=True)
    assert gz is None



def test_backward_inputs_accumulates_into_a_non_leaf_like_torch():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        y = (h * h).sum()
        y.backward(inputs=[h], retain_graph=True)
        first = (h.grad.tolist(), x.grad, w.grad, h.retains_grad)
        y.backward(inputs=[h], retain_graph=True)  # accumulates
        second = h.grad.tolist()
        y.backward()  # h now retains its gradient for good, as in torch
        hooked = x * 2
        hooked.register_hook(lambda g: g * 10)  # the hooked gradient is the one stored
        (hooked * hooked).sum().backward(inputs=[hooked])
        seed = lib.ones(2)
        plain = x * 3
        plain.backward(seed, inputs=[plain])
        plain.grad.add_(1)  # .grad owns its memory: the seed stays as it was
        return first, second, h.grad.tolist(), x.grad.tolist(), hooked.grad.tolist(), seed.tolist()

    assert run(mt) == run(torch)


def test_grad_runs_the_hooks_of_leaf_inputs_like_torch():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append(g.tolist()))  # returns None: the gradient is kept
        x.register_hook(lambda g: g * 2)
        (gx,) = lib.autograd.grad((x * 3).sum(), [x])
        gx_twice = lib.autograd.grad((x * x).sum(), [x, x])  # the hooks run once
        z = lib.ones(2, requires_grad=True)
        z.register_hook(lambda g: calls.append("z"))  # z is not asked for: its hook does not run
        lib.autograd.grad((x * z).sum(), [x])
        return gx.tolist(), [g.tolist() for g in gx_twice], calls, x.grad

    assert run(mt) == run(torch)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", ["sqrt at 0", "x ** 0.3 at 0", "0 * inf", "overflow"])
def test_backward_gives_inf_and_nan_without_warnings_like_torch(device, case):
    def run(lib, device):
        if case == "overflow":  # float32: 1e30 * exp(88) overflows
            x = lib.tensor([88.0], requires_grad=True, device=device)
            x.exp().backward(lib.tensor([1e30], device=device))
        else:
            x = lib.tensor([0.0], requires_grad=True, device=device)
            y = {"sqrt at 0": lambda: x.sqrt(), "x ** 0.3 at 0": lambda: x ** 0.3, "0 * inf": lambda: x.sqrt() * 0}[case]
            y().sum().backward()
        return x.grad.tolist()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = run(mt, device)
    expected = run(torch, "cpu")
    np.testing.assert_array_equal(got, expected)
    assert not np.isfinite(expected).any()


def test_anomaly_mode_still_catches_inf_that_backward_no_longer_warns_about():
    x = mt.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings(), mt.autograd.detect_anomaly():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="'SqrtBackward' returned nan or inf"):
            x.sqrt().sum().backward()

def test_detach_cuts_the_graph():
    x = mt.ones(2, requires_grad=True)
    y = (x * 2).detach() * x
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_no_grad_records_nothing():
    x = mt.ones(2, requires_grad=True)
    with mt.no_grad():
        y = x * 2
        assert not mt.is_grad_enabled()
        with mt.enable_grad():
            z = x * 2
    assert mt.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None and z.requires_grad

    @mt.no_grad()
    def double(t):
        return t * 2

    assert double(x).grad_fn is None and mt.is_grad_enabled()
    mt.set_grad_enabled(False)
    assert (x * 2).grad_fn is None
    mt.set_grad_enabled(True)
    with mt.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
    assert mt.is_grad_enabled()


def test_integer_and_bool_outputs_never_require_grad():
    x = mt.tensor([0.5, 1.5], requires_grad=True)
    assert not (x > 1).requires_grad
    assert not x.argmax().requires_grad
    assert not x.long().requires_grad
    assert x.max(0).values.requires_grad and not x.max(0).indices.requires_grad


def test_requires_grad_only_on_floating_tensors():
    with pytest.raises(RuntimeError, match="floating point"):
        mt.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        mt.zeros(2, dtype=mt.int64).requires_grad_()


def test_broadcast_gradients_are_summed_back():
    a = mt.ones(3, 1, requires_grad=True)
    b = mt.ones(1, 4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.shape == (1, 4) and b.grad.tolist() == [[3.0] * 4]


def test_gradients_flow_through_mixed_dtypes():
    x = mt.ones(3, dtype=mt.float16, requires_grad=True)
    s = mt.tensor(2.0, dtype=mt.float32, requires_grad=True)
    y = x * s  # float16, as torch
    assert y.dtype == mt.float16
    y.sum().backward()
    assert x.grad.dtype == mt.float16 and s.grad.dtype == mt.float32
    assert s.grad.item() == 3.0


@pytest.mark.parametrize("lib", [torch, mt], ids=["torch", "microtorch"])
def test_in_place_change_of_a_factor_backward_does_not_need(lib):
    """Like torch, Mul and Div use only what the wanted gradients need: h * 2 and h / 2 never read h again."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = h * 2 + h / 2
    h += 1  # h was saved by both ops, but only as the factor of constants' gradients
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.5, 7.5])
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = h * w  # w's gradient needs h
    h += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_backward_with_inputs_runs_only_the_nodes_that_lead_to_them_like_torch():
    """Below a non-leaf input nothing runs: retained tensors get no .grad, hooks are not called."""
    results = {}
    for lib in (torch, mt):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, -1.0], requires_grad=True)
        calls = []
        below = x * 3
        below.retain_grad()
        below.register_hook(lambda g: calls.append("below"))
        h = below * w
        side = (w * w).sum()  # a branch that does not reach h
        side.retain_grad()
        y = (h * 2).sum() + side
        y.backward(inputs=[h])
        results[lib.__name__] = (h.grad.tolist(), below.grad, x.grad, w.grad, side.grad is None, calls)
        z = (x * w).sum() * 2 + (x * x).sum()
        (gw,) = lib.autograd.grad(z, [w])
        results[lib.__name__] += (gw.tolist(),)
    assert results["microtorch"] == results["torch"]


def test_grad_with_no_inputs_raises_as_torch():
    from helpers import assert_like_torch

    assert_like_torch(lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(), []))
