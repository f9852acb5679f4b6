"""Custom Functions, higher-order gradients, hooks, in-place ops, anomaly mode, gradcheck, memory."""
from __future__ import annotations

import gc
import math
import tracemalloc

import numpy as np
import pytest
import torch

import microtorch as mt


# ---- custom Functions -----------------------------------------------------------------------------
def legendre_tutorial(lib, steps: int = 300):
    """PyTorch's 'Defining new autograd Functions' tutorial, verbatim but for `lib` and the step count."""

    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = lib.float
    device = lib.device("cpu")
    x = lib.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = lib.sin(x)
    a = lib.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = lib.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = lib.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = lib.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    losses = []
    for t in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses, [v.item() for v in (a, b, c, d)]


def test_legendre_tutorial_runs_with_only_the_import_changed():
    m_losses, m_coeffs = legendre_tutorial(mt)
    t_losses, t_coeffs = legendre_tutorial(torch)
    np.testing.assert_allclose(m_losses, t_losses, rtol=2e-4)
    np.testing.assert_allclose(m_coeffs, t_coeffs, rtol=2e-4, atol=1e-6)
    assert m_losses[-1] < m_losses[0] / 2


class ScaleShift(mt.autograd.Function):
    """Several outputs, a non-tensor argument, a non-differentiable output."""

    @staticmethod
    def forward(ctx, x, w, scale: float):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        y = x * w * scale
        idx = (x > 0).long()
        ctx.mark_non_differentiable(idx)
        return y, y.exp(), idx

    @staticmethod
    def backward(ctx, g_y, g_e, g_idx):
        x, w = ctx.saved_tensors
        e = (x * w * ctx.scale).exp()
        total = (g_y + g_e * e) * ctx.scale
        return (total * w if ctx.needs_input_grad[0] else None,
                total * x if ctx.needs_input_grad[1] else None, None)


def test_custom_function_several_outputs_and_non_tensor_args():
    x = mt.tensor([0.5, -1.0], dtype=mt.float64, requires_grad=True)
    w = mt.tensor([2.0, 3.0], dtype=mt.float64, requires_grad=True)
    y, e, idx = ScaleShift.apply(x, w, 0.5)
    assert y.grad_fn is e.grad_fn and y.grad_fn.name() == "ScaleShiftBackward"
    assert not idx.requires_grad and idx.dtype == mt.int64
    (y.sum() + e.sum()).backward()
    tx, tw = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True), torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)
    ty = tx * tw * 0.5
    (ty.sum() + ty.exp().sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())


def test_custom_function_unused_output_gets_zeros_or_none():
    seen = {}

    class Two(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(seen.get("materialize", True))
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g2"] = g2
            return g1 * 2 + (g2 * 3 if g2 is not None else 0)

    x = mt.ones(2, requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert seen["g2"].tolist() == [0.0, 0.0] and x.grad.tolist() == [2.0, 2.0]
    seen["materialize"] = False
    Two.apply(x)[0].sum().backward()
    assert seen["g2"] is None


def test_custom_function_needs_input_grad_and_setup_context_style():
    class Mul(mt.autograd.Function):
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * y, None

    x = mt.tensor([1.0, 2.0], requires_grad=True)
    Mul.apply(x, mt.tensor([3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_custom_function_bad_backward_raises():
    class WrongCount(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return mt.ones(5)

    x = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        WrongCount.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
        WrongShape.apply(x).backward()


def test_custom_function_double_backward_and_once_differentiable():
    class Cube(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class CubeOnce(Cube):
        @staticmethod
        @mt.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = mt.tensor([2.0], dtype=mt.float64, requires_grad=True)
    (g,) = mt.autograd.grad(Cube.apply(x), [x], create_graph=True)
    (gg,) = mt.autograd.grad(g, [x])
    assert g.item() == 12.0 and gg.item() == 12.0
    with pytest.raises(RuntimeError, match="not twice differentiable"):
        mt.autograd.grad(CubeOnce.apply(x), [x], create_graph=True)
    assert mt.autograd.grad(CubeOnce.apply(x), [x])[0].item() == 12.0


# ---- higher order ---------------------------------------------------------------------------------
def test_hessian_vector_product_matches_torch():
    def f(lib, x):
        return (x.sin() * x.exp()).sum() + (x @ x) ** 2

    v = [0.3, -1.0, 2.0]
    results = []
    for lib in (torch, mt):
        x = lib.tensor([0.1, 0.2, -0.3], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(f(lib, x), [x], create_graph=True)
        (hv,) = lib.autograd.grad(g, [x], grad_outputs=lib.tensor(v, dtype=lib.float64))
        results.append(hv.detach().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


def test_backward_create_graph_gives_differentiable_grad():
    x = mt.tensor(3.0, dtype=mt.float64, requires_grad=True)
    (x ** 4).backward(create_graph=True)
    assert x.grad.item() == 108.0 and x.grad.requires_grad
    (g2,) = mt.autograd.grad(x.grad, [x])
    assert g2.item() == 108.0  # d/dx 4x^3 = 12x^2


def test_once_differentiable_path_raises_under_create_graph():
    x = mt.tensor([0.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not twice differentiable"):
        mt.autograd.grad(x.prod(), [x], create_graph=True)
    assert mt.autograd.grad(x.prod(), [x])[0].tolist() == [6.0, 0.0, 0.0]


# ---- hooks and control ----------------------------------------------------------------------------
def test_hooks_match_torch():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append("leaf") or g * 2)
        y = x * x
        y.register_hook(lambda g: g + 1)
        y.retain_grad()
        z = y.sin()
        handle = z.register_hook(lambda g: g * 100)
        handle.remove()
        z.sum().backward()
        return x.grad.numpy(), y.grad.numpy(), calls

    mx, my, mcalls = run(mt)
    tx, ty, tcalls = run(torch)
    np.testing.assert_allclose(mx, tx, rtol=1e-6)
    np.testing.assert_allclose(my, ty, rtol=1e-6)
    assert mcalls == tcalls == ["leaf"]



@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_piecewise_constant_ops_give_zero_gradient_even_for_inf_and_nan(name):
    def run(lib):
        x = lib.tensor([1.5, -2.5, 0.3, 4.0], requires_grad=True)
        getattr(x, name)().backward(lib.tensor([math.inf, -math.inf, math.nan, 2.0]))
        (g,) = lib.autograd.grad(getattr(x, name)().sum(), [x], create_graph=True)
        return x.grad.tolist(), g.tolist(), g.requires_grad

    assert run(mt) == run(torch) == ([0.0] * 4, [0.0] * 4, False)

def test_requires_grad_switches_and_inference_mode():
    x = mt.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)
    with mt.inference_mode():
        assert (x * 2).grad_fn is None and not mt.is_grad_enabled()
    assert mt.is_grad_enabled()
    with mt.inference_mode(False):
        assert (x * 2).grad_fn is not None


# ---- in-place ops ---------------------------------------------------------------------------------
IN_PLACE = {
    "add_": lambda t: t.add_(2.0), "add_alpha": lambda t: t.add_(t.detach() * 0 + 1, alpha=3), "sub_": lambda t: t.sub_(0.5),
    "mul_": lambda t: t.mul_(1.5), "div_": lambda t: t.div_(4.0), "pow_": lambda t: t.pow_(2), "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(7.0), "clamp_": lambda t: t.clamp_(-0.5, 0.5), "iadd": lambda t: t.__iadd__(1.0),
    "isub": lambda t: t.__isub__(1.0), "imul": lambda t: t.__imul__(-2.0), "idiv": lambda t: t.__itruediv__(2.0),
    "copy_": lambda t: t.copy_(t.detach() * 0 + 3.0), "setitem": lambda t: t.__setitem__((0, slice(1, None)), 9.0) or t,
    "masked_fill_": lambda t: t.masked_fill_(t.detach() > 0, 0.0),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_under_no_grad_updates_leaves_like_torch(name):
    values = [[0.25, -1.5, 2.0], [1.0, -0.75, 0.5]]
    results = []
    for lib in (torch, mt):
        w = lib.tensor(values, requires_grad=True)
        with lib.no_grad():
            out = IN_PLACE[name](w)
        assert out is w and w.requires_grad and w.is_leaf
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


def test_random_fills_in_place():
    w = mt.zeros(2000, requires_grad=True)
    with mt.no_grad():
        w.uniform_(-2.0, 3.0)
    assert w.min().item() >= -2.0 and w.max().item() < 3.0 and abs(w.mean().item() - 0.5) < 0.1
    with mt.no_grad():
        w.normal_(1.0, 0.5)
    assert abs(w.mean().item() - 1.0) < 0.05 and abs(w.std().item() - 0.5) < 0.05
    assert w.is_leaf and w.requires_grad and w.dtype == mt.float32


def test_manual_sgd_idiom():
    w = mt.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with mt.no_grad():
            w -= 0.1 * w.grad
            w.grad = None
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, -2.0]) * 0.8 ** 3, rtol=1e-6)


@pytest.mark.parametrize("name", ["add_", "sub_", "iadd", "imul", "idiv", "mul_", "div_", "clamp_", "setitem"])
def test_in_place_on_leaf_that_requires_grad_raises(name):
    w = mt.tensor([[0.25, -1.5, 2.0], [1.0, -0.75, 0.5]], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        IN_PLACE[name](w)


def _in_place_program(lib, name):
    x = lib.tensor([[0.25, -1.5, 2.0], [1.0, -0.75, 0.5]], dtype=lib.float64, requires_grad=True)
    h = x * 1.5 + 0.1  # a non-leaf
    IN_PLACE[name](h)
    out = (h * h.detach().exp()).sum()
    out.backward()
    return h.detach().numpy().copy(), x.grad.numpy().copy()


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_on_non_leaf_is_recorded_like_torch(name):
    m_vals, m_grad = _in_place_program(mt, name)
    t_vals, t_grad = _in_place_program(torch, name)
    np.testing.assert_allclose(m_vals, t_vals, rtol=1e-12)
    np.testing.assert_allclose(m_grad, t_grad, rtol=1e-12)


def test_setitem_with_values_that_require_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        v = lib.tensor([10.0, 20.0], requires_grad=True)
        buf = x * 2
        buf[lib.tensor([0, 2])] = v * 3
        (buf * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return x.grad.numpy(), v.grad.numpy(), buf.detach().numpy()

    for m, t in zip(run(mt), run(torch)):
        np.testing.assert_allclose(m, t)


def test_modified_saved_tensor_makes_backward_raise():
    x = mt.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()

    h = x * 1.0
    s = h.sin()  # saves its input h
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()

    h = x * 1.0
    row = h[0:1]
    e = row * row  # saves the view
    h.add_(1)  # writes the base: the view's values changed too
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()


VIEW_PROGRAMS = {
    # a write through a view reaches the base's values and its gradient (torch's CopySlices)
    "slice_mul_": lambda lib, x, w: (lambda h: (h[0:2].mul_(3), h)[1])(x * 2),
    "copy_into_row_of_constant": lambda lib, x, w: (lambda buf: (buf[1].copy_(w * 5), buf)[1])(lib.zeros(2, 3, dtype=x.dtype)),
    "setitem_on_view": lambda lib, x, w: (lambda out: (out.view(2, 3).__setitem__(1, w * 5), out)[1])(lib.zeros(6, dtype=x.dtype)),
    "narrow_add_": lambda lib, x, w: (lambda out: (out.narrow(0, 1, 3).add_(w), out)[1])(lib.zeros(6, dtype=x.dtype)),
    "augmented_index": lambda lib, x, w: _augmented(lib.zeros(2, 3, dtype=x.dtype), w),
    "column_iadd": lambda lib, x, w: _column_iadd(x.reshape(3, 2) * 1.5),
    "flatten_mul_": lambda lib, x, w: (lambda h: (h.flatten().mul_(3), h)[1])(x.reshape(3, 2) + 0),
    "view_of_view": lambda lib, x, w: (lambda h: (h[1:][0].mul_(w[0]), h)[1])(x.reshape(3, 2) * 1),
    "transpose_sub_": lambda lib, x, w: (lambda h: (h.t().sub_(w[:2].reshape(2, 1)), h)[1])(x.reshape(3, 2) * 1),
}


def _augmented(buf, w):
    buf[0] += w
    return buf


def _column_iadd(h):
    h[:, 0] += 1
    return h


@pytest.mark.parametrize("name", sorted(VIEW_PROGRAMS))
def test_in_place_through_views_matches_torch(name):
    results = []
    for lib in (torch, mt):
        x = lib.tensor([0.5, -1.0, 2.0, 1.5, -0.25, 3.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([1.0, 2.0, -3.0], dtype=lib.float64, requires_grad=True)
        out = VIEW_PROGRAMS[name](lib, x, w)
        weights = lib.arange(out.numel(), dtype=lib.float64).reshape(out.shape) + 1
        ((out * weights).sum() + w.sum() * 2).backward()
        results.append([out.detach().numpy().copy(), None if x.grad is None else x.grad.numpy().copy(), w.grad.numpy().copy()])
    for got, expected in zip(results[1], results[0]):
        if expected is None:
            assert got is None or not np.any(got)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_writes_through_views_that_cannot_be_replayed_are_refused():
    w = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0:2].mul_(2)  # a view of a leaf that requires grad, as torch
    buf = mt.zeros(2, 3)
    with mt.no_grad():
        row = buf[1]  # made while not recording: it cannot replay itself on buf
    with pytest.raises(RuntimeError, match="view was made while gradients were not recorded"):
        row.copy_(w * 5)


def test_flip_copies_and_view_does_not():
    x = mt.arange(4.0)
    y = x.flip(0)
    y.add_(10)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    m = mt.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        m.t().view(-1)
    r = m.t().reshape(-1)  # a copy, not a view: writing it is independent of m
    r.add_(1)
    assert m.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    v = m.view(3, 2)
    v[0, 0] = 7.0
    assert m[0, 0].item() == 7.0


# ---- anomaly mode and gradcheck -------------------------------------------------------------------
def test_detect_anomaly_names_the_op_and_where_it_was_created():
    x = mt.tensor([0.0, 1.0], requires_grad=True)
    with mt.autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt at 0 is inf
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward' returned nan or inf values in its 0th output") as info:
            y.sum().backward()
    assert "test_autograd_depth.py" in str(info.value)
    x.grad = None
    x.sqrt().sum().backward()  # outside anomaly mode: inf, no error (as torch)
    assert math.isinf(x.grad[0].item())


def test_gradcheck_and_gradgradcheck():
    x = mt.tensor([[0.3, -0.2], [0.5, 1.1]], dtype=mt.float64, requires_grad=True)
    y = mt.tensor([0.7, -0.4], dtype=mt.float64, requires_grad=True)
    assert mt.autograd.gradcheck(lambda a, b: (a @ b).tanh() * b.exp(), (x, y))
    assert mt.autograd.gradgradcheck(lambda a, b: (a.softmax(-1) * b).logsumexp(0), (x, y))

    class Wrong(mt.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(mt.autograd.GradcheckError, match="Jacobian mismatch"):
        mt.autograd.gradcheck(Wrong.apply, (x,))
    assert mt.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


# ---- memory ---------------------------------------------------------------------------------------
def test_training_steps_do_not_grow_memory():
    """1 000 steps of a small MLP (manual SGD): traced memory does not grow."""
    mt.manual_seed(0)
    w1 = (mt.randn(8, 32) * 0.3).requires_grad_()
    b1 = mt.zeros(32, requires_grad=True)
    w2 = (mt.randn(32, 1) * 0.3).requires_grad_()
    x = mt.randn(64, 8)
    y = (x.sum(1, keepdim=True) > 0).float()

    def step():
        h = (x @ w1 + b1).relu()
        loss = ((h @ w2).sigmoid() - y).pow(2).mean()
        loss.backward()
        with mt.no_grad():
            for p in (w1, b1, w2):
                p -= 0.5 * p.grad
                p.grad = None
        return loss.item()

    first = step()
    for _ in range(100):
        step()
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for _ in range(1000):
        last = step()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert last < first
    assert current - base < 64 * 1024, f"memory grew by {current - base} bytes over 1000 steps"
