"""Complex dtypes against torch: the dtypes, promotion, creation and conversion, printing, the ops that take
complex tensors, the refusals of those that do not, gradients (torch's conjugate Wirtinger convention) and
saving."""
from __future__ import annotations

import io
import itertools
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]
VALUES = [[1 + 2j, -0.5 + 0.25j, 3 - 1j], [0.75j, 2 + 0j, -1 - 1.5j]]


def both(dtype: str = "complex64", values=VALUES, requires_grad: bool = False) -> tuple:
    """The same complex tensor in torch and microtorch."""
    t = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=requires_grad)
    m = mt.tensor(values, dtype=getattr(mt, dtype), requires_grad=requires_grad)
    return t, m


def assert_same(theirs, ours, atol: float = 1e-5) -> None:
    if theirs is None:  # (a gradient torch leaves unset)
        assert ours is None
        return
    assert isinstance(ours, mt.Tensor), type(ours)
    assert str(theirs.dtype).split(".")[1] == ours.dtype.name
    assert tuple(theirs.shape) == tuple(ours.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().resolve_conj().numpy(), rtol=1e-5, atol=atol)


# ---- dtypes --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["complex64", "complex128", "cfloat", "cdouble", "complex32", "chalf"])
def test_dtype_attributes_match_torch(name):
    ours, theirs = getattr(mt, name), getattr(torch, name)
    assert ours.name == str(theirs).split(".")[1]
    assert (ours.is_complex, ours.is_floating_point, ours.is_signed, ours.itemsize) == (
        theirs.is_complex, theirs.is_floating_point, theirs.is_signed, theirs.itemsize)
    assert ours.to_real().name == str(theirs.to_real()).split(".")[1]
    assert ours.to_complex() is ours


def test_to_complex_of_the_floating_dtypes():
    for name in ("float16", "float32", "float64"):
        assert getattr(mt, name).to_complex().name == str(getattr(torch, name).to_complex()).split(".")[1]


def test_complex32_is_named_and_refused_clearly():
    with pytest.raises(TypeError, match="complex32 .chalf. tensors are not supported"):
        mt.zeros(2, dtype=mt.complex32)
    with pytest.raises(TypeError, match="complex32"):
        mt.ones(2).chalf()
    with pytest.raises(TypeError, match="complex32"):
        mt.ones(2, dtype=mt.float16) + 1j  # torch: complex32


@pytest.mark.parametrize("name", ["complex64", "complex128"])
def test_finfo_of_complex_is_its_parts(name):
    ours, theirs = mt.finfo(getattr(mt, name)), torch.finfo(getattr(torch, name))
    assert (ours.eps, ours.max, ours.tiny, ours.resolution, ours.dtype) == (
        theirs.eps, theirs.max, theirs.tiny, theirs.resolution, theirs.dtype)


def test_is_complex_and_is_floating_point():
    t, m = both()
    assert m.is_complex() and mt.is_complex(m) and not m.is_floating_point() and not mt.is_floating_point(m)
    assert t.is_complex() and not t.is_floating_point()
    assert not mt.ones(2).is_complex()


def test_default_complex_dtype_follows_the_default_float_dtype():
    previous = mt.get_default_dtype()
    try:
        mt.set_default_dtype(mt.float64)
        torch.set_default_dtype(torch.float64)
        assert mt.tensor(1j).dtype is mt.complex128 and torch.tensor(1j).dtype == torch.complex128
        assert (mt.ones(2, dtype=mt.int64) + 1j).dtype is mt.complex128
        assert (torch.ones(2, dtype=torch.int64) + 1j).dtype == torch.complex128
        assert mt.result_type(mt.ones(2, dtype=mt.float32), 1j) is mt.complex64  # the tensor's precision
        assert repr(mt.tensor([1j])) == "tensor([0.+1.j])"
    finally:
        mt.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)
    assert mt.tensor(1j).dtype is mt.complex64


# ---- promotion -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, ["complex64", "complex128"])))
def test_promote_types_and_can_cast_with_complex(a, b):
    for x, y in ((a, b), (b, a)):
        theirs = torch.promote_types(getattr(torch, x), getattr(torch, y))
        assert mt.promote_types(getattr(mt, x), getattr(mt, y)).name == str(theirs).split(".")[1]
        assert mt.can_cast(getattr(mt, x), getattr(mt, y)) == torch.can_cast(getattr(torch, x), getattr(torch, y))


def _example(lib, dtype: str, ndim: int):
    return lib.ones((2,) * ndim, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, ["complex64", "complex128"])))
def test_result_type_of_tensors_and_zero_dim_tensors(a, b):
    """Dimensioned tensors, 0-d tensors and their categories: c10's rules over every pair."""
    for (x, nx), (y, ny) in itertools.product([(a, 1), (a, 0)], [(b, 1), (b, 0)]):
        for first, second in (((x, nx), (y, ny)), ((y, ny), (x, nx))):
            theirs = torch.result_type(_example(torch, *first), _example(torch, *second))
            ours = mt.result_type(_example(mt, *first), _example(mt, *second))
            assert ours.name == str(theirs).split(".")[1], (first, second)


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "float16"])
@pytest.mark.parametrize("scalar", [2j, 1.5, 3, True])
def test_result_type_and_arithmetic_with_python_scalars(dtype, scalar):
    """A Python complex makes a real tensor complex of its own precision (int and bool: the default complex)."""
    if dtype.startswith("complex") or isinstance(scalar, complex):
        t, m = _example(torch, dtype, 1), _example(mt, dtype, 1)
        assert mt.result_type(m, scalar).name == str(torch.result_type(t, scalar)).split(".")[1]
        if dtype != "bool" or scalar is not True:
            assert_same(t * scalar, m * scalar)
            assert_same(t + scalar, m + scalar)


def test_mixed_real_and_complex_tensors():
    t, m = both()
    for dtype in ("float32", "float64", "int64", "bool"):
        rt, rm = torch.ones(3, dtype=getattr(torch, dtype)), mt.ones(3, dtype=getattr(mt, dtype))
        assert_same(t * rt, m * rm)
        assert_same(rt - t if dtype != "bool" else rt + t, rm - m if dtype != "bool" else rm + m)
    assert_same(torch.tensor([1.0, 2.0], dtype=torch.float64) * torch.tensor(1j),
                mt.tensor([1.0, 2.0], dtype=mt.float64) * mt.tensor(1j))


# ---- creation and conversion -----------------------------------------------------------------------------------
def test_creation_from_python_and_numpy_values():
    assert_same(torch.tensor(VALUES), mt.tensor(VALUES))
    assert_same(torch.tensor(1 + 2j), mt.tensor(1 + 2j))
    assert_same(torch.as_tensor(1 + 2j), mt.as_tensor(1 + 2j))
    array = np.array(VALUES, dtype=np.complex128)
    assert_same(torch.as_tensor(array), mt.as_tensor(array))
    assert_same(torch.asarray(array), mt.asarray(array))
    shared = mt.from_numpy(array)
    array[0, 0] = 5j
    assert shared[0, 0].item() == 5j
    assert_same(torch.zeros(2, 3, dtype=torch.cfloat), mt.zeros(2, 3, dtype=mt.cfloat))
    assert_same(torch.full((2,), 1j), mt.full((2,), 1j))
    assert_same(torch.ones(2, dtype=torch.cdouble), mt.ones(2, dtype=mt.cdouble))
    with pytest.raises(TypeError, match="must be real number, not complex"):
        mt.tensor([1 + 2j], dtype=mt.float32)
    with pytest.raises(RuntimeError, match="value cannot be converted to type float"):
        mt.zeros(2).fill_(1j)


def test_conversions():
    t, m = both()
    assert_same(t.to(torch.complex128), m.to(mt.complex128))
    assert_same(torch.arange(3.0).to(torch.complex64), mt.arange(3.0).to(mt.complex64))
    assert_same(torch.arange(3).cfloat(), mt.arange(3).cfloat())
    assert_same(torch.arange(3.0).cdouble(), mt.arange(3.0).cdouble())
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        assert_same(t.float(), m.float())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(t.long(), m.long())
    assert_same(t.bool(), m.bool())
    assert m[0, 0].item() == t[0, 0].item() == 1 + 2j and type(m[0, 0].item()) is complex
    assert m.tolist() == t.tolist()
    assert m.numpy().dtype == t.numpy().dtype and np.array_equal(m.numpy(), t.numpy())
    assert m.type() == "microtorch.ComplexFloatTensor"


@pytest.mark.parametrize("values, dtype", [
    (VALUES, "complex64"), ([1 + 2j, 3 - 1j], "complex64"), ([1.5 + 2j, 1e10j, 1e-5 + 0j], "complex64"),
    ([[1.5 + 2j, 1j], [3, 4]], "complex128"), (1 + 2j, "complex64"), ([float("nan") + 1j, float("inf") - 2.5j], "complex64"),
    ([], "complex64"), ([-0.0 - 0.0j, 2j], "complex128"),
])
def test_printing_matches_torch(values, dtype):
    t, m = both(dtype, values)
    assert repr(m) == repr(t).replace("torch.", "microtorch.")
    if len(repr(t)) < 60:  # (torch moves a suffix past the line width to a line of its own; microtorch does not, for any dtype)
        t.requires_grad_(True)
        m.requires_grad_(True)
        assert repr(m) == repr(t).replace("torch.", "microtorch.")


def test_real_and_imag_are_settable_views():
    t, m = both()
    assert_same(t.real, m.real)
    assert_same(t.imag, m.imag)
    assert_same(torch.imag(t), mt.imag(m))
    assert_same(torch.real(t), mt.real(m))
    m.real[0, 0] = 7.0
    t.real[0, 0] = 7.0
    m.imag = mt.zeros(2, 3)
    t.imag = torch.zeros(2, 3)
    assert_same(t, m)
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        mt.ones(2).imag  # noqa: B018


def test_view_as_real_and_view_as_complex_share_memory():
    t, m = both()
    assert_same(torch.view_as_real(t), mt.view_as_real(m))
    parts = mt.view_as_real(m)
    parts[0, 0, 1] = -9.0
    assert m[0, 0].item() == 1 - 9j
    x = mt.arange(8.0).reshape(2, 2, 2)
    z = mt.view_as_complex(x)
    assert_same(torch.view_as_complex(torch.arange(8.0).reshape(2, 2, 2)), z)
    z[0, 0] = 5j
    assert x[0, 0].tolist() == [0.0, 5.0]


@pytest.mark.parametrize("make", [
    lambda lib: lib.view_as_real(lib.ones(2)),
    lambda lib: lib.view_as_complex(lib.ones(2, 3)),
    lambda lib: lib.view_as_complex(lib.ones(3, 2).t()),
    lambda lib: lib.view_as_complex(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.complex(lib.ones(2), lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.complex(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.polar(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.complex(lib.ones(2), lib.ones(2), out=lib.empty(2, dtype=lib.complex128)),
])
def test_complex_constructors_and_views_raise_as_torch(make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(mt)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)


def test_complex_polar_conj_angle_abs_isreal():
    a, b = torch.tensor([1.0, -2.0, 0.0]), torch.tensor([0.5, 0.0, -3.0])
    ma, mb = mt.tensor([1.0, -2.0, 0.0]), mt.tensor([0.5, 0.0, -3.0])
    assert_same(torch.complex(a, b), mt.complex(ma, mb))
    assert_same(torch.polar(a.abs(), b), mt.polar(ma.abs(), mb))
    assert_same(torch.complex(a.double(), b.double()), mt.complex(ma.double(), mb.double()))
    t, m = both(values=[1 + 2j, -3 + 0j, 0j, 2.5 - 1j])
    for name in ("conj", "conj_physical", "angle", "abs", "isreal", "sgn", "resolve_conj", "isfinite", "isnan"):
        assert_same(getattr(torch, name)(t), getattr(mt, name)(m))
    assert_same(t.mH if t.ndim > 1 else t, m.mH if m.ndim > 1 else m)
    t2, m2 = both()
    assert_same(t2.mH, m2.mH)
    assert_same(t2.adjoint(), m2.adjoint())


# ---- ops -------------------------------------------------------------------------------------------------------
UNARY = ["neg", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "tanh", "sinh",
         "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "abs", "angle", "sgn", "square", "isfinite",
         "isnan", "isinf", "sum", "mean", "prod", "cumsum", "flip", "t", "clone"]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_match_torch(name, dtype):
    t, m = both(dtype)
    args = (0,) if name == "cumsum" else ((0,),) if name == "flip" else ()
    assert_same(getattr(t, name)(*args), getattr(m, name)(*args), atol=1e-4)


BINARY = [
    lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x ** y,
    lambda x, y: x ** 2, lambda x, y: 2.0 ** x, lambda x, y: x * 2j, lambda x, y: (1 - 1j) / x, lambda x, y: x @ y.mT,
    lambda x, y: x.eq(y), lambda x, y: x != y, lambda x, y: x == 2 + 0j, lambda x, y: x.isclose(y),
    lambda x, y: x.float_power(2), lambda x, y: x.add(y, alpha=2), lambda x, y: x.sub(1j), lambda x, y: x.div(y),
    lambda x, y: x.true_divide(3), lambda x, y: x.where(x.real > 0, y), lambda x, y: x.sum(dim=1, keepdim=True),
    lambda x, y: x.mean(0), lambda x, y: x.prod(1), lambda x, y: x[:, 1:], lambda x, y: x.reshape(3, 2),
    lambda x, y: x.transpose(0, 1), lambda x, y: x.expand(2, 2, 3) * y, lambda x, y: x[[1, 0]] - y[:, [2, 0, 1]],
]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("index", range(len(BINARY)))
def test_binary_ops_match_torch(index, dtype):
    t, m = both(dtype)
    t2, m2 = both(dtype, [[0.5 - 1j, 2 + 0.1j, -1j], [1.5 + 0j, -0.25 + 2j, 3j]])
    assert_same(BINARY[index](t, t2), BINARY[index](m, m2), atol=1e-4)


def test_functions_and_in_place_forms():
    t, m = both()
    t2, m2 = both(values=[[0.5 - 1j, 2 + 0.1j, -1j], [1.5 + 0j, -0.25 + 2j, 3j]])
    assert_same(torch.cat([t, t2]), mt.cat([m, m2]))
    assert_same(torch.stack([t, t2]), mt.stack([m, m2]))
    assert_same(torch.matmul(t, t2.mT), mt.matmul(m, m2.mT))
    assert_same(torch.einsum("ij,kj->ik", t, t2), mt.einsum("ij,kj->ik", m, m2))
    assert_same(torch.where(t.real > 0, t, t2), mt.where(m.real > 0, m, m2))
    assert torch.allclose(t, t + 1e-9) == mt.allclose(m, m + 1e-9)
    for name, args in (("add_", (1j,)), ("mul_", (m2,)), ("sub_", (2,)), ("div_", (m2,)), ("exp_", ()), ("neg_", ())):
        targs = tuple(t2 if a is m2 else a for a in args)
        assert_same(getattr(t.clone(), name)(*targs), getattr(m.clone(), name)(*args), atol=1e-4)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        mt.ones(2).add_(1j)
    with pytest.raises(RuntimeError, match="In-place operation"):
        m.clone().abs_()


REFUSED = [
    lambda z: z < 1, lambda z: z > z, lambda z: z.le(0), lambda z: z.max(), lambda z: z.min(), lambda z: z.amax(),
    lambda z: z.argmax(), lambda z: z.floor(), lambda z: z.ceil(), lambda z: z.round(), lambda z: z.trunc(),
    lambda z: z.relu(), lambda z: z.clamp(0, 1), lambda z: z.sort(), lambda z: z.sign(), lambda z: z.maximum(z),
    lambda z: z.remainder(2), lambda z: z.atan2(z), lambda z: z.cummax(0), lambda z: z.topk(1),
    lambda z: z.unique(), lambda z: z.nansum(), lambda z: z.deg2rad(), lambda z: z.isposinf(), lambda z: z.hypot(z),
    lambda z: z.fmod(2), lambda z: z.erf(), lambda z: z.lgamma(), lambda z: z.xlogy(z), lambda z: z.logit(),
    lambda z: z // 2, lambda z: z.heaviside(z), lambda z: z.median(), lambda z: z.kthvalue(1),
]


@pytest.mark.parametrize("index", range(len(REFUSED)))
def test_ops_torch_refuses_for_complex_raise_its_error(index):
    t, m = both()
    with pytest.raises(Exception) as theirs:
        REFUSED[index](t)
    with pytest.raises(Exception) as ours:
        REFUSED[index](m)
    assert isinstance(ours.value, (type(theirs.value), NotImplementedError, RuntimeError)), ours.value
    assert not isinstance(ours.value, (AttributeError, KeyError, IndexError)), ours.value


def test_a_refused_op_names_itself():
    with pytest.raises(NotImplementedError, match="\"Floor\" not implemented for 'ComplexFloat'"):
        mt.tensor([1j]).floor()
    with pytest.raises(NotImplementedError, match="ComplexDouble"):
        mt.tensor([1j], dtype=mt.complex128).relu()


def test_complex_numbers_as_arguments():
    x, tx = mt.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    assert_same(tx.add(1 + 2j), x.add(1 + 2j))
    assert_same(torch.eq(tx, 1j), mt.eq(x, 1j))
    assert_same(tx.float_power(1j), x.float_power(1j))
    assert_same(tx.to(1 + 2j), x.to(1 + 2j))
    assert_same(tx.pow(1j), x.pow(1j))
    assert_same(torch.true_divide(tx, 2j), mt.true_divide(x, 2j))
    with pytest.raises(RuntimeError, match="non-complex scalar"):
        x.norm(1j)


# ---- gradients ---------------------------------------------------------------------------------------------
W = [[0.5 - 1j, 2 + 0.1j, -1j], [1.5 + 0.5j, -0.25 + 2j, 0.3 + 3j]]
LOSSES = [
    lambda lib, z, w: (z * w).abs().sum(),
    lambda lib, z, w: (z / w).real.sum() + (z - w).imag.sum(),
    lambda lib, z, w: (z.exp() * w.sin()).abs().sum(),
    lambda lib, z, w: (z.log() + w.sqrt()).abs().sum(),
    lambda lib, z, w: (z.cos() * w.tanh() + z.sinh()).abs().pow(2).sum(),
    lambda lib, z, w: (z ** 2 + z ** w + 2.0 ** w).abs().sum(),
    lambda lib, z, w: (z.reciprocal() + w.rsqrt() + z.tan()).abs().mean(),
    lambda lib, z, w: (z.asin() + w.atan() + z.acosh()).abs().sum(),
    lambda lib, z, w: (z @ w.mT).abs().sum(),
    lambda lib, z, w: (z.sum(0) * w.mean(1, keepdim=True)).abs().sum(),
    lambda lib, z, w: (z.prod(1, keepdim=True) * w.cumsum(1)).abs().sum(),
    lambda lib, z, w: z.angle().sum() + (w.conj() * z).real.sum(),
    lambda lib, z, w: (lib.view_as_real(z * w) ** 2).sum(),
    lambda lib, z, w: z.sgn().real.sum() + (w * 2j).imag.sum(),
    lambda lib, z, w: lib.view_as_complex(lib.view_as_real(z) * 2.0).abs().sum(),
    lambda lib, z, w: (lib.where(z.real > 0, z, w) * z[:, :2].sum()).abs().sum(),
    lambda lib, z, w: (lib.cat([z, w]).reshape(3, 4).t() * (1 - 2j)).abs().sum(),
    lambda lib, z, w: (lib.einsum("ij,kj->ik", z, w) + z.square().sum()).abs().sum(),
    lambda lib, z, w: lib.nn.functional.linear(z, w, None).abs().sum(),
    lambda lib, z, w: (z.expm1() + w.log1p() + z.neg()).abs().sum(),
]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("index", range(len(LOSSES)))
def test_gradients_of_real_losses_match_torch(index, dtype):
    t, m = both(dtype, requires_grad=True)
    tw, mw = both(dtype, W, requires_grad=True)
    LOSSES[index](torch, t, tw).backward()
    LOSSES[index](mt, m, mw).backward()
    assert_same(t.grad, m.grad, atol=1e-4)
    assert_same(tw.grad, mw.grad, atol=1e-4)


REAL_LEAVES = [
    lambda lib, a, b: lib.complex(a, b).abs().sum(),
    lambda lib, a, b: (lib.polar(a.abs() + 0.5, b) * (1 + 1j)).imag.sum(),
    lambda lib, a, b: (a * 2j + b).abs().sum(),
    lambda lib, a, b: (a.to(lib.complex64) * b.cfloat().exp()).abs().sum(),
    lambda lib, a, b: (a.cdouble() ** 2 + b).abs().sum(),
    lambda lib, a, b: (lib.view_as_complex(lib.stack([a, b], -1)) ** 2).abs().sum(),
]


@pytest.mark.parametrize("index", range(len(REAL_LEAVES)))
def test_gradients_of_real_inputs_through_complex_values(index):
    values_a, values_b = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], [[1.0, 0.3, -2.0], [0.1, -0.5, 1.25]]
    ta, tb = torch.tensor(values_a, requires_grad=True), torch.tensor(values_b, requires_grad=True)
    ma, mb = mt.tensor(values_a, requires_grad=True), mt.tensor(values_b, requires_grad=True)
    REAL_LEAVES[index](torch, ta, tb).backward()
    REAL_LEAVES[index](mt, ma, mb).backward()
    assert_same(ta.grad, ma.grad, atol=1e-4)
    assert_same(tb.grad, mb.grad, atol=1e-4)


def test_second_derivatives_match_torch():
    t, m = both("complex128", requires_grad=True)
    (tg,) = torch.autograd.grad((t * t * t).abs().sum(), t, create_graph=True)
    (mg,) = mt.autograd.grad((m * m * m).abs().sum(), m, create_graph=True)
    assert_same(tg, mg)
    (tgg,) = torch.autograd.grad(tg.abs().sum(), t)
    (mgg,) = mt.autograd.grad(mg.abs().sum(), m)
    assert_same(tgg, mgg, atol=1e-6)


def test_backward_of_a_complex_output_needs_a_gradient():
    t, m = both(requires_grad=True)
    with pytest.raises(RuntimeError, match="only for real scalar outputs"):
        m.sum().backward()
    m.backward(mt.ones(2, 3, dtype=mt.complex64) * (1 - 1j))
    t.backward(torch.ones(2, 3, dtype=torch.complex64) * (1 - 1j))
    assert_same(t.grad, m.grad)


def test_a_refused_op_with_requires_grad_raises_naming_the_op():
    m = mt.tensor([1 + 1j], requires_grad=True)
    with pytest.raises(NotImplementedError, match="Relu"):
        m.relu()
    with pytest.raises(NotImplementedError, match="Sigmoid"):
        m.sigmoid()  # (torch has a complex sigmoid; microtorch's kernel clamps real values, so it refuses)


# ---- saving --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [None, "torch"])
def test_save_and_load_complex_tensors(fmt, tmp_path):
    state = {"a": mt.tensor(VALUES), "b": mt.tensor([1j, 2], dtype=mt.complex128)}
    path = tmp_path / "complex.pt"
    mt.save(state, path) if fmt is None else mt.save(state, path, format=fmt)
    loaded = mt.load(path)
    for key in state:
        assert loaded[key].dtype is state[key].dtype and loaded[key].tolist() == state[key].tolist()


def test_torch_checkpoints_and_safetensors_with_complex_tensors(tmp_path):
    buffer = io.BytesIO()
    torch.save({"z": torch.tensor(VALUES), "w": torch.tensor([1j], dtype=torch.complex128)}, buffer)
    buffer.seek(0)
    loaded = mt.load(buffer)
    assert loaded["z"].dtype is mt.complex64 and loaded["z"].tolist() == torch.tensor(VALUES).tolist()
    assert loaded["w"].dtype is mt.complex128
    path = tmp_path / "z.safetensors"
    mt.save({"z": mt.tensor(VALUES)}, path, format="safetensors")
    assert mt.load(path)["z"].tolist() == mt.tensor(VALUES).tolist()
    with pytest.raises(TypeError, match="safetensors format has no complex128"):
        mt.save({"w": mt.tensor([1j], dtype=mt.complex128)}, tmp_path / "w.safetensors", format="safetensors")
