"""torch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ... and ``Tensor.type(...)``.

Each legacy type stands for a (dtype, device type) pair. Calling it constructs a tensor
(``FloatTensor(2, 3)`` uninitialised, ``FloatTensor([1, 2])`` from data); ``isinstance(t,
FloatTensor)`` asks whether ``t`` is a float32 CPU tensor, as in torch. ``microtorch.cuda.FloatTensor``
and friends are the GPU ones.
"""
from __future__ import annotations

import numbers
from typing import Any

from . import _dtype

#: legacy name -> dtype name
_NAMES = {
    "HalfTensor": "float16", "FloatTensor": "float32", "DoubleTensor": "float64", "LongTensor": "int64",
    "IntTensor": "int32", "ShortTensor": "int16", "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool",
    "BFloat16Tensor": "bfloat16",
}
_BY_DTYPE = {d: n for n, d in _NAMES.items()}
_COMPLEX_TYPE_NAMES = {"complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}  # (names, no classes)


class _LegacyTensorType(type):
    """The metaclass: the legacy classes construct tensors and answer isinstance by dtype and device."""

    dtype_name: str
    device_type: str

    def __instancecheck__(cls, obj: Any) -> bool:
        from ._tensor import Tensor

        return isinstance(obj, Tensor) and obj.dtype.name == cls.dtype_name and obj.device.type == cls.device_type

    def __call__(cls, *args: Any, device: Any = None, **kwargs: Any) -> Any:
        return construct(_dtype.as_dtype(cls.dtype_name), args, device or cls.device_type, kwargs)

    def __repr__(cls) -> str:
        prefix = "microtorch." if cls.device_type == "cpu" else f"microtorch.{cls.device_type}."
        return f"<class '{prefix}{cls.__name__}'>"


def _make_types(device_type: str) -> dict:
    return {name: _LegacyTensorType(name, (), {"dtype_name": d, "device_type": device_type, "__slots__": (),
                                               "__doc__": f"torch's legacy {d} {device_type} tensor type: calling it "
                                                          "constructs one, isinstance checks dtype and device."})
            for name, d in _NAMES.items()}


CPU_TYPES = _make_types("cpu")
CUDA_TYPES = _make_types("cuda")


def construct(dt: Any, args: tuple, device: Any, kwargs: dict) -> Any:
    """A legacy constructor call: sizes (uninitialised), data, another tensor, or nothing (empty)."""
    from ._creation import empty, tensor
    from ._tensor import Tensor

    if kwargs:
        raise TypeError(f"legacy tensor constructor got unexpected keyword arguments {sorted(kwargs)}")
    if not args:
        return empty(0, dtype=dt, device=device)  # an empty 1-d tensor, as torch's
    if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
        return empty(*args, dtype=dt, device=device)
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype is not dt:  # (torch returns the tensor itself, so it must already be of the dtype)
            raise TypeError(f"expected TensorOptions(dtype={dt.name}, device={device}), but got a tensor of dtype "
                            f"{args[0].dtype.name} on {args[0].device}")
        return args[0].to(device=device)
    if len(args) == 1 and isinstance(args[0], (tuple, list)) and type(args[0]).__name__ == "Size":
        return empty(args[0], dtype=dt, device=device)
    if len(args) == 1 and not isinstance(args[0], (tuple, list)) and not hasattr(args[0], "__array__"):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    if len(args) == 1:
        return tensor(args[0], dtype=dt, device=device)
    raise TypeError(f"legacy tensor constructor: expected sizes or data, got {args!r}")


def type_name(t: Any) -> str:
    """``t.type()``: ``'microtorch.FloatTensor'``, ``'microtorch.cuda.LongTensor'``, ..."""
    where = "microtorch." if t.device.type == "cpu" else f"microtorch.{t.device.type}."
    return where + (_BY_DTYPE.get(t.dtype.name) or _COMPLEX_TYPE_NAMES[t.dtype.name])


def cast_to_type(t: Any, target: Any) -> Any:
    """``t.type(target)`` for a dtype, a legacy class, or a legacy name (``'torch.cuda.FloatTensor'``)."""
    if isinstance(target, _LegacyTensorType):
        return t.to(device=target.device_type if target.device_type != t.device.type else t.device,
                    dtype=_dtype.as_dtype(target.dtype_name))
    if isinstance(target, str) and target.rsplit(".", 1)[-1] in _NAMES:
        module, _, name = target.rpartition(".")
        if module not in ("torch", "microtorch", "torch.cuda", "microtorch.cuda"):
            raise ValueError(f"invalid type: '{target}'")
        device_type = "cuda" if module.endswith("cuda") else "cpu"
        return cast_to_type(t, (CUDA_TYPES if device_type == "cuda" else CPU_TYPES)[name])
    if isinstance(target, str):
        raise ValueError(f"invalid type: '{target}'")
    return t.to(_dtype.as_dtype(target))


def _legacy_type(t: Any) -> Any:
    """A legacy class from itself or its dotted name (``'torch.DoubleTensor'``, ``'torch.cuda.FloatTensor'``)."""
    if isinstance(t, _LegacyTensorType):
        return t
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module in ("torch", "microtorch", "torch.cuda", "microtorch.cuda") and name in _NAMES:
            return (CUDA_TYPES if module.endswith("cuda") else CPU_TYPES)[name]
        raise TypeError(f"invalid type: '{t}'")
    raise TypeError("invalid type object: only floating-point types are supported as the default type")


def set_default_tensor_type(t: Any, /) -> None:
    """Make a legacy tensor type (``microtorch.DoubleTensor`` or its name) the default: its dtype for new
    floating tensors, and for a cuda type the cuda device for factories (deprecated, as torch's: warns once).
    A cpu type leaves the default device as it is."""
    from ._device import set_default_device
    from ._warn_once import warn_once

    warn_once("set_default_tensor_type", "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
              "torch.set_default_dtype() and torch.set_default_device() as alternatives.")
    legacy = _legacy_type(t)
    dt = _dtype.as_dtype(legacy.dtype_name)
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if legacy.device_type == "cuda":
        from . import cuda

        if not cuda.is_available():
            raise TypeError(f"type microtorch.cuda.{legacy.__name__} not available: no CUDA device (CuPy and a GPU) "
                            "here")
    _dtype.set_default_dtype(dt)
    if legacy.device_type == "cuda":
        set_default_device("cuda")


def deprecated_range(start: Any = 0, end: Any = None, step: Any = 1, *, out: Any = None, dtype: Any = None,
                     layout: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
    """``torch.range``: ``start`` to ``end`` *inclusive* in steps of ``step``, in the default float dtype unless
    ``dtype`` (deprecated in torch, with its warning: ``arange`` excludes ``end``)."""
    import math
    import warnings

    from ._creation import arange
    from ._signatures import write_out

    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if end is None:  # (torch's range has no one-argument form, unlike arange)
        raise TypeError('range() missing 1 required positional arguments: "end"')
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = math.floor((end - start) / step) + 1
    values = arange(count, dtype=_dtype.float64, device=device) * step + start
    result = values.to(_dtype.get_default_dtype() if dtype is None else dtype)
    return write_out(out, result.requires_grad_(requires_grad), "range")
