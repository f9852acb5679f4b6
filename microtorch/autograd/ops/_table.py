"""How a row of the pointwise table (``elementwise.UNARY`` / ``elementwise.BINARY``) becomes an ``Op`` class.

A row names the forward (a function of the backend's namespace ``xp``, given by its name, or any
``f(xp, *arrays)``) and one derivative per input: the gradient of that input as a function of the incoming
gradient ``g`` and of what it reads, named by its parameters: ``x`` and ``y`` (the inputs) and ``out`` (the
output). Those names decide what forward saves, so a formula can only read values that stay connected to the
graph under ``create_graph=True`` (the inputs and the output), never a hidden intermediate that would silently
become a constant.
"""
from __future__ import annotations

import inspect
import itertools
import operator
from typing import Callable

from .. import function, grad_mode
from ..function import Op
from ..._tensor import Tensor

_READABLE = ("x", "y", "out")
_grad_state = grad_mode.state  # bound once: backward reads it on every call


def _reads(derivative: Callable) -> tuple:
    """The values a derivative reads: its parameters after the gradient ``g``."""
    names = tuple(inspect.signature(derivative).parameters)[1:]
    unknown = set(names) - set(_READABLE)
    if unknown:
        raise TypeError(f"a derivative may read only {_READABLE}, not {sorted(unknown)}")
    return names


def _forward_function(forward: str | Callable, arity: int) -> Callable:
    """``compute(ctx, *arrays)``: a named ufunc (large outputs through the backend's ``ufunc``), or ``forward(xp, ...)``."""
    if not isinstance(forward, str):
        return lambda ctx, *arrays: forward(ctx.xp, *arrays)
    return _unary_ufunc(forward) if arity == 1 else _binary_ufunc(forward)


def _unary_ufunc(name: str) -> Callable:
    def compute(ctx, x):
        if x.size >= function.PARALLEL_FROM:  # (large: the backend may use its threads)
            return ctx.device.backend.ufunc(name, x)
        return getattr(ctx.xp, name)(x)

    return compute


def _binary_ufunc(name: str) -> Callable:
    def compute(ctx, x, y):
        if (y if type(x) in _SCALARS else x).size >= function.PARALLEL_FROM:  # (one is an array)
            return ctx.device.backend.ufunc(name, x, y)
        return getattr(ctx.xp, name)(x, y)

    return compute


_SCALARS = (float, int, bool)


def unary_op(name: str, forward: str | Callable, derivative: Callable, module: str) -> type[Op]:
    """An ``Op`` class computing ``forward`` whose backward is ``derivative(g, x)`` or ``derivative(g, out)``."""
    compute = _forward_function(forward, 1)
    reads = _reads(derivative)
    if len(reads) > 1 or "y" in reads:
        raise TypeError(f"{name}: a unary derivative reads x or out, not {reads}")
    saves_input = reads == ("x",)
    saves_output = reads == ("out",)

    def forward_(ctx, x):
        out = compute(ctx, x)
        if ctx.needs_input_grad[0] and (saves_input or saves_output):
            ctx.saved = (x,) if saves_input else (out,)
        return out

    arithmetic = _on_arrays_safe(derivative)

    def backward(ctx, grad):
        if arithmetic and not _grad_state.enabled and _on_arrays_worth_it(grad._data):
            return _on_arrays(derivative, grad, ctx.saved_arrays())
        return derivative(grad, *ctx.saved_tensors)

    return _make_class(name, (derivative,), module, forward_, backward, ufunc=None)


def binary_op(name: str, forward: str | Callable, dx: Callable, dy: Callable, module: str) -> type[Op]:
    """A broadcasting ``Op`` class computing ``forward(x, y)`` with the gradients ``dx`` and ``dy``."""
    compute = _forward_function(forward, 2)
    reads = (_reads(dx), _reads(dy))
    # for each combination of needed input gradients: what forward saves (positions in (x, y, out)), and
    # where each derivative finds its arguments in what was saved
    saves, picks = {}, {}
    for need in itertools.product((False, True), repeat=2):
        kept = tuple(i for i, v in enumerate(_READABLE) if any(n and v in r for n, r in zip(need, reads)))
        saves[need] = _picker(kept)
        picks[need] = tuple(_picker(tuple(kept.index(_READABLE.index(v)) for v in r)) if n else None
                            for n, r in zip(need, reads))

    def forward_(ctx, x, y):
        out = compute(ctx, x, y)
        save = saves[ctx.needs_input_grad]
        if save is not _NOTHING:
            ctx.saved = save((x, y, out))
        return out

    arithmetic = _on_arrays_safe(dx) and _on_arrays_safe(dy)

    def backward(ctx, grad):
        pick_x, pick_y = picks[ctx.needs_input_grad]
        if arithmetic and not _grad_state.enabled and _on_arrays_worth_it(grad._data):
            saved = ctx.saved_arrays()
            return (_on_arrays(dx, grad, pick_x(saved)) if pick_x else None), \
                   (_on_arrays(dy, grad, pick_y(saved)) if pick_y else None)
        saved = ctx.saved_tensors
        return (dx(grad, *pick_x(saved)) if pick_x else None), (dy(grad, *pick_y(saved)) if pick_y else None)

    # the ufunc in-place updates and unrecorded arithmetic call directly (a checked forward names its own)
    ufunc = forward if isinstance(forward, str) else getattr(forward, "ufunc", None)
    cls = _make_class(name, (dx, dy), module, forward_, backward, ufunc)
    cls.broadcasting = True
    return cls


# ---- first-order gradients on the arrays --------------------------------------------------------------
# A derivative that names nothing (no function, method or global: ``co_names`` is empty) and captures nothing
# (``co_freevars``) is operators on its arguments and constants, which the backend's arrays compute exactly as Tensors do (Python scalars are weak in
# both). Without recording (first order), computing it on the arrays skips a Tensor dispatch per operator;
# under create_graph it runs on Tensors, so that it is recorded (tests/test_dispatch_paths.py compares both).
def _on_arrays_safe(derivative: Callable) -> bool:
    return not derivative.__code__.co_names and not derivative.__code__.co_freevars


def _on_arrays_worth_it(data) -> bool:
    """A floating array (not bfloat16's), small enough not to want the backend's threads."""
    return data.dtype.kind == "f" and data.size < function.PARALLEL_FROM


def _on_arrays(derivative: Callable, grad: Tensor, values: tuple) -> Tensor:
    """``derivative`` on the gradient's array and the saved arrays (``Op.saved_arrays``)."""
    g = grad._data
    out = derivative(g, *values)
    return grad if out is g else Tensor._make(out, grad._device)  # (``lambda g: g`` hands on the same tensor)


def _NOTHING(values: tuple) -> tuple:
    return ()


def _picker(positions: tuple) -> Callable[[tuple], tuple]:
    """A function taking the items at ``positions`` of a tuple, as a tuple (cheaper than a comprehension)."""
    if not positions:
        return _NOTHING
    if len(positions) == 1:
        (i,) = positions
        return lambda values: (values[i],)
    return operator.itemgetter(*positions)


def _make_class(name: str, derivatives: tuple, module: str, forward: Callable, backward: Callable,
                ufunc: str | None) -> type[Op]:
    doc = f"Pointwise ``{name}``: its forward and gradient are its row in the table of ``{module}``."
    return type(name, (Op,), {
        "__doc__": doc, "__module__": module, "__qualname__": name, "ufunc": ufunc, "derivatives": derivatives,
        "forward": forward, "backward": backward,
    })
