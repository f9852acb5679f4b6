"""torch's in-place method forms (``x.sin_()``, ``x.fmod_(y)``, ``x.unsqueeze_(0)``), made from the out-of-place ops.

A value-changing form ``x.f_(...)`` is ``inplace.apply_(x, lambda t: t.f(...))``: the ordinary op computes the
result, which is written into x's memory, x takes its place in the graph and its version goes up (so autograd
through it is torch's: saved tensors that changed raise, a leaf that requires grad is refused while recording,
a view's base is rewritten). A shape-changing form (``squeeze_``, ``t_``, ...) makes x the view the op returns.
Each form is attached to Tensor only where the out-of-place method exists, so an op added later gets its form.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from . import _tensor
from ._signatures import _SCALAR_TYPE_NAMES
from .autograd import grad_mode
from .autograd.ops import inplace as _inplace

Tensor = _tensor.Tensor

#: value-changing in-place forms (the name without its trailing underscore is the out-of-place method)
VALUES = (
    "absolute acos acosh arccos arccosh arcsin arcsinh arctan arctan2 arctanh asin asinh atan atan2 atanh ceil cos cosh "
    "deg2rad digamma erf erfc erfinv exp2 expm1 fix floor frac i0 lgamma log log10 log1p log2 logit nan_to_num negative "
    "rad2deg reciprocal round rsqrt sgn sign sin sinc sinh square tan trunc polygamma mvlgamma "
    "clamp_min clamp_max clip tril triu cumsum cumprod addmm addmv addr addbmm baddbmm "
    "divide fmod remainder floor_divide true_divide hypot multiply subtract xlogy copysign float_power heaviside ldexp "
    "nextafter gcd lcm bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift "
    "logical_and logical_or logical_xor logical_not eq ne lt le gt ge greater greater_equal less less_equal not_equal "
    "index_add index_copy index_fill index_put masked_scatter scatter_reduce renorm conj_physical igamma igammac"
).split()
#: shape-changing in-place forms: x becomes the view the method returns
SHAPES = "squeeze unsqueeze transpose t swapaxes swapdims as_strided".split()
#: augmented assignments and the in-place form each one is (``x **= 2`` writes x's memory, as torch's; Python's
#: fallback, ``x = x ** 2``, would make a new tensor); ``+= -= *= /=`` are Tensor's own
AUGMENTED = {"__ipow__": "pow_", "__imod__": "remainder_", "__ifloordiv__": "floor_divide_", "__iand__": "bitwise_and_",
             "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_", "__ilshift__": "bitwise_left_shift_",
             "__irshift__": "bitwise_right_shift_"}


def _value_form(method: Callable, name: str) -> Callable:
    @functools.wraps(method)
    def form(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        # while recording, the op reads a copy: a composite op may save x deep in its graph, where the write
        # would change it (apply_ keeps the old values only for what the last node saved)
        recording = grad_mode.state.enabled and self._requires_grad
        if name == "float_power" and self.dtype.name != "float64":  # torch refuses to cast its double result back
            raise RuntimeError(f"the base given to float_power_ has dtype {_SCALAR_TYPE_NAMES[self.dtype.name]} but "
                               "the operation's result requires dtype Double")
        return _inplace.apply_(self, lambda t: method(t.clone() if recording else t, *args, **kwargs))

    form.__name__ = form.__qualname__ = f"{name}_"
    form.__doc__ = f"``{name}`` in place (the result written into this tensor, which takes its place in the graph)."
    return form


def _shape_form(method: Callable, name: str) -> Callable:
    @functools.wraps(method)
    def form(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        recording = grad_mode.state.enabled and self._requires_grad
        _inplace.check_inplace(self, recording)
        view = method(self, *args, **kwargs)
        self._data = view._data
        if recording:
            self._grad_fn, self._output_nr = view._grad_fn, view._output_nr
            if self._base is not None:  # still a view of the same base, made another way
                self._view_maker = getattr(view, "_view_maker", None)
        self._bump_version()
        return self

    form.__name__ = form.__qualname__ = f"{name}_"
    form.__doc__ = f"``{name}`` in place: this tensor becomes the view ``{name}`` returns."
    return form


def install() -> list:
    """Attach every form whose out-of-place method Tensor has and whose in-place one it lacks; the names attached."""
    attached = []
    for names, make in ((VALUES, _value_form), (SHAPES, _shape_form)):
        for name in names:
            method = getattr(Tensor, name, None)
            if callable(method) and not hasattr(Tensor, f"{name}_"):
                setattr(Tensor, f"{name}_", make(method, name))
                attached.append(f"{name}_")
    for dunder, form_name in AUGMENTED.items():
        setattr(Tensor, dunder, _augmented(getattr(Tensor, form_name), dunder))
    return attached


def _augmented(form: Callable, dunder: str) -> Callable:
    def assign(self: Tensor, other: Any) -> Tensor:
        return form(self, other)

    assign.__name__ = assign.__qualname__ = dunder
    assign.__doc__ = f"The augmented assignment as ``{form.__name__}`` (in place, as torch's)."
    return assign


INSTALLED = install()
