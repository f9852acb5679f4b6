"""Interpolation weights for ``interpolate``: bicubic (torch's cubic convolution, A = -0.75) and the antialiased
bilinear and bicubic filters (a triangle, or the A = -0.5 cubic, stretched by the downsampling factor)."""
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


def _triangle(x: float) -> float:
    return max(0.0, 1.0 - abs(x))


def _keys_cubic(x: float) -> float:
    """The A = -0.5 cubic kernel torch's antialiased bicubic uses."""
    x, a = abs(x), -0.5
    if x < 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a if x < 2 else 0.0


def _antialias_matrix(xp: Any, n: int, out: int, factor: float | None, align_corners: bool, kernel: Any,
                      width: int) -> Any:
    """Rows of the filter ``kernel`` (support ``width``) centred on each output cell's source position and
    stretched by the scale when it exceeds 1 (downsampling), normalised to sum to 1 (torch's antialias)."""
    if align_corners:
        scale = (n - 1) / (out - 1) if out > 1 else 0.0
    else:
        scale = 1.0 / factor if factor is not None else n / out
    stretch = max(scale, 1.0)
    support = width * stretch
    matrix = xp.zeros((out, n))
    for i in range(out):
        center = scale * (i + 0.5)
        low, high = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), n)
        taps = [kernel((j - center + 0.5) / stretch) for j in range(low, high)]
        total = sum(taps)
        if total:
            matrix[i, low:high] = xp.asarray(taps) / total
    return matrix


def _antialias_linear_matrix(xp: Any, n: int, out: int, factor: float | None, align_corners: bool) -> Any:
    return _antialias_matrix(xp, n, out, factor, align_corners, _triangle, 1)


def _antialias_cubic_matrix(xp: Any, n: int, out: int, factor: float | None, align_corners: bool) -> Any:
    return _antialias_matrix(xp, n, out, factor, align_corners, _keys_cubic, 2)
