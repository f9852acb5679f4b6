"""Op-table entries for issue 21's statistics and matmul family (median, quantile, cov, cdist, tensordot, ...).

Selecting ops (median, kthvalue, mode, cummax, aminmax) draw distinct values, so no tie makes the picked index,
and so the gradient, a matter of convention; distances keep the points apart (no kink at a zero distance).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from op_table import _distinct, _draw_dim_of, dim_of, op, shapes, values

_SMALL = shapes(min_dims=1, max_dims=3, max_side=4)


def _draw_distinct_dim(keepdim=False, **extra):
    def draw(data, dtype):
        inputs, params = _draw_dim_of(_SMALL, distinct=True, **extra)(data, dtype)
        return inputs, {**params, **({"keepdim": data.draw(st.booleans())} if keepdim else {})}
    return draw


def _draw_distinct(data, dtype):
    return [_distinct(data, data.draw(shapes(max_dims=3, max_side=4)), -3, 3)], {}


op("median", lambda lib, x: x.median(), _draw_distinct)
op("median_dim", lambda lib, x, dim, keepdim: lib.median(x, dim, keepdim).values, _draw_distinct_dim(keepdim=True))
op("nanmedian_dim", lambda lib, x, dim, keepdim: x.nanmedian(dim, keepdim)[0], _draw_distinct_dim(keepdim=True))
op("kthvalue", lambda lib, x, dim, k: lib.kthvalue(x, min(k, x.shape[dim]), dim).values,
   _draw_distinct_dim(k=st.integers(1, 4)))
op("mode", lambda lib, x, dim: x.mode(dim).values, _draw_distinct_dim())
op("cummax", lambda lib, x, dim: lib.cummax(x, dim).values, _draw_distinct_dim())
op("cummin", lambda lib, x, dim: x.cummin(dim)[0], _draw_distinct_dim())
op("aminmax", lambda lib, x, dim: lib.stack(list(lib.aminmax(x, dim=dim))), _draw_distinct_dim())
op("logcumsumexp", lambda lib, x, dim: x.logcumsumexp(dim), _draw_dim_of(_SMALL), rtol={"float32": 2e-4},
   twice=False)  # second order: agrees with torch on hand-checked inputs, not on some drawn ones (open)


def _draw_quantile(data, dtype):
    inputs, params = _draw_distinct_dim(keepdim=True)(data, dtype)
    q = data.draw(st.one_of(st.floats(0.0, 1.0), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=3)))
    interpolation = data.draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    return inputs, {**params, "q": q, "interpolation": interpolation, "dim": data.draw(st.sampled_from([None, params["dim"]]))}


def _quantile(lib, x, q, dim, keepdim, interpolation, nan=False):
    x = x.float() if x.dtype == lib.float16 else x  # quantile takes float32 and float64 only (torch raises too)
    q = lib.tensor(q, dtype=x.dtype, device=x.device) if isinstance(q, list) else q
    fn = lib.nanquantile if nan else lib.quantile
    return fn(x, q, dim, keepdim, interpolation=interpolation)


op("quantile", _quantile, _draw_quantile, rtol={"float32": 1e-3}, atol={"float32": 1e-4}, casts=True)
op("nanquantile", lambda lib, x, **p: _quantile(lib, x, nan=True, **p), _draw_quantile,
   rtol={"float32": 1e-3}, atol={"float32": 1e-4}, casts=True)


def _draw_reduce(data, dtype):
    """An input kept away from 0 (the nan-ignoring entries take its log: nans where it is negative)."""
    shape = data.draw(_SMALL)
    x = values(data, shape, away_from=(0.0,), margin=0.3)
    return [x], {"dim": dim_of(data, len(shape)), "keepdim": data.draw(st.booleans())}


op("nansum", lambda lib, x, dim, keepdim: lib.nansum(x.log(), dim, keepdim), _draw_reduce)  # log: nans at x < 0
op("nanmean", lambda lib, x, dim, keepdim: lib.cat([x.abs() + 1, x], dim).log().nanmean(dim, keepdim),
   _draw_reduce)  # (a positive slice first: no all-nan mean, whose gradient torch makes nan)
op("var_mean", lambda lib, x, dim, keepdim: lib.stack(list(lib.var_mean(x, dim, keepdim=keepdim, correction=0))),
   _draw_reduce, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("std_mean", lambda lib, x, dim, keepdim: lib.stack(list(lib.std_mean(x, dim, True, keepdim))),
   lambda d, t: _draw_distinct_dim(keepdim=True)(d, t), rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("diff", lambda lib, x, dim, n, ends: lib.diff(x, n, dim, x.narrow(dim, 0, 1) * 2 if ends else None,
                                                 x.narrow(dim, 0, 1) if ends else None),
   _draw_dim_of(_SMALL, n=st.integers(0, 2), ends=st.booleans()))


def _draw_gradient(data, dtype):
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=3, max_side=4))
    spacing = data.draw(st.sampled_from([1, 0.5, "coordinates"]))
    return [values(data, shape)], {"dim": dim_of(data, len(shape)), "edge_order": data.draw(st.sampled_from([1, 2])),
                                   "spacing": spacing}


def _gradient(lib, x, dim, edge_order, spacing):
    if spacing == "coordinates":
        spacing = [lib.tensor([0.0, 0.5, 1.5, 1.75][: x.shape[dim]], dtype=x.dtype, device=x.device)]
    return lib.gradient(x, spacing=spacing, dim=dim, edge_order=edge_order)[0]


op("gradient", _gradient, _draw_gradient, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("trapezoid", lambda lib, y, dim, dx: lib.trapezoid(y, dx=dx, dim=dim), _draw_dim_of(_SMALL, dx=st.sampled_from([1, 0.5])))
op("trapezoid_x", lambda lib, y, x: lib.trapezoid(y, x.cumsum(0)), lambda d, t: (
    lambda n: ([values(d, (2, n)), values(d, (n,), 0.1, 1.0)], {}))(d.draw(st.integers(1, 4))))
op("cumulative_trapezoid", lambda lib, y, dim: lib.cumulative_trapezoid(y, dim=dim), _draw_dim_of(_SMALL))
op("cov", lambda lib, x: lib.cov(x, aweights=lib.tensor([1.0, 0.5, 2.0], dtype=x.dtype, device=x.device)),
   lambda d, t: ([values(d, (d.draw(st.integers(1, 3)), 3))], {}), rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("corrcoef", lambda lib, x: x.corrcoef(), lambda d, t: ([_distinct(d, (2, 4), -3, 3)], {}),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})


def _draw_points(data, dtype):
    """Two point sets whose every pair of points is apart (the grid shifts of ``apart``)."""
    p, r, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    a = np.round(values(data, (p, m)) / 0.2) * 0.2
    # the columns' offsets differ (0.1 + 0.013 j), so no two coordinates of a pair are equally far apart: p = inf
    # has no ties to split
    b = np.round((values(data, (r, m)) - 0.1) / 0.2) * 0.2 + 0.1 + 0.013 * np.arange(m)
    return [a, b], {"p": data.draw(st.sampled_from([1.0, 2.0, 3.0, float("inf")]))}


op("cdist", lambda lib, a, b, p: lib.cdist(a, b, p), _draw_points, rtol={"float32": 1e-3}, atol={"float32": 1e-4},
   twice=False)  # torch has no double backward of cdist/pdist to compare with
op("dist", lambda lib, a, b, p: lib.dist(a, b[:1], p), _draw_points, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("pdist", lambda lib, x, p: lib.nn.functional.pdist(x, p),
   lambda d, t: ([_distinct(d, (d.draw(st.integers(2, 4)), 2), -3, 3)], {"p": d.draw(st.sampled_from([1.0, 2.0]))}),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4}, twice=False)
op("renorm", lambda lib, x, dim, maxnorm: x.renorm(2, dim, maxnorm), lambda d, t: (
    [values(d, d.draw(shapes(min_dims=2, max_dims=3, max_side=3)))],
    {"dim": d.draw(st.sampled_from([0, 1])), "maxnorm": d.draw(st.sampled_from([0.5, 100.0]))}),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})

# ---- the matmul family --------------------------------------------------------------------------------
_SIDE = st.integers(1, 3)
_COEF = {"beta": st.sampled_from([1, 0.5, 0]), "alpha": st.sampled_from([1, -2.0])}


def _draw_shapes(*shape_names, **scalars):
    """Inputs of the given shapes (letters: sides drawn once each), plus drawn scalars."""
    def draw(data, dtype):
        sides = {}
        inputs = [values(data, tuple(sides.setdefault(c, data.draw(_SIDE)) for c in name)) for name in shape_names]
        return inputs, {k: data.draw(v) for k, v in scalars.items()}
    return draw


_TOL = {"rtol": {"float32": 1e-3}, "atol": {"float32": 1e-4}}
op("mv", lambda lib, a, v: lib.mv(a, v), _draw_shapes("nm", "m"), **_TOL)
op("addmv", lambda lib, c, a, v, beta, alpha: c.addmv(a, v, beta=beta, alpha=alpha), _draw_shapes("n", "nm", "m", **_COEF),
   **_TOL)
op("baddbmm", lambda lib, c, a, b, beta, alpha: lib.baddbmm(c, a, b, beta=beta, alpha=alpha),
   _draw_shapes("np", "bnm", "bmp", **_COEF), **_TOL)
op("addbmm", lambda lib, c, a, b, beta, alpha: lib.addbmm(c, a, b, beta=beta, alpha=alpha),
   _draw_shapes("np", "bnm", "bmp", **_COEF), **_TOL)
op("addr", lambda lib, c, a, b, beta, alpha: c.addr(a, b, beta=beta, alpha=alpha), _draw_shapes("nm", "n", "m", **_COEF),
   **_TOL)
op("vdot", lambda lib, a, b: lib.vdot(a, b), _draw_shapes("n", "n"), **_TOL)
op("kron", lambda lib, a, b: lib.kron(a, b), _draw_shapes("nm", "pqr"), noncontiguous=False,
   **_TOL)  # (torch's own kron raises a view error on some transposed inputs)
op("tensordot", lambda lib, a, b, dims: lib.tensordot(a, b, dims), _draw_shapes(
    "nmp", "mpq", dims=st.sampled_from([2, ([1, 2], [0, 1]), ([2], [1])])), **_TOL)
op("inner", lambda lib, a, b: lib.inner(a, b), _draw_shapes("nm", "pm"), **_TOL)
op("cross", lambda lib, a, b, dim: lib.cross(a, b, dim=dim) if dim is not None else lib.cross(a, b),
   lambda d, t: ([values(d, (2, 3)), values(d, (2, 3))], {"dim": d.draw(st.sampled_from([None, 1, -1]))}), **_TOL)
op("linalg.cross", lambda lib, a, b: lib.linalg.cross(a, b, dim=0), lambda d, t: (
    [values(d, (3, 2)), values(d, (3, 1))], {}), **_TOL)
op("chain_matmul", lambda lib, a, b, c: lib.chain_matmul(a, b, c), _draw_shapes("nm", "mp", "pq"), **_TOL)
