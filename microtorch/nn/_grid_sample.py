"""``affine_grid`` and ``grid_sample`` (2-D and 3-D: bilinear/trilinear and nearest, 2-D bicubic,
zeros/border/reflection padding, either ``align_corners``) as Tensor ops: a grid's gradient flows through the interpolation weights and the
coordinate maps, the input's through a gather. Re-exported by ``nn.functional``."""
from __future__ import annotations

import warnings
from typing import Any, Sequence

from .._creation import linspace
from .._functions import stack
from .._promotion import _expect
from .._tensor import Tensor

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _base_coords(steps: int, align_corners: bool, like: Tensor) -> Tensor:
    """Normalised pixel centres along one dim, as torch's affine_grid_generator: in [-1, 1]."""
    if steps <= 1:
        return like.new_zeros((1,))
    coords = linspace(-1.0, 1.0, steps, dtype=like.dtype, device=like.device)
    return coords if align_corners else coords * ((steps - 1) / steps)


def affine_grid(theta: Tensor, size: list, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps ``theta`` (N, 2, 3) (or (N, 3, 4))
    applied to the normalised output pixel centres (x, y[, z], 1)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    spatial = len(size) - 2
    if spatial not in (2, 3):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (spatial, spatial + 1):
        raise ValueError(f"Expected a batch of {spatial}D affine matrices of shape Nx{spatial}x{spatial + 1} for size "
                         f"{size}. Got {theta.shape}.")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch size {theta.shape[0]} to match size[0] = {size[0]}")
    dims = size[2:][::-1]  # x varies along the last dim
    axes = [_base_coords(n, align_corners, theta) for n in dims]
    shape = tuple(size[2:])
    columns = []
    for i, axis in enumerate(axes):  # axis i (x, y, z) varies along output dim spatial - 1 - i
        view = [1] * spatial
        view[spatial - 1 - i] = axis.shape[0]
        columns.append(axis.reshape(view).expand(*shape))
    columns.append(theta.new_ones(shape))
    base = stack(columns, -1).reshape(1, -1, spatial + 1)
    return (base @ theta.transpose(1, 2)).reshape(size[0], *shape, spatial)


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    return (coord + 1) * ((size - 1) / 2) if align_corners else ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Fold coordinates into [twice_low / 2, twice_high / 2] by reflection at its ends (torch's)."""
    if twice_low == twice_high:
        return coord * 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    distance = (coord - low).abs()
    flips = (distance / span).floor().detach()
    extra = distance - flips * span
    return (extra + low).where(flips.fmod(2) == 0, span - extra + low)


def _source_coords(coord: Tensor, size: int, padding_mode: str, align_corners: bool, normalized: bool = True) -> Tensor:
    """Pixel coordinates of normalised ones (or of pixel ones, ``normalized=False``), mapped by the padding mode."""
    if normalized:
        coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1)) if align_corners else _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _tap(flat: Tensor, coords: list, sizes: Sequence[int]) -> Tensor:
    """input[n, :, z, y, x] for integer coordinate tensors (N, P), slowest dim first; 0 outside the input."""
    inside: Any = None  # (both set by the first coordinate)
    index: Any = None
    for coord, size in zip(coords, sizes):
        ok = (coord >= 0) & (coord < size)
        inside = ok if inside is None else inside & ok
        clamped = coord.clamp(0, size - 1)
        index = clamped if index is None else index * size + clamped
    index = index.long()
    values = flat.gather(2, index.unsqueeze(1).expand(flat.shape[0], flat.shape[1], index.shape[1]))
    return values * inside.unsqueeze(1).to(flat.dtype)


def _check_grid(input: Tensor, grid: Tensor) -> None:
    spatial = input.ndim - 2
    if input.ndim not in (4, 5) or grid.ndim != input.ndim or grid.shape[-1] != spatial:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions and a last "
                           f"grid dimension of {max(spatial, 2)}, but got input with sizes {list(input.shape)} and grid "
                           f"with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """input (N, C, H, W) sampled at the normalised (x, y) locations of ``grid`` (N, Ho, Wo, 2) (or (N, C, D, H, W)
    at (x, y, z) of (N, Do, Ho, Wo, 3), 'bilinear' then being trilinear): (-1, -1) is the top-left corner (its
    pixel's centre with ``align_corners``)."""
    _expect(input, Tensor, "grid_sample", "input")
    _expect(grid, Tensor, "grid_sample", "grid", 2)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid(input, grid)
    if mode == "bicubic" and input.ndim != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    n, c, *sizes = input.shape
    spatial = len(sizes)
    points = grid.reshape(n, -1, spatial)
    if mode == "bicubic":
        return _bicubic(input.reshape(n, c, -1), points, sizes, padding_mode, align_corners).reshape(
            (n, c) + tuple(grid.shape[1:-1]))
    # grid's last dim is (x, y[, z]): x indexes the last input dim
    coords = [_source_coords(points[..., spatial - 1 - i], size, padding_mode, align_corners)
              for i, size in enumerate(sizes)]
    flat = input.reshape(n, c, -1)
    out_shape = (n, c) + tuple(grid.shape[1:-1])
    if mode == "nearest":
        return _tap(flat, [coord.detach().round() for coord in coords], sizes).reshape(out_shape)
    lows = [coord.detach().floor() for coord in coords]
    fracs = [(coord - low).unsqueeze(1) for coord, low in zip(coords, lows)]
    out: Any = None  # (set by the first term)
    for corner in range(2 ** spatial):  # every corner of the cell, weighted by the product of its 1-D weights
        bits = [(corner >> (spatial - 1 - i)) & 1 for i in range(spatial)]
        weight: Any = None  # (set by the first dimension)
        for bit, frac in zip(bits, fracs):
            w = frac if bit else 1 - frac
            weight = w if weight is None else weight * w
        term = _tap(flat, [low + bit for low, bit in zip(lows, bits)], sizes) * weight
        out = term if out is None else out + term
    return out.reshape(out_shape)


def _bicubic(flat: Tensor, points: Tensor, sizes: list, padding_mode: str, align_corners: bool) -> Tensor:
    """Bicubic sampling (torch's A = -0.75 kernel over 4 x 4 taps); the padding mode maps each tap's coordinate,
    as torch's does, not the sampling point's."""
    from ._interpolate import _far, _near

    (height, width) = sizes
    coords = [_unnormalize(points[..., 1], height, align_corners), _unnormalize(points[..., 0], width, align_corners)]
    lows = [coord.detach().floor() for coord in coords]
    weights = []
    for coord, low in zip(coords, lows):
        t = (coord - low).unsqueeze(1)
        weights.append((_far(t + 1.0), _near(t), _near(1.0 - t), _far(2.0 - t)))
    out: Any = None  # (set by the first term)
    for i in range(4):
        for j in range(4):
            taps = [low + (k - 1) for low, k in zip(lows, (i, j))]
            if padding_mode != "zeros":
                taps = [_source_coords(tap, size, padding_mode, align_corners, normalized=False)
                        for tap, size in zip(taps, sizes)]
            term = _tap(flat, taps, tuple(sizes)) * weights[0][i] * weights[1][j]
            out = term if out is None else out + term
    return out


__all__ = ["affine_grid", "grid_sample"]
