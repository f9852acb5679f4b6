"""Elementwise ops: arithmetic, math functions, comparisons, casts.

Most pointwise ops are rows of two tables, ``UNARY`` and ``BINARY`` (torch's derivatives.yaml, HIPS
autograd's numpy_vjps): the forward (a function of the backend's ``xp``, by name, or ``f(xp, x[, y])``)
and the gradient of each input as a one-line formula of the incoming gradient ``g`` and of what it reads
(``x``, ``y``: the inputs; ``out``: the output). The parameter names decide what forward saves (see
``_table.py``); the Op classes (``Exp``, ``Mul``, ...) are made from the rows. Ops that need more care
(``Pow``, ``Where``, ``Clamp``, ``Xlogy``) are written as classes below the tables; the activations (``Relu``,
``Tanh``, ``Sigmoid``, ...) are in ``activation.py``.

Binary ops broadcast; the engine sums each gradient back to its input's shape (``broadcasting = True``),
so no formula deals with broadcasting. Each binary arithmetic op names its ufunc, which in-place updates
and unrecorded arithmetic call directly.
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Callable

from ..function import Op, refuse_complex
from ._table import binary_op, unary_op
from ..._creation import full
from ..._dtype import checked_scalar, complex128, float64, get_default_dtype, result_type
from ..._tensor import Tensor
from ..._promotion import _as_tensor_like, _binary, _expect, _float_input, _to_scalar
from ..._signatures import _SCALAR_TYPE_NAMES


# ---- the pointwise table -----------------------------------------------------------------------------
def _negative(xp, x):
    if x.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead."
        )
    return xp.negative(x)


def _refuse_bool(x, kernel: str) -> None:
    """torch's error for a bool tensor to a math kernel it has no bool version of (``kernel`` names it)."""
    if x.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _abs(xp, x):
    _refuse_bool(x, "abs_cpu")
    return xp.abs(x)


def _checked_division(ufunc: str, kernel: str):
    """``ufunc`` after torch's checks for integer division by zero and bool operands (``kernel`` names it)."""
    def forward(xp, x, y):
        _check_integer_division(xp, kernel, x, y)
        return getattr(xp, ufunc)(x, y)

    forward.ufunc = ufunc  # type: ignore[attr-defined]  # (the table's Op class takes it from here)
    return forward


#: name: (forward, d/dx)
UNARY: dict[str, tuple[Any, Callable]] = {
    "Neg":        (_negative,       lambda g: -g),
    "Abs":        (_abs,            lambda g, x: g * x.sgn()),  # 0 at x = 0, as torch (z / |z| for complex z)
    "Exp":        ("exp",           lambda g, out: g * out),
    "Log":        ("log",           lambda g, x: g / x),
    "Log1p":      ("log1p",         lambda g, x: g / (x + 1.0)),
    "Expm1":      ("expm1",         lambda g, out: g * (out + 1.0)),
    "Sqrt":       ("sqrt",          lambda g, out: g / (out * 2.0)),
    "Rsqrt":      (lambda xp, x: xp.reciprocal(xp.sqrt(x)),
                                    lambda g, out: g * (out * out * out) * -0.5),
    "Reciprocal": ("reciprocal",    lambda g, out: -g * (out * out)),
    "Sin":        ("sin",           lambda g, x: g * x.cos()),
    "Cos":        ("cos",           lambda g, x: -g * x.sin()),
    "Tan":        ("tan",           lambda g, out: g * (out * out + 1.0)),
    "Asin":       ("arcsin",        lambda g, x: g * (1.0 - x * x).rsqrt()),
    "Acos":       ("arccos",        lambda g, x: -g * (1.0 - x * x).rsqrt()),
    "Atan":       ("arctan",        lambda g, x: g / (x * x + 1.0)),
    "Sinh":       ("sinh",          lambda g, x: g * x.cosh()),
    "Cosh":       ("cosh",          lambda g, x: g * x.sinh()),
    "Asinh":      ("arcsinh",       lambda g, x: g * (x * x + 1.0).rsqrt()),
    # (two square roots, not sqrt(x^2 - 1): for complex x, torch's branch)
    "Acosh":      ("arccosh",       lambda g, x: g * ((x - 1.0).rsqrt() * (x + 1.0).rsqrt())),
    "Atanh":      ("arctanh",       lambda g, x: g / (1.0 - x * x)),
}

#: name: (forward, d/dx, d/dy)
BINARY: dict[str, tuple[Any, Callable, Callable]] = {
    "Add":         ("add",          lambda g: g,                lambda g: g),
    "Sub":         ("subtract",     lambda g: g,                lambda g: -g),
    "Mul":         ("multiply",     lambda g, y: g * y,         lambda g, x: g * x),
    "Div":         ("true_divide",  lambda g, y: g / y,         lambda g, x, y: -g * x / (y * y)),
    # x // y is piecewise constant: zero gradient (torch gives none)
    "FloorDivide": (_checked_division("floor_divide", "div_floor_cpu"),
                                    lambda g: g * 0.0,          lambda g: g * 0.0),
    # x % y = x - floor(x / y) y, with y's sign (as Python and torch)
    "Remainder":   (_checked_division("remainder", "remainder_cpu"),
                                    lambda g: g,                lambda g, x, y: -g * (x / y).floor()),
    # fmod(x, y) = x - trunc(x / y) y, with x's sign (as C's)
    "Fmod":        ("fmod",         lambda g: g,                lambda g, x, y: -g * (x / y).trunc()),
    # atan2(x, y) is the angle of the point (y, x): torch's argument order, atan2(input, other)
    # (the gradient is 0 at (0, 0), as torch's)
    "Atan2":       ("arctan2",      lambda g, x, y: g * y * _reciprocal_or_zero(x * x + y * y),
                                    lambda g, x, y: -g * x * _reciprocal_or_zero(x * x + y * y)),
    # div(x, y, rounding_mode='trunc') on floats: piecewise constant, zero gradient (torch's zeros)
    "TruncDivide": (lambda xp, x, y: xp.trunc(xp.true_divide(x, y)),
                                    lambda g: g.new_zeros(g.shape), lambda g: g.new_zeros(g.shape)),
    # |x| with y's sign: d/dx = copysign(x, y) / x (0 at x = 0, as torch), nothing to y
    "Copysign":    ("copysign",     lambda g, x, out: g * where(x == 0, 0.0, out / x),
                                                                lambda g: g * 0.0),
    # max/min ignoring nan: ties and a nan y give x the gradient (torch's rule)
    "Fmax":        ("fmax",         lambda g, x, y: where((x >= y) | y.isnan(), g, 0.0),
                                                                lambda g, x, y: where((x >= y) | y.isnan(), 0.0, g)),
    "Fmin":        ("fmin",         lambda g, x, y: where((x <= y) | y.isnan(), g, 0.0),
                                                                lambda g, x, y: where((x <= y) | y.isnan(), 0.0, g)),
}


def _reciprocal_or_zero(d: Tensor) -> Tensor:
    return where(d == 0, 0.0, d.reciprocal())

for _name, (_forward, _derivative) in UNARY.items():
    globals()[_name] = unary_op(_name, _forward, _derivative, __name__)
for _name, (_forward, _dx, _dy) in BINARY.items():
    globals()[_name] = binary_op(_name, _forward, _dx, _dy, __name__)
del _name, _forward, _derivative, _dx, _dy

if TYPE_CHECKING:
    # the table's classes (``Exp``, ``Add``, ...) are made at import, so mypy cannot see them: it types
    # ``elementwise.<row name>`` as an Op class
    def __getattr__(name: str) -> type[Op]: ...


# ---- arithmetic ------------------------------------------------------------------------------------
class Pow(Op):
    """d(x ** y) = y x^(y-1) dx + x^y log(x) dy"""

    broadcasting = True
    ufunc = "power"

    def forward(ctx, x, y):
        if (x if hasattr(x, "dtype") else y).dtype.kind == "b":  # both operands are bool after promotion
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        if isinstance(y, float) and y in (0.5, -0.5):  # torch's sqrt and rsqrt kernels: nan at -inf
            out = ctx.xp.sqrt(x) if y > 0 else ctx.xp.reciprocal(ctx.xp.sqrt(x))
        else:
            out = ctx.xp.power(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            if isinstance(y, (int, float)):
                gx = grad * 0.0 if y == 0 else grad * (y * x ** (y - 1))  # (x ** +-0.5: sqrt/rsqrt, as torch)
            else:  # torch: exactly zero where the exponent is 0 (also for higher orders)
                gx = where(y == 0, 0.0, grad * y * x ** (y - 1))
        if need_y:
            # torch: no gradient where x == 0 and y >= 0 (log(0) would give nan)
            log_x = x.log() if not isinstance(x, (int, float)) else math.log(x) if x > 0 else float("nan")
            gy = grad * out * log_x
            if not isinstance(x, (int, float)):
                gy = where((x == 0) & (y.real >= 0), 0.0, gy)  # (a complex exponent: its real part, as torch)
            elif x == 0:
                gy = where(y.real >= 0, 0.0, gy)
        return gx, gy


class IntegerDivisionByZero(RuntimeError, ZeroDivisionError):
    """torch raises ``RuntimeError: ZeroDivisionError`` for integer ``//`` and ``%`` by zero (NumPy warns and
    returns 0); being a ZeroDivisionError as well, it is caught by either name."""


def _check_integer_division(xp, kernel: str, x, y) -> None:
    """Refuse what torch refuses: integer division by zero, and any division of bool tensors."""
    kind = (x if hasattr(x, "dtype") else y).dtype.kind
    if kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if kind in "iu" and getattr(x, "size", 1) != 0:  # (an empty tensor divides nothing)
        if xp.count_nonzero(y) != y.size if hasattr(y, "size") else y == 0:  # (count_nonzero: the cheapest test)
            raise IntegerDivisionByZero("ZeroDivisionError: integer division or modulo by zero")


class Maximum(Op):
    """max(x, y): the gradient goes to the larger input, split evenly on ties (torch's rule)."""

    broadcasting = True
    ufunc = "maximum"

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.maximum(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        half = where(x == y, grad * 0.5, grad)
        need_x, need_y = ctx.needs_input_grad
        return (where(x < y, 0.0, half) if need_x else None), (where(x > y, 0.0, half) if need_y else None)


class Minimum(Op):
    """min(x, y): the gradient goes to the smaller input, split evenly on ties (torch's rule)."""

    broadcasting = True
    ufunc = "minimum"

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.minimum(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        half = where(x == y, grad * 0.5, grad)
        need_x, need_y = ctx.needs_input_grad
        return (where(x > y, 0.0, half) if need_x else None), (where(x < y, 0.0, half) if need_y else None)


class Where(Op):
    """where(c, x, y): the gradient flows to x where c holds, to y elsewhere."""

    broadcasting = True

    def forward(ctx, condition, x, y):
        ctx.save_for_backward(condition)
        return ctx.xp.where(condition, x, y)

    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        _, need_x, need_y = ctx.needs_input_grad
        gx = Where.apply(condition, grad, 0.0) if need_x else None
        gy = Where.apply(condition, 0.0, grad) if need_y else None
        return None, gx, gy


class Clamp(Op):
    """clamp(x, lo, hi): gradient 1 inside [lo, hi] (bounds included, as torch), 0 outside."""

    def forward(ctx, x, min=None, max=None):  # noqa: A002
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        return ctx.xp.clip(x, min, max)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = x == x  # all True (False only for nan, which torch also drops)
        if lo is not None:
            inside = inside & (x >= lo)
        if hi is not None:
            inside = inside & (x <= hi)
        return Where.apply(inside, grad, 0.0)


# ---- unary math ------------------------------------------------------------------------------------
class Erf(Op):
    """d erf(x) = 2/sqrt(pi) exp(-x^2) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.backend.erf(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x * -1.0).exp() * (2.0 / math.sqrt(math.pi))


class Xlogy(Op):
    """xlogy(x, y) = x log(y), and 0 where x == 0 (unless y is nan): d = log(y) dx + x / y dy, where torch
    takes the dx part as 0 at x == 0, y <= 0"""

    broadcasting = True

    def forward(ctx, x, y):
        xp = ctx.xp
        ctx.save_for_backward(x, y)
        out = x * xp.log(y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(out), out)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = where((x == 0) & (y <= 0), 0.0, grad * y.log()) if need_x else None
        return gx, (grad * x / y if need_y else None)


    """d tanh(x) = (1 - tanh(x)^2) dx"""
    """d s(x) = s(x) (1 - s(x)) dx, with s(x) = 1 / (1 + exp(-x))"""
    """d relu(x) = [x > 0] dx (0 at x = 0, as torch)"""
class _ZeroGradient(Op):
    """Piecewise-constant functions: the gradient is zero (torch's convention)."""

    def backward(ctx, grad):  # zeros, not grad * 0: an inf or nan gradient gives 0 too
        return Tensor._make(ctx.xp.zeros_like(grad._data), ctx.device)


class Sign(_ZeroGradient):
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()  # a bool is its own sign (torch)
        xp = ctx.xp
        out = xp.sign(x)
        return xp.where(xp.isnan(x), xp.zeros_like(out), out) if x.dtype.kind == "f" else out  # sign(nan) = 0


class Floor(_ZeroGradient):
    def forward(ctx, x):
        _refuse_bool(x, "floor_vml_cpu")
        return ctx.xp.floor(x)


class Ceil(_ZeroGradient):
    def forward(ctx, x):
        _refuse_bool(x, "ceil_vml_cpu")
        return ctx.xp.ceil(x)


class Trunc(_ZeroGradient):
    def forward(ctx, x):
        _refuse_bool(x, "trunc_vml_cpu")
        return ctx.xp.trunc(x)


class Round(_ZeroGradient):
    """Round half to even, as torch."""

    def forward(ctx, x, decimals=0):
        _refuse_bool(x, "round_vml_cpu" if decimals == 0 else "round_cpu")
        return ctx.xp.round(x, decimals)


# ---- casts and copies ------------------------------------------------------------------------------
class Cast(Op):
    """x.to(dtype): the gradient is cast back to x's dtype."""

    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        if x.dtype.kind == "c" and dtype != "bool" and not dtype.startswith("complex"):
            # (backward takes a gradient's real part itself, without the warning)
            warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=5)
            return x.real.astype(dtype)
        return x.astype(dtype)

    def backward(ctx, grad):
        if grad._data.dtype.kind == "c" and ctx.input_dtype.kind != "c":  # a real input's gradient: the real part
            grad = grad.real
        return Cast.apply(grad, dtype=ctx.input_dtype.name)


class Clone(Op):
    """A copy that owns its memory; the gradient passes through."""

    def forward(ctx, x):
        return ctx.xp.array(x, copy=True, order="C")

    def backward(ctx, grad):
        return grad


class ToDevice(Op):
    """x.to(device): an explicit copy to another device; the gradient is copied back."""

    def forward(ctx, x, device):
        ctx.source = ctx.device
        source, target = ctx.device.backend, device.backend
        if source is target:  # between devices of one backend (cuda:0 -> cuda:1): device to device
            return target.asarray(x, index=device.index, copy=True)
        host = source.to_numpy(x)  # x itself on host backends, else a new host copy
        return target.asarray(host, index=device.index, copy=True if host is x else None)

    def backward(ctx, grad):
        return ToDevice.apply(grad, device=ctx.source)

    @classmethod
    def apply(cls, x, device):
        out = super().apply(x, device=device)
        out._device = device  # Op.apply places results on the input's device
        return out


# ---- comparisons and logic (bool results, no gradient) ---------------------------------------------
class _Comparison(Op):
    def backward(ctx, grad):  # never called: bool outputs are not recorded
        raise RuntimeError("comparisons are not differentiable")


def _comparison(ufunc_name: str, doc: str) -> type:
    cls = type(ufunc_name.title().replace("_", ""), (_Comparison,), {
        "__doc__": doc,
        "forward": lambda ctx, x, y: getattr(ctx.xp, ufunc_name)(x, y),
    })
    return cls


Equal = _comparison("equal", "x == y")
NotEqual = _comparison("not_equal", "x != y")
Less = _comparison("less", "x < y")
LessEqual = _comparison("less_equal", "x <= y")
Greater = _comparison("greater", "x > y")
GreaterEqual = _comparison("greater_equal", "x >= y")
LogicalAnd = _comparison("logical_and", "x and y, elementwise")
LogicalOr = _comparison("logical_or", "x or y, elementwise")
LogicalXor = _comparison("logical_xor", "x xor y, elementwise")


class _Bitwise(_Comparison):
    """Bitwise ops are defined on integer and bool tensors only."""

    kernel: str  # the backend function's name (each subclass sets it)

    def forward(ctx, x, y):
        for a in (x, y):
            if getattr(a, "dtype", None) is not None and a.dtype.kind in "fV" or isinstance(a, float):
                raise TypeError(f"{type(ctx).__name__} is only supported for integer and bool tensors, got a float input")
        return getattr(ctx.xp, ctx.kernel)(x, y)


class BitwiseAnd(_Bitwise):
    kernel = "bitwise_and"


class BitwiseOr(_Bitwise):
    kernel = "bitwise_or"


class BitwiseXor(_Bitwise):
    kernel = "bitwise_xor"


class BitwiseLeftShift(_Bitwise):
    kernel = "left_shift"


class BitwiseRightShift(_Bitwise):
    kernel = "right_shift"


class BitwiseNot(_Comparison):
    def forward(ctx, x):
        if x.dtype.kind in "fV":
            raise TypeError("bitwise_not is only supported for integer and bool tensors, got a float tensor")
        return ctx.xp.invert(x)


class LogicalNot(_Comparison):
    def forward(ctx, x):
        return ctx.xp.logical_not(x)


class IsNan(_Comparison):
    def forward(ctx, x):
        return ctx.xp.isnan(x)


class IsInf(_Comparison):
    def forward(ctx, x):
        return ctx.xp.isinf(x)


class IsFinite(_Comparison):
    def forward(ctx, x):
        return ctx.xp.isfinite(x)


class IsClose(_Comparison):
    def forward(ctx, x, y, rtol, atol, equal_nan):
        return ctx.xp.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isclose(x: Tensor, other: Any, rtol: float, atol: float, equal_nan: bool) -> Tensor:
    """|x - other| <= atol + rtol |other|, after torch's checks (same dtypes, tolerances >= 0)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if x.dtype != other.dtype:
        raise RuntimeError(f"{_SCALAR_TYPE_NAMES.get(x.dtype.name, x.dtype.name)} did not match "
                           f"{_SCALAR_TYPE_NAMES.get(other.dtype.name, other.dtype.name)}")
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if tolerance < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tolerance:g}")
    return IsClose.apply(x, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


class SignBit(_Comparison):
    """x < 0 or x is -0.0 (a bool result)."""

    def forward(ctx, x):
        return ctx.xp.signbit(x)


class _Undifferentiated(Op):
    """Ops torch gives no derivative (its message names the op)."""

    torch_name: str  # the name torch's message gives (each subclass sets it)

    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for '{ctx.torch_name}' is not implemented.")


class Heaviside(_Undifferentiated):
    """``values`` at 0, else [x > 0] (0 at nan, as torch)."""

    broadcasting = True
    torch_name = "heaviside"

    def forward(ctx, x, values):
        return ctx.xp.where(x == 0, values, x > 0).astype(x.dtype, copy=False)


class Nextafter(Op):
    """The next floating-point value after x toward y; the gradient passes to x (torch's), none to y."""

    broadcasting = True

    def forward(ctx, x, y):
        dtype = (x if hasattr(x, "dtype") else y).dtype
        if dtype.kind != "f":
            raise RuntimeError(f"\"nextafter_cpu\" not implemented for '{_KERNEL_TYPE_NAMES.get(dtype.name)}'")
        return ctx.xp.nextafter(x, y)

    def backward(ctx, grad):
        return grad, (grad * 0.0 if ctx.needs_input_grad[1] else None)


class _IntegerOnly(_Comparison):
    """gcd and lcm: integer tensors only."""

    kernel: str  # the backend function's name (each subclass sets it)

    def forward(ctx, x, y):
        dtype = (x if hasattr(x, "dtype") else y).dtype
        if dtype.kind not in "iu":
            name = _KERNEL_TYPE_NAMES.get(dtype.name, dtype.name)
            raise RuntimeError(f"\"{ctx.kernel}_cpu\" not implemented for '{name}'")
        return getattr(ctx.xp, ctx.kernel)(x, y)


class Gcd(_IntegerOnly):
    kernel = "gcd"


class Lcm(_IntegerOnly):
    kernel = "lcm"


#: how torch's kernel messages name dtypes
_KERNEL_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
                      "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double"}


class Angle(_ZeroGradient):
    """The angle of a real number: 0 at x >= 0, pi below, nan at nan; zero gradient (torch's, for real x)."""

    def forward(ctx, x):
        xp = ctx.xp
        return xp.where(xp.isnan(x), x, xp.where(x < 0, math.pi, 0.0)).astype(x.dtype, copy=False)


class FrexpMantissa(Op):
    """The mantissa m of x = m 2^e (|m| in [0.5, 1)); d m = 2^-e dx"""

    def forward(ctx, x):
        mantissa, exponent = ctx.xp.frexp(x)
        ctx.scale = ctx.xp.ldexp(ctx.xp.ones_like(x), -exponent)
        return mantissa

    def backward(ctx, grad):
        return grad * Tensor._make(ctx.scale, ctx.device)


class FrexpExponent(_Comparison):
    """The exponent e of x = m 2^e, as int32 (torch's)."""

    def forward(ctx, x):
        return ctx.xp.frexp(x)[1].astype("int32")


# ---- composites: written with the ops above, so their gradients come from those ------------------------
def log2(x: Tensor) -> Tensor:
    """log2(x) = log(x) / log(2)"""
    return Log.apply(_float_input(x)) * (1.0 / math.log(2.0))  # type: ignore[name-defined]  # noqa: F821 (a table row)


def log10(x: Tensor) -> Tensor:
    """log10(x) = log(x) / log(10)"""
    return Log.apply(_float_input(x)) * (1.0 / math.log(10.0))  # type: ignore[name-defined]  # noqa: F821


def exp2(x: Tensor) -> Tensor:
    """2^x = exp(x log 2)"""
    return (_float_input(x) * math.log(2.0)).exp()


def hypot(x: Tensor, y: Any) -> Tensor:
    """sqrt(x^2 + y^2); inf where either is infinite, even if the other is nan (C's hypot, as torch)."""
    _expect(y, Tensor, "hypot", "other", 2)
    for t in (x, y):
        refuse_complex(t, "\"hypot_cpu\" not implemented for 'ComplexFloat'", NotImplementedError)
    return where(x.isinf() | y.isinf(), math.inf, (x * x + y * y).sqrt())


def logaddexp(x: Tensor, y: Any) -> Tensor:
    """log(e^x + e^y) = max(x, y) + log1p(e^-|x - y|), which cannot overflow; x where x == y is infinite."""
    _expect(y, Tensor, "logaddexp", "other", 2)
    same_infinity = (x == y) & x.isinf()
    return where(same_infinity, x, x.maximum(y) + (-(x - y).abs()).exp().log1p())


class Logit(Op):
    """logit(x) = log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given; d = dx / (x (1 - x)),
    nan outside [0, 1] (0 outside [eps, 1 - eps] with eps), as torch"""

    def forward(ctx, x, eps=None):
        xp = ctx.xp
        ctx.save_for_backward(x)
        ctx.eps = eps
        z = x if eps is None else xp.clip(x, eps, 1.0 - eps)
        with ctx.device.backend.errstate():  # 0 and 1 give -inf and inf, as torch
            return xp.log(xp.true_divide(z, 1.0 - z))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        outside = (x < 0) | (x > 1) if eps is None else (x < eps) | (x > 1.0 - eps)
        return where(outside, math.nan if eps is None else 0.0, grad / (x * (1.0 - x)))


def logaddexp2(x: Tensor, y: Any) -> Tensor:
    """log2(2^x + 2^y) = max(x, y) + log1p(2^-|x - y|) / log(2); (x + y) / 2 + 1 at ties (infinities included)."""
    x, y = _float_input(x), _float_input(y) if isinstance(y, Tensor) else y
    far = x.maximum(y) + (-(x - y).abs() * math.log(2.0)).exp().log1p() * (1.0 / math.log(2.0))
    return where(x == y, (x + y) * 0.5 + 1.0, far)


def float_power(x: Any, exponent: Any) -> Tensor:
    """x ** exponent computed in float64, or complex128 when either is complex (torch's result dtype)."""
    kinds = [a._data.dtype.kind if isinstance(a, Tensor) else "c" if isinstance(a, complex) else "f" for a in (x, exponent)]
    target = complex128 if "c" in kinds else float64
    base = x.to(target) if isinstance(x, Tensor) else x
    return base ** (exponent.to(target) if isinstance(exponent, Tensor) else exponent)


def ldexp(x: Tensor, exponent: Tensor) -> Tensor:
    """x 2^exponent (torch's: input * pow(2, other))."""
    return _float_input(x) * (2.0 ** exponent)


def frexp(x: Tensor) -> tuple:
    """(mantissa, exponent) with x = mantissa 2^exponent, |mantissa| in [0.5, 1) and the exponent int32."""
    if x._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return FrexpResult(FrexpMantissa.apply(x), FrexpExponent.apply(x))


FrexpResult = namedtuple("frexp", ["mantissa", "exponent"])


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given."""
    return Logit.apply(_float_input(x), eps=None if eps is None or eps < 0 else eps)  # eps < 0: none, as torch


def frac(x: Tensor) -> Tensor:
    """x - trunc(x): the fractional part, with x's sign."""
    return x - x.trunc()


def lerp(x: Tensor, end: Any, weight: Any) -> Tensor:
    """x + weight (end - x)"""
    return x + weight * (end - x)


def deg2rad(x: Tensor) -> Tensor:
    refuse_complex(x, "deg2rad is not supported for complex tensors.")
    return _float_input(x) * (math.pi / 180.0)


def rad2deg(x: Tensor) -> Tensor:
    refuse_complex(x, "rad2deg is not supported for complex tensors.")
    return _float_input(x) * (180.0 / math.pi)


def divide_rounded(x: Tensor, y: Any, rounding_mode: str | None) -> Tensor:
    """``div(x, y, rounding_mode=...)``: true division, or rounded toward -inf (``'floor'``) or 0 (``'trunc'``)."""
    if rounding_mode is None:
        return x / y
    if rounding_mode == "floor":
        return x // y
    if rounding_mode == "trunc":
        target = result_type(x, y)
        if target.is_floating_point:
            return _binary(globals()["TruncDivide"], x, y, true_divide=True).to(target)  # (a table row)
        q = x // y  # exact for integers (a float quotient is not), and refuses division by zero
        return q + ((x % y != 0) & (q < 0))  # floor rounded an inexact negative quotient down
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found {rounding_mode!r}")


# ---- functions with several argument forms ---------------------------------------------------------
def where(condition: Any, x: Any, y: Any) -> Any:
    """``where(condition, x, y)``: x where condition holds, else y (x and y may be Python numbers)."""

    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
    if condition._data.dtype.kind != "b":
        condition = condition != 0
    args = []
    for v in (x, y):
        if isinstance(v, Tensor):
            args.append(v)
        else:
            s = _to_scalar(v)
            args.append(s if s is not None else _as_tensor_like(v, condition))
    target = result_type(*args)
    args = [a.to(target) if isinstance(a, Tensor) and a._data.dtype.name != target.name else a for a in args]
    if not any(isinstance(a, Tensor) for a in args):  # two scalars: make the result's dtype explicit
        args[0] = full((), args[0], dtype=target, device=condition.device)
    elif not target.is_floating_point and any(isinstance(a, float) for a in args):
        args = [a.to(target) if isinstance(a, Tensor) else a for a in args]
    if not target.is_floating_point:  # a number joins an integer result only if it fits (torch's check)
        args = [checked_scalar(a, target) if not isinstance(a, Tensor) else a for a in args]
    return Where.apply(condition, args[0], args[1])


#: how torch's messages name a mask's element type (C++'s names)
_MASK_TYPE_NAMES = {
    "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
    "float16": "c10::Half", "float32": "float", "float64": "double",
}


def masked_fill(x: Any, mask: Any, value: Any) -> Any:
    """``x`` with ``value`` where the bool ``mask`` holds. The result keeps x's dtype (torch converts the value,
    a number or a 0-d tensor, to it), and a 0-d value tensor gets the gradient of every filled position."""

    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): mask must be a bool Tensor, got {type(mask).__name__}")
    if mask._data.dtype.kind != "b":
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {_MASK_TYPE_NAMES[mask.dtype.name]}"
        )
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        if value._data.dtype.kind == "c" and x._data.dtype.kind != "c":  # torch converts it as a number: checked
            checked_scalar(value.item(), x.dtype)
        value = value.to(x.dtype)  # Cast is differentiable: the gradient reaches the value in its own dtype
    else:
        scalar = _to_scalar(value)
        if scalar is None:
            raise TypeError(f"masked_fill(): value must be a number or a 0-d Tensor, got {type(value).__name__}")
        # a Python number of x's kind: weak, so the result keeps x's dtype without where()'s promotion pass
        return Where.apply(mask, checked_scalar(scalar, x.dtype), x)
    return where(mask, value, x)


def clamp(x: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    """Clamp to [min, max]; bounds may be numbers or tensors (then it is maximum/minimum)."""

    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for name, bound in (("min", min), ("max", max)):
        if not (bound is None or isinstance(bound, (Tensor, numbers.Number)) and not isinstance(bound, complex)):
            raise TypeError(f"clamp(): argument '{name}' must be Number or Tensor, not {type(bound).__name__}")
        if isinstance(bound, int):
            _to_scalar(bound)  # (an int no 64-bit integer holds: torch's OverflowError)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(b is None or isinstance(b, Tensor) for b in (min, max)):
            raise TypeError("clamp() received an invalid combination of arguments: min and max must both be "
                            f"Tensors or both numbers, got ({type(min).__name__}, {type(max).__name__})")
        return _clamp_by_tensors(x, min, max)
    if x._data.dtype.kind in "iub":
        if any(isinstance(b, float) for b in (min, max)):
            x = x.to(get_default_dtype())
        else:  # integer bounds must fit the integer dtype (torch's check)
            min, max = (None if b is None else checked_scalar(b, x.dtype) for b in (min, max))
    return Clamp.apply(x, min=min, max=max)


def _clamp_by_tensors(x: Tensor, lo: Tensor | None, hi: Tensor | None) -> Tensor:
    """clamp with tensor bounds, torch's gradients: all of it to x where lo <= x <= hi (ties included), to lo
    where x < lo < hi, to hi where x > hi or hi < lo; none where x is nan (whose value stays nan)."""
    value = x.detach()
    if lo is not None:
        value = value.maximum(lo.detach())
    if hi is not None:
        value = value.minimum(hi.detach())  # (lo > hi gives hi, as torch)
    x_mask = (x >= lo) if lo is not None else None
    if hi is not None:
        x_mask = (x <= hi) if x_mask is None else x_mask & (x <= hi)
        out = where((x > hi) | (hi < lo) & ~x.isnan() if lo is not None else x > hi, hi.to(value.dtype), value)
    else:
        out = value
    if lo is not None:
        out = where((x < lo) & (lo < hi) if hi is not None else x < lo, lo.to(value.dtype), out)
    return where(x_mask, x.to(value.dtype), out)


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: the dtype's largest and
    smallest finite values); nested ``Where`` ops, so the gradient flows only through finite elements."""
    for position, (name, value) in enumerate((("nan", nan), ("posinf", posinf), ("neginf", neginf)), 1):
        if value is not None and not isinstance(value, numbers.Real):
            raise TypeError(f"nan_to_num(): argument '{name}' (position {position}) must be float, not "
                            f"{type(value).__name__}")
    if x._data.dtype.kind not in "fc":
        return x.clone()  # integers and bools have no NaN or infinity
    nan = 0.0 if nan is None else nan  # (None: torch's default)
    info = x.device.backend.xp.finfo(x._data.dtype)
    nan = 0.0 if nan is None else nan  # torch takes None for the default
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    out = Where.apply(x == math.inf, posinf, Where.apply(x == -math.inf, neginf, x))
    return Where.apply(x.isnan(), nan, out)
