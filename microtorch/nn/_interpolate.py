"""Bicubic interpolation weights for ``interpolate`` (torch's cubic convolution, A = -0.75)."""
from __future__ import annotations

from typing import Any

_A = -0.75


def _near(x: Any) -> Any:
    """The cubic convolution kernel for |x| <= 1."""
    return ((_A + 2) * x - (_A + 3)) * x * x + 1


def _far(x: Any) -> Any:
    """The cubic convolution kernel for 1 < |x| < 2."""
    return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A


def _cubic_matrix(xp: Any, n: int, out: int, factor: float | None, align_corners: bool) -> Any:
    """The (out, n) matrix of bicubic weights along one dim: four taps around each source position (torch's
    positions, not clamped at 0 as linear ones are), taps beyond the edges folded onto the edge cells."""
    dst = xp.arange(out, dtype=xp.float64)
    if align_corners:
        src = dst * ((n - 1) / (out - 1) if out > 1 else 0.0)
    else:
        scale = 1.0 / factor if factor is not None else n / out
        src = (dst + 0.5) * scale - 0.5
    base = xp.floor(src)
    t = src - base
    taps = (_far(t + 1.0), _near(t), _near(1.0 - t), _far(2.0 - t))
    matrix = xp.zeros((out, n))
    rows = xp.arange(out)
    for offset, weight in zip((-1, 0, 1, 2), taps):
        xp.add.at(matrix, (rows, xp.clip(base.astype(xp.int64) + offset, 0, n - 1)), weight)
    return matrix
