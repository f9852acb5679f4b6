"""Op-table entries for the special functions and issue 21's pointwise ops (``microtorch.special``, ``erfc``, ``i0``,
``copysign``, ...): the differentiable ones, with small draws kept off their kinks and poles."""
from __future__ import annotations

from hypothesis.extra import numpy as hnp

from op_table import Const, binary, forms, op, unary, values

_F32 = {"rtol": {"float32": 5e-4}, "atol": {"float32": 1e-4}}


def _draw_constant_first(lo: float, hi: float, lo2: float, hi2: float):
    """(a, x) with ``a`` not differentiated (torch has no derivative in it: gammainc's a, zeta's x)."""
    def draw(data, dtype):
        pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
        return [Const(values(data, pair.input_shapes[0], lo, hi)), values(data, pair.input_shapes[1], lo2, hi2)], {}
    return draw


op("erfc", lambda lib, x: lib.erfc(x), unary(), **_F32)
op("special.erfcx", lambda lib, x: lib.special.erfcx(x), unary(lo=-2.0, hi=3.0), **_F32)
op("special.ndtr", lambda lib, x, name: getattr(lib.special, name)(x), forms(unary(), name=["ndtr", "log_ndtr"]),
   **_F32)
op("special.ndtri", lambda lib, x: lib.special.ndtri(x), unary(lo=0.05, hi=0.95), **_F32)
op("i0", lambda lib, x: lib.i0(x), unary(), **_F32)
op("special.i0e_i1_i1e", lambda lib, x, name: getattr(lib.special, name)(x),
   forms(unary(away_from=(0.0,)), name=["i0e", "i1", "i1e"]), **_F32)
op("special.entr", lambda lib, x: lib.special.entr(x), unary(lo=0.1, hi=3.0), **_F32)
op("sinc", lambda lib, x: lib.sinc(x), unary(away_from=(0.0,)), **_F32)
op("special.xlog1py", lambda lib, x, y: lib.special.xlog1py(x, y), binary(lo2=-0.9, hi2=3.0), **_F32)
op("mvlgamma", lambda lib, x, p: x.mvlgamma(p), forms(unary(lo=2.1, hi=5.0), p=[1, 2, 3]), **_F32)
op("special.multigammaln", lambda lib, x: lib.special.multigammaln(x, 2), unary(lo=1.1, hi=4.0), **_F32)
op("special.gammainc", lambda lib, a, x, name: getattr(lib.special, name)(a, x),
   forms(_draw_constant_first(0.5, 3.0, 0.2, 4.0), name=["gammainc", "gammaincc"]), **_F32)
op("special.zeta", lambda lib, x, q: lib.special.zeta(x, q), _draw_constant_first(1.5, 4.0, 0.5, 3.0), **_F32)
op("copysign", lambda lib, x, y: lib.copysign(x, y), binary(away_from2=(0.0,)))
op("fmax_fmin", lambda lib, x, y, name: getattr(lib, name)(x, y), forms(binary(distinct=True), name=["fmax", "fmin"]))
op("float_power", lambda lib, x, y: lib.float_power(x, y), binary(lo=0.5, hi=2.0, lo2=-2.0, hi2=2.0), casts=True)
op("logaddexp2", lambda lib, x, y: lib.logaddexp2(x, y), binary(distinct=True), **_F32)
op("ldexp", lambda lib, x, y: lib.ldexp(x, y), binary(lo2=-2.0, hi2=2.0), **_F32)
# the mantissa jumps at the powers of two: positive inputs kept off 1/2, 1 and 2
op("frexp_mantissa", lambda lib, x: lib.frexp(x)[0], unary(lo=0.3, hi=3.0, away_from=(0.5, 1.0, 2.0)))
op("angle", lambda lib, x: lib.angle(x) + x, unary(away_from=(0.0,)))
