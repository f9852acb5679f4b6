"""Statistics: median, nanmedian, kthvalue, mode, cummax/cummin, logcumsumexp, quantile/nanquantile, nansum,
nanmean, var_mean/std_mean, aminmax, diff, gradient, trapezoid, cumulative_trapezoid, cov, corrcoef, renorm,
dist, cdist, pdist.

The selecting ones (median, kthvalue, mode, cummax) compute only the chosen indices (``SelectIndices``: int64, no
gradient) and ``gather`` the values, so the gradient goes to the selected index (torch's
value_selecting_reduction_backward). The rest are composites of differentiable ops.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from ..function import Op, refuse_complex
from .elementwise import Where
from .reduce import Amax, Mean, Var, normalize_dims, var as _var
from .shape import cat
from ..._dtype import int64
from ..._tensor import Tensor
from ..._promotion import _expect, _float_input, _normalize_dim

MedianResult = namedtuple("median", ["values", "indices"])
NanMedianResult = namedtuple("nanmedian", ["values", "indices"])
KthValueResult = namedtuple("kthvalue", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])
CumMaxResult = namedtuple("cummax", ["values", "indices"])
CumMinResult = namedtuple("cummin", ["values", "indices"])
AMinMaxResult = namedtuple("aminmax", ["min", "max"])


def _scan(xp: Any, combine: Any, a: Any) -> Any:
    """The inclusive scan of ``a`` along its last axis with an associative ``combine`` (log2(n) elementwise
    steps: only ``xp`` ufuncs, so every backend has it)."""
    n, step = a.shape[-1], 1
    while step < n:
        a = xp.concatenate([a[..., :step], combine(a[..., step:], a[..., :-step])], axis=-1)
        step *= 2
    return a


def _sorted_pick(xp: Any, a: Any, kind: str, k: int) -> Any:
    """Positions (along the last axis, in the stable ascending order) of the median / nanmedian / k-th value;
    nan sorts last, so the first nan is at n - (number of nans)."""
    n = a.shape[-1]
    nans = xp.isnan(a).sum(axis=-1, keepdims=True) if a.dtype.kind == "f" else xp.zeros(a.shape[:-1] + (1,), int)
    if kind == "median":  # a nan in the line is the median (torch: its first nan)
        return xp.where(nans > 0, n - nans, (n - 1) // 2)
    if kind == "nanmedian":
        valid = n - nans
        return xp.where(valid > 0, (valid - 1) // 2, 0)
    return xp.full(a.shape[:-1] + (1,), k - 1)


def _mode_pick(xp: Any, sorted_a: Any) -> Any:
    """Positions (in the sorted line) of the last element of the longest run of equal values (the smallest value
    among equally long runs, as torch)."""
    n = sorted_a.shape[-1]
    positions = xp.arange(n)
    differs = sorted_a[..., 1:] != sorted_a[..., :-1]
    edge = xp.ones(sorted_a.shape[:-1] + (1,), dtype=bool)
    starts = _scan(xp, xp.maximum, xp.where(xp.concatenate([edge, differs], axis=-1), positions, 0))
    run_length = xp.where(xp.concatenate([differs, edge], axis=-1), positions - starts + 1, 0)
    return xp.argmax(run_length, axis=-1)[..., None]


def _running_pick(xp: Any, a: Any, largest: bool) -> Any:
    """For each position j, the index of the running max (min) of a[..., :j+1]: the latest tie, the latest nan."""
    running = _scan(xp, xp.maximum if largest else xp.minimum, a)
    hit = a == running
    if a.dtype.kind == "f":
        hit = hit | xp.isnan(a)
    return _scan(xp, xp.maximum, xp.where(hit, xp.arange(a.shape[-1]), 0))


class SelectIndices(Op):
    """The int64 indices along ``dim`` that median / nanmedian / kthvalue / mode / cummax / cummin select
    (keepdim-shaped; no gradient: the values are gathered)."""

    def forward(ctx, x, dim, kind, k):
        xp = ctx.xp
        a = xp.moveaxis(x, dim, -1)
        if kind in ("cummax", "cummin"):
            picked = _running_pick(xp, a, kind == "cummax")
        else:
            order = xp.argsort(a, axis=-1, kind="stable")
            if kind == "mode":
                position = _mode_pick(xp, xp.take_along_axis(a, order, axis=-1))
            else:
                position = _sorted_pick(xp, a, kind, k)
            picked = xp.take_along_axis(order, position, axis=-1)
        return xp.moveaxis(picked, -1, dim).astype("int64", copy=False)


def _select(x: Tensor, dim: Any, keepdim: bool, kind: str, k: int = 0) -> tuple:
    """(values, indices) of the selection ``kind`` along ``dim`` (a 0-d tensor is one element along dim 0)."""
    _expect(x, Tensor, kind, "input")
    dim = _normalize_dim(dim, x.ndim)
    line = x.reshape(1) if x.ndim == 0 else x
    if line.shape[dim] == 0:
        raise IndexError(f"{kind}(): Expected reduction dim {dim} to have non-zero size.")
    if kind == "kthvalue" and not 1 <= k <= line.shape[dim]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    indices = SelectIndices.apply(line, dim=dim, kind=kind, k=k)
    values = line.gather(dim, indices)
    if x.ndim == 0:
        return values.reshape(()), indices.reshape(())
    if not keepdim:
        return values.squeeze(dim), indices.squeeze(dim)
    return values, indices


def median(x: Tensor, dim: Any = ..., keepdim: bool = False, ignore_nan: bool = False) -> Any:
    """The lower median: of every element (dim None; gradient shared evenly between the elements equal to it), or
    (values, indices) along ``dim`` (gradient to the selected index)."""
    kind = "nanmedian" if ignore_nan else "median"
    _expect(x, Tensor, kind, "input")
    if x.dtype.name == "bool":
        raise NotImplementedError(f'"{kind}" not implemented for \'Bool\'')
    if dim is not ...:  # (no dim given: the median of every element)
        _expect(dim, int, kind, "dim")
        return (NanMedianResult if ignore_nan else MedianResult)(*_select(x, dim, keepdim, kind))
    if x.numel() == 0:
        return x.new_full((), math.nan)
    flat = x.reshape(-1)
    value = flat.detach().gather(0, SelectIndices.apply(flat, dim=0, kind=kind, k=0)).reshape(())
    picked = (x == value) | (x.isnan() & value.isnan())
    share = picked.to(x.dtype) / picked.sum()
    return (Where.apply(picked, x, 0.0) * share).sum()


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> KthValueResult:
    """The k-th smallest element along ``dim`` and its index (gradient to that index)."""
    _expect(k, int, "kthvalue", "k", 2)
    return KthValueResult(*_select(x, dim, keepdim, "kthvalue", k))


def mode(x: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and its last index."""
    return ModeResult(*_select(x, dim, keepdim, "mode"))


def cummax(x: Tensor, dim: int, largest: bool = True) -> Any:
    """The running max (min) along ``dim`` and its indices (the latest tie); gradient to the selected indices."""
    kind = "cummax" if largest else "cummin"
    _expect(x, Tensor, kind, "input")
    dim = _normalize_dim(dim, x.ndim)
    line = x.reshape(1) if x.ndim == 0 else x
    indices = SelectIndices.apply(line, dim=dim, kind=kind, k=0)
    values = line.gather(dim, indices)
    if x.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return (CumMaxResult if largest else CumMinResult)(values, indices)


def logcumsumexp(x: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along ``dim``, as a scan of logaddexp (stable; grad: through logaddexp)."""
    _expect(x, Tensor, "logcumsumexp", "input")
    dim = _normalize_dim(dim, x.ndim)
    out = _float_input(x.reshape(1) if x.ndim == 0 else x)
    n, step = out.shape[dim], 1
    while step < n:
        out = cat([out.narrow(dim, 0, step), out.narrow(dim, step, n - step).logaddexp(out.narrow(dim, 0, n - step))],
                  dim)
        step *= 2
    return out.reshape(()) if x.ndim == 0 else out


# ---- nan-ignoring and paired reductions -----------------------------------------------------------------
def nansum(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The sum, treating nan as 0. grad: g where x is not nan, 0 at nans"""
    _expect(x, Tensor, "nansum", "input")
    if isinstance(dim, Tensor):
        raise TypeError("nansum(): argument 'dim' (position 1) must be tuple of ints, not Tensor")
    refuse_complex(x, "nansum on CPU does not support complex inputs")
    if x.is_floating_point():
        x = Where.apply(x.isnan(), 0.0, x)
    return x.sum(dim, keepdim, dtype=dtype)


def nanmean(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The mean of the elements that are not nan. grad: g / count where x is not nan, 0 at nans"""
    _expect(x, Tensor, "nanmean", "input")
    if isinstance(dim, Tensor):
        raise TypeError("nanmean(): argument 'dim' (position 1) must be tuple of ints, not Tensor")
    if not x.is_floating_point():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{x.dtype.name.capitalize()}")
    x = x if dtype is None else x.to(dtype)
    count = (~x.isnan()).sum(dim, keepdim)
    return nansum(x, dim, keepdim) / count


def var_mean(x: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: type = Var) -> tuple:
    """(var, mean) (``op=Std``: (std, mean)) over ``dim``, torch's argument forms."""
    _expect(x, Tensor, "var_mean" if op is Var else "std_mean", "input")
    if isinstance(dim, bool):  # the legacy var_mean(x, unbiased) form
        unbiased, dim = dim, None
    spread = _var(x, dim, unbiased, keepdim, correction, op=op)
    x = _float_input(x)
    return spread, Mean.apply(x, dim=normalize_dims(dim, x.ndim), keepdim=keepdim)


def aminmax(x: Tensor, dim: Any = None, keepdim: bool = False) -> AMinMaxResult:
    """(amin, amax) over ``dim`` (every element when None); gradients as amin's and amax's."""
    _expect(x, Tensor, "aminmax", "input")
    if x.numel() == 0 and (dim is None or x.shape[_normalize_dim(dim, x.ndim)] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    dims = None if dim is None else normalize_dims(dim, x.ndim)
    low = Amax.apply(x, dim=dims, keepdim=keepdim, largest=False)
    high = Amax.apply(x, dim=dims, keepdim=keepdim, largest=True)
    return AMinMaxResult(low, high)



# ---- quantiles --------------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(x: Tensor, q: Any, fn: str) -> Tensor:
    """q as a 1-D tensor of x's dtype, checked as torch does."""
    if isinstance(q, Tensor):
        if q.dtype != x.dtype:
            raise RuntimeError(f"{fn}() q tensor must be same dtype as the input tensor")
        if q.ndim > 1:
            raise RuntimeError(f"{fn}() q must be a scalar or 1D tensor")
        if q.device != x.device:
            raise RuntimeError(f"{fn}() q tensor must be on the same device as the input tensor")
    else:
        _expect(q, float, fn, "q", 2)
        q = x.new_full((), float(q))
    if q.numel() and not bool(((q >= 0) & (q <= 1)).all()):
        raise RuntimeError(f"{fn}() q values must be in the range [0, 1]")
    return q.reshape(-1)


def _quantile_ranks(sorted_x: Tensor, q: Tensor, ignore_nan: bool, interpolation: str) -> Tensor:
    """The fractional positions of the quantiles in each sorted line (..., len(q)), torch's rules."""
    n = sorted_x.shape[-1]
    nans = sorted_x.isnan()
    if ignore_nan:  # ranks among the non-nan values; an all-nan line gets rank 0 (a nan)
        ranks = q * ((~nans).sum(-1, keepdim=True) - 1).to(q.dtype)
        ranks = Where.apply(ranks < 0, 0.0, ranks)
    else:  # a line with a nan gets the last rank (a nan)
        ranks = Where.apply(nans.any(-1, keepdim=True), float(n - 1), q * float(n - 1))
    if interpolation == "lower":
        return ranks.floor()
    if interpolation == "higher":
        return ranks.ceil()
    if interpolation == "nearest":
        return ranks.round()
    return ranks


def quantile(x: Tensor, q: Any, dim: Any = None, keepdim: bool = False, interpolation: str = "linear",
             ignore_nan: bool = False) -> Tensor:
    """The q-th quantiles over ``dim`` (every element when None), interpolated between the sorted neighbours.
    grad: to the two neighbours, weighted (1 - w, w)"""
    fn = "nanquantile" if ignore_nan else "quantile"
    _expect(x, Tensor, fn, "input")
    if x.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"{fn}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{fn}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got '{interpolation}'")
    scalar_q = not isinstance(q, Tensor) or q.ndim == 0
    q = _quantile_q(x, q, fn)
    if x.numel() == 0:
        raise RuntimeError(f"{fn}() input tensor must be non-empty")
    if dim is None:
        lines, shape = x.reshape(-1), (1,) * x.ndim if keepdim else ()
    else:
        d = _normalize_dim(dim, max(x.ndim, 1))
        lines = x.reshape(1) if x.ndim == 0 else x.movedim(d, -1)
        shape = tuple(1 if i == d else s for i, s in enumerate(x.shape)) if keepdim else lines.shape[:-1]
    sorted_x = lines.sort(-1).values
    ranks = _quantile_ranks(sorted_x, q, ignore_nan, interpolation)
    below = ranks.to(int64)
    values = sorted_x.gather(-1, below.expand(sorted_x.shape[:-1] + below.shape[-1:]))
    if interpolation in ("linear", "midpoint"):
        weights = ranks.new_full(ranks.shape, 0.5) if interpolation == "midpoint" else ranks - below.to(ranks.dtype)
        above = sorted_x.gather(-1, ranks.ceil().to(int64).expand(values.shape))
        values = values.lerp(above, weights.expand(values.shape))
    values = values.movedim(-1, 0)
    return values.reshape(tuple(shape)) if scalar_q else values.reshape((q.shape[0],) + tuple(shape))


# ---- covariance -----------------------------------------------------------------------------------------
def _check_weights(w: Any, name: str, observations: int, integral: bool) -> None:
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): argument '{name}' must be Tensor, not {type(w).__name__}")
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {w.ndim} "
                           "dimensions")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {w.numel()} != {observations}")
    if integral and w.is_floating_point():
        raise RuntimeError("cov(): expected fweights to have integral dtype")
    if not integral and not w.is_floating_point():
        raise RuntimeError("cov(): expected aweights to have floating point dtype")
    if bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(x: Tensor, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the variables in x's rows (observations in its columns), with frequency and
    observation weights (torch's formula: a weighted mean, then one matmul)."""
    _expect(x, Tensor, "cov", "input")
    if x.dtype.name == "bool":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with {x.ndim} "
                           "dimensions")
    x = _float_input(x.reshape(1, -1) if x.ndim < 2 else x)
    observations = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", observations, True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", observations, False)
        w = aweights if w is None else w * aweights
    w_sum = x.new_full((), float(observations)) if w is None else w.sum()  # in w's dtype, as torch
    mean = x.mean(1) if w is None else (x * w).sum(1) / w_sum
    if w is None or correction == 0:
        norm = w_sum - correction
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    norm = Where.apply(norm <= 0, 0.0, norm)  # torch warns and divides by 0
    centered = x - mean.unsqueeze(1)
    product = centered @ (centered if w is None else centered * w).mT
    return (product / norm).squeeze()


def corrcoef(x: Tensor) -> Tensor:
    """Pearson's correlation coefficients: cov(x) / (std_i std_j), clipped to [-1, 1]."""
    c = cov(x)
    if c.ndim == 0:
        return c / c
    std = c.diag().sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1)
