"""Special functions: the ops of ``torch.special`` (``microtorch/special.py`` is the namespace).

Written with ``ctx.xp`` alone (no SciPy), so every backend gets them: the gamma family shifts its
argument up by the recurrence Gamma(x + 1) = x Gamma(x) and then sums its asymptotic series
(Stirling's for lgamma, the Bernoulli-number series for the polygammas), reflecting negative
arguments first; erfinv refines a rational first guess by Newton steps on the backend's erf; the
regularized incomplete gamma function; I0 and I1 by their power series, J0, J1, Y0, Y1 by torch's
approximations (``bessel.py``); entr, xlog1py,
spherical_bessel_j0 and torch's orthogonal polynomials (its recurrences and closed forms).
Each is accurate to a few ulps in float64 (tests compare with torch's).

The rest (``LibraryFunction`` and its subclasses, ``Zeta``) call the backend's special-function library
(``Backend.special_function``: SciPy's names), where NumPy alone has no short accurate algorithm.
"""
from __future__ import annotations

import math
from typing import Any

from ..function import Op
from ..._creation import arange
from ..._promotion import _check_int64, _float_input
from .bessel import bessel_jy
from .elementwise import where

# Bernoulli numbers B_2k for k = 1..8: the asymptotic series of log Gamma and the polygammas
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_SHIFT_TO = 10.0  # arguments are raised to at least this before the asymptotic series (error < 1e-16)


def _shift_up(xp, x, term):
    """Add ``term(x + k)`` for k = 0, 1, ... while x + k < _SHIFT_TO; returns (shifted x, sum of terms)."""
    acc = xp.zeros_like(x)
    lowest = float(xp.min(xp.where(xp.isfinite(x), x, _SHIFT_TO))) if x.size else _SHIFT_TO  # (inf, nan: no shift)
    steps = int(max(0.0, math.ceil(_SHIFT_TO - lowest)))
    for _ in range(steps):
        low = x < _SHIFT_TO
        acc = acc + xp.where(low, term(xp.where(low, x, 1.0)), 0.0)
        x = xp.where(low, x + 1.0, x)
    return x, acc


def _in_float64(fn):
    """Compute in float64 and round once (the series cancel digits float32 cannot spare)."""
    def wrapped(xp, *args):
        x = args[-1]
        return fn(xp, *args[:-1], x.astype("float64", copy=False)).astype(x.dtype, copy=False)
    return wrapped


@_in_float64
def _lgamma(xp, x):
    """log|Gamma(x)|: reflection below 0.5, shift, then Stirling's series."""
    reflect = x < 0.5
    y = xp.where(reflect, 1.0 - x, x)
    with _ignore(xp):
        y, log_prod = _shift_up(xp, y, xp.log)  # log Gamma(y) = log Gamma(y + n) - sum log(y + k)
        inv = 1.0 / y
        series = sum(b / (2 * k * (2 * k - 1)) * inv ** (2 * k - 1) for k, b in enumerate(_BERNOULLI, 1))
        out = (y - 0.5) * xp.log(y) - y + 0.5 * math.log(2 * math.pi) + series - log_prod
        sin_pi_x = xp.abs(xp.sin(math.pi * (x - xp.floor(x))))  # exact zeros at the poles
        reflected = math.log(math.pi) - xp.log(sin_pi_x) - out
    out = xp.where(reflect, reflected, out)
    return xp.where(xp.isinf(x), xp.inf, out).astype(x.dtype, copy=False)  # torch: lgamma(+-inf) = inf


@_in_float64
def _polygamma(xp, n: int, x):
    """psi^(n)(x) for n >= 0 (n = 0: digamma), by shifting and the asymptotic series; reflected below 0.5
    for n <= 1 (torch's domain for higher orders on negative inputs is the same shift, done here too)."""
    with _ignore(xp):
        reflect = (x < 0.5) & (n <= 1)
        y = xp.where(reflect, 1.0 - x, x)
        sign = -1.0 if n % 2 == 0 else 1.0  # psi^(n)(y) = psi^(n)(y+1) + (-1)^(n+1) n! / y^(n+1)
        y, acc = _shift_up(xp, y, lambda t: sign * math.factorial(n) / t ** (n + 1))
        if n == 0:
            series = xp.log(y) - 0.5 / y - sum(b / (2 * k) / y ** (2 * k) for k, b in enumerate(_BERNOULLI, 1))
        else:
            series = math.factorial(n - 1) / y ** n + math.factorial(n) / (2 * y ** (n + 1)) + sum(
                b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / y ** (2 * k + n)
                for k, b in enumerate(_BERNOULLI, 1))
            series = series * (1.0 if n % 2 == 1 else -1.0)
        out = series + acc
        if n == 0:  # psi(x) = psi(1 - x) - pi / tan(pi x)
            out = xp.where(reflect, out - math.pi / xp.tan(math.pi * x), out)
        elif n == 1:  # psi1(x) = -psi1(1 - x) + pi^2 / sin^2(pi x)
            out = xp.where(reflect, -out + (math.pi / xp.sin(math.pi * x)) ** 2, out)
        poles = (x <= 0) & (x == xp.floor(x))  # torch: digamma(0) = -inf, nan at the negative integers
        # (digamma(+-0) = -+inf, as torch's copysign(inf, -x))
        out = xp.where(poles, (xp.where(x == 0, xp.copysign(xp.inf, -x), xp.nan)) if n == 0 else xp.inf, out)
    return out.astype(x.dtype, copy=False)


def _erfinv(xp, backend, y):
    """erf^-1(y): Giles' single-precision approximation, then two Newton steps on erf (float64 exact)."""
    with _ignore(xp):
        w = -xp.log((1.0 - y) * (1.0 + y))
        small = w < 5.0
        ws, wl = w - 2.5, xp.sqrt(xp.where(small, 5.0, w)) - 3.0
        p_small = _horner(ws, (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                               -0.00125372503, -0.00417768164, 0.246640727, 1.50140941))
        p_large = _horner(wl, (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682))
        x = xp.where(small, p_small, p_large) * y
        for _ in range(2):
            err = backend.erf(x) - y
            x = x - err / (2.0 / math.sqrt(math.pi) * xp.exp(-x * x))
        x = xp.where(xp.abs(y) == 1.0, xp.copysign(xp.inf, y), x)
        x = xp.where(xp.abs(y) > 1.0, xp.nan, x)
    return x.astype(y.dtype, copy=False)


def _library_or_none(backend, name: str):
    """The backend's special function ``name``, or None where it has no special-function library."""
    try:
        return backend.special_function(name)
    except (ImportError, NotImplementedError):
        return None


def _horner(t, coefficients):
    out = coefficients[0]
    for c in coefficients[1:]:
        out = out * t + c
    return out


def _ignore(xp):
    """Poles and reflections divide by zero on purpose (torch returns inf/nan there silently)."""
    errstate = getattr(xp, "errstate", None)
    import contextlib

    return errstate(all="ignore") if errstate is not None else contextlib.nullcontext()


class Lgamma(Op):
    """d log|Gamma(x)| = digamma(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma(ctx.xp, x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, n=0)


class Polygamma(Op):
    """d psi^(n)(x) = psi^(n+1)(x) dx (n = 0 is digamma)"""

    def forward(ctx, x, n: int):
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma(ctx.xp, n, x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, n=ctx.n + 1)


class Erfinv(Op):
    """d erfinv(y) = sqrt(pi)/2 exp(erfinv(y)^2) dy"""

    def forward(ctx, y):
        # float64: the library's where there is one (Newton's steps on erf lose digits within 1e-10 of +-1)
        library = _library_or_none(ctx.device.backend, "erfinv") if y.dtype == "float64" else None
        out = library(y) if library is not None else _erfinv(ctx.xp, ctx.device.backend, y)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out).exp() * (math.sqrt(math.pi) / 2.0)


# ---- the regularized incomplete gamma function and gamma sampling -------------------------------------
def _gammainc(xp, a, x):
    """P(a, x) = gamma(a, x) / Gamma(a): the power series below x < a + 1, Lentz's continued fraction for
    Q = 1 - P above (Numerical Recipes 6.2); a fixed number of steps, vectorised over the arrays."""
    with _ignore(xp):
        use_series = x < a + 1.0
        log_front = a * xp.log(xp.where(x > 0, x, 1.0)) - x - _lgamma(xp, a)
        term = 1.0 / a
        total = term
        for n in range(1, 400):  # series: converges after about sqrt(a) terms beyond x
            term = term * xp.where(use_series, x, 0.0) / (a + n)
            total = total + term
        series = total * xp.exp(log_front)
        tiny = 1e-300
        b = xp.where(use_series, 1.0, x) + 1.0 - a
        c, d = 1.0 / tiny, 1.0 / b
        h = d
        for i in range(1, 200):
            an = -i * (i - a)
            b = b + 2.0
            d = an * d + b
            d = xp.where(xp.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = xp.where(xp.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            h = h * d * c
        upper = xp.exp(log_front) * h
        out = xp.where(use_series, series, 1.0 - upper)
    return xp.where(x <= 0, 0.0, out)


def _standard_gamma_grad(xp, alpha, x):
    """dx/dalpha of x ~ Gamma(alpha, 1) at fixed CDF value (implicit reparameterisation):
    -(dP(alpha, x)/dalpha) / p(x; alpha), the alpha-derivative by a central difference in float64."""
    a, x = alpha.astype("float64", copy=False), x.astype("float64", copy=False)
    h = 1e-5 * xp.maximum(a, 1.0)
    dp_da = (_gammainc(xp, a + h, x) - _gammainc(xp, a - h, x)) / (2.0 * h)
    with _ignore(xp):
        log_pdf = (a - 1.0) * xp.log(x) - x - _lgamma(xp, a)
        out = -dp_da / xp.exp(log_pdf)
    out = xp.where(xp.isfinite(out), out, 0.0)  # far tails, where the density underflows: torch gives 0
    return out.astype(alpha.dtype, copy=False)


class StandardGamma(Op):
    """x ~ Gamma(alpha, 1); d x = (dx/dalpha at fixed CDF) d alpha (implicit reparameterisation, as torch's)"""

    once_differentiable = True

    def forward(ctx, alpha, generator=None):
        with _ignore(ctx.xp):
            out = ctx.device.backend.standard_gamma(alpha, ctx.device.index, generator)
        out = ctx.xp.maximum(out, _tiny(ctx.xp, out.dtype))  # torch clamps to the smallest normal number
        ctx.save_for_backward(alpha, out)
        return out

    def backward(ctx, grad):
        alpha, out = ctx.saved_tensors
        return grad * StandardGammaGrad.apply(alpha, out)


class StandardGammaGrad(Op):
    """dx/dalpha for a Gamma(alpha, 1) sample x (``torch._standard_gamma_grad``); not differentiable itself."""

    def forward(ctx, alpha, x):
        return _standard_gamma_grad(ctx.xp, alpha, x)


def _tiny(xp, dtype):
    return xp.finfo(dtype).tiny


class RegularizedGammaP(Op):
    """P(a, x) = gamma(a, x) / Gamma(a) (``torch.special.gammainc``); d/dx = x^(a-1) e^-x / Gamma(a); like torch's,
    it is not differentiable in ``a``."""

    broadcasting = True

    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        xp = ctx.xp
        dtype = x.dtype if hasattr(x, "dtype") else a.dtype
        a, x = xp.asarray(a, dtype="float64"), xp.asarray(x, dtype="float64")
        with _ignore(xp):
            out = _gammainc(xp, a, x)
            # torch's special cases: nan outside a, x >= 0; P(0, x > 0) = 1; P(inf, x) = 0; P(a, inf) = 1
            out = xp.where(xp.isinf(a), xp.where(xp.isinf(x), xp.nan, 0.0), xp.where(xp.isinf(x), 1.0, out))
            out = xp.where(a == 0, xp.where(x > 0, 1.0, xp.nan), out)
            out = xp.where((a < 0) | (x < 0) | xp.isnan(a) | xp.isnan(x), xp.nan, out)
        return out.astype(dtype)

    def backward(ctx, grad):
        if ctx.needs_input_grad[0]:  # (torch's words, raised when the gradient is asked for)
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        a, x = ctx.saved_tensors
        return None, grad * ((a - 1) * x.log() - x - a.lgamma()).exp()


# ---- the modified Bessel functions I0 and I1 by their power series (pure xp) -------------------------
@_in_float64
def _bessel_i(xp, order: int, x):
    """I_order(x), order 0 or 1: sum_k (x/2)^(2k+order) / (k! (k+order)!), a sum of positive terms (nothing
    cancels); the terms peak near k = |x|/2 and fall off within a few sqrt(|x|) terms after it."""
    with _ignore(xp):
        ax = xp.abs(x)
        quarter_square = ax * ax / 4.0
        term = ax / 2.0 if order else xp.ones_like(ax)
        total = term
        largest = min(float(xp.max(xp.where(xp.isfinite(ax), ax, 0.0))), 800.0) if ax.size else 0.0
        for k in range(1, int(largest / 2 + 10 * math.sqrt(largest) + 25)):
            term = term * quarter_square / (k * (k + order))
            total = total + term
        total = xp.where(xp.isinf(x), xp.nan, total)  # torch's (Cephes') value at +-inf
    return xp.where(x < 0, -total, total) if order else total


class I0(Op):
    """d I0(x) = I1(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _bessel_i(ctx.xp, 0, x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * I1.apply(x)


class I1(Op):
    """d I1(x) = (I0(x) - I1(x) / x) dx, 1/2 at x = 0"""

    def forward(ctx, x):
        out = _bessel_i(ctx.xp, 1, x)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        at_zero = x == 0
        return grad * where(at_zero, 0.5, I0.apply(x) - out / where(at_zero, 1.0, x))


# ---- functions of the backend's special-function library (scipy.special's names) ----------------------
def _library_call(ctx, name: str, *arrays):
    """``name`` of the backend's special-function library on ``arrays``, in the first array's dtype."""
    function = ctx.device.backend.special_function(name)
    dtype = next(a.dtype for a in arrays if hasattr(a, "dtype"))
    with _ignore(ctx.xp):
        out = function(*arrays)
    if isinstance(out, tuple):  # airy: (Ai, Ai', Bi, Bi')
        out = out[0]
    return ctx.xp.asarray(out, dtype=dtype)


class LibraryFunction(Op):
    """An elementwise function of the backend's special-function library; without a derivative in torch unless a
    subclass defines ``backward``."""

    library = ""  # scipy.special's name
    torch_name = ""  # torch's, for the message of the derivative torch does not have either

    def forward(ctx, x):
        out = _library_call(ctx, ctx.library, x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for '{ctx.torch_name}' is not implemented.")


class Erfc(LibraryFunction):
    """d erfc(x) = -2/sqrt(pi) exp(-x^2) dx"""

    library = "erfc"

    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return grad * (-(x * x)).exp() * (-2.0 / math.sqrt(math.pi))


class Erfcx(LibraryFunction):
    """erfcx(x) = exp(x^2) erfc(x); d erfcx(x) = (2 x erfcx(x) - 2/sqrt(pi)) dx"""

    library = "erfcx"

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (2.0 * x * out - 2.0 / math.sqrt(math.pi))


class Ndtri(LibraryFunction):
    """The inverse of the standard normal CDF; d ndtri(p) = sqrt(2 pi) exp(ndtri(p)^2 / 2) dp"""

    library = "ndtri"

    def backward(ctx, grad):
        _, out = ctx.saved_tensors
        return grad * (out * out * 0.5).exp() * math.sqrt(2.0 * math.pi)


class LogNdtr(LibraryFunction):
    """log of the standard normal CDF; d log_ndtr(x) = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi) dx"""

    library = "log_ndtr"

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (x * x * -0.5 - out).exp() * (1.0 / math.sqrt(2.0 * math.pi))


class I0e(LibraryFunction):
    """I0e(x) = exp(-|x|) I0(x); d I0e(x) = (I1e(x) - sign(x) I0e(x)) dx"""

    library = "i0e"

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (I1e.apply(x) - x.sign() * out)


class I1e(LibraryFunction):
    """I1e(x) = exp(-|x|) I1(x); d I1e(x) = (I0e(x) - I1e(x) (sign(x) + 1/x)) dx, 1/2 at x = 0"""

    library = "i1e"

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        at_zero = x == 0
        return grad * where(at_zero, 0.5, I0e.apply(x) - out * (x.sign() + 1.0 / where(at_zero, 1.0, x)))


def _undifferentiated(torch_name: str, library: str) -> type:
    name = "".join(part.title() for part in torch_name.split("_"))
    return type(name, (LibraryFunction,), {"__doc__": f"torch.special.{torch_name}: scipy.special.{library}",
                                           "__module__": __name__, "library": library,
                                           "torch_name": f"special_{torch_name}"})


#: torch.special's functions without a derivative (in torch too), by scipy.special's name
UNDIFFERENTIATED: dict = {name: _undifferentiated(name, library) for name, library in {
    "airy_ai": "airy", "modified_bessel_k0": "k0", "modified_bessel_k1": "k1", "scaled_modified_bessel_k0": "k0e",
    "scaled_modified_bessel_k1": "k1e",
}.items()}


class Zeta(Op):
    """The Hurwitz zeta function zeta(x, q) = sum_k (k + q)^-x; d/dq = -x zeta(x + 1, q), and, as in torch, no
    derivative in x."""

    broadcasting = True

    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return _library_call(ctx, "zeta", x, q)

    def backward(ctx, grad):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.saved_tensors
        return None, grad * -x * Zeta.apply(x + 1.0, q)


# ---- pure-xp functions without a derivative in torch --------------------------------------------------
class BesselJY(Op):
    """torch.special.bessel_j0, j1, y0, y1 (``kind``), torch's approximations (``bessel.py``); no derivative, as in
    torch."""

    def forward(ctx, x, kind):
        ctx.kind = kind
        with _ignore(ctx.xp):
            return bessel_jy(ctx.xp, kind, x)

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for 'special_bessel_{ctx.kind}' is not implemented.")


class ModifiedBesselI(Op):
    """torch.special.modified_bessel_i0 / i1 (the power series of ``i0``/``i1``); no derivative, as in torch."""

    def forward(ctx, x, order):
        ctx.order = order
        return _bessel_i(ctx.xp, order, x)

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for 'special_modified_bessel_i{ctx.order}' is not implemented.")


class SphericalBesselJ0(Op):
    """sin(x) / x, 1 at 0 and 0 at +-inf (torch's series below |x| < 1/2); no derivative, as in torch."""

    def forward(ctx, x):
        xp = ctx.xp
        with _ignore(xp):
            square = x * x
            series = 1.0 + square * _horner(square, (1 / 6227020800.0, -1 / 39916800.0, 1 / 362880.0,
                                                     -1 / 5040.0, 1 / 120.0, -1 / 6.0))
            out = xp.where(xp.abs(x) < 0.5, series, xp.sin(x) / x)
        return xp.where(xp.isinf(x), 0.0, out).astype(x.dtype, copy=False)

    def backward(ctx, grad):
        raise NotImplementedError("the derivative for 'special_spherical_bessel_j0' is not implemented.")


class Entr(Op):
    """entr(x) = -x log(x) (0 at 0, -inf below); d entr(x) = -(1 + log(x)) dx"""

    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        with _ignore(xp):
            out = xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1.0)), xp.where(x == 0, 0.0, -xp.inf))
        return xp.where(xp.isnan(x), x, out).astype(x.dtype, copy=False)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(x.log() + 1.0)


class Xlog1py(Op):
    """xlog1py(x, y) = x log1p(y), 0 where x == 0 (unless y is nan): d = log1p(y) dx + x / (1 + y) dy, where torch
    takes the dx part as 0 at x == 0, y <= -1"""

    broadcasting = True

    def forward(ctx, x, y):
        xp = ctx.xp
        ctx.save_for_backward(x, y)
        with _ignore(xp):
            out = x * xp.log1p(y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(out), out)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = where((x == 0) & (y <= -1), 0.0, grad * y.log1p()) if need_x else None
        return gx, (grad * x / (y + 1.0) if need_y else None)


# ---- orthogonal polynomials of degree n (torch's recurrences and closed forms, ATen's Math.h) ----------
def _by_recurrence(xp, n, p0, p1, step):
    """P_n from P_0 = p0, P_1 = p1 and P_k = step(k, P_(k-2), P_(k-1)), for each element's own degree n."""
    out = xp.where(n == 0, p0, xp.where(n == 1, p1, xp.nan))
    p, q = p0, p1
    for k in range(2, int(xp.max(n)) + 1 if n.size else 0):
        p, q = q, step(k, p, q)
        out = xp.where(n == k, q, out)
        if not bool(xp.any((n > k) & xp.isfinite(q))):  # (the rest would stay inf or nan)
            out = xp.where(n > k, q, out)
            break
    return out


def _chebyshev(xp, kind: str, y, n, closed_above: int):
    """T, U, V or W of degree n at y: exact ends at y = +-1, the trigonometric form inside (-1, 1) above degree
    ``closed_above``, else the three-term recurrence P_k = 2 y P_(k-1) - P_(k-2)."""
    sign = xp.where(n % 2 == 0, 1.0, -1.0)
    theta = xp.arccos(xp.clip(y, -1.0, 1.0))
    if kind == "t":
        ends, p1 = (1.0, sign), y
        closed = xp.cos(n * theta)
    elif kind == "u":
        ends, p1 = (n + 1.0, sign * (n + 1.0)), y + y
        closed = xp.where(xp.sin(theta) != 0, xp.sin((n + 1) * theta) / xp.sin(theta),
                          (n + 1) * xp.cos((n + 1) * theta) / y)
    elif kind == "v":
        ends, p1 = (1.0, sign * (2.0 * n + 1.0)), y + y - 1.0
        closed = xp.where(xp.sin(theta / 2) != 1, xp.cos((n + 0.5) * theta) / xp.cos(theta / 2), sign * (2.0 * n + 1))
    else:
        ends, p1 = (2.0 * n + 1.0, sign), y + y + 1.0
        closed = xp.where(xp.cos(theta / 2) != 1, xp.sin((n + 0.5) * theta) / xp.sin(theta / 2),
                          xp.where(y > 0, 2.0 * n + 1, sign))
    out = _by_recurrence(xp, xp.where((xp.abs(y) < 1) & (n > closed_above), 0, n), xp.ones_like(y), p1,
                         lambda k, p, q: (y + y) * q - p)
    out = xp.where((xp.abs(y) < 1) & (n > closed_above), closed, out)
    return xp.where(y == 1, ends[0], xp.where(y == -1, ends[1], out))


def _hermite_limit(dtype) -> int:
    return 512 if dtype == "float64" else 128  # torch gives nan above these degrees


def _polynomial(xp, kind: str, x, n):
    ones = xp.ones_like(x)
    if kind in ("t", "u", "v", "w"):
        return _chebyshev(xp, kind, x, n, 6 if kind == "t" else 8)
    if kind.startswith("shifted_"):
        return _chebyshev(xp, kind[-1], x + x - 1.0, n, 4 if kind[-1] == "w" else 6)
    if kind == "h":
        out = _by_recurrence(xp, n, ones, x + x, lambda k, p, q: (x + x) * q - (2.0 * (k - 1)) * p)
        return xp.where(n > _hermite_limit(x.dtype.name), xp.nan, out)
    if kind == "he":
        out = _by_recurrence(xp, n, ones, x, lambda k, p, q: x * q - (k - 1.0) * p)
        return xp.where(n > _hermite_limit(x.dtype.name), xp.nan, out)
    if kind == "l":
        out = _by_recurrence(xp, n, ones, 1.0 - x, lambda k, p, q: ((2.0 * k - 1.0 - x) * q - (k - 1.0) * p) / k)
        return xp.where(x == 0, 1.0, out)
    out = _by_recurrence(xp, n, ones, x, lambda k, p, q: ((2.0 * k - 1.0) * x * q - (k - 1.0) * p) / k)  # Legendre
    return xp.where(xp.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0), out)


class Polynomial(Op):
    """torch.special's orthogonal polynomials P_n(x) (``kind``: t, u, v, w, shifted_t, ..., h, he, l, p), n truncated
    to an integer per element (0 below degree 0); no derivative, as in torch."""

    def forward(ctx, x, n, kind):
        xp = ctx.xp
        ctx.kind = kind
        dtype = (x if hasattr(x, "dtype") else n).dtype
        x, n = xp.broadcast_arrays(xp.asarray(x, dtype=dtype), xp.asarray(n))
        if n.dtype.kind == "f":  # C's cast of the degree: toward zero; nan and inf become a negative degree
            n = xp.where(xp.isfinite(n), xp.trunc(xp.where(xp.isfinite(n), n, 0)), -1)
        n = n.astype("int64")
        with _ignore(xp):
            out = _polynomial(xp, kind, x, xp.maximum(n, 0))
        return xp.where(n < 0, 0.0, out).astype(dtype, copy=False)

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for 'special_{ctx.kind}_polynomial' is not implemented.")


# ---- composites: written with the ops above, so their gradients come from those ------------------------
def sinc(x: Any) -> Any:
    """sin(pi x) / (pi x), 1 at 0 (x is replaced by 1 there first, so the gradient at 0 is 0, not nan)."""
    x = _float_input(x)
    at_zero = x == 0
    pi_x = where(at_zero, 1.0, x) * math.pi
    return where(at_zero, 1.0, pi_x.sin() / pi_x)


def multigammaln(x: Any, p: int) -> Any:
    """log of the multivariate gamma function: p(p-1)/4 log(pi) + sum_(i<p) lgamma(x - i/2). torch 2.13 checks
    only p, not the domain (x <= (p - 1) / 2 gives lgamma's values there: inf at its poles)."""
    if not isinstance(p, int) or isinstance(p, bool) or p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    _check_int64(p)
    x = _float_input(x)
    halves = 0.5 * arange(1 - p, 1, 1, dtype=x.dtype, device=x.device)  # (one op for every p, as torch's)
    return (x.unsqueeze(-1) + halves).lgamma().sum(-1) + 0.25 * p * (p - 1) * math.log(math.pi)


def ndtr(x: Any) -> Any:
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2."""
    return ((_float_input(x) * (1.0 / math.sqrt(2.0))).erf() + 1.0) * 0.5
