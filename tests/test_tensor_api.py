"""Tensor creation, attributes, conversion and printing, compared with torch."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import DEVICES
from helpers import assert_close, assert_like_torch


def _same(m, t):
    assert tuple(m.shape) == tuple(t.shape)
    assert m.dtype.name == str(t.dtype).split(".")[1], (m.dtype, t.dtype)
    np.testing.assert_allclose(m.cpu().numpy().astype(float), t.numpy().astype(float), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data", [
    [1.0, 2.5], [[1, 2], [3, 4]], [True, False], 3.5, 7, [[0.5]], [], np.arange(6.0).reshape(2, 3),
    np.arange(4, dtype=np.int32), np.float32(2.5), [np.float32(1.0), 2.0],
])
def test_tensor_from_data(data):
    _same(mt.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("device", DEVICES)
def test_factories_match_torch(device):
    _same(mt.zeros(2, 3, device=device), torch.zeros(2, 3))
    _same(mt.ones((2, 3), dtype=mt.int32, device=device), torch.ones((2, 3), dtype=torch.int32))
    _same(mt.full((2, 2), 7, device=device), torch.full((2, 2), 7))
    _same(mt.full((2,), 1.5, device=device), torch.full((2,), 1.5))
    _same(mt.full((2,), True, device=device), torch.full((2,), True))
    assert mt.empty(3, 4, device=device).shape == (3, 4)
    _same(mt.arange(5, device=device), torch.arange(5))
    _same(mt.arange(1, 2, 0.25, device=device), torch.arange(1, 2, 0.25))
    _same(mt.arange(10, 0, -3, device=device), torch.arange(10, 0, -3))
    _same(mt.arange(0.0, 1.0, 0.1, device=device), torch.arange(0.0, 1.0, 0.1))
    _same(mt.linspace(-1, 1, 7, device=device), torch.linspace(-1, 1, 7))
    _same(mt.eye(3, device=device), torch.eye(3))
    _same(mt.eye(2, 4, dtype=mt.float64, device=device), torch.eye(2, 4, dtype=torch.float64))
    x = mt.ones(2, 3, dtype=mt.float64, device=device)
    for fn in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        y = getattr(mt, fn)(x)
        assert y.shape == (2, 3) and y.dtype == mt.float64 and y.device == x.device
    assert mt.full_like(x, 3).tolist() == [[3.0] * 3] * 2
    assert mt.randint_like(x, 5).dtype == mt.float64


@pytest.mark.parametrize("device", DEVICES)
def test_random_factories(device):
    mt.manual_seed(0)
    a = mt.rand(1000, device=device)
    mt.manual_seed(0)
    b = mt.rand(1000, device=device)
    assert a.tolist() == b.tolist(), "manual_seed makes draws repeat"
    assert a.dtype == mt.float32 and 0.0 <= a.min().item() and a.max().item() < 1.0
    n = mt.randn(20000, dtype=mt.float64, device=device)
    assert n.dtype == mt.float64 and abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    assert mt.randn(3, dtype=mt.float16, device=device).dtype == mt.float16
    r = mt.randint(3, 7, (500,), device=device)
    assert r.dtype == mt.int64 and r.min().item() >= 3 and r.max().item() <= 6
    assert mt.randint(5, (2, 2), device=device).shape == (2, 2)
    p = mt.randperm(10, device=device)
    assert sorted(p.tolist()) == list(range(10))
    g = mt.Generator().manual_seed(3)
    assert mt.rand(4, generator=g).tolist() == mt.rand(4, generator=mt.Generator().manual_seed(3)).tolist()
    assert mt.rand(2, 3, requires_grad=True).requires_grad


def test_as_tensor_and_from_numpy_share_memory():
    arr = np.arange(4.0)
    t = mt.from_numpy(arr)
    arr[0] = 9.0
    assert t[0].item() == 9.0 and t.dtype == mt.float64
    s = mt.as_tensor(arr)
    s[1] = 5.0
    assert arr[1] == 5.0
    assert mt.tensor(arr).numpy() is not arr
    with pytest.raises(TypeError, match="expected np.ndarray"):
        mt.from_numpy([1, 2])


def test_attributes_and_conversions():
    x = mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert x.dtype == mt.float32 and x.device == mt.device("cpu") and str(x.device) == "cpu"
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2) and x.t().shape == (3, 2)
    assert x.detach().numpy().shape == (2, 3)
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x.sum().item() == 21.0 and isinstance(x.sum().item(), float)
    assert x.double().dtype == mt.float64 and x.half().dtype == mt.float16 and x.float().dtype == mt.float32
    assert x.long().dtype == mt.int64 and x.int().dtype == mt.int32 and x.bool().dtype == mt.bool
    assert x.to(mt.float64).dtype == mt.float64 and x.to("cpu", mt.int64).dtype == mt.int64
    assert x.to(mt.ones(1, dtype=mt.float16)).dtype == mt.float16
    y = x.detach()
    assert not y.requires_grad and y.is_leaf and np.shares_memory(y.numpy(), x.detach().numpy())
    c = x.clone()
    assert c.grad_fn is not None and not np.shares_memory(c.detach().numpy(), x.detach().numpy())
    z = mt.zeros(2).requires_grad_()
    assert z.requires_grad
    assert np.asarray(x.detach()).shape == (2, 3)
    assert float(mt.tensor(2.5)) == 2.5 and int(mt.tensor(3)) == 3
    assert [v.item() for v in mt.tensor([1, 2, 3])] == [1, 2, 3]
    assert mt.tensor([1, 2])[mt.tensor(1)].item() == 2


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1.0, 2.5, -3.0]),
    lambda lib: lib.tensor([[0.1234567, 2.0], [3.0, 4.0]]),
    lambda lib: lib.tensor([1.0, 2.0, 3.0]),
    lambda lib: lib.tensor([1, 20, 300]),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.tensor(3.25),
    lambda lib: lib.tensor([1e-5, 1.0, 1e5]),
    lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    lambda lib: lib.tensor([[1.0, 2.0]], requires_grad=True),
    lambda lib: lib.arange(2000.0),
    lambda lib: lib.tensor([float("nan"), float("inf"), 1.5]),
    lambda lib: lib.zeros(0),
])
def test_repr_matches_torch(make):
    assert repr(make(mt)) == repr(make(torch)).replace("torch.", "microtorch.")


def test_repr_shows_grad_fn():
    y = mt.ones(2, requires_grad=True) * 2
    assert repr(y) == "tensor([2., 2.], grad_fn=<MulBackward>)"


def test_inf_and_nan_results_are_silent_like_torch_but_numpy_still_warns_the_user():
    """Under ``-W error`` the ops run and match torch; NumPy's own warnings in user code still fire."""
    import subprocess
    import sys
    script = (
        "import numpy, torch, microtorch as mt\n"
        "x = mt.tensor([0.0, -1.0, 2.0], requires_grad=True)\n"
        "t = torch.tensor([0.0, -1.0, 2.0], requires_grad=True)\n"
        "for f in (lambda a: a.log(), lambda a: a.sqrt(), lambda a: 1 / a, lambda a: a / a, lambda a: a.exp() ** 1000):\n"
        "    numpy.testing.assert_equal(f(x).detach().numpy(), f(t).detach().numpy())\n"
        "x.log().sum().backward(); t.log().sum().backward()\n"
        "numpy.testing.assert_equal(x.grad.numpy(), t.grad.numpy())\n"
        "try:\n"
        "    numpy.log(numpy.zeros(1))\n"
        "except RuntimeWarning:\n"
        "    print('user warning kept')\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "user warning kept"
MASK = [True, False, True, False]


@pytest.mark.parametrize("fill", [
    lambda lib: lib.arange(4).masked_fill(lib.tensor(MASK), 2.5),  # an int tensor stays int: 2.5 truncates
    lambda lib: lib.arange(4).masked_fill(lib.tensor(MASK), lib.tensor(-2.5)),
    lambda lib: lib.tensor(MASK).masked_fill(lib.tensor(MASK), 3),  # a bool tensor stays bool
    lambda lib: lib.ones(4, dtype=lib.float16).masked_fill(lib.tensor(MASK), lib.tensor(1.5, dtype=lib.float64)),
    lambda lib: lib.arange(4, dtype=lib.uint8).masked_fill(lib.tensor(MASK), -1),  # wraps, as torch allows
    lambda lib: lib.ones(4).masked_fill(lib.tensor(MASK), float("-inf")),
    lambda lib: lib.ones(2).masked_fill(lib.tensor([[True, False], [False, True]]), 0.0),  # self broadcasts
    lambda lib: lib.ones(2).masked_fill(lib.tensor(True), 7.0),
    lambda lib: lib.ones(4).masked_fill_(lib.tensor(MASK), 0.5),
    lambda lib: lib.arange(4).masked_fill(lib.tensor([1, 0, 1, 0]), 5),  # errors from here on
    lambda lib: lib.arange(4).masked_fill_(lib.tensor(MASK, dtype=lib.uint8), 5),
    lambda lib: lib.ones(4).masked_fill(lib.tensor(MASK, dtype=lib.float32), 5),
    lambda lib: lib.ones(4).masked_fill(lib.tensor(MASK), lib.tensor([2.5])),
    lambda lib: lib.arange(4, dtype=lib.int8).masked_fill(lib.tensor(MASK), 1000),
    lambda lib: lib.arange(4, dtype=lib.int8).masked_fill(lib.tensor(MASK), 127.5),
    lambda lib: lib.arange(4, dtype=lib.uint8).masked_fill(lib.tensor(MASK), -1.0),
    lambda lib: lib.arange(4, dtype=lib.int32).masked_fill(lib.tensor(MASK), float("nan")),
    lambda lib: lib.ones(4, dtype=lib.float16).masked_fill(lib.tensor(MASK), 70000.0),
    lambda lib: lib.ones(2).masked_fill_(lib.tensor([[True, False], [False, True]]), 0.0),
    lambda lib: lib.ones(3).masked_fill(lib.tensor([True, False]), 0.0),
])
def test_masked_fill_like_torch(fill):
    assert_like_torch(fill)


@pytest.mark.parametrize("value", ["a", None, [1.0], (1.0,)])
def test_masked_fill_value_is_a_number_or_a_0d_tensor(value):
    assert_like_torch(lambda lib: lib.ones(2).masked_fill(lib.tensor([True, False]), value), same_message=False)


@pytest.mark.parametrize("device", DEVICES)
def test_masked_fill_gradient_reaches_a_0d_value(device):
    def grads(lib, **kw):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True, **kw)
        v = lib.tensor(3.0, dtype=lib.float64, requires_grad=True, **kw)
        out = x.masked_fill(lib.tensor([True, False, True], **kw), v)
        (out * lib.tensor([1.0, 2.0, 4.0], **kw)).sum().backward()
        return out, x.grad, v.grad

    for m, t in zip(grads(mt, device=device), grads(torch)):
        assert_close(m, t, rtol=0, atol=0, what="masked_fill")


def _ints(lib, values, dtype="int64"):
    return lib.tensor(values, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("op", [
    # integer division by zero raises (torch: RuntimeError "ZeroDivisionError"; NumPy would warn and give 0)
    lambda lib: _ints(lib, [5, -7, 3]) // 0,
    lambda lib: _ints(lib, [5, -7, 3]) % 0,
    lambda lib: _ints(lib, [5, -7, 3]) // _ints(lib, [1, 2, 0]),
    lambda lib: 5 % _ints(lib, [1, 0]),
    lambda lib: _ints(lib, [5], "uint8") // 0,
    lambda lib: _ints(lib, [1, 2]) % False,
    lambda lib: _ints(lib, [5, -7]).div(0, rounding_mode="trunc"),
    lambda lib: _ints(lib, [5, -7]).div(_ints(lib, [0, 1]), rounding_mode="floor"),
    lambda lib: _ints(lib, [], "int32") // 0,  # nothing divided
    lambda lib: lib.tensor([1.0, -1.0, 0.0]) // 0,  # floats give inf and nan
    lambda lib: lib.tensor([1.0, -1.0, 0.0]) % 0,
    lambda lib: _ints(lib, [5, -7, 7, -8, 2**40 + 1]).div(_ints(lib, [2, 2, -3, 3, 3]), rounding_mode="trunc"),
    lambda lib: lib.tensor([True]) // lib.tensor([True]),  # bool has no division or power
    lambda lib: lib.tensor([True]) % True,
    lambda lib: lib.tensor([True]) ** lib.tensor([False]),
    # a Python int that overflows an integer tensor's dtype wraps (two's complement), as torch's scalars do
    lambda lib: _ints(lib, [1, 2, -3], "int32") * 10**10,
    lambda lib: _ints(lib, [1, 2, -3], "int8") * 1000,
    lambda lib: 1000 + _ints(lib, [1, 2, -3], "int8"),
    lambda lib: _ints(lib, [1, 2, -3], "int8") - 1000,
    lambda lib: _ints(lib, [1, 2, -3], "int8") // 1000,
    lambda lib: _ints(lib, [1, 2, -3], "int8") % 1000,
    lambda lib: _ints(lib, [1, 2, 3], "uint8") * -1,
    lambda lib: _ints(lib, [1, 2, 3], "int16") * 100000,
    lambda lib: _ints(lib, [1, 2, 3]) * 2**63,
    lambda lib: _ints(lib, [1, 2, 3], "int8") & 1000,
    lambda lib: _ints(lib, [1, 2, 3], "int8") * np.int64(1000),
    lambda lib: 1000 ** _ints(lib, [1, 2], "int8"),
    lambda lib: _ints(lib, [1, 2, -3], "int8").add_(1000),
    lambda lib: _ints(lib, [1, 2, -3], "int32").mul_(10**10),
    lambda lib: _ints(lib, [1, 2, 3]) * 2**64,  # beyond uint64: OverflowError
    lambda lib: lib.ones(2) * 10**400,
    lambda lib: _ints(lib, [1, 2], "int8") ** 1000,  # an exponent does not wrap
])
def test_integer_arithmetic_like_torch(op):
    assert_like_torch(op)


B = [True, False]


@pytest.mark.parametrize("op", [
    lambda lib: lib.tensor(B) - lib.tensor(B),
    lambda lib: lib.tensor(B) - True,
    lambda lib: True - lib.tensor(B),
    lambda lib: lib.tensor(B) - 1,
    lambda lib: 1.5 - lib.tensor(B),
    lambda lib: lib.tensor([1.0, 2.0]) - lib.tensor(B),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) - lib.tensor(B),
    lambda lib: _ints(lib, [1, 2]) - True,
    lambda lib: lib.tensor(B).sub(lib.tensor(B), alpha=2),
    lambda lib: lib.sub(lib.tensor(B), lib.tensor(B)),
    lambda lib: lib.tensor(B).sub_(lib.tensor(B)),
    lambda lib: _ints(lib, [1, 2]).sub_(True),
    lambda lib: -lib.tensor(B),
    lambda lib: lib.tensor(B) + lib.tensor(B),  # these are fine
    lambda lib: lib.tensor(B) * lib.tensor(B),
    lambda lib: lib.tensor(B) // 1,
])
def test_bool_subtraction_like_torch(op):
    assert_like_torch(op)


@pytest.mark.parametrize("device", DEVICES)
def test_integer_division_by_zero_raises_on_every_device(device):
    x = mt.tensor([5, -7], device=device)
    for divide in (lambda: x // 0, lambda: x % mt.tensor([1, 0], device=device), lambda: 3 // x.clamp(0, 0)):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            divide()
        with pytest.raises(ZeroDivisionError):  # also caught by Python's name
            divide()
    assert (mt.tensor([5, -7], dtype=mt.int8, device=device) * 1000).tolist() == [-120, -88]


ARITHMETIC = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "**": lambda a, b: a**b, "max": mt.maximum,
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", ARITHMETIC)
@pytest.mark.parametrize("other", [2.5, 3, "tensor"])
def test_unrecorded_arithmetic_matches_the_recorded_op(device, op, other):
    """With nothing to record, arithmetic may skip the op's bookkeeping: the result must not change."""
    fn = ARITHMETIC[op]
    for dtype in (mt.float32, mt.float64, mt.float16):
        x = mt.tensor([[0.5, -1.5, 2.0], [3.0, -0.25, 4.0]], dtype=dtype, device=device)
        y = mt.tensor([1.5, -2.0, 0.5], dtype=dtype, device=device) if other == "tensor" or op == "max" else other
        for x_first in (True, False):
            def run(x):
                return fn(x, y) if x_first else fn(y, x)

            recorded = run(x.detach().requires_grad_())
            assert recorded.grad_fn is not None
            with mt.no_grad():
                fast = run(x)
            assert fast.dtype == recorded.dtype and fast.device == recorded.device
            np.testing.assert_array_equal(fast.cpu().numpy(), recorded.detach().cpu().numpy())


def test_unrecorded_arithmetic_names_the_op_when_the_backend_refuses(monkeypatch):
    from microtorch.autograd.ops import elementwise

    monkeypatch.setattr(elementwise.Mul, "ufunc", "left_shift")  # NumPy refuses floats with a TypeError
    with pytest.raises(TypeError, match="Mul of a float32 tensor and a Python float"):
        mt.ones(2) * 2.0


@pytest.mark.parametrize("compare", [
    lambda lib: lib.ones(2) == None,  # noqa: E711 - the point of the test
    lambda lib: lib.ones(2) != None,  # noqa: E711
    lambda lib: None == lib.ones(2),  # noqa: E711
    lambda lib: lib.ones(2) == "a",
    lambda lib: lib.ones(2) != object(),
    lambda lib: lib.ones(2) < None,
    lambda lib: lib.ones(2) >= "a",
    lambda lib: lib.ones(2).eq(None),
    lambda lib: lib.ones(2) in [None],
    lambda lib: None in lib.ones(2),
    lambda lib: 1.0 in lib.ones(2),
])
def test_comparing_with_none_like_torch(compare):
    assert_like_torch(compare, same_message=False)  # (a bool result compares with ==)


@pytest.mark.parametrize("device", DEVICES)
def test_deepcopy_like_torch(device):
    def copies(lib, **kw):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True, **kw)
        (x * 3).sum().backward()
        p = lib.nn.Parameter(lib.ones(2, **kw))
        (p * 2).sum().backward()
        x2, p2, again = copy.deepcopy([x, p, x])
        assert again is x2 and type(p2) is type(p) and x2.is_leaf and p2.is_leaf
        assert x2.requires_grad and p2.requires_grad and x2.grad is not x.grad
        with lib.no_grad():
            x2.add_(1.0)
            x2.grad.add_(1.0)
        return x, x2, x.grad, x2.grad, p2.grad is None

    for m, t in zip(copies(mt, device=device), copies(torch)):
        if isinstance(t, torch.Tensor):
            assert_close(m, t, rtol=0, atol=0, what="deepcopy")
        else:
            assert m == t
    assert mt.device(device).type == copy.deepcopy(mt.ones(1, device=device)).device.type


def test_deepcopy_of_a_computed_tensor_raises_like_torch():
    for lib in (torch, mt):
        with pytest.raises(RuntimeError, match=r"Only Tensors created explicitly by the user \(graph leaves\) "
                                               r"support the deepcopy protocol at the moment"):
            copy.deepcopy(lib.ones(2, requires_grad=True) * 2)


@pytest.mark.parametrize("device", DEVICES)
def test_pickle_like_torch(device):
    def round_trips(lib, **kw):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, **kw)
        (x * 2).sum().backward()
        loaded = pickle.loads(pickle.dumps([x, x * 2, x.detach()[:, 1], lib.nn.Parameter(lib.ones(2, **kw)),
                                            lib.arange(3, dtype=lib.int8, **kw)]))
        flags = [(t.requires_grad, t.is_leaf, t.grad is None, type(t).__name__) for t in loaded]
        return loaded, flags

    (m, m_flags), (t, t_flags) = round_trips(mt, device=device), round_trips(torch)
    assert m_flags == t_flags  # a computed tensor loads as a leaf that requires grad; grad stays behind
    for a, b in zip(m, t):
        assert_close(a, b, rtol=0, atol=0, what="pickle")
        assert a.device == mt.ones(1, device=device).device


@pytest.mark.parametrize("save", [copy.deepcopy, lambda obj: pickle.loads(pickle.dumps(obj))])
def test_copied_model_and_optimizer_train_apart_from_the_original(save):
    nn = mt.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))
    opt = mt.optim.Adam(model.parameters(), lr=0.1)
    x = mt.randn(8, 2)
    model(x).sum().backward()
    opt.step()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model2, opt2 = save((model, opt))
    assert opt2.param_groups[0]["params"][0] is model2[0].weight and model2[0].weight in opt2.state
    for _ in range(3):
        opt2.zero_grad()
        model2(x).sum().backward()
        opt2.step()
    assert all(mt.equal(v, model.state_dict()[k]) for k, v in before.items())  # the original is untouched
    assert not mt.equal(model2[0].weight, model[0].weight) and not mt.equal(model2[1].running_mean, model[1].running_mean)
    assert isinstance(model2[0].weight, nn.Parameter)


@pytest.mark.parametrize("convert", [
    lambda lib: np.asarray(lib.ones(2, requires_grad=True)).tolist(),
    lambda lib: np.array(lib.ones(2, requires_grad=True) * 2).tolist(),
    lambda lib: np.asarray(lib.nn.Parameter(lib.ones(2)), dtype=np.float64).tolist(),
    lambda lib: lib.ones(2, requires_grad=True).numpy().tolist(),
    lambda lib: np.asarray(lib.ones(2, requires_grad=True).detach()).tolist(),
    lambda lib: np.asarray(lib.ones(2)).tolist(),
])
@pytest.mark.parametrize("grad_enabled", [True, False])
def test_array_conversion_of_a_tensor_that_requires_grad_like_torch(convert, grad_enabled):
    def run(lib):
        with lib.set_grad_enabled(grad_enabled):  # under no_grad torch hands out the values
            return convert(lib)

    assert_like_torch(run)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3), (1, 0), (0, 0), (2, 0, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"])
def test_repr_of_empty_tensors_matches_torch(shape, dtype):
    def show(lib):
        return str(lib.zeros(shape, dtype=getattr(lib, dtype)))

    assert show(mt) == show(torch).replace("torch.", "microtorch.")


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros((2, 0), requires_grad=True),
    lambda lib: lib.zeros((2, 0), dtype=lib.float64, requires_grad=True),
    lambda lib: lib.tensor([float("inf"), 2.0]),  # nan, inf and 0 do not widen the columns
    lambda lib: lib.tensor([float("-inf"), 1.0, float("nan")]),
    lambda lib: lib.tensor([0.0, float("nan")]),
    lambda lib: lib.tensor([0.0, 0.0]),
    lambda lib: lib.tensor([float("nan"), 1.5, 0.0]),
    lambda lib: lib.tensor([[1e-5, float("inf")], [0.0, 3.0]]),
    lambda lib: lib.tensor([0.0, 100.0, float("inf")]),
])
def test_repr_of_nonfinite_and_empty_matches_torch(make):
    assert repr(make(mt)) == repr(make(torch)).replace("torch.", "microtorch.")


@pytest.mark.parametrize("args", [(1, -1, 1), (1, -3, 2), (0, 1, 1), (1, 4, 1), (1, -4, 1), (1, 2, 2), (1, 0, -1)])
def test_narrow_bounds_like_torch(args):
    assert_like_torch(lambda lib: lib.arange(6.0).reshape(2, 3).narrow(*args))


@pytest.mark.parametrize("make", [
    lambda x: x.new_zeros(2, 3), lambda x: x.new_ones((2,)), lambda x: x.new_full((1, 2), 7),
    lambda x: x.new_full((2,), 7, dtype=x.new_tensor(0).long().dtype), lambda x: x.new_tensor([1, 2]),
    lambda x: x.new_empty(0, 3),
])
@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_new_factories_take_the_tensors_dtype_like_torch(make, dtype):
    assert_like_torch(lambda lib: make(lib.ones(2, dtype=getattr(lib, dtype))))


def test_clamp_with_a_tensor_and_a_number_bound_raises_like_torch():
    assert_like_torch(lambda lib: lib.arange(3.0).clamp(lib.tensor([0.5, 1.0, 1.5]), 4.0), same_message=False)
    assert_like_torch(lambda lib: lib.arange(3.0).clamp(max=lib.tensor([0.5, 1.0, 1.5])))


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, dtype=lib.int8).fill_(1000), lambda lib: lib.zeros(2, dtype=lib.int8).fill_(100),
    lambda lib: lib.zeros(2).fill_(1e300), lambda lib: lib.zeros(2, dtype=lib.bool).fill_(5),
    lambda lib: lib.full((2,), 1000, dtype=lib.int8), lambda lib: lib.full((2,), 2.7, dtype=lib.int64),
    lambda lib: lib.full((2,), -1, dtype=lib.uint8),
    lambda lib: lib.where(lib.tensor([True, False]), lib.zeros(2, dtype=lib.int8), 1000),
    lambda lib: lib.where(lib.tensor([True, False]), lib.zeros(2, dtype=lib.int8), 5),
    lambda lib: lib.zeros(2, dtype=lib.int8).clamp(0, 1000), lambda lib: lib.zeros(2, dtype=lib.int8).clamp(-3, 100),
    lambda lib: lib.zeros(2, dtype=lib.uint8).clamp(-1, 3),
])
def test_numbers_that_do_not_fit_the_dtype_are_refused_like_torch(make):
    """fill_, full, where and clamp convert a number as torch's checked_convert: truncate, wrap negatives
    into unsigned types, and raise instead of wrapping a value out of range."""
    assert_like_torch(make)


@pytest.mark.parametrize("method", ["add", "sub", "add_", "sub_"])
@pytest.mark.parametrize("self_dtype, other_dtype", [("float64", "float32"), ("float32", "float64"),
                                                      ("float32", "float16"), ("float64", "int64")])
def test_alpha_scales_in_the_sums_dtype_as_torch(method, self_dtype, other_dtype):
    """``x.add(y, alpha=a)`` computes a * y in the result's dtype, as torch (within a few ulps of the operands:
    torch fuses the multiply-add, NumPy rounds twice; scaling a float32 y before promoting to float64 was 1e-8
    off)."""
    values = np.random.default_rng(3).standard_normal(64) * 10
    results = []
    for lib in (torch, mt):
        x = lib.tensor(values, dtype=getattr(lib, self_dtype))
        y = lib.tensor(values[::-1].copy(), dtype=getattr(lib, other_dtype))
        out = getattr(x.clone(), method)(y, alpha=0.1)
        results.append((str(out.dtype).split(".")[1], out.numpy()))
    assert results[0][0] == results[1][0]
    eps = np.finfo(results[0][1].dtype).eps
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=0, atol=4 * eps * np.abs(values).max())


def _callback_calls():
    """(id, call, torch's message is ours) for apply_, map_ and map2_."""
    return [
        ("apply", lambda lib: lib.arange(6.0).reshape(2, 3).apply_(lambda v: v * 2 - 1), True),
        ("map", lambda lib: lib.arange(6.0).reshape(2, 3).map_(lib.tensor([1.0, 2, 3]), lambda a, b: a * b), True),
        ("map2", lambda lib: lib.arange(6.0).reshape(2, 3).map2_(lib.ones(2, 1), lib.arange(3.0), lambda s, a, b: s + a * b), True),
        ("int truncates", lambda lib: lib.arange(6).apply_(lambda v: v / 2.0 + 0.7), True),
        ("bool", lambda lib: lib.tensor([True, False]).apply_(lambda v: not v), True),
        ("complex", lambda lib: lib.zeros(2, dtype=lib.complex64).apply_(lambda v: v + 1j), True),
        ("element kinds", lambda lib: lib.tensor([1.5, 2.5]).apply_(lambda v: float(type(v) is float)), True),
        ("leaf with grad", lambda lib: lib.ones(2, requires_grad=True).apply_(lambda v: v), True),
        ("other with grad", lambda lib: lib.ones(2).map_(lib.ones(2, requires_grad=True), lambda a, b: a), True),
        ("other dtype", lambda lib: lib.ones(2).map_(lib.ones(2, dtype=lib.int64), lambda a, b: a), False),
        ("y dtype", lambda lib: lib.ones(2).map2_(lib.ones(2), lib.ones(2, dtype=lib.float64), lambda a, b, c: a), False),
        ("not a tensor", lambda lib: lib.ones(2).map_(3, lambda a, b: a), True),
        ("no broadcast", lambda lib: lib.ones(2, 3).map_(lib.ones(4), lambda a, b: a), True),
        ("a string into floats", lambda lib: lib.ones(2).apply_(lambda v: "a"), True),
        ("None into floats", lambda lib: lib.ones(2).apply_(lambda v: None), True),
        ("a string into ints", lambda lib: lib.ones(2, dtype=lib.int32).apply_(lambda v: "a"), True),
        ("not callable", lambda lib: lib.ones(2).apply_(3), True),
    ]


@pytest.mark.parametrize("call, same_message", [c[1:] for c in _callback_calls()], ids=[c[0] for c in _callback_calls()])
def test_python_callbacks_as_torch(call, same_message):
    assert_like_torch(call, same_message=same_message)


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(12.0).reshape(3, 4).narrow_copy(1, 1, 2),
    lambda lib: lib.arange(12.0).reshape(3, 4).t().narrow_copy(0, 1, 2).is_contiguous(),
    lambda lib: [t.shape for t in lib.arange(12.0).reshape(3, 4).unsafe_split_with_sizes([1, 3], 1)],
    lambda lib: (lib.ones(2, requires_grad=True) * 2).output_nr,
    lambda lib: [t.output_nr for t in lib.ones(3, 2, requires_grad=True).unbind(1)],
    lambda lib: lib.ones(2).output_nr,
    lambda lib: lib.ones(2).is_distributed(),
    lambda lib: (lambda x: x.const_data_ptr() == x.data_ptr())(lib.ones(3)[1:]),
    lambda lib: (lambda x: [x.is_set_to(v) for v in (x, x.view(2, 3), x[:], x.clone(), x.t(), x.reshape(3, 2))])(lib.ones(2, 3)),
    lambda lib: lib.ones(2, 3)[0].is_set_to(lib.ones(2, 3)[1]),
    lambda lib: lib.ones(2).is_set_to(3),
], ids=["narrow_copy", "narrow_copy contiguous", "unsafe_split_with_sizes", "output_nr", "output_nr of unbind",
        "output_nr of a leaf", "is_distributed", "const_data_ptr", "is_set_to", "is_set_to rows", "is_set_to a number"])
def test_small_tensor_methods_as_torch(call):
    assert_like_torch(call)


@pytest.mark.parametrize("call", [
    lambda lib, a: lib.orgqr(*lib.geqrf(a)),
    lambda lib, a: (lambda h, tau: h.orgqr(tau))(*a.geqrf()),
    lambda lib, a: (lambda h, tau: h.ormqr(tau, lib.eye(3, dtype=lib.float64), transpose=True))(*a.geqrf()),
], ids=["orgqr", "Tensor.orgqr", "Tensor.ormqr"])
def test_householder_methods_as_torch(call):
    """The Tensor spellings of geqrf/orgqr/ormqr and torch.orgqr give torch's values (LAPACK's last bit may differ)."""
    a = np.array([[2.0, 1], [1, 3], [0, 1]])
    np.testing.assert_allclose(call(mt, mt.tensor(a)).numpy(), call(torch, torch.tensor(a)).numpy(), rtol=1e-14,
                               atol=1e-15)


@pytest.mark.parametrize("ambiguity_check", [False, True, "contiguous", "both", "empty", "bad"])
def test_dim_order_as_torch(ambiguity_check):
    """torch's rule (its elementwise output permutation) on row-major, transposed, permuted, sliced, expanded
    and singleton-dim tensors, with each kind of ambiguity check."""
    def orders(lib):
        check = {"contiguous": [lib.contiguous_format], "both": [lib.channels_last, lib.contiguous_format],
                 "empty": [], "bad": "x"}.get(ambiguity_check, ambiguity_check)
        tensors = [lib.ones(2, 3), lib.ones(2, 3).t(), lib.ones(2, 1, 3), lib.ones(2, 3, 4, 5).permute(0, 2, 3, 1),
                   lib.ones(3, 1), lib.ones(1, 3).expand(4, 3), lib.ones(2, 3, 4).permute(2, 0, 1), lib.ones(4, 4)[:, ::2],
                   lib.ones(2, 3, 4, 5).permute(3, 1, 0, 2), lib.ones(2, 3).expand(4, 2, 3), lib.ones(6, 4)[::2].t(),
                   lib.ones(5), lib.tensor(1.0)]
        out = []
        for t in tensors:
            try:
                out.append(t.dim_order(ambiguity_check=check))
            except (RuntimeError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
        return out

    assert orders(mt) == orders(torch)
