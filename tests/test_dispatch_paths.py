"""The short dispatch paths against the general ones and against torch: unrecorded arithmetic straight to the
ufunc (``_promotion._apply_binary``) and recorded arithmetic straight to ``Op.apply``, saved inputs handed back
inline by ``saved_tensors``, ``unbind`` as one op, the plain-int shape fast paths, the embedding's range check
inside its op."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch
from microtorch import _promotion
from microtorch.autograd.ops import elementwise

OPS = {"add": (elementwise.Add, lambda a, b: a + b), "sub": (elementwise.Sub, lambda a, b: a - b),
       "mul": (elementwise.Mul, lambda a, b: a * b), "div": (elementwise.Div, lambda a, b: a / b)}


def _operands(kind: str, dtype: str):
    """(a, b) as NumPy values: tensor and tensor (broadcast, one transposed), tensor and scalar, scalar and tensor."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(dtype)
    y = rng.standard_normal((4, 3)).astype(dtype).T  # non-contiguous
    return {"tt": (x, y), "broadcast": (x, y[:1]), "ts": (x, 0.75), "st": (1.5, y)}[kind]


def _lib_operand(lib, v, requires_grad=False):
    return v if isinstance(v, float) else lib.tensor(v, requires_grad=requires_grad)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["tt", "broadcast", "ts", "st"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_unrecorded_arithmetic_fast_path_equals_the_op_and_torch(name, kind, dtype):
    op, fn = OPS[name]
    a, b = _operands(kind, dtype)
    ma, mb = _lib_operand(microtorch, a), _lib_operand(microtorch, b)
    fast = fn(ma, mb)  # nothing requires grad: the ufunc path
    general = op.apply(ma, mb)  # the op's own forward
    expected = fn(_lib_operand(torch, a), _lib_operand(torch, b))
    assert fast.grad_fn is None and fast.dtype is general.dtype and fast.numpy().dtype == expected.numpy().dtype
    np.testing.assert_array_equal(fast.numpy(), general.numpy())
    np.testing.assert_allclose(fast.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["tt", "broadcast", "ts", "st"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_recorded_arithmetic_gradients_match_torch(name, kind, dtype):
    fn = OPS[name][1]
    a, b = _operands(kind, dtype)
    results = []
    for lib in (microtorch, torch):
        la, lb = _lib_operand(lib, a, True), _lib_operand(lib, b, True)
        out = fn(la, lb)
        (out * out).sum().backward()
        grads = [t.grad.numpy() for t in (la, lb) if not isinstance(t, float)]
        results.append((out.detach().numpy(), grads))
    (mo, mg), (to, tg) = results
    np.testing.assert_allclose(mo, to, rtol=1e-6)
    for m, t in zip(mg, tg):
        assert m.dtype == t.dtype and m.shape == t.shape
        np.testing.assert_allclose(m, t, rtol=1e-5, atol=1e-6)


def test_no_grad_arithmetic_on_tensors_that_require_grad_takes_the_fast_path_and_records_nothing():
    x = microtorch.tensor([1.0, 2.0], requires_grad=True)
    with microtorch.no_grad():
        y = x * x + 1.0
    assert y.grad_fn is None and not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), [2.0, 5.0])


def test_arithmetic_on_two_devices_still_raises_torchs_error():
    a = microtorch.ones(2)
    b = microtorch.ones(2, device="npx")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        _promotion._apply_binary(elementwise.Mul, a, b)


def test_a_saved_input_changed_in_place_still_makes_backward_raise():
    x = microtorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y twice
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_matches_torch_values_views_and_gradients(dim):
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7
    results = []
    for lib in (microtorch, torch):
        x = lib.tensor(a, requires_grad=True)
        pieces = x.unbind(dim)
        (pieces[0] * 3 + pieces[-1] ** 2).sum().backward()  # the middle pieces get no gradient
        base = lib.tensor(a).clone()
        base.unbind(dim)[1].mul_(-1)  # a write through a piece reaches the base
        results.append(([p.detach().numpy() for p in pieces], x.grad.numpy(), base.numpy()))
    (mp, mg, mb), (tp, tg, tb) = results
    assert len(mp) == len(tp)
    for m, t in zip(mp, tp):
        np.testing.assert_array_equal(m, t)
    np.testing.assert_allclose(mg, tg)
    np.testing.assert_array_equal(mb, tb)


def test_unbind_of_a_vector_gives_zero_dim_views_and_an_empty_dim_gives_nothing():
    v = microtorch.tensor([1.0, 2.0, 3.0])
    pieces = v.unbind()
    assert [tuple(p.shape) for p in pieces] == [(), (), ()]
    pieces[2].add_(10.0)
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 13.0])
    assert microtorch.zeros(0, 3).unbind(0) == () and len(torch.zeros(0, 3).unbind(0)) == 0
    with pytest.raises(IndexError, match="Dimension out of range"):
        v.unbind(1)


def test_unbind_is_twice_differentiable():
    a = np.array([[0.5, -1.0], [2.0, 0.25]])
    results = []
    for lib in (microtorch, torch):
        x = lib.tensor(a, requires_grad=True)
        first, second = x.unbind(1)
        (g,) = lib.autograd.grad((first ** 3 * second).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_unbind_under_vmap_matches_a_loop():
    x = microtorch.tensor(np.arange(30, dtype=np.float32).reshape(5, 3, 2))
    out = microtorch.func.vmap(lambda z: z.unbind(1)[1] * 2)(x)
    np.testing.assert_array_equal(out.numpy(), np.stack([x[i].numpy()[:, 1] * 2 for i in range(5)]))


@pytest.mark.parametrize("shape", [(4, 6), (-1, 3), (2, -1, 2), (24,), (np.int64(4), 6)])
def test_reshape_shapes_match_torch(shape):
    a = np.arange(24.0)
    assert tuple(microtorch.tensor(a).reshape(shape).shape) == tuple(torch.tensor(a).reshape(shape).shape)


@pytest.mark.parametrize("shape", [(5, 5), (-1, -1), (-2, 12), (0, -1)])
def test_bad_reshapes_raise_torchs_error_type(shape):
    with pytest.raises(RuntimeError):
        torch.zeros(24).reshape(shape)
    with pytest.raises(RuntimeError):
        microtorch.zeros(24).reshape(shape)


def test_shape_arg_gives_plain_tuples():
    assert type(_promotion._shape_arg((microtorch.Size([2, 3]),))) is tuple
    assert _promotion._shape_arg((np.int64(2), 3)) == (2, 3) and type(_promotion._shape_arg((np.int64(2),))[0]) is int
    with pytest.raises(TypeError):
        _promotion._shape_arg((2.0, 3))


@pytest.mark.parametrize("bad", [[[5]], [[-1]], [[0, 7]]])
@pytest.mark.parametrize("max_norm", [None, 1.0])
def test_embedding_out_of_range_raises_index_error_as_torch(bad, max_norm):
    for lib in (torch, microtorch):
        emb = lib.nn.Embedding(5, 3, max_norm=max_norm)
        before = emb.weight.detach().numpy().copy()
        with pytest.raises(IndexError):
            emb(lib.tensor(bad))
        if lib is microtorch:  # no row renormalised (torch renormalises the valid rows before it raises)
            np.testing.assert_array_equal(emb.weight.detach().numpy(), before)


def _arithmetic_rows() -> list:
    from microtorch.autograd.ops import _table

    unary = [n for n, (_, d) in elementwise.UNARY.items() if _table._on_arrays_safe(d)]
    binary = [n for n, (_, dx, dy) in elementwise.BINARY.items() if _table._on_arrays_safe(dx) and _table._on_arrays_safe(dy)]
    return [(n, 1) for n in unary] + [(n, 2) for n in binary]


def _row_gradients(name: str, arity: int, dtype: str, shapes: tuple) -> list:
    rng = np.random.default_rng(1)
    op = getattr(elementwise, name)
    inputs = [microtorch.tensor(rng.uniform(0.2, 0.9, s).astype(dtype), requires_grad=True) for s in shapes[:arity]]
    if shapes[0] == (4, 3):  # x non-contiguous: (3, 4) transposed
        inputs[0] = microtorch.tensor(rng.uniform(0.2, 0.9, (3, 4)).astype(dtype)).T.requires_grad_()
    out = op.apply(*inputs)
    out.backward(microtorch.tensor(rng.standard_normal(out.shape).astype(dtype)))
    return [t.grad.numpy() for t in inputs]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((4, 3), (4, 3)), ((), ()), ((3, 4), (1, 4))], ids=["2d", "0d", "broadcast"])
@pytest.mark.parametrize("name,arity", _arithmetic_rows())
def test_first_order_table_gradients_on_arrays_equal_the_tensor_formulas(name, arity, dtype, shapes, monkeypatch):
    from microtorch.autograd.ops import _table

    on_arrays = _row_gradients(name, arity, dtype, shapes)
    monkeypatch.setattr(_table, "_on_arrays_worth_it", lambda data: False)  # the formulas on Tensors
    on_tensors = _row_gradients(name, arity, dtype, shapes)
    for a, t in zip(on_arrays, on_tensors):
        assert a.dtype == t.dtype == np.dtype(dtype) and a.shape == t.shape
        np.testing.assert_array_equal(a, t)


def test_an_identity_gradient_is_not_the_callers_seed_memory():
    x = microtorch.tensor([1.0, 2.0], requires_grad=True)
    seed = microtorch.tensor([1.0, 1.0])
    (x + 1.0).backward(seed)
    x.grad.add_(5.0)
    np.testing.assert_array_equal(seed.numpy(), [1.0, 1.0])


@pytest.mark.parametrize("method", ["tanh", "sigmoid", "exp"])
def test_saved_arrays_keep_the_version_checks_of_saved_tensors(method):
    """First-order backwards read ``saved_arrays()`` (no Tensors made): the same values as ``saved_tensors``, and
    the same in-place error for a saved output changed after it was saved."""
    x = microtorch.tensor([0.5, -1.0], requires_grad=True)
    y = getattr(x, method)()
    node = y.grad_fn
    assert [np.asarray(a).tolist() for a in node.saved_arrays()] == [t.detach().numpy().tolist() for t in node.saved_tensors]
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        node.saved_arrays()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x.grad = None
    (g,) = microtorch.autograd.grad(getattr(x, method)().sum(), x)
    t = torch.tensor([0.5, -1.0], requires_grad=True)
    (expected,) = torch.autograd.grad(getattr(t, method)().sum(), t)
    np.testing.assert_allclose(g.numpy(), expected.numpy(), rtol=1e-6)
