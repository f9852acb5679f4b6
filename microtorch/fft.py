"""``torch.fft``: discrete Fourier transforms (torch's names, signatures, dtypes, normalisations and errors).

Every transform resizes its input along the transformed dims first (zero-padding or cropping to ``n`` / ``s``),
then runs one of three ops (``autograd/ops/fourier.py``): complex-to-complex (``fft``, ``ifft`` and their
``2``/``n`` forms), real-to-complex (``rfft*``) and complex-to-real (``irfft*``). ``hfft*`` is the
complex-to-real transform of the conjugate, ``ihfft*`` the conjugate of the real-to-complex one, each with the
opposite normalisation (the Hermitian signal's transform is real). Real and integer inputs become complex as
torch's (float32 -> complex64, integers through the default dtype); half precision is refused as on torch's CPU.
"""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence

from . import _dtype
from ._creation import arange
from ._promotion import _expect, _float_input, _int_tuple, _normalize_dim, _optional_ints
from ._signatures import _SCALAR_TYPE_NAMES, write_out
from ._tensor import Tensor
from .autograd.ops import fourier as _ops
from .autograd.ops.complex import conj as _conj
from .autograd.ops.nn import ConstantPad as _ConstantPad

__all__ = [
    "fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2", "ifftn", "ifftshift",
    "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn",
]

# ---- argument checks -----------------------------------------------------------------------------------------
def _input(input: Any, fn: str, real: str = "") -> Tensor:
    """The input as a floating or complex tensor (torch's errors); ``real``: the kind of real-input transform
    (``_REAL_ONLY``) that refuses complex input with torch's words."""
    _expect(input, Tensor, f"fft_{fn}", "input")
    name = input.dtype.name
    if name in ("float16", "bfloat16"):
        raise RuntimeError(f"Unsupported dtype {_SCALAR_TYPE_NAMES[name]}")
    if real and input.is_complex():
        raise RuntimeError(_REAL_ONLY[real].format(_SCALAR_TYPE_NAMES[name]))
    return _float_input(input)


#: torch's messages for complex input to a real-input transform (its 1-d, rfftn and ihfftn checks differ)
_REAL_ONLY = {"rfft": "rfft expects a real input tensor, but got {}", "ihfft": "ihfft expects a real input tensor, "
              "but got {}", "rfftn": "rfftn expects a real-valued input tensor, but got {}",
              "ihfftn": "Only supports floating-point dtypes, but found: {}"}


def _norm(norm: Any, fn: str) -> str:
    if norm is None:
        return "backward"
    if not isinstance(norm, str):
        raise TypeError(f"fft_{fn}(): argument 'norm' must be str, not {type(norm).__name__}")
    if norm not in _ops.ADJOINT_NORM:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _points(n: int) -> int:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _ints_or_none(value: Any, fn: str, arg: str) -> Optional[tuple]:
    """``s`` / ``dim`` as a tuple of ints (a single int is one; None stays None), else torch's TypeError."""
    return None if value is None else _int_tuple(value, f"fft_{fn}", arg)


def _one_dim(x: Tensor, n: Any, dim: Any, fn: str) -> tuple:
    """(dims, sizes) of a 1-d transform: ``n`` points along ``dim`` (default: its size)."""
    _optional_ints(f"fft_{fn}", n=n, dim=dim)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _normalize_dim(dim, x.ndim)
    return (d,), (_points(x.shape[d] if n is None else int(n)),)


def _many_dims(x: Tensor, s: Any, dim: Any, fn: str) -> tuple:
    """(dims, sizes) of an n-d transform, by torch's rules: ``dim`` wrapped and unique; ``s`` (-1: keep the
    size) of the same length, or over the last len(s) dims without ``dim``; neither: every dim."""
    s, dim = _ints_or_none(s, fn, "s"), _ints_or_none(dim, fn, "dim")
    if dim is not None:
        dims = tuple(_normalize_dim(d, x.ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is None:
        dims = tuple(range(x.ndim)) if dim is None else dims
        return dims, tuple(_points(x.shape[d]) for d in dims)
    if dim is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if dim is None:
        if len(s) > x.ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {x.ndim} dimensions.")
        dims = tuple(range(x.ndim - len(s), x.ndim))
    return dims, tuple(_points(x.shape[d] if size == -1 else size) for d, size in zip(dims, s))


def _resized(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """``x`` zero-padded or cropped at the end of each of ``dims`` to ``sizes``."""
    if all(x.shape[d] == n for d, n in zip(dims, sizes)):
        return x
    pads = [(0, 0)] * x.ndim
    for d, n in zip(dims, sizes):
        pads[d] = (0, n - x.shape[d])
    return _ConstantPad.apply(x, pads=tuple(pads), value=0)


def _at_least_one(dims: tuple, fn: str) -> None:
    if not dims:
        raise RuntimeError(f"{fn} must transform at least one axis")


def _out(out: Any, result: Tensor, fn: str) -> Tensor:
    if isinstance(out, Tensor) and result.is_complex() and not out.is_complex():
        raise RuntimeError(f"{fn} expects a complex output tensor, but got {_SCALAR_TYPE_NAMES[out.dtype.name]}")
    return write_out(out, result, f"fft_{fn}")


# ---- the three kinds of transform ----------------------------------------------------------------------------
def _as_complex(x: Tensor) -> Tensor:
    """A real (float32/float64) input as complex64/complex128; a complex one itself."""
    return x.to(x.dtype.to_complex()) if not x.is_complex() else x


def _c2c(x: Tensor, dims: tuple, sizes: tuple, norm: str, inverse: bool) -> Tensor:
    x = _as_complex(x)
    if not dims:  # (torch's fftn over no dims: a copy)
        return x.clone()
    return _ops.FFT.apply(_resized(x, dims, sizes), dims=dims, norm=norm, inverse=inverse)


def _r2c(x: Tensor, dims: tuple, sizes: tuple, norm: str) -> Tensor:
    return _ops.RFFT.apply(_resized(x, dims, sizes), dims=dims, norm=norm)


def _c2r(x: Tensor, dims: tuple, sizes: tuple, norm: str, last_given: bool) -> Tensor:
    """``sizes[-1]``: the output's length on the last dim when ``last_given``, else 2 (input length - 1)."""
    x = _as_complex(x)
    n = _points(sizes[-1] if last_given else 2 * (x.shape[dims[-1]] - 1))
    x = _resized(x, dims, sizes[:-1] + (n // 2 + 1,))
    return _ops.IRFFT.apply(x, dims=dims, norm=norm, n=n)


def _last_given(s: Any, n_dims: int) -> bool:
    """Whether ``s`` gives the output's length on the last transformed dim (not None, not -1)."""
    sizes = s if isinstance(s, (tuple, list)) else (s,)
    return s is not None and len(sizes) == n_dims and sizes[-1] != -1


# ---- complex-to-complex --------------------------------------------------------------------------------------
def fft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
        out: Any = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim`` (``n``: zero-pad or crop to n
    points first; ``norm``: "backward" (no scaling), "ortho" (1/sqrt(n)) or "forward" (1/n))."""
    x = _input(input, "fft")
    dims, sizes = _one_dim(x, n, dim, "fft")
    return _out(out, _c2c(x, dims, sizes, _norm(norm, "fft"), False), "fft")


def ifft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
         out: Any = None) -> Tensor:
    """The one-dimensional inverse discrete Fourier transform (``norm``: "backward" scales by 1/n)."""
    x = _input(input, "ifft")
    dims, sizes = _one_dim(x, n, dim, "ifft")
    return _out(out, _c2c(x, dims, sizes, _norm(norm, "ifft"), True), "ifft")


def fft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
         norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The two-dimensional discrete Fourier transform (``fftn`` over ``dim``, the last two by default)."""
    return _fftn(input, s, dim, norm, out, "fft2", False)


def ifft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The two-dimensional inverse discrete Fourier transform."""
    return _fftn(input, s, dim, norm, out, "ifft2", True)


def fftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
         norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The N-dimensional discrete Fourier transform over ``dim`` (default: the last len(s) dims, or all), each
    resized to ``s`` first (-1 keeps a size)."""
    return _fftn(input, s, dim, norm, out, "fftn", False)


def ifftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The N-dimensional inverse discrete Fourier transform."""
    return _fftn(input, s, dim, norm, out, "ifftn", True)


def _fftn(input: Any, s: Any, dim: Any, norm: Any, out: Any, fn: str, inverse: bool) -> Tensor:
    x = _input(input, fn)
    dims, sizes = _many_dims(x, s, dim, fn)
    return _out(out, _c2c(x, dims, sizes, _norm(norm, fn), inverse), fn)


# ---- real-to-complex and complex-to-real ---------------------------------------------------------------------
def rfft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
         out: Any = None) -> Tensor:
    """The Fourier transform of a real signal: its n//2 + 1 non-negative frequencies (the rest are their
    conjugates)."""
    x = _input(input, "rfft", real="rfft")
    dims, sizes = _one_dim(x, n, dim, "rfft")
    return _out(out, _r2c(x, dims, sizes, _norm(norm, "rfft")), "rfft")


def irfft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
          out: Any = None) -> Tensor:
    """The inverse of ``rfft``: a real signal of ``n`` points (default 2 (m - 1) for m frequencies) from its
    non-negative frequencies (the imaginary parts of the zero and Nyquist frequencies are ignored)."""
    x = _input(input, "irfft")
    dims, sizes = _one_dim(x, 1 if n is None else n, dim, "irfft")
    return _out(out, _c2r(x, dims, sizes, _norm(norm, "irfft"), n is not None), "irfft")


def rfft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The two-dimensional Fourier transform of a real signal (one-sided on the last of ``dim``)."""
    return _rfftn(input, s, dim, norm, out, "rfft2")


def rfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The N-dimensional Fourier transform of a real signal, one-sided on the last transformed dim."""
    return _rfftn(input, s, dim, norm, out, "rfftn")


def _rfftn(input: Any, s: Any, dim: Any, norm: Any, out: Any, fn: str, hermitian: bool = False) -> Tensor:
    """``rfftn``, or (``hermitian``) ``ihfftn``: the conjugate of rfftn with the opposite normalisation."""
    kind = "ihfftn" if hermitian else "rfftn"
    x = _input(input, fn, real=kind)
    dims, sizes = _many_dims(x, s, dim, fn)
    _at_least_one(dims, kind)
    norm = _norm(norm, fn)
    if not hermitian:
        return _out(out, _r2c(x, dims, sizes, norm), fn)
    return _out(out, _conj(_r2c(x, dims, sizes, _ops.ADJOINT_NORM[norm])), fn)


def irfft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
           norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The inverse of ``rfft2``."""
    return _irfftn(input, s, dim, norm, out, "irfft2", hermitian=False)


def irfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
           norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The inverse of ``rfftn``: ``s[-1]`` is the output's length on the last dim (default 2 (m - 1))."""
    return _irfftn(input, s, dim, norm, out, "irfftn", hermitian=False)


def _irfftn(input: Any, s: Any, dim: Any, norm: Any, out: Any, fn: str, hermitian: bool) -> Tensor:
    x = _input(input, fn)
    dims, sizes = _many_dims(x, s, dim, fn)
    _at_least_one(dims, "hfftn" if hermitian else "irfftn")
    norm = _norm(norm, fn)
    if hermitian:
        x, norm = _conj(x), _ops.ADJOINT_NORM[norm]
    return _out(out, _c2r(x, dims, sizes, norm, _last_given(s, len(dims))), fn)


# ---- Hermitian signals ---------------------------------------------------------------------------------------
def hfft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
         out: Any = None) -> Tensor:
    """The (real) Fourier transform of a Hermitian signal given by its first half: ``irfft`` of the conjugate
    with the opposite normalisation; ``n`` output points (default 2 (m - 1))."""
    x = _input(input, "hfft")
    dims, sizes = _one_dim(x, 1 if n is None else n, dim, "hfft")
    norm = _ops.ADJOINT_NORM[_norm(norm, "hfft")]
    return _out(out, _c2r(_conj(x), dims, sizes, norm, n is not None), "hfft")


def ihfft(input: Tensor, n: Optional[int] = None, dim: int = -1, norm: Optional[str] = None, *,  # noqa: A002
          out: Any = None) -> Tensor:
    """The inverse of ``hfft``: the first n//2 + 1 values of the inverse transform of a real signal."""
    x = _input(input, "ihfft", real="ihfft")
    dims, sizes = _one_dim(x, n, dim, "ihfft")
    norm = _ops.ADJOINT_NORM[_norm(norm, "ihfft")]
    return _out(out, _conj(_r2c(x, dims, sizes, norm)), "ihfft")


def hfft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The two-dimensional Fourier transform of a Hermitian signal (half given on the last of ``dim``)."""
    return _irfftn(input, s, dim, norm, out, "hfft2", hermitian=True)


def hfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
          norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The N-dimensional Fourier transform of a Hermitian signal (half given on the last transformed dim)."""
    return _irfftn(input, s, dim, norm, out, "hfftn", hermitian=True)


def ihfft2(input: Tensor, s: Optional[Sequence[int]] = None, dim: Sequence[int] = (-2, -1),  # noqa: A002
           norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The inverse of ``hfft2``."""
    return _rfftn(input, s, dim, norm, out, "ihfft2", hermitian=True)


def ihfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Optional[Sequence[int]] = None,  # noqa: A002
           norm: Optional[str] = None, *, out: Any = None) -> Tensor:
    """The inverse of ``hfftn``."""
    return _rfftn(input, s, dim, norm, out, "ihfftn", hermitian=True)


# ---- frequencies and shifts ----------------------------------------------------------------------------------
def fftfreq(n: int, d: float = 1.0, *, out: Any = None, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """The frequencies of an ``n``-point transform with sample spacing ``d``: [0, 1, ..., -(n//2), ..., -1] / (d n)."""
    _expect(n, int, "fft_fftfreq", "n")
    dtype = _frequency_dtype(d, dtype, "fftfreq", points=n)
    values = arange(n, dtype=dtype, device=device)
    values[(n + 1) // 2:] -= n
    return _scaled_frequencies(values, n, d, out, requires_grad, "fftfreq")


def rfftfreq(n: int, d: float = 1.0, *, out: Any = None, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The non-negative frequencies of an ``n``-point real transform: [0, 1, ..., n//2] / (d n)."""
    _expect(n, int, "fft_rfftfreq", "n")
    points = (n // 2 if n >= 0 else -(-n // 2)) + 1  # (torch's n/2 + 1 in C++: -3 gives 0 points, -1 one)
    dtype = _frequency_dtype(d, dtype, "rfftfreq", points)
    values = arange(points, dtype=dtype, device=device)
    return _scaled_frequencies(values, n, d, out, requires_grad, "rfftfreq")


def _frequency_dtype(d: Any, dtype: Any, fn: str, points: int) -> Any:
    """The frequencies' dtype, after torch's checks of ``d``, the number of ``points`` (``n`` is checked first)
    and ``dtype``."""
    if not isinstance(d, (numbers.Real, Tensor)) or isinstance(d, bool):
        raise TypeError(f"fft_{fn}(): argument 'd' (position 2) must be float, not {type(d).__name__}")
    if points < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {points}: [{points}]")
    dtype = _dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)
    if dtype.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_SCALAR_TYPE_NAMES[dtype.name]}'")
    if not dtype.is_floating_point:
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    return dtype


def _scaled_frequencies(values: Tensor, n: int, d: Any, out: Any, requires_grad: bool, fn: str) -> Tensor:
    spacing = float(d.item() if isinstance(d, Tensor) else d)
    scale = 1.0 / (n * spacing) if n * spacing else float("inf")  # (torch's 1/(n d): 0 spacing gives inf, 0 inf nan)
    values = values * scale
    if requires_grad:
        values.requires_grad_(True)
    return write_out(out, values, f"fft_{fn}")


def fftshift(input: Tensor, dim: Optional[Sequence[int]] = None) -> Tensor:  # noqa: A002
    """``input`` rolled by n//2 along each of ``dim`` (default: all), so the zero frequency is in the middle."""
    return _shift(input, dim, "fftshift", 1)


def ifftshift(input: Tensor, dim: Optional[Sequence[int]] = None) -> Tensor:  # noqa: A002
    """The inverse of ``fftshift``: ``input`` rolled back by n//2 along each of ``dim``."""
    return _shift(input, dim, "ifftshift", -1)


def _shift(input: Any, dim: Any, fn: str, sign: int) -> Tensor:
    _expect(input, Tensor, f"fft_{fn}", "input")
    dims = tuple(range(input.ndim)) if dim is None else _int_tuple(dim, f"fft_{fn}", "dim")
    if not dims:
        raise RuntimeError("`shifts` required")
    dims = tuple(_normalize_dim(d, input.ndim) for d in dims)
    return input.roll([sign * (input.shape[d] // 2) for d in dims], dims)
