"""Elementwise ops: arithmetic, math functions, comparisons, casts.

Binary ops broadcast; the engine sums each gradient back to its input's shape
(``broadcasting = True``), so no backward here deals with broadcasting.
Each binary arithmetic op names its ufunc, which in-place updates reuse.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from .. import grad_mode
from ..function import Op
from ..._dtype import checked_scalar, get_default_dtype, result_type
from ..._tensor import Tensor, _as_tensor_like, _to_scalar


# ---- arithmetic ------------------------------------------------------------------------------------
class Add(Op):
    """d(x + y) = dx + dy"""

    broadcasting = True
    ufunc = "add"

    def forward(ctx, x, y):
        return ctx.xp.add(x, y)

    def backward(ctx, grad):
        return grad, grad


class Sub(Op):
    """d(x - y) = dx - dy"""

    broadcasting = True
    ufunc = "subtract"

    def forward(ctx, x, y):
        return ctx.xp.subtract(x, y)

    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Op):
    """d(x * y) = y dx + x dy"""

    broadcasting = True
    ufunc = "multiply"

    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad  # save only what a gradient uses
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        return ctx.xp.multiply(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (grad * y if need_x else None), (grad * x if need_y else None)


class Div(Op):
    """d(x / y) = dx / y - x dy / y^2"""

    broadcasting = True
    ufunc = "true_divide"

    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return ctx.xp.true_divide(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = grad / y if need_x else None
        gy = -grad * x / (y * y) if need_y else None
        return gx, gy


class Pow(Op):
    """d(x ** y) = y x^(y-1) dx + x^y log(x) dy"""

    broadcasting = True
    ufunc = "power"

    def forward(ctx, x, y):
        if (x if hasattr(x, "dtype") else y).dtype.kind == "b":  # both operands are bool after promotion
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        out = ctx.xp.power(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            if isinstance(y, (int, float)):
                gx = grad * 0.0 if y == 0 else grad * (y * x ** (y - 1))
            else:  # torch: exactly zero where the exponent is 0 (also for higher orders)
                gx = where(y == 0, 0.0, grad * y * x ** (y - 1))
        if need_y:
            # torch: no gradient where x == 0 and y >= 0 (log(0) would give nan)
            log_x = x.log() if not isinstance(x, (int, float)) else math.log(x) if x > 0 else float("nan")
            gy = grad * out * log_x
            if not isinstance(x, (int, float)):
                gy = where((x == 0) & (y >= 0), 0.0, gy)
            elif x == 0:
                gy = where(y >= 0, 0.0, gy)
        return gx, gy


class FloorDivide(Op):
    """x // y rounds toward -inf; its gradient is zero almost everywhere (torch gives none)."""

    broadcasting = True
    ufunc = "floor_divide"

    def forward(ctx, x, y):
        _check_integer_division(ctx, "div_floor_cpu", x, y)
        return ctx.xp.floor_divide(x, y)

    def backward(ctx, grad):
        return grad * 0.0, (grad * 0.0 if ctx.needs_input_grad[1] else None)


class Remainder(Op):
    """x % y = x - floor(x / y) y (sign of y, as Python and torch); d = dx - floor(x/y) dy"""

    broadcasting = True
    ufunc = "remainder"

    def forward(ctx, x, y):
        _check_integer_division(ctx, "remainder_cpu", x, y)
        ctx.save_for_backward(x, y)
        return ctx.xp.remainder(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gy = -grad * (x / y).floor() if ctx.needs_input_grad[1] else None
        return grad, gy


class IntegerDivisionByZero(RuntimeError, ZeroDivisionError):
    """torch raises ``RuntimeError: ZeroDivisionError`` for integer ``//`` and ``%`` by zero (NumPy warns and
    returns 0); being a ZeroDivisionError as well, it is caught by either name."""


def _check_integer_division(ctx, kernel: str, x, y) -> None:
    """Refuse what torch refuses: integer division by zero, and any division of bool tensors."""
    kind = (x if hasattr(x, "dtype") else y).dtype.kind
    if kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if kind in "iu" and getattr(x, "size", 1):  # (an empty tensor divides nothing)
        if ctx.xp.count_nonzero(y) != y.size if hasattr(y, "size") else y == 0:  # (count_nonzero: the cheapest test)
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
class Neg(Op):
    """d(-x) = -dx"""

    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
                "use the `~` or `logical_not()` operator instead."
            )
        return ctx.xp.negative(x)

    def backward(ctx, grad):
        return -grad


class Abs(Op):
    """d|x| = sign(x) dx (0 at x = 0, as torch)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sign()


class Exp(Op):
    """d exp(x) = exp(x) dx"""

    def forward(ctx, x):
        out = ctx.xp.exp(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Op):
    """d log(x) = dx / x"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(Op):
    """d log(1 + x) = dx / (1 + x)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log1p(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1.0)


class Expm1(Op):
    """d (exp(x) - 1) = (out + 1) dx"""

    def forward(ctx, x):
        out = ctx.xp.expm1(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1.0)


class Sqrt(Op):
    """d sqrt(x) = dx / (2 sqrt(x))"""

    def forward(ctx, x):
        out = ctx.xp.sqrt(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (out * 2.0)


class Rsqrt(Op):
    """d x^(-1/2) = -x^(-3/2) / 2 dx = -out^3 / 2 dx"""

    def forward(ctx, x):
        out = ctx.xp.reciprocal(ctx.xp.sqrt(x))
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out * out) * -0.5


class Reciprocal(Op):
    """d (1/x) = -dx / x^2 = -out^2 dx"""

    def forward(ctx, x):
        out = ctx.xp.reciprocal(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -grad * (out * out)


class Sin(Op):
    """d sin(x) = cos(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Op):
    """d cos(x) = -sin(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cos(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.sin()


class Tan(Op):
    """d tan(x) = (1 + tan(x)^2) dx"""

    def forward(ctx, x):
        out = ctx.xp.tan(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out + 1.0)


class Asin(Op):
    """d asin(x) = dx / sqrt(1 - x^2)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arcsin(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1.0 - x * x).rsqrt()


class Acos(Op):
    """d acos(x) = -dx / sqrt(1 - x^2)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arccos(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * (1.0 - x * x).rsqrt()


class Atan(Op):
    """d atan(x) = dx / (1 + x^2)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arctan(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1.0)


class Atan2(Op):
    """d atan2(y, x) = (x dy - y dx) / (x^2 + y^2)"""

    broadcasting = True

    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return ctx.xp.arctan2(y, x)

    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        scale = grad / (x * x + y * y)
        need_y, need_x = ctx.needs_input_grad
        return (scale * x if need_y else None), (-scale * y if need_x else None)


class Sinh(Op):
    """d sinh(x) = cosh(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sinh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(Op):
    """d cosh(x) = sinh(x) dx"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cosh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Asinh(Op):
    """d asinh(x) = dx / sqrt(x^2 + 1)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arcsinh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1.0).rsqrt()


class Acosh(Op):
    """d acosh(x) = dx / sqrt(x^2 - 1)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arccosh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x - 1.0).rsqrt()


class Atanh(Op):
    """d atanh(x) = dx / (1 - x^2)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arctanh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1.0 - x * x)


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


class Fmod(Op):
    """fmod(x, y) = x - trunc(x / y) y (the sign of x, as C's): d = dx - trunc(x / y) dy"""

    broadcasting = True

    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[1] else None)
        return ctx.xp.fmod(x, y)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return (grad if need_x else None), (-grad * (x / y).trunc() if need_y else None)


class Tanh(Op):
    """d tanh(x) = (1 - tanh(x)^2) dx"""

    def forward(ctx, x):
        out = ctx.xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: the derivative must stay connected to tanh(x)
            return grad * (1.0 - out * out)
        xp = ctx.xp  # first order: one fused pass instead of three Tensor ops (activations are hot)
        d = xp.multiply(out._data, out._data, out=xp.empty_like(out._data))
        xp.subtract(1.0, d, out=d)
        d *= grad._data
        return Tensor._make(d, ctx.device)


class Sigmoid(Op):
    """d s(x) = s(x) (1 - s(x)) dx, with s(x) = 1 / (1 + exp(-x))"""

    def forward(ctx, x):
        xp = ctx.xp
        out = xp.negative(x)
        if not out.ndim:  # NumPy gives a scalar for 0-d input; the in-place steps need an array
            out = xp.array(out)
        xp.minimum(out, _LOG_MAX[out.dtype.itemsize], out=out)  # exp(-x) must not overflow
        xp.exp(out, out=out)
        out += 1
        xp.reciprocal(out, out=out)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if grad_mode.state.enabled:  # create_graph: the derivative must stay connected to sigmoid(x)
            return grad * (out * (1.0 - out))
        xp = ctx.xp  # first order: one fused pass instead of three Tensor ops, as tanh
        d = xp.subtract(1.0, out._data, out=xp.empty_like(out._data))
        d *= out._data
        d *= grad._data
        return Tensor._make(d, ctx.device)


# the largest x with exp(x) finite, per float itemsize
_LOG_MAX = {2: 11.0, 4: 88.0, 8: 709.0}


class Relu(Op):
    """d relu(x) = [x > 0] dx (0 at x = 0, as torch)"""

    def forward(ctx, x):
        out = ctx.xp.maximum(x, 0)  # propagates nan, as torch
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return Mul.apply(grad, out > 0)  # float * bool stays float: no cast needed


class _ZeroGradient(Op):
    """Piecewise-constant functions: the gradient is zero (torch's convention)."""

    def backward(ctx, grad):  # zeros, not grad * 0: an inf or nan gradient gives 0 too
        return Tensor._make(ctx.xp.zeros_like(grad._data), ctx.device)


class Sign(_ZeroGradient):
    def forward(ctx, x):
        return x.copy() if x.dtype.kind == "b" else ctx.xp.sign(x)  # a bool is its own sign (torch)


class Floor(_ZeroGradient):
    def forward(ctx, x):
        return ctx.xp.floor(x)


class Ceil(_ZeroGradient):
    def forward(ctx, x):
        return ctx.xp.ceil(x)


class Trunc(_ZeroGradient):
    def forward(ctx, x):
        return ctx.xp.trunc(x)


class Round(_ZeroGradient):
    """Round half to even, as torch."""

    def forward(ctx, x, decimals=0):
        return ctx.xp.round(x, decimals)


# ---- casts and copies ------------------------------------------------------------------------------
class Cast(Op):
    """x.to(dtype): the gradient is cast back to x's dtype."""

    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        return x.astype(dtype)

    def backward(ctx, grad):
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

    def forward(ctx, x, y):
        for a in (x, y):
            if getattr(a, "dtype", None) is not None and a.dtype.kind == "f" or isinstance(a, float):
                raise TypeError(f"{type(ctx).__name__} is only supported for integer and bool tensors, got a float input")
        return getattr(ctx.xp, ctx.kernel)(x, y)


class BitwiseAnd(_Bitwise):
    kernel = "bitwise_and"


class BitwiseOr(_Bitwise):
    kernel = "bitwise_or"


class BitwiseXor(_Bitwise):
    kernel = "bitwise_xor"


class BitwiseNot(_Comparison):
    def forward(ctx, x):
        if x.dtype.kind == "f":
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
        from ..._creation import full

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
        value = value.to(x.dtype)  # Cast is differentiable: the gradient reaches the value in its own dtype
    else:
        scalar = _to_scalar(value)
        if scalar is None:
            raise TypeError(f"masked_fill(): value must be a number or a 0-d Tensor, got {type(value).__name__}")
        value = checked_scalar(scalar, x.dtype)  # a Python number of x's kind: `where` then keeps x's dtype
    return where(mask, value, x)


def clamp(x: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    """Clamp to [min, max]; bounds may be numbers or tensors (then it is maximum/minimum)."""

    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for name, bound in (("min", min), ("max", max)):
        if not (bound is None or isinstance(bound, (Tensor, numbers.Number)) and not isinstance(bound, complex)):
            raise TypeError(f"clamp(): argument '{name}' must be Number or Tensor, not {type(bound).__name__}")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(b is None or isinstance(b, Tensor) for b in (min, max)):
            raise TypeError("clamp() received an invalid combination of arguments: min and max must both be "
                            f"Tensors or both numbers, got ({type(min).__name__}, {type(max).__name__})")
        out = x
        if min is not None:
            out = out.maximum(min)
        if max is not None:
            out = out.minimum(max)
        return out
    if x._data.dtype.kind in "iub":
        if any(isinstance(b, float) for b in (min, max)):
            x = x.to(get_default_dtype())
        else:  # integer bounds must fit the integer dtype (torch's check)
            min, max = (None if b is None else checked_scalar(b, x.dtype) for b in (min, max))
    return Clamp.apply(x, min=min, max=max)


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: the dtype's largest and
    smallest finite values); nested ``Where`` ops, so the gradient flows only through finite elements."""
    if x._data.dtype.kind not in "fc":
        return x.clone()  # integers and bools have no NaN or infinity
    info = x.device.backend.xp.finfo(x._data.dtype)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    out = Where.apply(x == math.inf, posinf, Where.apply(x == -math.inf, neginf, x))
    return Where.apply(x.isnan(), nan, out)
