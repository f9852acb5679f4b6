"""Window functions of length M, each torch's formula over a ``linspace`` grid (``torch.signal.windows``).

``sym=True`` gives the symmetric window (for filter design); ``sym=False`` the periodic one (for spectral
analysis: the symmetric window of M + 1 points without its last). Every window takes torch's factory keywords
``dtype`` (float32 or float64; default: the default dtype), ``layout``, ``device`` and ``requires_grad``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..._creation import empty, linspace, ones, tensor
from ..._dtype import float32, float64, get_default_dtype
from ..._tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]


def _checked(name: str, M: int, dtype: Any, layout: Any) -> Any:
    """The window's dtype, after torch's common checks of the length, layout and dtype."""
    dtype = get_default_dtype() if dtype is None else dtype
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (float32, float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _trivial(M: int, dtype: Any, device: Any, requires_grad: bool) -> Tensor | None:
    """The windows of length 0 (empty) and 1 (a single 1), which every formula below would divide by zero for."""
    if M == 0:
        return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if M == 1:
        return ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    return None


def _grid(start: float, step: float, M: int, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    return linspace(start, start + (M - 1) * step, M, dtype=dtype, device=device, requires_grad=requires_grad)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The exponential (Poisson) window: ``exp(-|n - center| / tau)``; ``center`` only for ``sym=False``."""
    dtype = _checked("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    return _grid(-center / tau, 1 / tau, M, dtype, device, requires_grad).abs().neg().exp()


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """The cosine (sine) window: ``sin(pi * (n + 1/2) / M)``."""
    dtype = _checked("cosine", M, dtype, layout)
    if M == 0:
        return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return _grid(0.5 * step, step, M, dtype, device, requires_grad).sin()


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Gaussian window: ``exp(-((n - (M-1)/2) / std)^2 / 2)``."""
    dtype = _checked("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    step = 1 / (std * math.sqrt(2))
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    return _grid(start * step, step, M, dtype, device, requires_grad).square().neg().exp()


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window: ``I0(beta * sqrt(1 - (2n / N - 1)^2)) / I0(beta)``, N = M - 1 (``sym``) or M."""
    dtype = _checked("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    step = 2.0 * beta / (M if not sym else M - 1)
    end = min(beta, -beta + (M - 1) * step)  # never past beta, where the square root's argument turns negative
    k = linspace(-beta, end, M, dtype=dtype, device=device, requires_grad=requires_grad)
    peak = tensor(beta, dtype=dtype, device=device)
    return (peak * peak - k * k).sqrt().i0() / peak.i0()


def general_cosine(M: int, *, a: Iterable, sym: bool = True, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """The generalised cosine window: ``sum_i (-1)^i a_i cos(2 pi i n / N)``, N = M - 1 (``sym``) or M."""
    dtype = _checked("general_cosine", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    coefficients = list(a)
    if not coefficients:
        raise ValueError("Coefficients cannot be empty")
    k = _grid(0.0, 2 * math.pi / (M if not sym else M - 1), M, dtype, device, requires_grad)
    signed = tensor([(-1) ** i * w for i, w in enumerate(coefficients)], dtype=dtype, device=device,
                    requires_grad=requires_grad)
    order = tensor(list(range(len(coefficients))), dtype=dtype, device=device)
    return (signed.unsqueeze(-1) * (order.unsqueeze(-1) * k).cos()).sum(0)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None, layout: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """The generalised Hamming window: ``alpha - (1 - alpha) cos(2 pi n / N)``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """The Hamming window: ``general_hamming`` with alpha = 0.54."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """The Hann window: ``general_hamming`` with alpha = 0.5."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """The Blackman window: ``general_cosine`` with a = (0.42, 0.5, 0.08)."""
    _checked("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """The Bartlett (triangular) window: ``1 - |2n / N - 1|``, N = M - 1 (``sym``) or M."""
    dtype = _checked("bartlett", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    return 1 - _grid(-1.0, 2 / (M if not sym else M - 1), M, dtype, device, requires_grad).abs()


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """The minimum 4-term Blackman-Harris window of Nuttall: ``general_cosine`` with its four coefficients."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


# ---- torch.*_window: the older factory spellings (``periodic=True`` by default, i.e. sym=False) ----------
def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None,
                device: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.hann_window``: the Hann window, periodic by default."""
    return hann(window_length, sym=not periodic, dtype=dtype, layout=layout, device=device,
                requires_grad=requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.hamming_window``: ``alpha - beta cos(2 pi n / N)``, periodic by default."""
    return general_cosine(window_length, a=[alpha, beta], sym=not periodic, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.blackman_window``: the Blackman window, periodic by default."""
    return blackman(window_length, sym=not periodic, dtype=dtype, layout=layout, device=device,
                    requires_grad=requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None,
                    device: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.bartlett_window``: the triangular window, periodic by default."""
    return bartlett(window_length, sym=not periodic, dtype=dtype, layout=layout, device=device,
                    requires_grad=requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: Any = None,
                  layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.kaiser_window``: the Kaiser window, periodic by default."""
    return kaiser(window_length, beta=beta, sym=not periodic, dtype=dtype, layout=layout, device=device,
                  requires_grad=requires_grad)
