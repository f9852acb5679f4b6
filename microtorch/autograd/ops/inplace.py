"""In-place updates: ``add_``, ``mul_``, ``copy_``, ``fill_``, ``x += y``, random fills.

Without a graph to record (``no_grad``, or nothing requires grad) they write
straight into the tensor's array with the op's ufunc. While recording, the
result is computed by the ordinary op, written back into the array, and the
tensor takes the result's place in the graph. Either way the version counter
goes up, so a saved tensor that changed makes backward raise instead of
returning a wrong gradient.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ..._device import on_device
from .. import function, grad_mode
from ..function import backend_of, common_device
from ..._dtype import checked_scalar, dtype_of_array
from ..._tensor import Tensor
from ..._promotion import _as_tensor_like, _binary, _int_scalar, _refuse_bool_subtraction
from .elementwise import Cast, ToDevice, where
from .shape import expand
from .views import ViewWrite, check_view_write, maker_of, rewrites_base


def check_inplace(x, recording: bool) -> None:
    if recording and x._base is not None:  # (first: a view made under no_grad is also a leaf)
        check_view_write(x)
    if recording and x._requires_grad and x._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. Wrap the update in "
            "`with microtorch.no_grad():` (as optimizers do) or use an out-of-place op."
        )
    writeable = getattr(x._data.flags, "writeable", None)  # NumPy marks expanded views read-only
    if writeable is None:  # CuPy has no read-only flag: look for expanded (stride-0) dimensions
        writeable = all(s or n == 1 for s, n in zip(x._data.strides, x._data.shape))
    if not writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location (it is an expanded view). Please clone() the tensor before performing the operation."
        )


def commit(x, result, already_written: bool = False) -> Any:
    """Store ``result`` in ``x``'s array and let ``x`` stand for it in the graph."""
    if result._grad_fn is not None:
        _keep_old_values_for(result._grad_fn, x)
    if not already_written:
        if result._data.dtype != x._data.dtype:
            _check_cast(result, x)
        copyto = x._device.backend.xp.copyto
        if x._device.index is None:  # a host device (a `with` costs more than this whole check)
            copyto(x._data, result._data, casting="unsafe")
        else:
            with on_device(x._device):
                copyto(x._data, result._data, casting="unsafe")
    x._bump_version()
    if result._grad_fn is not None:
        if rewrites_base(x):  # x is a view: its base's graph changes too
            return write_through_view(x, result)
        x._grad_fn, x._output_nr, x._requires_grad = result._grad_fn, result._output_nr, True
    return x


def _keep_old_values_for(node, x) -> None:
    """If ``node`` saved ``x`` for its backward, give it x's values as they are now (a copy standing
    where x stood in the graph), because x is about to be overwritten."""

    saved = getattr(node, "saved", None)
    if not saved or not any(s is x for s in saved):
        return
    with on_device(x._device):  # (the copy lives on x's GPU, not the current one)
        old = Tensor._make(x._data.copy(), x._device, x._requires_grad, x._grad_fn, x._output_nr)
    node.saved = tuple(old if s is x else s for s in saved)
    node._saved_versions = [0 if s is x else v for s, v in zip(saved, node._saved_versions)]


def _overwritten(x, values):
    """``values`` everywhere, as a result that keeps ``x`` in the graph with a zero gradient (torch's
    ``copy_``/``fill_`` on a tensor that requires grad)."""
    with on_device(x._device):  # (allocated on x's GPU, not the current one)
        everywhere = Tensor._make(x._device.backend.xp.ones(x.shape, dtype=bool), x._device)
    return where(everywhere, values, x)


def _check_cast(result, x) -> None:

    r, d = dtype_of_array(result._data), dtype_of_array(x._data)
    if r._category > d._category:
        raise RuntimeError(f"result type {r.name.capitalize()} can't be cast to the desired output type {d.name.capitalize()}")


def binary_(x, op: Any, other: Any):
    """x op= other"""

    other_requires_grad = isinstance(other, Tensor) and other._requires_grad
    recording = grad_mode.state.enabled and (x._requires_grad or other_requires_grad)
    check_inplace(x, recording)
    if not recording:
        if op.ufunc == "subtract":
            _refuse_bool_subtraction(x, other)
        if isinstance(other, Tensor):
            common_device(op, x, other)
            rhs = other._data
            if other._data.dtype != x._data.dtype:
                _check_cast(other, x)
        else:
            rhs = _int_scalar(op, other, x, True) if type(other) is int else other  # wraps like torch
            if isinstance(other, complex) and x._data.dtype.kind != "c":
                raise RuntimeError(f"result type ComplexFloat can't be cast to the desired output type "
                                   f"{x.dtype.name.capitalize()}")
            if isinstance(other, float) and x._data.dtype.kind in "iub":
                raise RuntimeError(f"result type Float can't be cast to the desired output type {x.dtype.name.capitalize()}")
        if op.ufunc == "true_divide" and x._data.dtype.kind in "iub":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {x.dtype.name.capitalize()}")
        ufunc = getattr(backend_of(x._device).xp, op.ufunc)
        try:
            if x._data.size >= function.PARALLEL_FROM:  # (large: the backend may use its threads)
                with on_device(x._device):
                    backend_of(x._device).ufunc(op.ufunc, x._data, rhs, out=x._data, casting="unsafe")
            elif x._device.index is None:  # a host device: nothing to switch
                ufunc(x._data, rhs, out=x._data, casting="unsafe")
            else:
                with on_device(x._device):
                    ufunc(x._data, rhs, out=x._data, casting="unsafe")
        except ValueError as e:  # e.g. a right-hand side that broadcasts to a larger shape
            raise RuntimeError(str(e)) from None
        x._bump_version()
        return x
    result = _binary(op, x, other, true_divide=op.ufunc == "true_divide")
    if result.shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(result.shape)}")
    return commit(x, result)


def apply_(x, fn: Callable):
    """x = fn(x), in place."""
    recording = grad_mode.state.enabled and x._requires_grad
    check_inplace(x, recording)
    result = fn(x)
    if result.shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(result.shape)}")
    if (result._data.dtype.kind == "c") != (x._data.dtype.kind == "c"):  # (x.abs_() of complex x: torch refuses)
        raise RuntimeError(f"In-place operation on a {x.dtype.name} tensor with a {result.dtype.name} result is not "
                           "supported (complex and real results do not cast in place)")
    return commit(x, result)


def copy_(x, src: Any):
    """Copy ``src`` (broadcast, cast, possibly from another device) into ``x``."""
    if not isinstance(src, Tensor):
        src = _as_tensor_like(src, x)
    recording = grad_mode.state.enabled and (x._requires_grad or src._requires_grad)
    check_inplace(x, recording)
    if src._device is not x._device:
        src = ToDevice.apply(src, device=x._device)
    if src._data.dtype != x._data.dtype:
        src = Cast.apply(src, dtype=x._data.dtype.name)
    if src.shape != x.shape:
        src = expand(src, x.shape)
    if not recording:
        copyto = x._device.backend.xp.copyto
        if x._device.index is None:  # a host device: nothing to switch
            copyto(x._data, src._data)
        else:
            with on_device(x._device):
                copyto(x._data, src._data)
        x._bump_version()
        return x
    return commit(x, _overwritten(x, src))


def fill_(x, value: Any):

    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
        return copy_(x, value)
    value = checked_scalar(value, x.dtype)  # torch refuses a value the dtype cannot hold
    recording = grad_mode.state.enabled and x._requires_grad
    check_inplace(x, recording)
    with on_device(x._device):
        if recording:
            return commit(x, _overwritten(x, value))
        x._data[...] = value
    x._bump_version()
    return x


def fill(x, value: Any):
    """torch.fill: a tensor of x's shape and dtype full of ``value``; grad: 0 to x, the sum of g to a tensor value."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
        value = value.to(x.dtype)
    else:
        value = checked_scalar(value, x.dtype)
    result = _overwritten(x, value)
    return result if result.dtype == x.dtype else result.to(x.dtype)


def random_(x, kind: str, a: float, b: Any, generator: Any):
    """Fill with samples: uniform [a, b), normal (mean a, std b), bernoulli (p = a), cauchy (median a, scale b),
    exponential (rate a), geometric (success probability a: trials until the first success), log_normal (the
    log's mean a and std b) or random (integers in [a, b)). Each is drawn from the backend's uniform, normal
    or integer draws."""
    from ..._creation import backend_generator

    recording = grad_mode.state.enabled and x._requires_grad
    check_inplace(x, recording)
    _check_sampler(x, kind, a, b)
    backend, index, dtype = x._device.backend, x._device.index, x._data.dtype.name
    gen = backend_generator(generator, f"{kind}_")
    with on_device(x._device):
        if kind in ("uniform", "normal"):
            values = getattr(backend, kind)(x.shape, a, b, dtype, index, gen)
        elif kind == "log_normal":
            values = backend.xp.exp(backend.normal(x.shape, a, b, dtype, index, gen))
        elif kind == "random":
            values = backend.integers(a, b, x.shape, "int64", index, gen).astype(dtype)
        else:
            values = _from_uniform(backend.xp, kind, a, b, backend.uniform(x.shape, 0.0, 1.0, "float64", index, gen))
        x._data[...] = values
    x._bump_version()
    return x


def _from_uniform(xp: Any, kind: str, a: float, b: Any, u: Any) -> Any:
    """Samples of ``kind`` by inverting its distribution function at uniform [0, 1) draws ``u`` (float64)."""
    if kind == "bernoulli":
        return u < a
    if kind == "cauchy":
        return a + b * xp.tan(xp.pi * (u - 0.5))
    if kind == "exponential":
        return -xp.log1p(-u) / a
    return xp.maximum(xp.ceil(xp.log1p(-u) / math.log1p(-a)), 1.0)  # geometric: 1, 2, ...


_CONTINUOUS = {"cauchy": "Cauchy", "exponential": "Exponential", "log_normal": "LogNormal"}


#: each sampler's parameter check: the message of torch's error, or False
_SAMPLER_CHECKS: dict = {
    "uniform": lambda a, b: a > b and f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}",
    "normal": lambda a, b: b < 0 and f"normal expects std >= 0.0, but found std {b:g}",
    "cauchy": lambda a, b: b <= 0 and f"cauchy_ expects sigma > 0.0, but found sigma={b:g}",
    "exponential": lambda a, b: a <= 0 and f"exponential_ expects lambda > 0.0, but found lambda={a:g}",
    "geometric": lambda a, b: not 0 < a < 1 and f"geometric_ expects p to be in (0, 1), but got p={a:g}",
    "log_normal": lambda a, b: b <= 0 and f"log_normal_ expects std > 0.0, but found std={b:g}",
    "random": lambda a, b: a >= b and f"random_ expects 'from' to be less than 'to', but got from={a} >= to={b}",
}


def _check_sampler(x, kind: str, a: Any, b: Any) -> None:
    """torch's checks of the dtype and parameters of the in-place samplers, with its messages."""
    floating = x._data.dtype.kind in "fV"
    if kind in _CONTINUOUS and not floating:
        raise RuntimeError(f"{_CONTINUOUS[kind]} distribution is a continuous probability distribution. dtype must be "
                           f"a floating point but you specified {x.dtype.name.capitalize()}")
    if kind in ("uniform", "normal", "bernoulli") and not floating:
        raise RuntimeError(f"{kind}_ expects a floating point tensor, got {x.dtype}")
    problem = _SAMPLER_CHECKS[kind](a, b) if kind in _SAMPLER_CHECKS else None
    if problem:
        raise RuntimeError(problem)
    if kind == "uniform" and not math.isfinite(b - a):
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{x.dtype.name}>::max(), but found "
                           f"to={b:g} and from={a:g} which result in to-from to exceed the limit")


def write_through_view(x: Tensor, result: Tensor) -> Tensor:
    """``x`` (a view) now holds ``result``'s values: its base takes a ViewWrite node, and ``x`` becomes the
    same view of the rewritten base."""
    root = x._base
    assert root is not None  # (x is a view)
    check_inplace(root, True)  # a view of a leaf that requires grad cannot be written while recording
    make = maker_of(x)
    rewritten = ViewWrite.apply(root, result, make=make)
    root._grad_fn, root._output_nr, root._requires_grad = rewritten._grad_fn, 0, True
    fresh = make(root)
    x._grad_fn, x._output_nr, x._requires_grad = fresh._grad_fn, fresh._output_nr, True
    return x


def resize_(x, size: tuple):
    """Give ``x`` the shape ``size`` in place: its first elements (row-major) kept, new ones zero (torch leaves
    them uninitialised). Not differentiable, as torch's."""
    if x._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    xp = x._device.backend.xp
    with on_device(x._device):
        old = x._data.reshape(-1)
        new = xp.zeros(size, dtype=x._data.dtype)
        kept = min(old.size, new.size)
        new.reshape(-1)[:kept] = old[:kept]
    x._data = new
    x._bump_version()
    return x
