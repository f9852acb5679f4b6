"""``microtorch.special`` and issue 21's pointwise functions against torch: values at ordinary and edge points
(0, +-1, +-inf, nan, large arguments), gradients, the polynomials' degree forms, the functions without a derivative,
and the error a missing SciPy gives."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch

import microtorch as mt

EDGES = [-np.inf, -30.0, -8.5, -2.0, -1.0, -0.5, -1e-3, -0.0, 0.0, 1e-3, 0.25, 0.5, 1.0, 2.0, 8.5, 30.0, 700.0, np.inf,
         np.nan]
UNARY = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "digamma", "entr", "erf", "erfc", "erfcx",
         "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "logit",
         "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "ndtr", "ndtri", "psi",
         "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "sinc", "spherical_bessel_j0"]
POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    assert ours.dtype == mt.float64 if theirs.dtype == torch.float64 else ours.dtype.is_floating_point
    np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


def test_namespace_is_torchs():
    assert sorted(mt.special.__all__) == sorted(torch.special.__all__)
    assert all(callable(getattr(mt.special, name)) for name in mt.special.__all__)


@pytest.mark.parametrize("name", UNARY)
def test_unary_values_at_edges(name, device):
    x = np.array(EDGES)
    if name in ("ndtri", "erfinv", "logit", "entr"):
        x = np.concatenate([x, [1e-300, 1e-10, 0.1, 0.9, 0.999999, 1 - 1e-12]])
    ours = getattr(mt.special, name)(mt.tensor(x, device=device))
    theirs = getattr(torch.special, name)(torch.tensor(x))
    _close(ours.cpu(), theirs, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("name", ["erfc", "erfcx", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "entr",
                                  "sinc"])
def test_float32_stays_float32(name):
    x = np.array([-2.0, -0.5, 0.1, 0.5, 3.0], dtype=np.float32)
    if name in ("ndtri", "entr"):
        x = np.abs(x) / 4
    ours = getattr(mt.special, name)(mt.tensor(x))
    theirs = getattr(torch.special, name)(torch.tensor(x))
    assert ours.dtype == mt.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["erfc", "erfcx", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "entr",
                                  "sinc", "xlog1py", "zeta", "multigammaln"])
def test_gradients_and_second_derivatives(name):
    x = np.array([-2.5, -0.7, 0.3, 0.6, 1.7, 4.0])
    if name in ("ndtri", "entr"):
        x = np.array([0.05, 0.2, 0.5, 0.7, 0.9, 0.95])
    if name == "multigammaln":
        x = x + 4.0
    args = {"xlog1py": lambda lib, t: (t, t.abs() + 0.5), "zeta": lambda lib, t: (3.5, t.abs() + 0.5),
            "multigammaln": lambda lib, t: (t, 3)}.get(name, lambda lib, t: (t,))
    results = []
    for lib in (torch, mt):
        t = lib.tensor(x, requires_grad=True)
        out = getattr(lib.special, name)(*args(lib, t))
        (g,) = lib.autograd.grad(out.sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        results.append((out, g, gg))
    for ours, theirs in zip(results[1], results[0]):
        _close(ours, theirs, rtol=1e-7, atol=1e-10)


def test_gradients_at_zero():
    for name in ("i1", "i1e", "sinc", "i0e"):
        t, o = torch.zeros(3, dtype=torch.float64, requires_grad=True), mt.zeros(3, dtype=mt.float64, requires_grad=True)
        getattr(torch.special, name)(t).sum().backward()
        getattr(mt.special, name)(o).sum().backward()
        _close(o.grad, t.grad)


@pytest.mark.parametrize("name", ["bessel_j0", "airy_ai", "modified_bessel_i0", "modified_bessel_k1",
                                  "spherical_bessel_j0", "chebyshev_polynomial_t"])
def test_no_derivative_where_torch_has_none(name):
    x = mt.tensor([0.5, 1.5], requires_grad=True)
    out = getattr(mt.special, name)(*((x, 3) if "polynomial" in name else (x,)))
    with pytest.raises(NotImplementedError, match="derivative"):
        out.sum().backward()


def test_zeta_has_no_derivative_in_x_as_torch():
    x = mt.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="zeta"):
        mt.special.zeta(x, 1.5).sum().backward()


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_every_degree_form(name, device):
    # (no nan x: torch's vectorised kernels give inf or nan there depending on the degree)
    x = np.array([-np.inf, -3.0, -1.0, -0.99, -0.5, 0.0, 1e-3, 0.3, 0.5, 0.999, 1.0, 1.5, 3.0, np.inf])
    n = np.array([-2.0, -0.5, 0.0, 0.7, 1.0, 2.0, 3.9, 5.0, 7.0, 9.0, 12.0, 20.0, 600.0, np.nan, np.inf])
    ours_fn, theirs_fn = getattr(mt.special, name), getattr(torch.special, name)
    xs, ns = np.meshgrid(x, n)
    _close(ours_fn(mt.tensor(xs, device=device), mt.tensor(ns, device=device)).cpu(),
           theirs_fn(torch.tensor(xs), torch.tensor(ns)), rtol=1e-8, atol=1e-8)
    for degree in (0, 3, 10):  # a number, an integer tensor; a number as x
        _close(ours_fn(mt.tensor(x), degree), theirs_fn(torch.tensor(x), degree), rtol=1e-8, atol=1e-8)
        _close(ours_fn(mt.tensor(x), mt.tensor([degree])), theirs_fn(torch.tensor(x), torch.tensor([degree])),
               rtol=1e-8, atol=1e-8)
    _close(ours_fn(0.3, mt.tensor([1.0, 4.0])), theirs_fn(0.3, torch.tensor([1.0, 4.0])), rtol=1e-6, atol=1e-7)
    assert ours_fn(mt.tensor([1, 2]), mt.tensor([3, 4])).dtype == mt.float32
    assert theirs_fn(torch.tensor([1, 2]), torch.tensor([3, 4])).dtype == torch.float32
    with pytest.raises(TypeError):
        ours_fn(2, 3)


def test_two_argument_functions_with_numbers():
    t = np.array([0.0, 0.5, 2.0, 5.0])
    for name, args in (("xlogy", (0.0, "t")), ("xlog1py", (2.0, "t")), ("xlog1py", ("t", -0.5)), ("zeta", (2.0, "t")),
                       ("zeta", ("t", 1.5)), ("gammainc", ("t", "t")), ("gammaincc", ("t", "t"))):
        ours = getattr(mt.special, name)(*(mt.tensor(t + 1) if a == "t" else a for a in args))
        theirs = getattr(torch.special, name)(*(torch.tensor(t + 1) if a == "t" else a for a in args))
        _close(ours, theirs, rtol=1e-8, atol=1e-10)
    with pytest.raises(TypeError):
        mt.special.xlog1py(2.0, 3.0)


def test_multigammaln_domain_and_p():
    # torch 2.13 checks p only: below (p - 1) / 2 the values are lgamma's (inf at its poles)
    for lib in (mt, torch):
        values = lib.special.multigammaln(lib.tensor([0.5, 1.0, 3.0], dtype=lib.float64), 3)
        assert math.isinf(values[1].item())
    assert mt.special.multigammaln(mt.tensor([0.5, 3.0], dtype=mt.float64), 3).tolist() == pytest.approx(
        torch.special.multigammaln(torch.tensor([0.5, 3.0], dtype=torch.float64), 3).tolist())
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        mt.tensor([3.0]).mvlgamma(0)


def test_missing_scipy_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)  # `import scipy.special` now raises ImportError
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    x = mt.tensor([0.5, 1.0], dtype=mt.float64)
    for name in ("erfcx", "i0e", "modified_bessel_k0", "ndtri", "log_ndtr", "airy_ai"):
        with pytest.raises(ModuleNotFoundError, match=r"pip install scipy"):
            getattr(mt.special, name)(x)
    with pytest.raises(ModuleNotFoundError, match="SciPy"):
        mt.erfc(x)
    # the functions computed with NumPy alone do not need it
    for name in ("i0", "i1", "ndtr", "sinc", "entr", "spherical_bessel_j0", "modified_bessel_i1", "gammaln", "bessel_j0",
                 "bessel_y1"):
        _close(getattr(mt.special, name)(x), getattr(torch.special, name)(torch.tensor(x.numpy())))
    _close(mt.special.legendre_polynomial_p(x, 4), torch.special.legendre_polynomial_p(torch.tensor(x.numpy()), 4))


def test_a_backend_without_a_special_library_says_so():
    class Bare(mt.backends.Backend):
        def asarray(self, data, dtype=None, index=None, copy=None):
            return np.array(data, dtype=dtype)

        def to_numpy(self, array):
            return array

        def manual_seed(self, seed):
            pass

        def new_generator(self, seed=None, index=None):
            return np.random.default_rng(seed)

        def default_generator(self, index):
            return np.random.default_rng(0)

    with pytest.raises(NotImplementedError, match="special_function"):
        Bare().special_function("erfcx")


# ---- issue 21's pointwise functions at torch's level --------------------------------------------------
def _both(fn_name, *arrays, method=False, **kw):
    ours = [mt.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    theirs = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    if method:
        return getattr(ours[0], fn_name)(*ours[1:], **kw), getattr(theirs[0], fn_name)(*theirs[1:], **kw)
    return getattr(mt, fn_name)(*ours, **kw), getattr(torch, fn_name)(*theirs, **kw)


def _same(pair):
    ours, theirs = pair
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


FLOATS = np.array([-np.inf, -2.5, -1.0, -0.0, 0.0, 0.5, 3.0, np.inf, np.nan])
INTS = np.array([-12, -7, -1, 0, 3, 8, 30], dtype=np.int64)


def test_float_predicates_and_real_forms():
    for name in ("signbit", "isposinf", "isneginf", "isreal", "angle", "conj", "conj_physical", "resolve_conj",
                 "resolve_neg", "real", "sinc", "i0"):
        for data in (FLOATS, INTS):
            if name in ("sinc", "i0") and data is INTS:
                continue
            ours, theirs = _both(name, data)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy())
            assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    x = mt.tensor([1.0])
    assert x.real is x and x.conj() is x


def test_integer_functions():
    other = np.array([4, 3, 5, 6, 1, 12, 7], dtype=np.int64)
    for name in ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor"):
        _same(_both(name, INTS, other))
    _same(_both("bitwise_not", INTS))
    shifts = np.array([0, 1, 2, 3, 1, 4, 2], dtype=np.int64)
    _same(_both("bitwise_left_shift", INTS, shifts))
    _same(_both("bitwise_right_shift", INTS, shifts))
    assert (mt.tensor(INTS) << 2).tolist() == (torch.tensor(INTS) << 2).tolist()
    assert (mt.tensor(INTS) >> 1).tolist() == (torch.tensor(INTS) >> 1).tolist()
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        mt.gcd(mt.tensor([1.0]), mt.tensor([2.0]))


def test_pointwise_pairs():
    x = np.array([-3.0, -0.5, 0.0, -0.0, 0.5, 2.0, np.nan, np.inf])
    y = np.array([1.0, np.nan, -2.0, 0.0, 0.5, -np.inf, 3.0, 2.0])
    for name in ("copysign", "fmax", "fmin", "nextafter", "heaviside", "float_power", "logaddexp2", "ldexp"):
        ours, theirs = _both(name, x, y)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)
    _same(_both("rsub", x, y, alpha=2))
    _same(_both("rsub", x, 2.0))
    _same(_both("float_power", INTS, 2))
    with pytest.raises(RuntimeError, match="different dtypes"):
        mt.heaviside(mt.tensor([1.0]), mt.tensor([1.0], dtype=mt.float64))


def test_frexp_mantissa_exponent_and_gradient():
    x = np.array([-5.0, -0.3, 0.0, 1e-310, 0.75, 8.0, np.inf])
    (m, e), (tm, te) = _both("frexp", x)
    np.testing.assert_array_equal(m.numpy(), tm.numpy())
    assert e.dtype == mt.int32 and te.dtype == torch.int32 and e.tolist() == te.tolist()
    assert mt.frexp(mt.tensor(x)).mantissa is not None
    t, o = torch.tensor(x[:-1], requires_grad=True), mt.tensor(x[:-1], requires_grad=True)
    torch.frexp(t).mantissa.sum().backward()
    mt.frexp(o).mantissa.sum().backward()
    np.testing.assert_array_equal(o.grad.numpy(), t.grad.numpy())
    with pytest.raises(RuntimeError, match="floating-point"):
        mt.frexp(mt.tensor([1, 2]))


def test_fmax_fmin_copysign_gradients_follow_torch():
    x = np.array([1.0, 2.0, np.nan, 3.0, -1.0, 0.0])
    y = np.array([1.0, np.nan, 2.0, 1.0, 4.0, -2.0])
    for name in ("fmax", "fmin", "copysign"):
        grads = []
        for lib in (torch, mt):
            a, b = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
            getattr(lib, name)(a, b).sum().backward()
            grads.append((a.grad.numpy(), b.grad.numpy()))
        for ours, theirs in zip(grads[1], grads[0]):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
