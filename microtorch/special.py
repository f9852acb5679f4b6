"""``torch.special``: special functions, elementwise on real tensors (torch's names, signatures and semantics).

Computed with the backend's array namespace alone (every backend has them): ``erf``, ``erfinv``, ``expit``,
``logit``, ``exp2``, ``expm1``, ``log1p``, ``xlogy``, ``xlog1py``, ``gammaln``, ``digamma``/``psi``,
``polygamma``, ``multigammaln``, ``gammainc``, ``gammaincc``, ``i0``, ``i1``, ``modified_bessel_i0``/``i1``
(power series), ``ndtr`` (through erf), ``sinc``, ``entr``, ``spherical_bessel_j0``, ``round``, ``softmax``,
``log_softmax``, ``logsumexp``, ``bessel_j0/j1/y0/y1`` (torch's rational approximations) and the orthogonal
polynomials (``chebyshev_polynomial_t/u/v/w``, their
``shifted_`` forms, ``hermite_polynomial_h/he``, ``laguerre_polynomial_l``, ``legendre_polynomial_p``: torch's
recurrences; the degree ``n`` a tensor or a number, truncated to an integer).

From the backend's special-function library (``Backend.special_function``; on the CPU SciPy's ``scipy.special``,
imported when first needed: without SciPy these raise an error saying ``pip install scipy``; on the GPU
``cupyx.scipy.special``): ``erfc``, ``erfcx``, ``ndtri``, ``log_ndtr``, ``i0e``, ``i1e``, ``zeta``, ``airy_ai``,
``modified_bessel_k0/k1``, ``scaled_modified_bessel_k0/k1``.

Gradients where torch has them (not for the Bessel functions of the library, ``spherical_bessel_j0``,
``modified_bessel_*``, the polynomials, ``zeta`` in its first argument, or ``gammainc`` in its first).
"""
from __future__ import annotations

from typing import Any

from ._dtype import get_default_dtype, result_type
from ._promotion import _binary, _expect, _float_input
from ._signatures import write_out
from ._tensor import Tensor
from .autograd.ops import special as _special
from .autograd.ops.nn import softmax as _softmax_kernel, Softmax as _Softmax, LogSoftmax as _LogSoftmax

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
    "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
    "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e",
    "i1", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit",
    "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
    "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]


def _tensor_input(input: Any, name: str) -> Tensor:
    _expect(input, Tensor, name, "input")
    return input


# ---- functions of one tensor ---------------------------------------------------------------------------
def erf(input: Tensor, *, out: Any = None) -> Tensor:
    """The error function; grad: g 2/sqrt(pi) exp(-x^2)."""
    return write_out(out, _tensor_input(input, "erf").erf(), "erf")


def erfc(input: Tensor, *, out: Any = None) -> Tensor:
    """1 - erf(x); grad: -g 2/sqrt(pi) exp(-x^2)."""
    return write_out(out, _tensor_input(input, "erfc").erfc(), "erfc")


def erfcx(input: Tensor, *, out: Any = None) -> Tensor:
    """exp(x^2) erfc(x); grad: g (2 x erfcx(x) - 2/sqrt(pi))."""
    return write_out(out, _special.Erfcx.apply(_float_input(_tensor_input(input, "erfcx"))), "erfcx")


def erfinv(input: Tensor, *, out: Any = None) -> Tensor:
    """The inverse of erf; grad: g sqrt(pi)/2 exp(erfinv(x)^2)."""
    return write_out(out, _tensor_input(input, "erfinv").erfinv(), "erfinv")


def expit(input: Tensor, *, out: Any = None) -> Tensor:
    """The logistic sigmoid 1 / (1 + exp(-x)); grad: g s (1 - s)."""
    return write_out(out, _tensor_input(input, "expit").sigmoid(), "expit")


def logit(input: Tensor, eps: float | None = None, *, out: Any = None) -> Tensor:
    """log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given; grad: g / (x (1 - x))."""
    return write_out(out, _tensor_input(input, "logit").logit(eps), "logit")


def exp2(input: Tensor, *, out: Any = None) -> Tensor:
    """2^x; grad: g 2^x log 2."""
    return write_out(out, _tensor_input(input, "exp2").exp2(), "exp2")


def expm1(input: Tensor, *, out: Any = None) -> Tensor:
    """exp(x) - 1; grad: g exp(x)."""
    return write_out(out, _tensor_input(input, "expm1").expm1(), "expm1")


def log1p(input: Tensor, *, out: Any = None) -> Tensor:
    """log(1 + x); grad: g / (1 + x)."""
    return write_out(out, _tensor_input(input, "log1p").log1p(), "log1p")


def gammaln(input: Tensor, *, out: Any = None) -> Tensor:
    """log|Gamma(x)|; grad: g digamma(x)."""
    return write_out(out, _tensor_input(input, "gammaln").lgamma(), "gammaln")


def digamma(input: Tensor, *, out: Any = None) -> Tensor:
    """psi(x) = d log Gamma(x) / dx; grad: g polygamma(1, x)."""
    return write_out(out, _tensor_input(input, "digamma").digamma(), "digamma")


psi = digamma


def polygamma(n: int, input: Tensor, *, out: Any = None) -> Tensor:
    """The n-th derivative of digamma; grad: g polygamma(n + 1, x)."""
    _expect(n, int, "polygamma", "n", 1)
    _expect(input, Tensor, "polygamma", "input", 2)
    return write_out(out, input.polygamma(n), "polygamma")


def multigammaln(input: Tensor, p: int, *, out: Any = None) -> Tensor:
    """The multivariate log-gamma function of dimension p; grad: g sum_(i<p) digamma(x - i/2)."""
    return write_out(out, _tensor_input(input, "multigammaln").mvlgamma(p), "multigammaln")


def i0(input: Tensor, *, out: Any = None) -> Tensor:
    """The modified Bessel function I0; grad: g I1(x)."""
    return write_out(out, _tensor_input(input, "i0").i0(), "i0")


def i0e(input: Tensor, *, out: Any = None) -> Tensor:
    """exp(-|x|) I0(x); grad: g (i1e(x) - sign(x) i0e(x))."""
    return write_out(out, _special.I0e.apply(_float_input(_tensor_input(input, "i0e"))), "i0e")


def i1(input: Tensor, *, out: Any = None) -> Tensor:
    """The modified Bessel function I1; grad: g (I0(x) - I1(x) / x), g/2 at 0."""
    return write_out(out, _special.I1.apply(_float_input(_tensor_input(input, "i1"))), "i1")


def i1e(input: Tensor, *, out: Any = None) -> Tensor:
    """exp(-|x|) I1(x); grad: g (i0e(x) - i1e(x) (sign(x) + 1/x)), g/2 at 0."""
    return write_out(out, _special.I1e.apply(_float_input(_tensor_input(input, "i1e"))), "i1e")


def ndtr(input: Tensor, *, out: Any = None) -> Tensor:
    """The standard normal CDF; grad: g exp(-x^2/2) / sqrt(2 pi)."""
    return write_out(out, _special.ndtr(_tensor_input(input, "ndtr")), "ndtr")


def ndtri(input: Tensor, *, out: Any = None) -> Tensor:
    """The inverse of ndtr; grad: g sqrt(2 pi) exp(ndtri(p)^2 / 2)."""
    return write_out(out, _special.Ndtri.apply(_float_input(_tensor_input(input, "ndtri"))), "ndtri")


def log_ndtr(input: Tensor, *, out: Any = None) -> Tensor:
    """log(ndtr(x)), accurate far in the lower tail; grad: g exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi)."""
    return write_out(out, _special.LogNdtr.apply(_float_input(_tensor_input(input, "log_ndtr"))), "log_ndtr")


def sinc(input: Tensor, *, out: Any = None) -> Tensor:
    """sin(pi x) / (pi x), 1 at 0; grad: g (cos(pi x) - sinc(x)) / x, 0 at 0."""
    return write_out(out, _tensor_input(input, "sinc").sinc(), "sinc")


def entr(input: Tensor, *, out: Any = None) -> Tensor:
    """-x log(x), 0 at 0, -inf below 0; grad: -g (1 + log(x))."""
    return write_out(out, _special.Entr.apply(_float_input(_tensor_input(input, "entr"))), "entr")


def round(input: Tensor, *, decimals: int = 0, out: Any = None) -> Tensor:  # noqa: A001 - torch's name
    """Round half to even, to ``decimals`` decimal places; grad: 0."""
    return write_out(out, _tensor_input(input, "round").round(decimals=decimals), "round")


def spherical_bessel_j0(input: Tensor, *, out: Any = None) -> Tensor:
    """sin(x) / x, 1 at 0 (no gradient, as in torch)."""
    x = _float_input(_tensor_input(input, "spherical_bessel_j0"))
    return write_out(out, _special.SphericalBesselJ0.apply(x), "spherical_bessel_j0")


def modified_bessel_i0(input: Tensor, *, out: Any = None) -> Tensor:
    """The modified Bessel function I0 (no gradient, as in torch: ``i0`` has one)."""
    x = _float_input(_tensor_input(input, "modified_bessel_i0"))
    return write_out(out, _special.ModifiedBesselI.apply(x, order=0), "modified_bessel_i0")


def modified_bessel_i1(input: Tensor, *, out: Any = None) -> Tensor:
    """The modified Bessel function I1 (no gradient, as in torch: ``i1`` has one)."""
    x = _float_input(_tensor_input(input, "modified_bessel_i1"))
    return write_out(out, _special.ModifiedBesselI.apply(x, order=1), "modified_bessel_i1")


def _bessel(kind: str, description: str) -> Any:
    """``torch.special.bessel_<kind>`` (torch's own approximations, NumPy alone; no gradient, as in torch)."""
    name = f"bessel_{kind}"

    def function(input: Tensor, *, out: Any = None) -> Tensor:
        x = _float_input(_tensor_input(input, name))
        return write_out(out, _special.BesselJY.apply(x, kind=kind), name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"The Bessel function of the {description} (no gradient, as in torch)."
    return function


bessel_j0 = _bessel("j0", "first kind of order 0")
bessel_j1 = _bessel("j1", "first kind of order 1")
bessel_y0 = _bessel("y0", "second kind of order 0")
bessel_y1 = _bessel("y1", "second kind of order 1")


def _library_function(name: str) -> Any:
    op = _special.UNDIFFERENTIATED[name]

    def function(input: Tensor, *, out: Any = None) -> Tensor:
        return write_out(out, op.apply(_float_input(_tensor_input(input, name))), name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}, from the backend's special-function library (no gradient, as in torch)."
    return function


airy_ai = _library_function("airy_ai")
modified_bessel_k0 = _library_function("modified_bessel_k0")
modified_bessel_k1 = _library_function("modified_bessel_k1")
scaled_modified_bessel_k0 = _library_function("scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _library_function("scaled_modified_bessel_k1")


# ---- reductions over a dimension -------------------------------------------------------------------
def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum exp(x) along dim; grad: s (g - sum(g s))."""
    x = _tensor_input(input, "softmax")
    return _softmax_kernel(x if dtype is None else x.to(dtype), dim, _Softmax)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along dim; grad: g - softmax(x) sum(g)."""
    x = _tensor_input(input, "log_softmax")
    return _softmax_kernel(x if dtype is None else x.to(dtype), dim, _LogSoftmax)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False, *, out: Any = None) -> Tensor:
    """log sum exp(x) along dim; grad: g softmax(x)."""
    return write_out(out, _tensor_input(input, "logsumexp").logsumexp(dim, keepdim), "logsumexp")


# ---- functions of two arguments ----------------------------------------------------------------------
def _pair(input: Any, other: Any, name: str) -> tuple:
    """Both arguments, at least one a Tensor (torch has no overload for two numbers)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments: got ({type(input).__name__}, "
                        f"{type(other).__name__}), but expected one of (Tensor, Tensor), (Number, Tensor), "
                        "(Tensor, Number)")
    return input, other


def xlogy(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """x log(y), 0 where x == 0; grad: g log(y) for x, g x / y for y."""
    x, y = _pair(input, other, "xlogy")
    result = x.xlogy(y) if isinstance(x, Tensor) else y.new_tensor(x, dtype=_float_input(y).dtype).xlogy(y)
    return write_out(out, result, "xlogy")


def xlog1py(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """x log1p(y), 0 where x == 0; grad: g log1p(y) for x, g x / (1 + y) for y."""
    x, y = _pair(input, other, "xlog1py")
    result = x.xlog1py(y) if isinstance(x, Tensor) else y.new_tensor(x, dtype=_float_input(y).dtype).xlog1py(y)
    return write_out(out, result, "xlog1py")


def gammainc(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x); grad: g x^(a-1) e^-x / Gamma(a) for x."""
    return write_out(out, _tensor_input(input, "gammainc").igamma(other), "gammainc")


def gammaincc(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x); grad: -g x^(a-1) e^-x / Gamma(a)."""
    return write_out(out, _tensor_input(input, "gammaincc").igammac(other), "gammaincc")


def zeta(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """The Hurwitz zeta function sum_k (k + other)^-input; grad: -g x zeta(x + 1, q) for q (none for x)."""
    x, q = _pair(input, other, "zeta")
    x = _float_input(x) if isinstance(x, Tensor) else x
    q = _float_input(q) if isinstance(q, Tensor) else q
    return write_out(out, _binary(_special.Zeta, x, q), "zeta")


def _polynomial(kind: str, name: str) -> Any:
    def function(input: Any, n: Any, *, out: Any = None) -> Tensor:
        x, degree = _pair(input, n, name)
        target = result_type(x, degree)
        target = target if target.is_floating_point else get_default_dtype()
        like = x if isinstance(x, Tensor) else degree
        x = x.to(target) if isinstance(x, Tensor) else like.new_tensor(x, dtype=target)
        return write_out(out, _special.Polynomial.apply(x, degree, kind=kind), name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}(input, n): the polynomial of degree n at input (no gradient, as torch)."
    return function


chebyshev_polynomial_t = _polynomial("t", "chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("u", "chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("v", "chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("w", "chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_t", "shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_u", "shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_v", "shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_w", "shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("h", "hermite_polynomial_h")
hermite_polynomial_he = _polynomial("he", "hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("l", "laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("p", "legendre_polynomial_p")
