"""Type promotion and argument normalisation: what every op's arguments go through before the op.

torch's rules: Python scalars are 'weak' (they never widen a tensor's dtype: float32 * 2.5 stays float32),
integer and bool tensors enter floating ops as the default float dtype, a number joins an integer tensor
only if it fits. ``_binary`` applies a binary op after promotion, ``_compare`` a comparison; the others
normalise one argument (a dim, a shape, a scalar, the arguments of ``to()``).

Ops import these from here, not from ``_tensor.py``; this module needs ``Tensor``, so ``_tensor.py``
imports it after defining the class.
"""
from __future__ import annotations

import builtins
import numbers
from typing import Any, Optional

from . import _dtype
from . import _creation  # (a module: _creation imports _shape_arg from here while this module loads)
from ._device import as_device, device as _device_cls
from ._dtype import dtype, dtype_of_array, get_default_dtype, result_type
from ._tensor import Tensor
from .autograd import function, grad_mode

_float, _int, _bool = builtins.float, builtins.int, builtins.bool
_grad_state = grad_mode.state  # bound once: the binary fast paths read it on every call


def _shape_arg(args: tuple) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` as torch does."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):  # Size is a tuple
        args = tuple(args[0])
    if type(args) is tuple and set(map(type, args)) == _JUST_INT \
            and -0x8000000000000000 <= min(args) and max(args) < 0x8000000000000000:
        return args  # the usual case, Python ints in int64's range: decided by C calls, without a loop
    return _checked_sizes(args)


_JUST_INT = {_int}


def _checked_sizes(args: tuple) -> tuple:
    """``_shape_arg``'s sizes, one by one, with torch's errors."""
    plain = type(args) is tuple  # (Python ints in a plain tuple: returned as they are)
    for i, s in enumerate(args):
        if type(s) is not _int:
            plain = False
            if not isinstance(s, numbers.Integral):
                raise TypeError(f"sizes must be integers, got {type(s).__name__} ({s!r})")
        if not -0x8000000000000000 <= _int(s) < 0x8000000000000000:
            raise TypeError(f"argument 'size' failed to unpack the object at pos {i + 1} with error "
                            "\"Overflow when unpacking long long\"")
    return args if plain else tuple([_int(s) for s in args])


def _expect(value: Any, kind: type, fn: str, arg: str, position: int = 1) -> None:
    """torch's TypeError for an argument of the wrong type (before it reaches an op's internals)."""
    if not isinstance(value, kind) or kind is _int and isinstance(value, _bool):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be {kind.__name__}, not {type(value).__name__}")
    if kind is _int and isinstance(value, _int) and not -0x8000000000000000 <= value < 0x8000000000000000:
        raise ValueError("Overflow when unpacking long long")


def _optional_ints(fn: str, **values: Any) -> None:
    """torch's TypeError for a keyword argument that is neither None nor an int (``n=2.5``, ``hop_length="a"``)."""
    for arg, value in values.items():
        if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, _bool)):
            raise TypeError(f"{fn}(): argument '{arg}' must be int, not {type(value).__name__}")


def _int_arg(value: Any, fn: str, arg: str, position: int) -> int:
    """torch's TypeError for a positional int argument given something else (a bool is no int here)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, _bool):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be int, not {type(value).__name__}")
    return int(value)


def _int_tuple(value: Any, fn: str, arg: str, position: Optional[int] = None, single: bool = True) -> tuple:
    """A ``tuple of ints`` argument as a tuple (one int too, where ``single``), else torch's TypeError.

    As torch's parser: the first element decides whether the value is a tuple of ints at all (a bool there
    is not); a later element that is no integer fails to unpack at its 1-based position. ``position`` is
    None for a keyword-only argument (torch's message then names no position)."""
    where = "" if position is None else f" (position {position})"
    if single and isinstance(value, numbers.Integral) and not isinstance(value, _bool):
        return (int(value),)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fn}(): argument '{arg}'{where} must be tuple of ints, not {type(value).__name__}")
    if len(value) and not _is_index(value[0], first=True):
        found = (f"not {type(value).__name__}" if position is None  # (a keyword argument: torch's wording)
                 else f"but found element of type {type(value[0]).__name__} at pos 0")
        raise TypeError(f"{fn}(): argument '{arg}'{where} must be tuple of ints, {found}")
    for i, item in enumerate(value):
        if not _is_index(item, first=False):
            raise TypeError(f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                            f"\"type must be tuple of ints,but got {type(item).__name__}\"")
    return tuple(int(v) for v in value)


def _is_index(item: Any, first: bool) -> bool:
    """Whether torch unpacks ``item`` as an int of an int list: an integer, or a 0-d integer tensor."""
    if isinstance(item, Tensor):
        return item.ndim == 0 and not item.is_floating_point() and not item.is_complex() and item.dtype.name != "bool"
    return isinstance(item, numbers.Integral) and not (first and isinstance(item, _bool))


def _floating_kernel(input: Any, fn: str, kernel: str) -> None:
    """torch's errors for an input that is no tensor, or an integer or bool one, to a floating-only kernel."""
    _expect(input, Tensor, fn, "input")
    if not input.is_floating_point():
        from ._signatures import _SCALAR_TYPE_NAMES

        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_TYPE_NAMES[input.dtype.name]}'")


def _check_int64(value: Any) -> None:
    """torch's ValueError for an integer argument no int64 holds (``x.roll(2**70)``)."""
    if isinstance(value, numbers.Integral) and not -0x8000000000000000 <= _int(value) < 0x8000000000000000:
        raise ValueError("Overflow when unpacking long long")


def _normalize_dim(dim: Any, ndim: int) -> int:
    """A non-negative dim, or IndexError worded as torch's."""
    if type(dim) is not _int:  # (the ABC check is slow: ints first)
        if not isinstance(dim, numbers.Integral):
            raise TypeError(f"dim must be an integer, got {type(dim).__name__}")
        dim = int(dim)
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def _float_input(x: Tensor) -> Tensor:
    """Integer and bool tensors enter floating ops as the default float dtype (torch's rule)."""
    return x if x._data.dtype.kind in "fcV" else x.to(get_default_dtype())


def _to_scalar(value: Any) -> Any:
    """A Python number from a Python or NumPy scalar (NumPy's own scalars are not 'weak'); an int no 64-bit integer
    holds raises torch's OverflowError."""
    if type(value) is _int:
        if not -0x8000000000000000 <= value < 0x10000000000000000:
            raise OverflowError("int too big to convert")
        return value
    if type(value) in (_float, _bool):
        return value
    if isinstance(value, (_int, _float)):  # subclasses: an IntEnum member, ...
        return _int(value) if isinstance(value, _int) else _float(value)
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0 and not isinstance(value, Tensor):
        value = value.item()  # a NumPy scalar or 0-d array
    if isinstance(value, complex):
        return complex(value)
    return value if type(value) in (_float, _int, _bool) else None  # (Fraction, Decimal: not numbers torch takes)


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """A list, array or number as a tensor on ``like``'s device (a tensor as itself)."""
    if isinstance(value, Tensor):
        return value
    return _creation.tensor(value, device=like._device)


def _binary(op: Any, a: Any, b: Any, true_divide: bool = False) -> Tensor:
    """Apply a binary op after torch's type promotion (Python scalars stay 'weak'). Floating-point results may
    take the fast path; integer and bool ones always take the op's forward, which checks what NumPy lets
    through (division by zero)."""
    if type(b) is _float and isinstance(a, Tensor) and a._data.dtype.kind in "fV":
        # the commonest case, x * 0.5: nothing to promote (recorded: straight to the op)
        return op.apply(a, b) if a._requires_grad and _grad_state.enabled else _apply_binary(op, a, b)
    a_is_tensor = isinstance(a, Tensor)
    b_is_tensor = isinstance(b, Tensor)
    if a_is_tensor and b_is_tensor:
        a_dtype = a._data.dtype
        if a_dtype is b._data.dtype and a_dtype.kind in "fV":  # the next commonest, x * y: one floating dtype
            if (a._requires_grad or b._requires_grad) and _grad_state.enabled:
                return op.apply(a, b)
            return _apply_binary(op, a, b)
        if op.ufunc == "subtract" and (a_dtype.kind == "b" or b._data.dtype.kind == "b"):
            _refuse_bool_subtraction(a, b)
        if a_dtype is not b._data.dtype and a_dtype != b._data.dtype or true_divide and a_dtype.kind not in "fcV":
            target = result_type(a, b)
            if true_divide and target._category < 2:
                target = get_default_dtype()
            if dtype_of_array(a._data) is not target:
                a = a.to(target)
            if dtype_of_array(b._data) is not target:
                b = b.to(target)
            if target._category < 2:
                return op.apply(a, b)
        elif a_dtype.kind not in "fV":
            return op.apply(a, b)
        return _apply_binary(op, a, b)
    tensor_arg = a if a_is_tensor else b
    scalar = _to_scalar(b if a_is_tensor else a)
    if scalar is None:  # a list, an array, ...: becomes a tensor on the same device
        other = _as_tensor_like(b if a_is_tensor else a, tensor_arg)
        return _binary(op, a if a_is_tensor else other, other if a_is_tensor else b, true_divide)
    kind = tensor_arg._data.dtype.kind
    if type(scalar) is complex and kind != "c":  # a complex number makes a real tensor complex (a recorded cast)
        tensor_arg, kind = tensor_arg.to(result_type(tensor_arg, scalar)), "c"
    if (kind == "b" or type(scalar) is _bool) and op.ufunc == "subtract":
        _refuse_bool_subtraction(tensor_arg, scalar)
    if type(scalar) is _int and (kind not in "fV" or not -0x8000000000000000 <= scalar < 0x10000000000000000):
        scalar = _int_scalar(op, scalar, tensor_arg, a_is_tensor)
    if kind not in "fcV":
        # int/bool tensor meets a float scalar (or true division): compute in the default float dtype;
        # bool tensor meets an int scalar: int64
        if isinstance(scalar, _float) or true_divide:
            tensor_arg = tensor_arg.to(get_default_dtype())
        else:
            if kind == "b" and not isinstance(scalar, _bool):
                tensor_arg = tensor_arg.to(_dtype.int64)
            return op.apply(tensor_arg, scalar) if a_is_tensor else op.apply(scalar, tensor_arg)
    return _apply_binary(op, tensor_arg, scalar) if a_is_tensor else _apply_binary(op, scalar, tensor_arg)


def _int_scalar(op: Any, scalar: int, x: Tensor, x_first: bool) -> int:
    """A Python int as torch uses it with tensor ``x``: one outside int64/uint64 does not convert, and an
    integer tensor wraps it to its own width, two's complement (where NumPy 2 raises OverflowError), except
    as an exponent."""
    if not -0x8000000000000000 <= scalar < 0x10000000000000000:
        raise OverflowError(f"int too big to convert (in {op.__name__} with a {x.dtype.name} tensor: torch's "
                            "scalars hold at most int64 or uint64)")
    adt = x._data.dtype
    if adt.kind not in "iu":
        return scalar
    span = 1 << 8 * adt.itemsize
    lo = -(span >> 1) if adt.kind == "i" else 0
    if lo <= scalar < lo + span:
        return scalar
    if op.ufunc == "power" and x_first:
        raise RuntimeError(f"value cannot be converted to type {_dtype._C_NAMES[adt.name]} without overflow")
    return (scalar - lo) % span + lo


def _refuse_bool_subtraction(a: Any, b: Any) -> None:
    """torch refuses ``-`` with a bool operand (tensor or Python bool): a mask minus something is a bug."""
    a_bool = type(a) is _bool or isinstance(a, Tensor) and a._data.dtype.kind == "b"
    b_bool = type(b) is _bool or isinstance(b, Tensor) and b._data.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
            "operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
            "mask, use the `~` or `logical_not()` operator instead."
        )


def _apply_binary(op: Any, a: Any, b: Any) -> Tensor:
    """``op.apply(a, b)`` on floating-point operands; with nothing to record (backward passes, optimizer steps,
    no_grad) arithmetic on a host device goes straight to its ufunc, skipping the node's bookkeeping."""
    ufunc = op.ufunc
    a_is_tensor, b_is_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
    device = a._device if a_is_tensor else b._device
    if (ufunc is None or function.vmap_dispatch is not None  # (under vmap, arithmetic goes to the batching rules)
            or device.index is not None  # (apply makes the device current)
            or a_is_tensor and b_is_tensor and b._device is not device  # (apply raises torch's error)
            or _grad_state.enabled and (a_is_tensor and a._requires_grad or b_is_tensor and b._requires_grad)):
        return op.apply(a, b)
    x, y = a._data if a_is_tensor else a, b._data if b_is_tensor else b
    backend = device._backend or device.backend  # (None: not cached yet, or its type was registered again)
    try:
        if (x if a_is_tensor else y).size >= function.PARALLEL_FROM:  # (large: the backend may use its threads)
            out = backend.ufunc(ufunc, x, y)
        else:
            out = getattr(backend.xp, ufunc)(x, y)
    except ValueError:
        return op.apply(a, b)  # apply words the error as torch does
    except (TypeError, OverflowError) as e:  # NumPy's words name none of ours
        if not op.supports_complex:  # (a complex operand: apply raises torch's NotImplementedError)
            return op.apply(a, b)
        raise type(e)(f"{op.__name__} of {_describe(a)} and {_describe(b)}: {e}") from None
    return Tensor._make(out, device)


def _describe(x: Any) -> str:
    return f"a {x.dtype.name} tensor" if isinstance(x, Tensor) else f"a Python {type(x).__name__}"


def _compare(op: Any, a: Any, b: Any, operator: bool = False) -> Any:
    """``op.apply(a, b)`` with ``b`` made a scalar or a tensor. For an operator (``==``, ``<``, ...) what cannot be
    a tensor (None, a str, any object) is not compared: NotImplemented lets Python answer ``t == None`` with
    False, ``t != None`` with True and ``t < None`` with a TypeError, as for torch."""
    if not isinstance(b, Tensor):
        scalar = _to_scalar(b)
        if scalar is not None:
            b = scalar
        else:
            try:
                b = _as_tensor_like(b, a)
            except TypeError:
                if operator:
                    return NotImplemented
                raise
    return op.apply(a, b)


def _parse_to_args(t: Tensor | None, args: tuple, kwargs: dict) -> tuple:
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)  # (every tensor is row-major: see _memory_format.py)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a._device, a.dtype
        elif isinstance(a, dtype) or a in (_float, _int, _bool):
            dt = a
        elif isinstance(a, (str, _device_cls, _int)) and not isinstance(a, _bool):
            dev = a
        elif isinstance(a, _bool) or a is None:
            pass  # to(dtype, non_blocking) positional form; to(None) changes nothing, as torch
        elif type(a) is _float:
            dt = _dtype.float64  # torch's parser reads a Python float as its type: x.to(2.5) is x.to(float)
        elif isinstance(a, complex):  # torch reads a number as to(other)'s tensor: a wrapped complex128 scalar
            dt = _dtype.complex128
        else:
            try:
                dt = _dtype.as_dtype(a)
            except TypeError:
                raise TypeError(f"to() received an invalid argument {a!r}: expected a dtype, device or Tensor") from None
    return (as_device(dev) if dev is not None else None), (_dtype.as_dtype(dt) if dt is not None else None), copy
