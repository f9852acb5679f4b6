"""The op table: every differentiable (and non-differentiable) op, checked against PyTorch.

Each entry names the op, one function written against the shared API
(``fn(lib, *tensors, **params)``, called with ``lib=torch`` and
``lib=microtorch``), and a Hypothesis ``draw`` that returns the inputs:

* float64 NumPy arrays: differentiable inputs, cast to the dtype under test;
* ``Const(array)``: tensors that are not differentiated (indices, masks);
* everything else through ``params``.

``twice`` marks ops whose backward is itself differentiable (checked by the
double-backward suite); ``grad=False`` ops are compared forward only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass(frozen=True)
class Const:
    """An input tensor that is not differentiated (indices, masks, integer data)."""

    array: np.ndarray


@dataclass
class OpSpec:
    name: str
    fn: Callable
    draw: Callable  # (data, dtype_name) -> (inputs, params)
    grad: bool = True
    twice: bool = True
    dtypes: tuple = ("float32", "float64")
    rtol: dict = field(default_factory=dict)
    atol: dict = field(default_factory=dict)
    noncontiguous: bool = True
    casts: bool = False  # the output's dtype is the op's point: the no-drift check looks at gradients only

    def tolerances(self, dtype: str) -> tuple:
        rtol = {"float16": 1e-2, "float32": 1e-4, "float64": 1e-7}[dtype]
        atol = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-9}[dtype]
        return self.rtol.get(dtype, rtol), self.atol.get(dtype, atol)


# ---- strategies -------------------------------------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def values(data, shape, lo: float = -3.0, hi: float = 3.0, away_from: tuple = (), margin: float = 1e-2):
    """A float64 array in [lo, hi], kept ``margin`` away from the points in ``away_from`` (kinks, poles)."""
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)
    arr = data.draw(hnp.arrays(np.float64, shape, elements=elements))
    arr = np.where(np.abs(arr) < 1e-30, 0.0, arr)  # squares of subnormals underflow differently; not what we test
    for p in away_from:
        near = np.abs(arr - p) < margin
        arr = np.where(near, p + np.where(arr >= p, margin, -margin) * 2, arr)
    return arr


def unary(lo=-3.0, hi=3.0, away_from=(), min_dims=0):
    def draw(data, dtype):
        return [values(data, data.draw(shapes(min_dims=min_dims)), lo, hi, away_from)], {}
    return draw


def binary(lo=-3.0, hi=3.0, lo2=None, hi2=None, away_from2=(), distinct=False):
    """Two broadcastable inputs; ``distinct``: no ties between any two elements broadcasting pairs up."""
    def draw(data, dtype):
        pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
        a = values(data, pair.input_shapes[0], lo, hi)
        b = values(data, pair.input_shapes[1], lo if lo2 is None else lo2, hi if hi2 is None else hi2, away_from2)
        return list(apart(a, b) if distinct else (a, b)), {}
    return draw


def apart(a: np.ndarray, b: np.ndarray, gap: float = 0.05) -> tuple:
    """``a`` snapped to the multiples of ``2 gap``, ``b`` to the same grid shifted by ``gap``.

    Then ``|a - b| >= gap`` for every pair of elements, so whatever the shapes, every
    pair broadcasting lines up is apart (max/min have no ties, |a - b| no kink). Fixing
    ``b`` against ``a`` element by element cannot do this: under broadcasting each
    element of ``b`` meets a whole row or column of ``a``.
    """
    step = 2 * gap
    return np.round(a / step) * step, np.round((b - gap) / step) * step + gap


def with_scalar(lo=-3.0, hi=3.0, scalars=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1), away_from=()):
    def draw(data, dtype):
        return [values(data, data.draw(shapes()), lo, hi, away_from)], {"s": data.draw(scalars)}
    return draw


def reduction(keepdim=True, tuple_dims=True, min_dims=0, lo=-3.0, hi=3.0, distinct=False):
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=min_dims))
        x = values(data, shape, lo, hi)
        if distinct:
            x = _distinct(data, shape, lo, hi)
        nd = len(shape)
        options = [st.none()]
        if nd:
            options.append(st.integers(-nd, nd - 1))
            if tuple_dims:
                options.append(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(tuple))
        dim = data.draw(st.one_of(*options))
        return [x], {"dim": dim, "keepdim": data.draw(st.booleans()) if keepdim else False}
    return draw


def _distinct(data, shape, lo, hi):
    """Values without ties (a shuffled grid), for ops whose gradient picks one element."""
    n = int(np.prod(shape))
    grid = np.linspace(lo, hi, max(n, 1))
    perm = data.draw(st.permutations(list(range(max(n, 1)))))
    return grid[np.array(perm)][:n].reshape(shape)


def broadcastable_to(data, shape: tuple, min_dims: int = 0) -> tuple:
    """A shape that broadcasts to ``shape`` without growing it: a suffix of it with some sides 1."""
    return tuple(data.draw(st.sampled_from([1, s])) for s in shape[data.draw(st.integers(0, len(shape) - min_dims)):])


def into(lo=-3.0, hi=3.0, lo2=None, hi2=None):
    """x and a y that broadcasts to x's shape (in-place ops write into x)."""
    def draw(data, dtype):
        shape = data.draw(shapes())
        y = values(data, broadcastable_to(data, shape), lo if lo2 is None else lo2, hi if hi2 is None else hi2)
        return [values(data, shape, lo, hi), y], {}
    return draw


def off_multiples(arr, step: float = 0.5, margin: float = 0.05):
    """``arr`` moved at least ``margin`` away from every multiple of ``step``."""
    k = np.floor(arr / step)
    return (k + np.clip(arr / step - k, margin / step, 1 - margin / step)) * step


def forms(draw: Callable, **choices: Any) -> Callable:
    """``draw`` plus, for each keyword, a param drawn from its values (which spelling or variant of an op to call)."""
    def drawn(data, dtype):
        inputs, params = draw(data, dtype)
        return inputs, {**params, **{k: data.draw(st.sampled_from(v)) for k, v in choices.items()}}
    return drawn


def dim_of(data, ndim: int, extra: int = 0):
    return data.draw(st.integers(-(ndim + extra), ndim + extra - 1)) if ndim + extra else 0


# ---- the table --------------------------------------------------------------------------------------
OPS: list[OpSpec] = []


def op(name: str, fn: Callable, draw: Callable, **kw: Any) -> None:
    OPS.append(OpSpec(name, fn, draw, **kw))


# arithmetic: tensors and Python numbers on either side
op("add", lambda lib, x, y: x + y, binary())
op("sub", lambda lib, x, y: x - y, binary())
op("mul", lambda lib, x, y: x * y, binary())
op("div", lambda lib, x, y: x / y, binary(lo2=0.5, hi2=3.0), rtol={"float32": 2e-4})
op("div_negative_divisor", lambda lib, x, y: x / y, binary(lo2=-3.0, hi2=-0.5), rtol={"float32": 2e-4})
op("pow", lambda lib, x, y: x ** y, binary(lo=0.5, hi=2.0, lo2=-2.0, hi2=2.0), rtol={"float32": 5e-4})
op("add_scalar", lambda lib, x, s: x + s, with_scalar())
op("radd_scalar", lambda lib, x, s: s + x, with_scalar())
op("sub_scalar", lambda lib, x, s: x - s, with_scalar())
op("rsub_scalar", lambda lib, x, s: s - x, with_scalar())
op("mul_scalar", lambda lib, x, s: x * s, with_scalar())
op("rmul_scalar", lambda lib, x, s: s * x, with_scalar())
op("div_scalar", lambda lib, x, s: x / s, with_scalar())
op("rdiv_scalar", lambda lib, x, s: s / x, with_scalar(lo=0.5, hi=3.0), rtol={"float32": 2e-4})
op("pow_scalar", lambda lib, x, s: x ** s, with_scalar(lo=0.5, hi=2.0, scalars=st.floats(-2.5, 2.5)), rtol={"float32": 5e-4})
op("pow_int", lambda lib, x, s: x ** s, with_scalar(scalars=st.integers(0, 4)))
op("rpow_scalar", lambda lib, x, s: s ** x, with_scalar(lo=-2.0, hi=2.0, scalars=st.floats(0.5, 3.0)), rtol={"float32": 5e-4})
op("neg", lambda lib, x: -x, unary())
_ARITH = {  # the function spellings (torch.add(x, y, alpha=...), ...)
    "add": lambda lib, x, y: lib.add(x, y, alpha=2), "sub": lambda lib, x, y: lib.sub(x, y, alpha=-0.5),
    "subtract": lambda lib, x, y: lib.subtract(x, y), "mul": lambda lib, x, y: lib.mul(x, y),
    "multiply": lambda lib, x, y: lib.multiply(x, y), "div": lambda lib, x, y: lib.div(x, y),
    "divide": lambda lib, x, y: lib.divide(x, y), "true_divide": lambda lib, x, y: lib.true_divide(x, y),
    "pow": lambda lib, x, y: lib.pow(x, y), "negative": lambda lib, x, y: lib.negative(x) * y,
}
op("arith_functions", lambda lib, x, y, name: _ARITH[name](lib, x, y),
   forms(binary(lo=0.5, hi=2.0, lo2=0.5, hi2=2.0), name=list(_ARITH)), rtol={"float32": 5e-4})

# remainder and floor division jump where x / y is an integer: divisors are nonzero multiples of 1/2 and
# dividends no multiple of 1/2, so no pair broadcasting lines up is near a jump
_HALVES = st.sampled_from([sign * k / 2 for k in range(1, 7) for sign in (1.0, -1.0)])
_DIVMOD = {
    "%": lambda lib, x, y: x % y, "remainder": lambda lib, x, y: lib.remainder(x, y),
    "//": lambda lib, x, y: x // y, "floor_divide": lambda lib, x, y: lib.floor_divide(x, y),
    "div_floor": lambda lib, x, y: x.div(y, rounding_mode="floor"), "div_trunc": lambda lib, x, y: x.div(y, rounding_mode="trunc"),
}


def _draw_divmod(data, dtype):
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    x = off_multiples(values(data, pair.input_shapes[0], -4.0, 4.0))
    return [x, data.draw(hnp.arrays(np.float64, pair.input_shapes[1], elements=_HALVES))], {}


def _draw_divmod_scalar(*reverse: bool):
    """x % s, or s % x (the tensor divides) where ``reverse`` is drawn."""
    def draw(data, dtype):
        shape = data.draw(shapes(max_dims=3))
        if data.draw(st.sampled_from(reverse)):
            s = float(off_multiples(np.float64(data.draw(st.floats(-4.0, 4.0)))))
            return [data.draw(hnp.arrays(np.float64, shape, elements=_HALVES))], {"s": s, "reverse": True}
        return [off_multiples(values(data, shape, -4.0, 4.0))], {"s": data.draw(_HALVES), "reverse": False}
    return draw


def _draw_int_divmod(data, dtype):
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    a = data.draw(hnp.arrays(np.int64, pair.input_shapes[0], elements=st.integers(-9, 9)))
    b = data.draw(hnp.arrays(np.int64, pair.input_shapes[1], elements=st.integers(-4, 4).filter(bool)))
    return [Const(a), Const(b)], {"form": data.draw(st.sampled_from(["%", "remainder", "//", "floor_divide"]))}


op("remainder", lambda lib, x, y, form: _DIVMOD[form](lib, x, y), forms(_draw_divmod, form=["%", "remainder"]))
op("remainder_scalar", lambda lib, x, s, reverse: s % x if reverse else x % s, _draw_divmod_scalar(False))
# torch has no derivative for floor_divide nor for number % tensor (backward raises), and zeros for
# div(rounding_mode=...): values only
op("rremainder_scalar", lambda lib, x, s, reverse: s % x if reverse else x % s, _draw_divmod_scalar(True), grad=False)
op("floor_divide", lambda lib, x, y, form: _DIVMOD[form](lib, x, y),
   forms(_draw_divmod, form=["//", "floor_divide", "div_floor", "div_trunc"]), grad=False)
op("floor_divide_scalar", lambda lib, x, s, reverse: s // x if reverse else x // s, _draw_divmod_scalar(False, True), grad=False)
op("divmod_int", lambda lib, a, b, form: _DIVMOD[form](lib, a, b), _draw_int_divmod, grad=False)

# elementwise math
op("abs", lambda lib, x: lib.abs(x), unary(away_from=(0.0,)))
op("exp", lambda lib, x: lib.exp(x), unary())
op("log", lambda lib, x: lib.log(x), unary(lo=0.05, hi=5.0), rtol={"float32": 2e-4})
op("log1p", lambda lib, x: lib.log1p(x), unary(lo=-0.9, hi=5.0), rtol={"float32": 2e-4})
op("expm1", lambda lib, x: lib.expm1(x), unary())
op("sqrt", lambda lib, x: lib.sqrt(x), unary(lo=0.05, hi=5.0), rtol={"float32": 2e-4})
op("rsqrt", lambda lib, x: lib.rsqrt(x), unary(lo=0.1, hi=5.0), rtol={"float32": 2e-4})
op("square", lambda lib, x: lib.square(x), unary())
op("reciprocal", lambda lib, x: lib.reciprocal(x), unary(lo=0.2, hi=3.0), rtol={"float32": 2e-4})
op("sin", lambda lib, x: lib.sin(x), unary())
op("cos", lambda lib, x: lib.cos(x), unary())
op("tan", lambda lib, x: lib.tan(x), unary(lo=-1.2, hi=1.2), rtol={"float32": 2e-4})
op("tanh", lambda lib, x: lib.tanh(x), unary())
op("sigmoid", lambda lib, x: lib.sigmoid(x), unary(lo=-8.0, hi=8.0))
op("relu", lambda lib, x: lib.relu(x), unary(away_from=(0.0,)))
op("sign", lambda lib, x: lib.sign(x), unary(away_from=(0.0,)))
op("floor", lambda lib, x: lib.floor(x), unary())
op("ceil", lambda lib, x: lib.ceil(x), unary())
op("round", lambda lib, x: lib.round(x), unary(away_from=(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)))
op("maximum", lambda lib, x, y: lib.maximum(x, y), binary(distinct=True))
op("minimum", lambda lib, x, y: lib.minimum(x, y), binary(distinct=True))
op("clamp", lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
   lambda data, dt: ([values(data, data.draw(shapes()), away_from=(-1.0, 1.0))], {"lo": -1.0, "hi": 1.0}))
op("clamp_min", lambda lib, x, lo: x.clamp(min=lo),
   lambda data, dt: ([values(data, data.draw(shapes()), away_from=(0.5,))], {"lo": 0.5}))
op("clamp_max", lambda lib, x, hi: x.clamp(max=hi),
   lambda data, dt: ([values(data, data.draw(shapes()), away_from=(-0.5,))], {"hi": -0.5}))
op("asin", lambda lib, x: lib.asin(x), unary(lo=-0.9, hi=0.9), rtol={"float32": 2e-4})
op("acos", lambda lib, x: lib.acos(x), unary(lo=-0.9, hi=0.9), rtol={"float32": 2e-4})
op("atan", lambda lib, x: lib.atan(x), unary())
op("atan2", lambda lib, y, x: lib.atan2(y, x), binary(lo2=0.3, hi2=3.0), rtol={"float32": 2e-4})
op("sinh", lambda lib, x: lib.sinh(x), unary())
op("cosh", lambda lib, x: lib.cosh(x), unary())
op("asinh", lambda lib, x: lib.asinh(x), unary())
op("acosh", lambda lib, x: lib.acosh(x), unary(lo=1.2, hi=4.0), rtol={"float32": 2e-4})
op("atanh", lambda lib, x: lib.atanh(x), unary(lo=-0.9, hi=0.9), rtol={"float32": 2e-4})
op("erf", lambda lib, x: lib.erf(x), unary())
op("lgamma", lambda lib, x: lib.lgamma(x), unary(lo=-2.9, hi=6.0, away_from=(-2.0, -1.0, 0.0)),
   rtol={"float32": 5e-4}, atol={"float32": 1e-4})
op("digamma", lambda lib, x: lib.digamma(x), unary(lo=0.1, hi=6.0), rtol={"float32": 5e-4}, atol={"float32": 1e-4})
op("polygamma", lambda lib, x: lib.polygamma(1, x), unary(lo=0.2, hi=6.0), rtol={"float32": 5e-4}, atol={"float32": 1e-4})
op("erfinv", lambda lib, x: lib.erfinv(x), unary(lo=-0.95, hi=0.95), rtol={"float32": 5e-4}, atol={"float32": 1e-4})
op("exp2", lambda lib, x: lib.exp2(x), unary(), rtol={"float32": 2e-4})
op("hypot", lambda lib, x, y: lib.hypot(x, y), binary(lo2=0.3, hi2=3.0), rtol={"float32": 2e-4})
op("logaddexp", lambda lib, x, y: lib.logaddexp(x, y), binary(distinct=True), rtol={"float32": 2e-4})
op("xlogy", lambda lib, x, y: lib.xlogy(x, y), binary(lo2=0.1, hi2=3.0), rtol={"float32": 2e-4})
op("logit", lambda lib, x: lib.logit(x), unary(lo=0.05, hi=0.95), rtol={"float32": 2e-4})
op("logit_eps", lambda lib, x: lib.logit(x, eps=0.1), unary(lo=0.0, hi=1.0, away_from=(0.1, 0.9)), rtol={"float32": 2e-4})
op("fmod", lambda lib, x, y: lib.fmod(x, y), lambda data, dt: (lambda shape: (
    [values(data, shape, -2.75, 2.75, away_from=(-2.0, -1.0, 0.0, 1.0, 2.0), margin=0.05),  # off the jumps
     np.sign(values(data, shape[-1:], -1.0, 1.0, away_from=(0.0,))) * 1.0], {}))(data.draw(shapes())))
op("deg2rad", lambda lib, x: lib.deg2rad(x), unary())
op("rad2deg", lambda lib, x: lib.rad2deg(x), unary(), rtol={"float32": 2e-4})
op("addcmul", lambda lib, x, a, b: lib.addcmul(x, a, b, value=0.5), lambda data, dt: (lambda shape: (
    [values(data, shape) for _ in range(3)], {}))(data.draw(shapes())))
op("addcdiv", lambda lib, x, a, b: lib.addcdiv(x, a, b, value=-2.0), lambda data, dt: (lambda shape: (
    [values(data, shape), values(data, shape), values(data, shape, 0.5, 3.0)], {}))(data.draw(shapes())),
   rtol={"float32": 2e-4})
op("log2_log10", lambda lib, x, name: getattr(lib, name)(x), forms(unary(lo=0.05, hi=5.0), name=["log2", "log10"]),
   rtol={"float32": 2e-4})
op("trunc_frac", lambda lib, x, name: getattr(lib, name)(x), forms(unary(), name=["trunc", "frac"]))


def _draw_round_decimals(data, dtype):
    """x.round(decimals) away from the halfway points (k + 1/2) 10^-decimals."""
    decimals = data.draw(st.sampled_from([-1, 1, 2]))
    step = 10.0 ** -decimals
    x = values(data, data.draw(shapes())) * max(step, 1.0)
    return [(off_multiples(x / step - 0.5, 1.0, 0.1) + 0.5) * step], {"decimals": decimals}


def _draw_clamp_tensors(data, dtype):
    """x, lo and hi tensors: x on the grid of apart(), the bounds off it, lo < hi everywhere.

    The bounds broadcast to x's shape: torch's backward fails where they would grow the output.
    """
    s_x = data.draw(shapes(max_dims=3))
    x, lo = apart(values(data, s_x), values(data, broadcastable_to(data, s_x), -3.0, -0.5))
    return [x, lo, apart(x, values(data, broadcastable_to(data, s_x), 0.5, 3.0))[1]], {
        "form": data.draw(st.sampled_from(["clamp", "clip", "min", "max"]))}


_CLAMP_TENSORS = {
    "clamp": lambda lib, x, lo, hi: lib.clamp(x, lo, hi), "clip": lambda lib, x, lo, hi: x.clip(lo, hi),
    "min": lambda lib, x, lo, hi: x.clamp(min=lo), "max": lambda lib, x, lo, hi: x.clamp(max=hi),
}
op("round_decimals", lambda lib, x, decimals: x.round(decimals=decimals), _draw_round_decimals)
op("clamp_tensor_bounds", lambda lib, x, lo, hi, form: _CLAMP_TENSORS[form](lib, x, lo, hi), _draw_clamp_tensors)
op("max_min_binary", lambda lib, x, y, name: getattr(lib, name)(x, y), forms(binary(distinct=True), name=["max", "min"]))


def _draw_where(data, dtype):
    triple = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    cond = data.draw(hnp.arrays(np.bool_, triple.input_shapes[0]))
    return [Const(cond), values(data, triple.input_shapes[1]), values(data, triple.input_shapes[2])], {}


op("where", lambda lib, c, x, y, method: x.where(c, y) if method else lib.where(c, x, y), forms(_draw_where, method=[False, True]))
op("where_scalar", lambda lib, c, x: lib.where(c, x, 0.5), lambda data, dt: (
    lambda shape: ([Const(data.draw(hnp.arrays(np.bool_, shape))), values(data, shape)], {}))(data.draw(shapes())))


def _draw_masked_fill(data, dtype):
    shape = data.draw(shapes())
    inputs = [values(data, shape), Const(data.draw(hnp.arrays(np.bool_, broadcastable_to(data, shape))))]
    inplace = data.draw(st.booleans())
    if data.draw(st.booleans()):  # a 0-d tensor value, which gets the gradient of the places it fills
        return inputs + [values(data, ())], {"inplace": inplace}
    return inputs, {"value": data.draw(st.floats(-3.0, 3.0)), "inplace": inplace}


def _draw_lerp(data, dtype):
    triple = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    start, end, weight = triple.input_shapes
    return [values(data, start), values(data, end), values(data, weight, -0.5, 1.5)], {}


op("masked_fill", lambda lib, x, m, v=None, value=None, inplace=False: (x.clone().masked_fill_ if inplace else x.masked_fill)(
    m, value if v is None else v), _draw_masked_fill)
op("lerp", lambda lib, a, b, w: lib.lerp(a, b, w), _draw_lerp)
op("lerp_scalar", lambda lib, a, b, w, inplace: a.clone().lerp_(b, w) if inplace else a.lerp(b, w),
   forms(into(), w=[0.0, 0.25, 0.7, 1.0, -0.5, 1.5], inplace=[False, True]))

# casts and copies: the gradient comes back in the input's dtype, as torch's
_CASTS = {
    "to": lambda lib, x, dt: x.to(getattr(lib, dt)), "type": lambda lib, x, dt: x.type(getattr(lib, dt)),
    "method": lambda lib, x, dt: getattr(x, {"float64": "double", "float32": "float"}[dt])(),
}
op("to_dtype", lambda lib, x, form, dt: _CASTS[form](lib, x, dt), forms(unary(), form=list(_CASTS), dt=["float64", "float32"]), casts=True)
op("clone", lambda lib, x, form: lib.clone(x) if form == "function" else getattr(x, form)(),
   forms(unary(), form=["clone", "contiguous", "function"]))

# matmul: 1-D, 2-D and batched with broadcasting
def _draw_matmul(data, dtype):
    m, k, n = (data.draw(st.integers(1, 4)) for _ in range(3))
    kind = data.draw(st.sampled_from(["vv", "mv", "vm", "mm", "bmm", "broadcast"]))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    shapes_by_kind = {
        "vv": ((k,), (k,)), "mv": ((m, k), (k,)), "vm": ((k,), (k, n)), "mm": ((m, k), (k, n)),
        "bmm": (batch.input_shapes[0] + (m, k), (k, n)),
        "broadcast": (batch.input_shapes[0] + (m, k), batch.input_shapes[1] + (k, n)),
    }
    sa, sb = shapes_by_kind[kind]
    return [values(data, sa), values(data, sb)], {}


op("matmul", lambda lib, a, b: a @ b, _draw_matmul, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("mm_bmm_dot", lambda lib, a, b, name: getattr(lib, name)(a, b), lambda d, t: (lambda name, b, m, k, n: (
    [values(d, s) for s in {"mm": ((m, k), (k, n)), "bmm": ((b, m, k), (b, k, n)), "dot": ((k,), (k,))}[name]], {"name": name}))(
    d.draw(st.sampled_from(["mm", "bmm", "dot"])), *(d.draw(st.integers(1, 4)) for _ in range(4))),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})


def _draw_einsum(data, dtype):
    eq, shapes_ = data.draw(st.sampled_from([
        ("ij,jk->ik", ((2, 3), (3, 4))), ("bij,bjk->bik", ((2, 2, 3), (2, 3, 2))), ("i,i->", ((4,), (4,))),
        ("i,j->ij", ((3,), (2,))), ("ij->ji", ((2, 3),)), ("ij->", ((2, 3),)), ("ii->i", ((3, 3),)),
        ("ii", ((3, 3),)), ("...ij,...jk->...ik", ((2, 2, 3), (3, 2))), ("bhqd,bhkd->bhqk", ((1, 2, 3, 2), (1, 2, 4, 2))),
        ("ij,ij->i", ((3, 2), (3, 2))), ("ijk", ((2, 1, 3),)), ("ij,jk,kl->il", ((2, 3), (3, 2), (2, 2))),
    ]))
    return [values(data, s) for s in shapes_], {"eq": eq}


op("einsum", lambda lib, *xs, eq: lib.einsum(eq, *xs), _draw_einsum, rtol={"float32": 1e-3}, atol={"float32": 1e-4})

# reductions
op("sum", lambda lib, x, dim, keepdim: x.sum() if dim is None else x.sum(dim, keepdim=keepdim), reduction())
op("mean", lambda lib, x, dim, keepdim: x.mean() if dim is None else x.mean(dim, keepdim=keepdim), reduction())
op("var", lambda lib, x, dim, keepdim, correction: x.var(dim, keepdim=keepdim, correction=correction),
   lambda data, dt: _with(reduction(min_dims=1)(data, dt), correction=data.draw(st.sampled_from([0, 1]))),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("std", lambda lib, x, dim, keepdim: x.std(dim, keepdim=keepdim),
   reduction(min_dims=1), rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("prod", lambda lib, x, dim: x.prod() if dim is None else x.prod(dim),
   lambda data, dt: ([values(data, data.draw(shapes(max_dims=3)), 0.5, 1.5)],
                     {"dim": data.draw(st.one_of(st.none(), st.just(0)))}), rtol={"float32": 5e-4})
op("reduce_to_dtype", lambda lib, x, name: getattr(x, name)(**({"dim": -1} if "softmax" in name else {}), dtype=lib.float64),
   forms(lambda d, t: ([values(d, d.draw(shapes(min_dims=1, max_dims=3)), 0.5, 1.5)], {}),
         name=["sum", "mean", "prod", "softmax", "log_softmax"]), casts=True)
op("max", lambda lib, x: x.max(), lambda d, t: ([_distinct(d, d.draw(shapes()), -3, 3)], {}))
op("min", lambda lib, x: x.min(), lambda d, t: ([_distinct(d, d.draw(shapes()), -3, 3)], {}))
op("max_dim", lambda lib, x, dim, keepdim: x.max(dim, keepdim=keepdim)[0],
   lambda d, t: (lambda shape: ([_distinct(d, shape, -3, 3)], {"dim": dim_of(d, len(shape)), "keepdim": d.draw(st.booleans())}))(d.draw(shapes(min_dims=1))))
op("min_dim", lambda lib, x, dim, keepdim: x.min(dim, keepdim=keepdim).values,
   lambda d, t: (lambda shape: ([_distinct(d, shape, -3, 3)], {"dim": dim_of(d, len(shape)), "keepdim": d.draw(st.booleans())}))(d.draw(shapes(min_dims=1))))
op("max_dim_indices", lambda lib, x, dim: x.max(dim).indices,
   lambda d, t: (lambda shape: ([_distinct(d, shape, -3, 3)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))), grad=False)
op("amax", lambda lib, x, dim, keepdim: x.amax() if dim is None else x.amax(dim, keepdim=keepdim), reduction(distinct=True))
op("amin", lambda lib, x, dim, keepdim: x.amin() if dim is None else x.amin(dim, keepdim=keepdim), reduction(distinct=True))
op("logsumexp", lambda lib, x, dim, keepdim: lib.logsumexp(x, dim if dim is not None else tuple(range(x.ndim)), keepdim=keepdim),
   reduction(), rtol={"float32": 2e-4})
op("norm", lambda lib, x, dim, keepdim: x.norm(2, dim=dim, keepdim=keepdim),
   lambda data, dt: _with(reduction()(data, dt)), rtol={"float32": 2e-4})
op("norm_p", lambda lib, x, p, dim: x.norm(p=p, dim=dim),
   lambda data, dt: ([values(data, data.draw(shapes(min_dims=1)), away_from=(0.0,))],
                     {"p": data.draw(st.sampled_from([1, 3, float("inf")])), "dim": data.draw(st.sampled_from([None, -1]))}),
   rtol={"float32": 1e-3})
op("cumsum", lambda lib, x, dim: x.cumsum(dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("argmax", lambda lib, x, dim: x.argmax() if dim is None else x.argmax(dim),
   lambda d, t: (lambda shape: ([_distinct(d, shape, -3, 3)], {"dim": d.draw(st.one_of(st.none(), st.just(dim_of(d, len(shape)))))}))(d.draw(shapes(min_dims=1))), grad=False)
op("argmin", lambda lib, x, dim: x.argmin() if dim is None else x.argmin(dim, keepdim=True),
   lambda d, t: (lambda shape: ([_distinct(d, shape, -3, 3)], {"dim": d.draw(st.one_of(st.none(), st.just(dim_of(d, len(shape)))))}))(d.draw(shapes(min_dims=1))), grad=False)
op("any", lambda lib, x, dim, keepdim: (x > 1).any() if dim is None else (x > 1).any(dim, keepdim=keepdim), reduction(tuple_dims=False), grad=False)
op("all", lambda lib, x, dim, keepdim: (x > -1).all() if dim is None else (x > -1).all(dim, keepdim=keepdim), reduction(tuple_dims=False), grad=False)
op("count_nonzero", lambda lib, x, dim, keepdim: lib.count_nonzero(x.round(), dim=dim), reduction(keepdim=False), grad=False)

# comparisons (bool results)
for _name, _fn in [("eq", lambda lib, x, y: x == y), ("ne", lambda lib, x, y: x != y), ("lt", lambda lib, x, y: x < y),
                   ("le", lambda lib, x, y: x <= y), ("gt", lambda lib, x, y: x > y), ("ge", lambda lib, x, y: x >= y)]:
    op(_name, _fn, lambda data, dt: (lambda a: ([np.round(a[0]), np.round(a[1])], {}))(binary()(data, dt)[0]), grad=False)
op("gt_scalar", lambda lib, x: x > 0.5, unary(), grad=False)
op("isnan_isinf_isfinite", lambda lib, x, name: getattr(lib, name)(x.log()),  # log gives nan below 0, -inf at 0
   forms(unary(-1.0, 2.0), name=["isnan", "isinf", "isfinite"]), grad=False)
op("isclose", lambda lib, x, m, d: lib.isclose(x, lib.where(m, x + d, x + 0.5)),
   lambda d, t: (lambda shape: ([values(d, shape), Const(d.draw(hnp.arrays(np.bool_, shape)))], {"d": d.draw(st.sampled_from([0.0, 1e-9]))}))(
       d.draw(shapes())), grad=False)
_LOGICAL = {
    "logical_and": lambda lib, a, b: lib.logical_and(a, b), "logical_or": lambda lib, a, b: a.logical_or(b),
    "logical_xor": lambda lib, a, b: lib.logical_xor(a, b), "logical_not": lambda lib, a, b: lib.logical_not(a) & b,
    "&": lambda lib, a, b: a & b, "|": lambda lib, a, b: a | b, "^": lambda lib, a, b: a ^ b, "~": lambda lib, a, b: ~a | b,
}
op("logical", lambda lib, x, y, name: _LOGICAL[name](lib, x > 0, y > 0), forms(binary(), name=list(_LOGICAL)), grad=False)
_NONZERO = {
    "nonzero": lambda lib, m: lib.nonzero(m), "as_tuple": lambda lib, m: lib.stack(lib.nonzero(m, as_tuple=True)),
    "where": lambda lib, m: lib.stack(lib.where(m)),
}
op("nonzero", lambda lib, x, form: _NONZERO[form](lib, x > 0), forms(unary(), form=list(_NONZERO)), grad=False)

# softmax family
op("softmax", lambda lib, x, dim: lib.softmax(x, dim),
   lambda d, t: (lambda shape: ([values(d, shape, -5, 5)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("log_softmax", lambda lib, x, dim: lib.log_softmax(x, dim),
   lambda d, t: (lambda shape: ([values(d, shape, -5, 5)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))


# shape ops
def _draw_reshape(data, dtype):
    shape = data.draw(shapes())
    n = int(np.prod(shape))
    factors = [f for f in range(1, n + 1) if n % f == 0]
    f = data.draw(st.sampled_from(factors))
    target = data.draw(st.sampled_from([(n,), (f, n // f), (f, -1), (-1, f, 1), (1, n)]))
    return [values(data, shape)], {"shape": target}


op("reshape", lambda lib, x, shape: x.reshape(shape), _draw_reshape)
op("view", lambda lib, x, shape: x.contiguous().view(*shape), _draw_reshape)
op("flatten", lambda lib, x, s, e: x.flatten(s, e),
   lambda d, t: (lambda shape: ([values(d, shape)], (lambda s: {"s": s, "e": d.draw(st.integers(s, len(shape) - 1))})(d.draw(st.integers(0, len(shape) - 1)))))(d.draw(shapes(min_dims=1))))
op("unflatten", lambda lib, x, dim: x.unflatten(dim, (1, x.shape[dim], 1)),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("squeeze", lambda lib, x: x.squeeze(), unary())
op("squeeze_dim", lambda lib, x, dim: x.squeeze(dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1, max_side=2))))
op("unsqueeze", lambda lib, x, dim: x.unsqueeze(dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dim": dim_of(d, len(shape), extra=1) if len(shape) else d.draw(st.sampled_from([0, -1]))}))(d.draw(shapes())))
op("permute", lambda lib, x, dims: x.permute(*dims),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dims": tuple(d.draw(st.permutations(list(range(len(shape))))))}))(d.draw(shapes(min_dims=1))))
op("transpose", lambda lib, x, a, b: x.transpose(a, b),
   lambda d, t: (lambda shape: ([values(d, shape)], {"a": dim_of(d, len(shape)), "b": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("t", lambda lib, x: x.t(), lambda d, t: ([values(d, d.draw(shapes(min_dims=0, max_dims=2)))], {}))
op("T_mT", lambda lib, x: x.mT + 0 if x.ndim >= 2 else x.T, unary(min_dims=2))


def _draw_movedim(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    k = data.draw(st.integers(1, len(shape)))
    src, dst = (tuple(data.draw(st.permutations(range(len(shape))))[:k]) for _ in range(2))
    return [values(data, shape)], {"src": src[0] if k == 1 else src, "dst": dst[0] if k == 1 else dst}


op("movedim", lambda lib, x, src, dst: x.movedim(src, dst), _draw_movedim)
op("sum_to_size", lambda lib, x, size: x.sum_to_size(size), lambda d, t: (
    lambda shape: ([values(d, shape)], {"size": broadcastable_to(d, shape)}))(d.draw(shapes())))
op("reshape_as", lambda lib, x, like, form: getattr(x.contiguous(), form)(like), forms(
    lambda d, t: (lambda drawn: ([drawn[0][0], Const(np.zeros(drawn[0][0].size).reshape(drawn[1]["shape"]))], {}))(_draw_reshape(d, t)),
    form=["reshape_as", "view_as"]))


def _draw_expand(data, dtype):
    target = data.draw(shapes(min_dims=1))
    return [values(data, broadcastable_to(data, target, min_dims=1))], {"target": target}


op("expand", lambda lib, x, target: x.expand(*target), _draw_expand)
op("expand_minus_one", lambda lib, x, target: x.expand(*_minus_ones(x.shape, target)), _draw_expand)
op("expand_as", lambda lib, x, y: x.expand_as(y), lambda d, t: (lambda a: (a[0], a[1]))(_expand_pair(d)))
op("broadcast_to", lambda lib, x, target: x.broadcast_to(target), _draw_expand)


def _minus_ones(shape, target):
    """``target`` with -1 ("keep this size") wherever the input already has that size."""
    lead = len(target) - len(shape)
    return target[:lead] + tuple(-1 if s == t else t for s, t in zip(shape, target[lead:]))


def _expand_pair(data):
    x_and_target = _draw_expand(data, None)
    return [x_and_target[0][0], Const(np.zeros(x_and_target[1]["target"]))], {}


op("repeat", lambda lib, x, reps: x.repeat(*reps),
   lambda d, t: (lambda shape: ([values(d, shape)], {"reps": tuple(d.draw(st.integers(1, 3)) for _ in range(max(1, len(shape) + d.draw(st.integers(0, 1)))))}))(d.draw(shapes(max_dims=3, max_side=3))))
op("flip", lambda lib, x, dims: x.flip(dims),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dims": tuple(d.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)))}))(d.draw(shapes(min_dims=1))))


def _draw_cat(data, dtype):
    base = data.draw(shapes(min_dims=1))
    dim = data.draw(st.integers(0, len(base) - 1))
    arrays = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(base)
        s[dim] = data.draw(st.integers(1, 3))
        arrays.append(values(data, tuple(s)))
    return arrays, {"dim": dim - len(base) if data.draw(st.booleans()) else dim}


op("cat", lambda lib, *xs, dim: lib.cat(list(xs), dim), _draw_cat)
op("stack", lambda lib, *xs, dim: lib.stack(list(xs), dim),
   lambda d, t: (lambda shape, n: ([values(d, shape) for _ in range(n)], {"dim": dim_of(d, len(shape), extra=1)}))(d.draw(shapes()), d.draw(st.integers(1, 3))))
op("split", lambda lib, x, size, dim: lib.cat([p * (i + 1) for i, p in enumerate(x.split(size, dim))], dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"size": d.draw(st.integers(1, 3)), "dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("split_sections", lambda lib, x: lib.stack([p.sum() * (i + 1) for i, p in enumerate(x.split([1, x.shape[0] - 1]))]),
   lambda d, t: ([values(d, (d.draw(st.integers(2, 5)), d.draw(st.integers(1, 3))))], {}))
op("chunk", lambda lib, x, n, dim: lib.cat([p * (i + 1) for i, p in enumerate(x.chunk(n, dim))], dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"n": d.draw(st.integers(1, 4)), "dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("unused_chunk", lambda lib, x: x.chunk(2, 0)[0] * 2, lambda d, t: ([values(d, (4, 3))], {}))
op("unbind", lambda lib, x, dim: lib.stack([p * (i + 1) for i, p in enumerate(x.unbind(dim))], dim),
   lambda d, t: (lambda shape: ([values(d, shape)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))


def _draw_narrow(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    dim = data.draw(st.integers(0, len(shape) - 1))
    start = data.draw(st.integers(0, shape[dim] - 1))
    length = data.draw(st.integers(0, shape[dim] - start))
    start = start - shape[dim] if data.draw(st.booleans()) else start  # negative starts count from the end
    return [values(data, shape)], {"dim": dim - len(shape) if data.draw(st.booleans()) else dim, "start": start, "length": length}


op("narrow", lambda lib, x, dim, start, length: x.narrow(dim, start, length), _draw_narrow)
op("broadcast_tensors", lambda lib, x, y: (lambda a, b: a + 2 * b)(*lib.broadcast_tensors(x, y)), binary())


# indexing
def _positive_steps(key) -> bool:
    """torch forbids negative slice steps."""
    return all(not isinstance(s, slice) or (s.step or 1) > 0 for s in (key if isinstance(key, tuple) else (key,)))


def _draw_basic_index(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    key = data.draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True).filter(_positive_steps))
    return [values(data, shape)], {"key": key}


def _draw_int_index(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    n = shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))  # repeats allowed: scatter-add
    as_tensor = data.draw(st.booleans())
    return [values(data, shape)] + ([Const(np.array(idx, dtype=np.int64))] if as_tensor else []), {"idx": None if as_tensor else idx}


def _draw_mask_index(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    mask_dims = data.draw(st.integers(1, len(shape)))
    return [values(data, shape), Const(data.draw(hnp.arrays(np.bool_, shape[:mask_dims])))], {}


def _draw_mixed_index(data, dtype):
    shape = data.draw(shapes(min_dims=2))
    idx = np.array(data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=4)), dtype=np.int64)
    return [values(data, shape), Const(idx)], {}


op("getitem_basic", lambda lib, x, key: x[key], _draw_basic_index)
op("getitem_int_index", lambda lib, x, i=None, idx=None: x[i if i is not None else idx], _draw_int_index)
op("getitem_bool_mask", lambda lib, x, m: x[m], _draw_mask_index)
op("getitem_mixed", lambda lib, x, i: x[:, i][..., :1] if x.ndim > 2 else x[None, :, i], _draw_mixed_index)
op("getitem_steps", lambda lib, x: x[::2, ..., 1::2] if x.ndim > 1 else x[::2], unary(min_dims=1))


def _draw_gather(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    dim = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = tuple(data.draw(st.integers(1, s)) if d != dim else data.draw(st.integers(1, 4)) for d, s in enumerate(shape))
    idx = data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
    return [values(data, shape), Const(idx)], {"dim": dim}


op("gather", lambda lib, x, idx, dim: x.gather(dim, idx), _draw_gather)
op("index_select", lambda lib, x, idx: x.index_select(0, idx),
   lambda d, t: (lambda shape: ([values(d, shape), Const(np.array(d.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=5)), dtype=np.int64))], {}))(d.draw(shapes(min_dims=1))))


def _draw_setitem(data, dtype):
    """x[key] = v for a basic key (v broadcast to x[key]) or a bool mask (v a 0-d tensor)."""
    shape = data.draw(shapes(min_dims=1))
    if data.draw(st.booleans()):
        return [values(data, shape), values(data, ()), Const(data.draw(hnp.arrays(np.bool_, shape)))], {}
    key = data.draw(hnp.basic_indices(shape, min_dims=0, allow_ellipsis=True).filter(_positive_steps))
    return [values(data, shape), values(data, broadcastable_to(data, np.zeros(shape)[key].shape))], {"key": key}


def _setitem(x, v, mask=None, key=None):
    y = x.clone()  # leaves that require grad cannot be written in place
    y[mask if mask is not None else key] = v
    return y


op("setitem", lambda lib, x, v, mask=None, key=None: _setitem(x, v, mask, key), _draw_setitem)


# in-place ops, on a clone of the input (leaves that require grad cannot be written in place)
_INPLACE_ARGS = {"clamp_": (-1.0, 1.0), "fill_": (0.5,)}
_IADD = {"+=": "__iadd__", "-=": "__isub__", "*=": "__imul__", "/=": "__itruediv__"}
_POSITIVE = ("sqrt_", "div_", "pow_", "/=")  # ops that want positive inputs


def _draw_inplace(names: list, n_others: int = 0):
    def draw(data, dtype):
        name = data.draw(st.sampled_from(names))
        lo = 0.5 if name in _POSITIVE else -3.0
        shape = data.draw(shapes())
        others = [values(data, broadcastable_to(data, shape), 0.5 if k == 1 else lo, 2.0 if k == 1 else 3.0) for k in range(n_others)]
        return [values(data, shape, lo, 3.0, away_from=(-1.0, 0.0, 1.0))] + others, {"name": name}
    return draw


op("inplace_unary", lambda lib, x, name: getattr(x.clone(), name)(*_INPLACE_ARGS.get(name, ())), _draw_inplace(
    ["neg_", "exp_", "sqrt_", "relu_", "sigmoid_", "tanh_", "abs_", "clamp_", "zero_", "fill_"]))
op("inplace_binary", lambda lib, x, y, name: getattr(x.clone(), _IADD.get(name, name))(y), _draw_inplace(
    ["add_", "sub_", "mul_", "div_", "pow_", "copy_", "+=", "-=", "*=", "/="], 1), rtol={"float32": 5e-4})
op("inplace_ternary", lambda lib, x, a, b, name, value: x.clone().lerp_(a, b) if name == "lerp_" else getattr(x.clone(), name)(a, b, value=value),
   forms(_draw_inplace(["addcmul_", "addcdiv_", "lerp_"], 2), value=[1, 0.5, -2.0]), rtol={"float32": 2e-4})


def _with(drawn, **extra):
    inputs, params = drawn
    return inputs, {**params, **extra}


# ---- nn.functional: layers, activations, losses (names start with "F.") -------------------------------
def F(name: str) -> Callable:
    """``lib.nn.functional.<name>`` for either library."""
    return lambda lib, *args, **kw: getattr(lib.nn.functional, name)(*args, **kw)


_CONV_TOL = dict(rtol={"float32": 1e-3}, atol={"float32": 1e-4})


def _draw_conv(spatial: int, transposed: bool = False, same: bool = False):
    def draw(data, dtype):
        ints = lambda lo, hi: tuple(data.draw(st.integers(lo, hi)) for _ in range(spatial))  # noqa: E731
        groups = data.draw(st.sampled_from([1, 2]))
        cin, cout = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
        kernel = ints(1, 3)
        stride = (1,) * spatial if same else ints(1, 2)
        dilation = ints(1, 2)
        if same:
            padding = "same"
        elif transposed:  # keeps the output non-empty: (n - 1) s - 2 p + d (k - 1) + 1 >= 1
            padding = tuple(data.draw(st.integers(0, d * (k - 1) // 2)) for k, d in zip(kernel, dilation))
        else:
            padding = tuple(data.draw(st.integers(0, k - 1)) for k in kernel)
        size = tuple(data.draw(st.integers(max(d * (k - 1) + 1 - (0 if same else 2 * p), 1), 5))
                     for k, d, p in zip(kernel, dilation, (0,) * spatial if same else padding))
        x = values(data, (data.draw(st.integers(1, 2)), cin) + size)
        params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        if transposed:
            params["output_padding"] = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
            w = values(data, (cin, cout // groups) + kernel)
        else:
            w = values(data, (cout, cin // groups) + kernel)
        bias = [values(data, (cout,))] if data.draw(st.booleans()) else []
        return [x, w] + bias, params
    return draw


op("F.conv1d", F("conv1d"), _draw_conv(1), **_CONV_TOL)
op("F.conv2d", F("conv2d"), _draw_conv(2), **_CONV_TOL)
op("F.conv2d_same", F("conv2d"), _draw_conv(2, same=True), **_CONV_TOL)
op("F.conv_transpose1d", F("conv_transpose1d"), _draw_conv(1, transposed=True), **_CONV_TOL)
op("F.conv_transpose2d", F("conv_transpose2d"), _draw_conv(2, transposed=True), **_CONV_TOL)
op("F.linear", F("linear"), lambda d, t: (lambda n, i, o: (
    [values(d, (n, i)), values(d, (o, i))] + ([values(d, (o,))] if d.draw(st.booleans()) else []), {}))(
    d.draw(st.integers(1, 3)), d.draw(st.integers(1, 4)), d.draw(st.integers(1, 3))), **_CONV_TOL)
op("F.bilinear", F("bilinear"), lambda d, t: ([values(d, (3, 2)), values(d, (3, 4)), values(d, (2, 2, 4)), values(d, (2,))], {}),
   **_CONV_TOL)


def _draw_pool(spatial: int, kind: str):
    def draw(data, dtype):
        kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(spatial))
        stride = tuple(data.draw(st.integers(1, 3)) for _ in range(spatial))
        padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
        size = tuple(data.draw(st.integers(k, 6)) for k in kernel)
        shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + size
        params = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": data.draw(st.booleans())}
        if kind == "max":
            return [_distinct(data, shape, -3, 3)], params
        params["count_include_pad"] = data.draw(st.booleans())
        return [values(data, shape)], params
    return draw


op("F.max_pool1d", F("max_pool1d"), _draw_pool(1, "max"))
op("F.max_pool2d", F("max_pool2d"), _draw_pool(2, "max"))
op("F.max_pool2d_dilation", lambda lib, x: lib.nn.functional.max_pool2d(x, 2, stride=1, dilation=2, padding=1),
   lambda d, t: ([_distinct(d, (1, 2, d.draw(st.integers(3, 5)), d.draw(st.integers(3, 5))), -3, 3)], {}))
op("F.max_pool2d_indices", lambda lib, x: lib.nn.functional.max_pool2d(x, 2, stride=1, return_indices=True)[1],
   lambda d, t: ([_distinct(d, (1, 2, 4, 3), -3, 3)], {}), grad=False)
op("F.avg_pool1d", F("avg_pool1d"), _draw_pool(1, "avg"))
op("F.avg_pool2d", F("avg_pool2d"), _draw_pool(2, "avg"))
op("F.avg_pool2d_divisor", lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, divisor_override=3), lambda d, t: ([values(d, (2, 1, 4, 5))], {}))
op("F.adaptive_avg_pool1d", F("adaptive_avg_pool1d"), lambda d, t: (
    [values(d, (2, 2, d.draw(st.integers(1, 7))))], {"output_size": d.draw(st.integers(1, 4))}))
op("F.adaptive_avg_pool2d", F("adaptive_avg_pool2d"), lambda d, t: (
    [values(d, (1, 2, d.draw(st.integers(1, 7)), d.draw(st.integers(1, 7))))],
    {"output_size": (d.draw(st.integers(1, 4)), d.draw(st.one_of(st.none(), st.integers(1, 4))))}))


def _draw_batch_norm(data, dtype):
    shape = (data.draw(st.integers(2, 4)), data.draw(st.integers(1, 3))) + tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    c = shape[1]
    inputs = [_distinct(data, shape, -3, 3), values(data, (c,)), values(data, (c,))]
    if data.draw(st.booleans()):  # eval mode: running statistics, a fixed transform
        inputs += [Const(values(data, (c,))), Const(values(data, (c,), 0.5, 2.0))]
        return inputs, {"training": False}
    return inputs, {"training": True}


op("F.batch_norm", lambda lib, x, w, b, rm=None, rv=None, training=True: lib.nn.functional.batch_norm(
    x, rm, rv, w, b, training=training), _draw_batch_norm, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("F.layer_norm", lambda lib, x, w, b: lib.nn.functional.layer_norm(x, w.shape, w, b), lambda d, t: (
    lambda shape, k: ([_distinct(d, shape, -3, 3), values(d, shape[len(shape) - k:]), values(d, shape[len(shape) - k:])], {}))(
    d.draw(shapes(min_dims=2, max_dims=3, min_side=2)), d.draw(st.integers(1, 2))),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("F.group_norm", lambda lib, x, w, b, g: lib.nn.functional.group_norm(x, g, w, b), lambda d, t: (
    lambda g, c, rest: ([_distinct(d, (2, g * c) + rest, -3, 3), values(d, (g * c,)), values(d, (g * c,))], {"g": g}))(
    d.draw(st.integers(1, 2)), d.draw(st.integers(1, 2)), tuple(d.draw(st.lists(st.integers(2, 3), min_size=1, max_size=2)))),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("F.embedding", lambda lib, w, idx: lib.nn.functional.embedding(idx, w, padding_idx=1), lambda d, t: (
    [values(d, (5, 3)), Const(d.draw(hnp.arrays(np.int64, (d.draw(st.integers(1, 3)), 2), elements=st.integers(0, 4))))], {}))

# activations
op("F.leaky_relu", lambda lib, x, s: lib.nn.functional.leaky_relu(x, s), with_scalar(away_from=(0.0,), scalars=st.floats(0.01, 0.5)))
op("F.elu", lambda lib, x, s: lib.nn.functional.elu(x, s), with_scalar(away_from=(0.0,), scalars=st.floats(0.1, 2.0)))
op("F.gelu", F("gelu"), unary(-4.0, 4.0))
op("F.gelu_tanh", lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), unary(-4.0, 4.0))
op("F.silu", F("silu"), unary())
op("F.mish", F("mish"), unary())
op("F.softplus", lambda lib, x, beta, threshold: lib.nn.functional.softplus(x, beta, threshold), lambda d, t: (
    [values(d, d.draw(shapes()), -4, 4, away_from=(0.5, 1.0))], {"beta": d.draw(st.sampled_from([1.0, 2.0])), "threshold": 1.0}))
op("F.hardtanh", lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 1.0), unary(away_from=(-0.5, 1.0)))
op("F.relu6", F("relu6"), unary(-2.0, 8.0, away_from=(0.0, 6.0)))
op("F.relu", lambda lib, x, inplace: lib.nn.functional.relu(x.clone() if inplace else x, inplace=inplace),
   forms(unary(away_from=(0.0,)), inplace=[False, True]))
op("F.dropout_identity", lambda lib, x, p, training: lib.nn.functional.dropout(x, p, training),
   lambda d, t: _with(unary()(d, t), **d.draw(st.sampled_from([{"p": 0.5, "training": False}, {"p": 0.0, "training": True}]))))
op("F.sigmoid", F("sigmoid"), unary())
op("F.tanh", F("tanh"), unary())
op("F.softmax", lambda lib, x, dim: lib.nn.functional.softmax(x, dim),
   lambda d, t: (lambda shape: ([values(d, shape, -5, 5)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("F.log_softmax", lambda lib, x, dim: lib.nn.functional.log_softmax(x, dim),
   lambda d, t: (lambda shape: ([values(d, shape, -5, 5)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))


# padding, resizing, encodings
def _draw_pad(data, dtype):
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    k = data.draw(st.integers(1, 2))
    shape = (1, 2) + tuple(data.draw(st.integers(2, 4)) for _ in range(k))
    low = -1 if mode == "constant" else 0
    pad = tuple(data.draw(st.integers(low, 1)) for _ in range(2 * k))
    return [values(data, shape)], {"pad": pad, "mode": mode}


op("F.pad", lambda lib, x, pad, mode: lib.nn.functional.pad(x, pad, mode=mode), _draw_pad)
op("F.pad_value", lambda lib, x: lib.nn.functional.pad(x, (1, 2), value=0.5), unary(min_dims=1))
op("F.interpolate_nearest", lambda lib, x, **p: lib.nn.functional.interpolate(x, **p), lambda d, t: (
    lambda shape: ([values(d, shape)], d.draw(st.sampled_from([
        {"scale_factor": 2.0}, {"scale_factor": 1.5}, {"size": tuple(d.draw(st.integers(1, 7)) for _ in shape[2:])}]))))(
    (1, 2) + tuple(d.draw(st.integers(1, 4)) for _ in range(d.draw(st.integers(1, 2))))))
op("F.interpolate_bilinear", lambda lib, x, size, ac: lib.nn.functional.interpolate(x, size=size, mode="bilinear", align_corners=ac),
   lambda d, t: ([values(d, (1, 2, d.draw(st.integers(1, 4)), d.draw(st.integers(1, 4))))],
                 {"size": (d.draw(st.integers(1, 6)), d.draw(st.integers(1, 6))), "ac": d.draw(st.booleans())}))
op("F.interpolate_linear_nearest_exact", lambda lib, x, **p: lib.nn.functional.interpolate(x, **p), lambda d, t: (
    [values(d, (1, 2, d.draw(st.integers(1, 5))))],
    {"size": d.draw(st.integers(1, 8)), **d.draw(st.sampled_from([{"mode": "linear", "align_corners": True},
                                                                 {"mode": "linear", "align_corners": False}, {"mode": "nearest-exact"}]))}))
op("F.normalize", lambda lib, x, p, dim: lib.nn.functional.normalize(x, p, dim), lambda d, t: (
    lambda shape: ([values(d, shape, away_from=(0.0,))], {"p": d.draw(st.sampled_from([1.0, 2.0, 3.0])), "dim": dim_of(d, len(shape))}))(
    d.draw(shapes(min_dims=1))), rtol={"float32": 1e-3}, atol={"float32": 1e-4})  # 1/|x|-sized terms cancel
op("F.one_hot", lambda lib, x, idx, n: lib.nn.functional.one_hot(idx, n) + 0 * x.sum().long(), lambda d, t: (
    [values(d, (1,)), Const(d.draw(hnp.arrays(np.int64, d.draw(shapes(max_dims=2)), elements=st.integers(0, 3))))],
    {"n": d.draw(st.sampled_from([4, 6]))}), grad=False)


# losses
def _pair_apart(data, shape, gap=0.1):
    """x and a y kept ``gap`` away from it (no kinks of |x - y| at the drawn points)."""
    x = values(data, shape)
    offset = values(data, shape, gap, 2.0) * np.where(data.draw(hnp.arrays(np.bool_, shape)), 1.0, -1.0)
    return x, x + offset


def _draw_pointwise_loss(data, dtype):
    x, y = _pair_apart(data, data.draw(shapes()))
    return [x, y], {"reduction": data.draw(st.sampled_from(["mean", "sum", "none"]))}


op("F.mse_loss", lambda lib, x, y, reduction: lib.nn.functional.mse_loss(x, y, reduction=reduction), _draw_pointwise_loss)
op("F.l1_loss", lambda lib, x, y, reduction: lib.nn.functional.l1_loss(x, y, reduction=reduction), _draw_pointwise_loss)
op("F.smooth_l1_loss", lambda lib, x, y, reduction: lib.nn.functional.smooth_l1_loss(x, y, reduction=reduction, beta=0.05),
   _draw_pointwise_loss)
op("F.huber_loss", lambda lib, x, y, reduction: lib.nn.functional.huber_loss(x, y, reduction=reduction, delta=0.05),
   _draw_pointwise_loss)


def _draw_classes(data, dtype):
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
    extra = tuple(data.draw(st.lists(st.integers(1, 2), max_size=1)))
    target = data.draw(hnp.arrays(np.int64, (n,) + extra, elements=st.integers(0, c - 1)))
    if data.draw(st.booleans()):
        target.reshape(-1)[0] = -100  # one ignored target
    inputs = [values(data, (n, c) + extra), Const(target)]
    params = {"reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
              "label_smoothing": data.draw(st.sampled_from([0.0, 0.2]))}
    if data.draw(st.booleans()):
        inputs.append(Const(values(data, (c,), 0.5, 2.0)))
    return inputs, params


op("F.cross_entropy", lambda lib, x, t, w=None, **p: lib.nn.functional.cross_entropy(x, t, w, **p), _draw_classes)
op("F.cross_entropy_probs", lambda lib, x, t, w=None, **p: lib.nn.functional.cross_entropy(x, t.softmax(1), w, **p),
   lambda d, t: (lambda shape: ([values(d, shape), values(d, shape)] + ([Const(values(d, shape[1:2], 0.5, 2.0))] if d.draw(st.booleans()) else []),
                                {"reduction": d.draw(st.sampled_from(["mean", "sum", "none"])),
                                 "label_smoothing": d.draw(st.sampled_from([0.0, 0.3]))}))(
       (d.draw(st.integers(1, 3)), d.draw(st.integers(2, 4)))))
op("F.nll_loss", lambda lib, x, t, w=None, reduction="mean", label_smoothing=0.0: lib.nn.functional.nll_loss(
    x, t, w, reduction=reduction), _draw_classes)
op("F.binary_cross_entropy", lambda lib, x, y, reduction: lib.nn.functional.binary_cross_entropy(x, y, reduction=reduction),
   lambda d, t: (lambda shape: ([values(d, shape, 0.05, 0.95), values(d, shape, 0.0, 1.0)],
                                {"reduction": d.draw(st.sampled_from(["mean", "sum", "none"]))}))(d.draw(shapes())))
op("F.binary_cross_entropy_with_logits", lambda lib, x, y, pw=None, reduction="mean":
   lib.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction, pos_weight=pw),
   lambda d, t: (lambda shape: ([values(d, shape), values(d, shape, 0.0, 1.0)] + ([Const(values(d, shape[-1:], 0.5, 2.0))] if shape and d.draw(st.booleans()) else []),
                                {"reduction": d.draw(st.sampled_from(["mean", "sum", "none"]))}))(d.draw(shapes())))
op("F.kl_div", lambda lib, x, y, reduction, log_target: lib.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
   lambda d, t: (lambda shape, lt: ([values(d, shape), values(d, shape, -2.0, 0.0) if lt else values(d, shape, 0.05, 1.0)],
                                    {"reduction": d.draw(st.sampled_from(["batchmean", "sum", "none"])), "log_target": lt}))(
       d.draw(shapes(min_dims=1)), d.draw(st.booleans())))

# ---- added: sorting, scatter, triangular, attention, activations, tiling ------------------------------
def _draw_dim_of(shape_strategy, distinct=False, **extra):
    """One input (distinct values if asked) and a dim of it, plus ``extra`` params drawn from strategies."""
    def draw(data, dtype):
        shape = data.draw(shape_strategy)
        x = _distinct(data, shape, -3, 3) if distinct else values(data, shape)
        return [x], {"dim": dim_of(data, len(shape)), **{k: data.draw(v) for k, v in extra.items()}}
    return draw


def _draw_unique_index(data, shape, dim):
    """An int64 index no larger than ``shape``, distinct along ``dim`` (scatter writes each place once)."""
    size = list(shape)
    size[dim] = data.draw(st.integers(1, shape[dim]))
    size = [data.draw(st.integers(1, s)) if d != dim else s for d, s in enumerate(size)]
    keys = data.draw(hnp.arrays(np.float64, tuple(shape), elements=st.floats(0, 1), unique=True))
    order = np.argsort(keys, axis=dim)
    return order[tuple(slice(0, n) for n in size)].astype(np.int64)


def _draw_scatter(add: bool, value: bool = False):
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3))
        dim = data.draw(st.integers(0, len(shape) - 1))
        if add:  # repeated positions allowed: they add up
            idx_shape = tuple(data.draw(st.integers(1, s)) if d != dim else data.draw(st.integers(1, 4)) for d, s in enumerate(shape))
            idx = data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
        else:
            idx = _draw_unique_index(data, shape, dim)
        if value:
            return [values(data, shape), Const(idx)], {"dim": dim, "v": data.draw(st.floats(-2, 2))}
        # (a src larger than index is allowed, but torch's backward then fails: test_api_extra checks it forward)
        return [values(data, shape), Const(idx), values(data, idx.shape)], {"dim": dim}
    return draw


def _draw_take_along_dim(data, dtype):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    if data.draw(st.booleans()):
        idx = data.draw(hnp.arrays(np.int64, data.draw(shapes(max_dims=2)), elements=st.integers(0, int(np.prod(shape)) - 1)))
        return [values(data, shape), Const(idx)], {"dim": None}
    dim = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = tuple(data.draw(st.sampled_from([1, s])) if d != dim else data.draw(st.integers(1, 4)) for d, s in enumerate(shape))
    x_shape = tuple(data.draw(st.sampled_from([1, s])) if d != dim and idx_shape[d] == s else s for d, s in enumerate(shape))
    idx = data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
    return [values(data, x_shape), Const(idx)], {"dim": dim}


def _draw_cumprod(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    sign = np.where(data.draw(hnp.arrays(np.bool_, shape)), 1.0, -1.0)
    return [values(data, shape, 0.5, 1.5) * sign], {"dim": dim_of(data, len(shape))}


def _draw_nan_to_num(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    kind = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 3)))  # 0 finite, 1 nan, 2 +inf, 3 -inf
    return [values(data, shape), Const(kind)], {"fill": data.draw(st.sampled_from([{}, {"nan": 0.5, "posinf": 2.0, "neginf": -1.5}]))}


op("tril", lambda lib, x, k: x.tril(k), lambda d, t: ([values(d, d.draw(shapes(min_dims=2)))], {"k": d.draw(st.integers(-2, 2))}))
op("triu", lambda lib, x, k: lib.triu(x, diagonal=k), lambda d, t: ([values(d, d.draw(shapes(min_dims=2)))], {"k": d.draw(st.integers(-2, 2))}))
op("sort", lambda lib, x, dim, descending: lib.sort(x, dim, descending=descending).values,
   _draw_dim_of(shapes(min_dims=1), distinct=True, descending=st.booleans()))
op("sort_indices", lambda lib, x, dim, descending: x.sort(dim=dim, descending=descending, stable=True)[1],
   _draw_dim_of(shapes(min_dims=1), distinct=True, descending=st.booleans()), grad=False)
op("argsort", lambda lib, x, dim, descending: lib.argsort(x, dim, descending),
   _draw_dim_of(shapes(min_dims=1), distinct=True, descending=st.booleans()), grad=False)
op("topk", lambda lib, x, dim, k, largest: x.topk(min(k, x.shape[dim]), dim, largest=largest)[0],
   _draw_dim_of(shapes(min_dims=1), distinct=True, k=st.integers(1, 4), largest=st.booleans()))
op("topk_indices", lambda lib, x, dim, k: lib.topk(x, min(k, x.shape[dim]), dim=dim).indices,
   _draw_dim_of(shapes(min_dims=1), distinct=True, k=st.integers(1, 4)), grad=False)
op("scatter", lambda lib, x, idx, src, dim: x.scatter(dim, idx, src), _draw_scatter(add=False))
op("scatter_value", lambda lib, x, idx, dim, v: lib.scatter(x, dim, idx, v), _draw_scatter(add=False, value=True))
op("scatter_", lambda lib, x, idx, src, dim: (x * 1).scatter_(dim, idx, src), _draw_scatter(add=False))
op("scatter_add", lambda lib, x, idx, src, dim: lib.scatter_add(x, dim, idx, src), _draw_scatter(add=True))
op("scatter_add_", lambda lib, x, idx, src, dim: (x * 1).scatter_add_(dim, idx, src), _draw_scatter(add=True))
op("index_select_dim", lambda lib, x, idx, dim: lib.index_select(x, dim, idx), lambda d, t: (
    lambda shape, dim: ([values(d, shape), Const(np.array(d.draw(st.lists(st.integers(0, shape[dim] - 1), min_size=1, max_size=5)), dtype=np.int64))],
                        {"dim": dim}))(*(lambda s: (s, d.draw(st.integers(0, len(s) - 1))))(d.draw(shapes(min_dims=1)))))
op("masked_select", lambda lib, x, m: x.masked_select(m), lambda d, t: (lambda pair: (
    [values(d, pair.input_shapes[0]), Const(d.draw(hnp.arrays(np.bool_, pair.input_shapes[1])))], {}))(
    d.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))))
op("take_along_dim", lambda lib, x, idx, dim: lib.take_along_dim(x.contiguous() if dim is None else x, idx, dim),
   _draw_take_along_dim)  # (torch's dim=None views its input: it fails on a non-contiguous one)
op("diag", lambda lib, x, k: lib.diag(x, k), lambda d, t: (
    [values(d, d.draw(shapes(min_dims=1, max_dims=2)))], {"k": d.draw(st.integers(-2, 2))}))
op("trace", lambda lib, x: x.trace(), lambda d, t: ([values(d, d.draw(shapes(min_dims=2, max_dims=2)))], {}))
op("outer", lambda lib, x, y: lib.outer(x, y), lambda d, t: ([values(d, d.draw(shapes(1, 1))), values(d, d.draw(shapes(1, 1)))], {}))
op("addmm", lambda lib, c, a, b, beta, alpha: lib.addmm(c, a, b, beta=beta, alpha=alpha), lambda d, t: (
    lambda m, k, n: ([values(d, d.draw(st.sampled_from([(m, n), (n,), (1, n), (m, 1), ()]))), values(d, (m, k)), values(d, (k, n))],
                     {"beta": d.draw(st.sampled_from([1, 0.5])), "alpha": d.draw(st.sampled_from([1, -2.0]))}))(
    *(d.draw(st.integers(1, 4)) for _ in range(3))), rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("cumprod", lambda lib, x, dim: x.cumprod(dim), _draw_cumprod, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("roll", lambda lib, x, shifts, dims: lib.roll(x, shifts, dims), lambda d, t: (lambda shape: (
    [values(d, shape)], d.draw(st.sampled_from([
        {"shifts": d.draw(st.integers(-5, 5)), "dims": None},
        {"shifts": d.draw(st.integers(-5, 5)), "dims": dim_of(d, len(shape))},
        {"shifts": (d.draw(st.integers(-5, 5)), 1), "dims": (dim_of(d, len(shape)), dim_of(d, len(shape)))}]))))(
    d.draw(shapes(min_dims=1))))
op("tile", lambda lib, x, reps: x.tile(reps), lambda d, t: ([values(d, d.draw(shapes(max_dims=3, max_side=3)))],
                                                          {"reps": tuple(d.draw(st.lists(st.integers(1, 3), max_size=4)))}))
op("repeat_interleave", lambda lib, x, r, dim: x.repeat_interleave(r, dim), lambda d, t: (lambda shape: (
    [values(d, shape)], {"r": d.draw(st.integers(0, 3)), "dim": d.draw(st.one_of(st.none(), st.just(dim_of(d, len(shape))))) if shape else None}))(
    d.draw(shapes(max_dims=3, max_side=3))))
op("repeat_interleave_tensor", lambda lib, x, r, dim: lib.repeat_interleave(x, r, dim=dim), lambda d, t: (lambda shape, dim: (
    [values(d, shape), Const(d.draw(hnp.arrays(np.int64, (shape[dim],), elements=st.integers(0, 3))))], {"dim": dim}))(
    *(lambda s: (s, d.draw(st.integers(0, len(s) - 1))))(d.draw(shapes(min_dims=1, max_dims=3, max_side=3)))))
op("meshgrid", lambda lib, x, y, indexing: lib.stack(lib.meshgrid(x, y * 2, indexing=indexing)),
   lambda d, t: ([values(d, d.draw(shapes(1, 1))), values(d, d.draw(shapes(0, 1)))], {"indexing": d.draw(st.sampled_from(["ij", "xy"]))}))
op("nan_to_num", lambda lib, x, kind, fill: lib.nan_to_num(
    x.masked_fill(kind == 1, float("nan")).masked_fill(kind == 2, float("inf")).masked_fill(kind == 3, -float("inf")), **fill),
   _draw_nan_to_num)


op("F.logsigmoid", F("logsigmoid"), unary(-8.0, 8.0))
op("F.softmin", lambda lib, x, dim: lib.nn.functional.softmin(x, dim),
   lambda d, t: (lambda shape: ([values(d, shape, -5, 5)], {"dim": dim_of(d, len(shape))}))(d.draw(shapes(min_dims=1))))
op("F.glu", lambda lib, x, dim: lib.nn.functional.glu(x, dim), lambda d, t: (lambda shape, dim: (
    [values(d, shape[:dim] + (2 * shape[dim],) + shape[dim + 1:])], {"dim": dim - len(shape) if d.draw(st.booleans()) else dim}))(
    *(lambda s: (s, d.draw(st.integers(0, len(s) - 1))))(d.draw(shapes(min_dims=1, max_side=3)))))
op("F.hardswish", F("hardswish"), unary(-5.0, 5.0, away_from=(-3.0, 3.0)))
op("F.hardsigmoid", F("hardsigmoid"), unary(-5.0, 5.0, away_from=(-3.0, 3.0)), twice=False)  # torch has no double backward
op("F.selu", F("selu"), unary(away_from=(0.0,)))
op("F.celu", lambda lib, x, s: lib.nn.functional.celu(x, s), with_scalar(away_from=(0.0,), scalars=st.floats(0.2, 2.0)))
op("F.softsign", F("softsign"), unary())
op("F.prelu", F("prelu"), lambda d, t: (lambda shape: (
    [values(d, shape, away_from=(0.0,)), values(d, (d.draw(st.sampled_from([1, shape[1] if len(shape) > 1 else 1])),))], {}))(
    d.draw(shapes())))


def _draw_attention(data, dtype):
    batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
    L, S, E, Ev = (data.draw(st.integers(1, 4)) for _ in range(4))
    inputs = [values(data, batch + (L, E)), values(data, batch + (S, E)), values(data, batch + (S, Ev))]
    kind = data.draw(st.sampled_from(["none", "causal", "bool", "float", "scale"]))
    params = {"is_causal": kind == "causal", "scale": 0.7 if kind == "scale" else None}
    if kind == "bool":  # some rows may hide every key: torch (and microtorch) answer 0 there
        inputs.append(Const(data.draw(hnp.arrays(np.bool_, (L, S)))))
    elif kind == "float":
        inputs.append(Const(values(data, (L, S))))
    return inputs, params


op("F.scaled_dot_product_attention", lambda lib, q, k, v, mask=None, **p: lib.nn.functional.scaled_dot_product_attention(
    q, k, v, attn_mask=mask, **p), _draw_attention, rtol={"float32": 1e-3}, atol={"float32": 1e-4},
   twice=False)  # torch's CPU flash-attention kernel has no double backward to compare with


# further families live in their own files, tests/op_table_<family>.py, which import op() and the strategies
# from here and call op() at import time
def _load_families() -> None:
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("op_table_*.py")):
        importlib.import_module(path.stem)


_load_families()
OPS_BY_NAME = {o.name: o for o in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"
