"""Complex tensors: the parts (``real``, ``imag``, ``view_as_real``, ``view_as_complex``), ``complex``, ``conj``,
and which ops compute complex inputs correctly.

Gradients follow torch's convention: for a real loss L of z = x + iy, the gradient is dL/dx + i dL/dy (the
conjugate Wirtinger derivative, times 2). A holomorphic op (exp, mul, matmul, ...) gets it from its real formula:
g conj(f'(z)) = conj(backward(conj(g))) (``Op.holomorphic``); a real-valued function of z (abs, angle, real, imag)
has a formula of its own.

Every op that is not listed here refuses complex inputs with torch's NotImplementedError (one check in
``Op.apply``), so no real-only kernel (sort, clamp, floor, max) silently answers for a complex tensor.
"""
from __future__ import annotations

import math
from typing import Any

from ..function import Op
from . import activation, decomposition, elementwise, index, linalg, linalg_spectral, nn, reduce, shape, strided, views
from .views import view_of
from ..._dtype import as_dtype, dtype_of_array
from ..._tensor import Tensor

_FLOATING_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double"}
_COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}


class Real(Op):
    """The real part, a view: d Re(z) gives the gradient g + 0i."""

    supports_complex = True

    def forward(ctx, z):
        ctx.complex_dtype = z.dtype.name
        return z.real

    def backward(ctx, grad):
        return grad.to(as_dtype(ctx.complex_dtype))


class Imag(Op):
    """The imaginary part, a view: d Im(z) gives the gradient 0 + g i."""

    supports_complex = True

    def forward(ctx, z):
        return z.imag

    def backward(ctx, grad):
        return Complex.apply(grad.new_zeros(()), grad)


class Complex(Op):
    """real + i imag, broadcast: the gradients are the real and imaginary parts of g."""

    broadcasting = True

    def forward(ctx, real, imag):
        real, imag = ctx.xp.broadcast_arrays(real, imag)
        out = real.astype(_COMPLEX_OF[real.dtype.name])
        out.imag = imag  # (not real + 1j imag: inf * 1j would make a nan real part)
        return out

    def backward(ctx, grad):
        need_real, need_imag = ctx.needs_input_grad
        return (real(grad) if need_real else None), (imag(grad) if need_imag else None)


class Conj(Op):
    """The complex conjugate (a copy): d conj(z) gives conj(g)."""

    supports_complex = True

    def forward(ctx, z):
        return ctx.xp.conjugate(z)

    def backward(ctx, grad):
        return Conj.apply(grad)


class ViewAsReal(Op):
    """A complex tensor as a real one with a last dim of 2 (its parts), sharing memory; the gradient is the
    incoming one viewed as complex."""

    supports_complex = True

    def forward(ctx, z):
        return z[..., None].view(z.real.dtype)  # (a new last dim of 1 complex is 2 reals: any strides, 0-d too)

    def backward(ctx, grad):
        return ViewAsComplex.apply(grad.contiguous())


class ViewAsComplex(Op):
    """A real tensor with a last dim of 2 as a complex one, sharing memory; the gradient is the incoming one
    viewed as real."""

    def forward(ctx, x):
        return x.view(_COMPLEX_OF[x.dtype.name]).reshape(x.shape[:-1])

    def backward(ctx, grad):
        return ViewAsReal.apply(grad)


# ---- composites ----------------------------------------------------------------------------------------------
def real(z: Tensor) -> Tensor:
    """The real part of ``z``, a view (a real tensor is its own real part)."""
    if z._data.dtype.kind != "c":
        return z
    return view_of(Real.apply(z), z, real)


def imag(z: Tensor) -> Tensor:
    """The imaginary part of a complex ``z``, a view (torch refuses a real tensor)."""
    if z._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_of(Imag.apply(z), z, imag)


def view_as_real(z: Tensor) -> Tensor:
    """``z``'s parts as a last dim of 2, sharing memory."""
    if not isinstance(z, Tensor):
        raise TypeError(f"view_as_real(): argument 'input' (position 1) must be Tensor, not {type(z).__name__}")
    if z._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return view_of(ViewAsReal.apply(z), z, view_as_real)


def view_as_complex(x: Tensor) -> Tensor:
    """A float or double tensor with a last dim of 2 as a complex tensor, sharing memory (torch's checks)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"view_as_complex(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    name = x._data.dtype.name
    if name not in _COMPLEX_OF:
        kind = _FLOATING_NAMES.get(name) or dtype_of_array(x._data).name
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {kind}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = x.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]) or x._data.ctypes.data % (2 * x._data.itemsize) if hasattr(x._data, "ctypes") else False:
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return view_of(ViewAsComplex.apply(x), x, view_as_complex)


def conj(z: Tensor) -> Tensor:
    """The complex conjugate (computed: microtorch has no lazy conjugate bit); a real tensor itself."""
    return Conj.apply(z) if z._data.dtype.kind == "c" else z


def complex_from_parts(real_part: Tensor, imag_part: Tensor) -> Tensor:
    """torch.complex(real, imag): both float or both double (or half: refused, NumPy has no complex32)."""
    for name, part in (("real", real_part), ("imag", imag_part)):
        if not isinstance(part, Tensor):
            raise TypeError(f"complex(): argument '{name}' must be Tensor, not {type(part).__name__}")
    a, b = real_part._data.dtype.name, imag_part._data.dtype.name
    if a not in _FLOATING_NAMES or b not in _FLOATING_NAMES:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_torch_name(real_part)} and {_torch_name(imag_part)}")
    if a != b:
        raise RuntimeError(f"Expected object of scalar type {_FLOATING_NAMES[a]} but got scalar type "
                           f"{_FLOATING_NAMES[b]} for second argument")
    if a == "float16":
        raise TypeError("complex(): complex32 (chalf) tensors are not supported: NumPy has no half-precision "
                        "complex type; use float32 parts")
    return Complex.apply(real_part, imag_part)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - torch's names
    """abs (cos(angle) + i sin(angle)), as torch.complex of the two products (gradients through them)."""
    complex_from_parts(abs, angle)  # (torch's checks: both float or both double)
    return Complex.apply(abs * angle.cos(), abs * angle.sin())


def sgn(z: Tensor) -> Tensor:
    """z / |z| (0 at 0) for complex z; the sign of a real one."""
    if z._data.dtype.kind != "c":
        return elementwise.Sign.apply(z)
    magnitude = elementwise.Abs.apply(z)
    return elementwise.where(magnitude == 0, 0.0, z / magnitude.to(z.dtype))


def angle(z: Tensor) -> Tensor:
    """The argument of complex z, atan2(Im z, Re z) (gradient through the parts: g i z / |z|^2, 0 at 0)."""
    return elementwise.Atan2.apply(imag(z), real(z))


def isreal(z: Tensor) -> Tensor:
    """Whether each element's imaginary part is 0."""
    return imag(z) == 0


def _torch_name(t: Tensor) -> str:
    name = t._data.dtype.name
    return _FLOATING_NAMES.get(name) or {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                                         "uint8": "Byte", "bool": "Bool", "bfloat16": "BFloat16",
                                         "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(name, name)


# ---- which ops compute complex inputs -----------------------------------------------------------------------
#: holomorphic ops: their backward runs on the conjugated gradient and its results are conjugated
HOLOMORPHIC: tuple[Any, ...] = (
    elementwise.Neg, elementwise.Exp, elementwise.Log, elementwise.Log1p, elementwise.Expm1, elementwise.Sqrt,
    elementwise.Rsqrt, elementwise.Reciprocal, elementwise.Sin, elementwise.Cos, elementwise.Tan, elementwise.Sinh,
    elementwise.Cosh, elementwise.Asin, elementwise.Acos, elementwise.Atan, elementwise.Asinh, elementwise.Acosh,
    elementwise.Atanh, elementwise.Add, elementwise.Sub, elementwise.Mul, elementwise.Div, elementwise.Pow,
    activation.Tanh, reduce.Prod, linalg.MatMul, linalg.Einsum, nn.Linear, decomposition.Solve,
)
#: ops whose forward and backward are right for complex values as written: linear maps (their backward saves
#: nothing to conjugate), data movement, and the predicates
AS_WRITTEN: tuple[Any, ...] = (
    elementwise.Abs, elementwise.Cast, elementwise.Clone, elementwise.ToDevice, elementwise.Equal, elementwise.NotEqual,
    elementwise.IsClose, elementwise.IsFinite, elementwise.IsInf, elementwise.IsNan, elementwise.Where,
    reduce.Sum, reduce.Mean, reduce.SumToSize, reduce.CumSum, shape.Reshape, shape.Permute, shape.Expand,
    shape.Cat, shape.Split, shape.Flip, shape.Repeat, strided.Strided, views.ViewWrite, index.GetItem,
    index.IndexPut, index.IndexAccumulate, nn.ConstantPad, Complex, linalg_spectral.Eig,
)
for _op in HOLOMORPHIC:
    _op.supports_complex = _op.holomorphic = True
for _op in AS_WRITTEN:
    _op.supports_complex = True
del _op
