"""Data types and PyTorch's type-promotion rules.

A microtorch ``dtype`` names an element type; backends store arrays whose dtype
has the same ``name`` (NumPy and CuPy share NumPy's dtype objects).

Promotion follows torch, not NumPy: operands are ranked as dimensioned tensors,
zero-dim tensors and Python scalars, and a lower rank only changes the result
when it belongs to a higher *category* (bool < integer < floating < complex). So
``float32_tensor * 2.5`` stays float32, ``int_tensor * 2.5`` is float32 (the
default dtype), and ``float16_tensor * float32_scalar_tensor`` stays float16.
"""
from __future__ import annotations

import builtins
import math
import numbers

from .backends import bfloat16 as _bfloat16


class dtype:
    """An element type, e.g. ``microtorch.float32``."""

    __slots__ = ("name", "itemsize", "is_floating_point", "is_complex", "is_signed", "_category")

    def __init__(self, name: str, itemsize: builtins.int, category: builtins.int, is_signed: builtins.bool) -> None:
        self.name = name
        self.itemsize = itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = is_signed

    def to_real(self) -> dtype:
        """The real dtype of a complex one's parts (complex64 -> float32); any other dtype itself."""
        return _REAL_OF.get(self.name, self)

    def to_complex(self) -> dtype:
        """The complex dtype whose parts are this floating dtype (float32 -> complex64); a complex dtype itself."""
        if self.is_complex:
            return self
        if self.name not in _COMPLEX_OF:
            raise RuntimeError(f"to_complex is not supported for {self}")
        return _BY_NAME[_COMPLEX_OF[self.name]]

    def __repr__(self) -> str:
        return f"microtorch.{self.name}"

    def __reduce__(self):  # pickles as the module-level singleton
        return (_dtype_from_name, (self.name,))


bool = dtype("bool", 1, 0, False)  # noqa: A001 - torch's name
uint8 = dtype("uint8", 1, 1, False)
int8 = dtype("int8", 1, 1, True)
int16 = dtype("int16", 2, 1, True)
int32 = dtype("int32", 4, 1, True)
int64 = dtype("int64", 8, 1, True)
float16 = dtype("float16", 2, 2, True)
float32 = dtype("float32", 4, 2, True)
float64 = dtype("float64", 8, 2, True)
bfloat16 = dtype("bfloat16", 2, 2, True)  # its arrays need the optional ml_dtypes package (backends/bfloat16.py)
complex64 = dtype("complex64", 8, 3, True)
complex128 = dtype("complex128", 16, 3, True)
# NumPy has no half-precision complex type: the name exists (promotion can reach it), its tensors cannot
complex32 = dtype("complex32", 4, 3, True)

# torch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble, chalf = complex64, complex128, complex32

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, bfloat16)
COMPLEX_DTYPES = (complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES + COMPLEX_DTYPES + (complex32,)}
_COMPLEX_OF = {"float16": "complex32", "float32": "complex64", "float64": "complex128"}
_REAL_OF = {"complex32": float16, "complex64": float32, "complex128": float64}

_default_dtype = float32


def _dtype_from_name(name: str) -> dtype:
    return _BY_NAME[name]


def bfloat16_available() -> builtins.bool:
    """Whether bfloat16 tensors can be made (the ml_dtypes package is installed)."""
    return _bfloat16.available()


def get_default_dtype() -> dtype:
    """The floating dtype new tensors get from Python floats (float32 unless changed)."""
    return _default_dtype


def default_complex_dtype() -> dtype:
    """The complex dtype new tensors get from Python complex numbers: the default float dtype's (complex64)."""
    return _BY_NAME[_COMPLEX_OF.get(_default_dtype.name, "complex64")]


def _refuse_complex32() -> None:
    raise TypeError("complex32 (chalf) tensors are not supported: NumPy has no half-precision complex type; "
                    "use complex64 (cfloat)")


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of new floating tensors (float32 or float64, as torch allows)."""
    global _default_dtype
    if d not in (float16, float32, float64, bfloat16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype = as_dtype(d)  # (bfloat16: checks that ml_dtypes is there)


def as_dtype(d) -> dtype:
    """Normalise ``d`` (a microtorch dtype, a NumPy dtype, a name, or Python's float/int/bool)."""
    if d.__class__ is dtype:
        if d is bfloat16:
            _bfloat16.require()
        elif d is complex32:
            _refuse_complex32()
        return d
    if d is builtins.float:
        return _default_dtype
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return default_complex_dtype()
    name = getattr(d, "name", None) or getattr(d, "__name__", None) or d
    try:
        return as_dtype(_BY_NAME[str(name)])
    except KeyError:
        raise TypeError(f"unsupported dtype {d!r}; supported: {', '.join(_BY_NAME)}") from None


# array dtype object (numpy.dtype, hashable) -> microtorch dtype, filled on first sight
_BY_ARRAY_DTYPE: dict = {}


def dtype_of_array(array) -> dtype:
    """The microtorch dtype of a backend array."""
    adt = array.dtype
    try:
        return _BY_ARRAY_DTYPE[adt]
    except KeyError:
        pass
    d = _BY_NAME.get(adt.name)
    if d is None:
        raise TypeError(f"arrays of dtype {adt} are not supported; supported: {', '.join(_BY_NAME)}")
    _BY_ARRAY_DTYPE[adt] = d
    return d


#: the C++ type names torch's conversion errors use
_C_NAMES = {
    "bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
    "float16": "c10::Half", "float32": "float", "float64": "double", "bfloat16": "c10::BFloat16",
    "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}
_FLOAT_MAX = {"float16": 65504.0, "float32": 3.4028234663852886e38, "float64": builtins.float("inf"),
              "bfloat16": 3.3895313892515355e38}


def checked_scalar(value, d: dtype):
    """A Python number converted to ``d`` as torch converts fill values (c10's ``checked_convert``):
    floats truncate toward zero into integer types, negative ints wrap into unsigned ones, and a value
    outside the type's range raises instead of silently wrapping."""
    if d is bool:
        return builtins.bool(value)
    if isinstance(value, builtins.int) and not -2**63 <= value < 2**64:
        raise OverflowError("int too big to convert")  # torch's Scalar holds at most int64/uint64
    if d._category == 3:
        return builtins.complex(value)
    if isinstance(value, builtins.complex):  # a complex number into a real type: only with no imaginary part
        if value.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[d.name]} without overflow")
        value = value.real
    if d._category == 2:
        if math.isfinite(value) and abs(value) > _FLOAT_MAX[d.name]:
            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[d.name]} without overflow")
        return builtins.float(value)
    bits = 8 * d.itemsize
    hi = 2 ** (bits - 1) - 1 if d.is_signed else 2**bits - 1
    # unsigned types take negative ints down to -max (two's complement), but no negative floats
    lo = -(2 ** (bits - 1)) if d.is_signed else -hi if isinstance(value, builtins.int) else 0
    if not lo <= value <= hi:  # also false for nan
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES[d.name]} without overflow")
    return builtins.int(value) % 2**bits if value < 0 and not d.is_signed else builtins.int(value)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` convert to safely."""
    for position, (name, value) in enumerate((("type1", a), ("type2", b)), 1):
        if not isinstance(value, dtype):
            raise TypeError(f"promote_types(): argument '{name}' (position {position}) must be torch.dtype, "
                            f"not {type(value).__name__}")
    if a is b:
        return a
    if a._category != b._category:
        higher, lower = (a, b) if a._category > b._category else (b, a)
        if higher._category == 3 and lower._category == 2:  # complex with float: the wider of the parts
            return promote_types(higher.to_real(), lower).to_complex()
        return higher
    if a._category == 2 and a.itemsize == b.itemsize == 2:  # float16 with bfloat16: neither holds the other
        return float32
    if a._category == 1 and a.is_signed != b.is_signed:  # uint8 with a signed integer
        signed = a if a.is_signed else b
        return int16 if signed.itemsize == 1 else signed
    return a if a.itemsize >= b.itemsize else b


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """c10's combine_categories: ``lower`` wins only when its category is higher (a complex ``lower`` over a
    floating ``higher`` gives the complex type of ``higher``'s precision)."""
    if higher is None:
        return lower
    if lower is None or higher._category == 3:
        return higher
    if lower._category == 3:
        return higher.to_complex() if higher._category == 2 else lower
    if higher._category == 2:
        return higher
    if higher is bool or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar takes part in promotion with (a 'weak' type)."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        check_int_range(value)
        return int64
    if not isinstance(value, numbers.Number):  # (None, a str, a list: torch's TypeError)
        raise TypeError(f"result_type() received an invalid combination of arguments - got "
                        f"({type(value).__name__}), but expected Tensors or Numbers")
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return default_complex_dtype()
    return _default_dtype


def check_int_range(value: builtins.int) -> None:
    """torch's OverflowError for a Python int no 64-bit integer holds (outside [-2**63, 2**64))."""
    if not -0x8000000000000000 <= value < 0x10000000000000000:
        raise OverflowError("int too big to convert")


def result_type(*operands) -> dtype:
    """torch.result_type over Tensors and Python scalars."""
    dim_result = zero_result = scalar_result = None
    for x in operands:
        if hasattr(x, "_data"):  # a Tensor
            d = dtype_of_array(x._data)
            if x._data.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            d = scalar_dtype(x)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
    result = _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))
    if result is None:
        raise TypeError("result_type() needs at least one Tensor or number")
    return result


def can_cast(source: dtype, target: dtype) -> builtins.bool:
    """c10's canCast: no complex -> non-complex, no floating -> integral, nothing but bool -> bool."""
    for position, (name, value) in enumerate((("from_", source), ("to", target)), 1):
        if not isinstance(value, dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {position}) must be torch.dtype, "
                            f"not {type(value).__name__}")
    if source._category == 3 and target._category != 3:
        return False
    if source._category == 2 and target._category < 2:
        return False
    return source is bool or target is not bool
