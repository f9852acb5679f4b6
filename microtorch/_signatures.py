"""torch's calling conventions for the ``microtorch.*`` functions: ``input=`` for the tensor and ``out=``.

Most ``torch.*`` functions are Tensor methods under the same name. :func:`function_from_method`
generates each one from its method once, at import: the same parameters, the method's ``self``
named ``input`` as torch names it, and ``out=`` where torch has it. Generated source (not a
``*args, **kwargs`` wrapper) keeps the call one plain frame with no argument repacking.

:func:`write_out` implements ``out=`` as torch does: the result is written into ``out`` and ``out``
is returned; a result dtype that cannot be cast to ``out``'s raises, an ``out`` of another shape is
resized (with torch's warning unless it was empty), and a result that needs a graph is refused.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

from . import _dtype
from ._device import on_device
from .autograd import grad_mode

#: torch's ScalarType names, which its out= errors use
_SCALAR_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def function_from_method(method: Callable, name: str, first: str = "input", out: bool = True,
                         reflected: str | None = None) -> Callable:
    """The ``microtorch.<name>`` function for Tensor method ``method``: ``first`` names the tensor, the other
    parameters are the method's, and ``out=`` (keyword-only) writes the result into a given tensor. A first
    argument that is not a Tensor gets torch's TypeError, except a number before a tensor for a ``reflected``
    operator (``sub(2, x)`` is ``x.__rsub__(2)``), when no other argument is given."""
    params = list(inspect.signature(method).parameters.values())[1:]
    defaults: dict = {}
    header, call = [first], [first]
    star = False
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            header.append(f"*{p.name}")
            call.append(f"*{p.name}")
            star = True
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            header.append("*")
            star = True
        if p.default is p.empty:
            header.append(p.name)
        else:
            defaults[f"_default_{p.name}"] = p.default
            header.append(f"{p.name}=_default_{p.name}")
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
    if out:
        header += ([] if star else ["*"]) + ["out=None"]
        body = (f"    if out is None:\n        return _method({', '.join(call)})\n"
                f"    return _write_out(out, _method({', '.join(call)}), {name!r}"
                f"{(', (' + ', '.join(c for c in call if '=' not in c and '*' not in c) + ',)') if name in _OUT_MUST_NOT_ALIAS_INPUT else ''})\n")
    else:
        body = f"    return _method({', '.join(call)})\n"
    second = params[0].name if params and params[0].kind is params[0].POSITIONAL_OR_KEYWORD else None
    others = [f"{p.name} is _default_{p.name}" for p in params[1:] if p.default is not p.empty]
    plain = " and ".join(others + (["out is None"] if out else [])) or "True"
    body = (f"    if not isinstance({first}, _Tensor):\n"
            f"        return _not_a_tensor({name!r}, {first}, {second if reflected and second else 'None'}, "
            f"{reflected!r}, {plain if reflected else 'True'})\n") + body
    from ._tensor import Tensor

    namespace = {"_method": method, "_write_out": write_out, "_Tensor": Tensor, "_not_a_tensor": _not_a_tensor,
                 **defaults}
    exec(f"def {name}({', '.join(header)}):\n{body}", namespace)  # noqa: S102 - source built above from a signature
    fn = namespace[name]
    fn.__doc__ = method.__doc__ or f"``microtorch.{name}(input, ...)``: the same as ``Tensor.{name}``."
    fn.__module__ = "microtorch"
    return fn


#: torch's functions of two Python numbers that return a 0-d tensor (the numbers' dtypes, as torch's)
_NUMBER_OPERANDS = frozenset("add sub subtract mul multiply div divide true_divide floor_divide".split())


def _not_a_tensor(name: str, first: Any, second: Any, reflected: str | None, plain: bool) -> Any:
    """A function's first argument is no Tensor: a number before a tensor of a reflected operator is that
    tensor's reflected operator (``reflected == name``: the number becomes a 0-d tensor of the other's floating
    dtype, as ``xlogy(2.0, t)``), two numbers of an arithmetic operator a 0-d tensor, anything else torch's
    TypeError."""
    from ._creation import tensor
    from ._tensor import Tensor

    if reflected and plain and isinstance(second, Tensor) and type(first) in (int, float):
        if reflected == name:
            like = second if second.is_floating_point() else second.float()
            return getattr(like.new_tensor(first), name)(second)
        return getattr(second, reflected)(first)
    if name in _NUMBER_OPERANDS and plain and type(first) in (int, float, bool) and type(second) in (int, float, bool):
        return getattr(tensor(first), name)(second)
    raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(first).__name__}")


def write_out(out: Any, result: Any, name: str = "", inputs: tuple = ()) -> Any:
    """Write ``result`` (a tensor, or a tuple of them) into ``out`` and return ``out``, as torch's ``out=``;
    ``out=None`` returns ``result`` itself. An ``out`` whose elements share memory, or that shares memory with one
    of ``inputs`` (for the functions where torch refuses even an exact alias: ``cat``, ``masked_select``), raises."""
    if out is None:
        return result
    from ._tensor import Tensor

    outs = out if isinstance(out, (tuple, list)) else (out,)
    if any(isinstance(o, Tensor) and (t is o or isinstance(t, Tensor) and t._device == o._device
                                      and o._device.backend.may_share_memory(o._data, t._data))
           for o in outs for t in inputs):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor refer "
                           "to a single memory location. Please clone() the tensor before performing the operation.")
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(result)} Tensors")
        for o, r in zip(out, result):
            if isinstance(o, Tensor) and isinstance(r, Tensor) and o.dtype != r.dtype:  # no casts into tuples' outs
                raise RuntimeError(f"Expected out tensor to have dtype {r.dtype}, but got {o.dtype} instead")
            _write_one(o, r, name)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    if name in _EXACT_DTYPE_OUT and isinstance(out, Tensor) and out.dtype != result.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {result.dtype}, but got {out.dtype} instead")
    _write_one(out, result, name)
    return out


#: functions whose ``out=`` torch refuses to cast into, as it does for every tuple result
_EXACT_DTYPE_OUT = {"gather"}
#: functions whose ``out=`` torch refuses when it shares memory with the input, even as an exact alias
_OUT_MUST_NOT_ALIAS_INPUT = {"gather", "take", "index_select"}


def _write_one(out: Any, result: Any, name: str) -> None:
    from ._tensor import Tensor

    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.state.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    if out._device != result._device:
        raise RuntimeError(f"Expected out tensor to have device {result._device}, but got {out._device} instead")
    if any(stride == 0 and size > 1 for stride, size in zip(out._data.strides, out.shape)):  # (an expanded tensor)
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    if not _can_cast(result.dtype, out.dtype):
        raise RuntimeError(
            f"result type {_SCALAR_TYPE_NAMES[result.dtype.name]} can't be cast to the desired output type "
            f"{_SCALAR_TYPE_NAMES[out.dtype.name]}"
        )
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out.shape)}, which does "
                f"not match the required output shape {list(result.shape)}. This behavior is deprecated, and in a "
                "future PyTorch release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                UserWarning, stacklevel=4,
            )
        with on_device(out._device):
            out._data = out._device.backend.xp.empty(result.shape, dtype=out._data.dtype)
    with grad_mode.no_grad():
        out.copy_(result)


def _can_cast(source: Any, target: Any) -> bool:
    """c10's canCast: no complex -> real, no floating -> integral, and nothing but bool -> bool."""
    return _dtype.can_cast(source, target)
