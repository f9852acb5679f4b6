"""Shape ops: reshape, permute, expand, repeat, flip, cat/stack, split, roll, tile, repeat_interleave, meshgrid.

Most return views of their input (NumPy views share memory), marked by
``views.view_of`` with the way to make them again from their base.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Sequence

from ..._device import on_device
from .. import function
from ..function import Op
from ..._dtype import result_type
from ..._tensor import Tensor
from ..._promotion import _check_int64, _expect, _normalize_dim
from .views import shares_memory, unrecorded_host, view_of


# ---- reshape and friends ----------------------------------------------------------------------------
class Reshape(Op):
    """Same elements, another shape; the gradient is reshaped back."""

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def infer_shape(shape: Sequence[int], numel: int) -> tuple:
    """Resolve one -1 in ``shape``; raise torch's error if the sizes cannot hold ``numel`` elements."""
    shape = tuple(shape)
    if -1 not in shape and min(shape, default=0) >= 0:  # (the common case: every size given)
        if math.prod(shape) != numel:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(x, shape: Sequence[int]):
    shape = infer_shape(shape, x.numel())  # (numel: a vmapped tensor counts its per-example elements)
    out = Tensor._make(x._data.reshape(shape), x._device) if unrecorded_host(x) else Reshape.apply(x, shape=shape)
    return view_of(out, x, lambda t: t.reshape(shape)) if shares_memory(out._data, x._data) else out


def view(x, shape: Sequence[int]):
    """reshape that must not copy: torch's error when the strides cannot express the new shape."""
    out = reshape(x, shape)
    if out._data.size and not shares_memory(out._data, x._data):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across "
            "two contiguous subspaces). Use .reshape(...) instead."
        )
    return out


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = _normalize_dim(start_dim, x.ndim), _normalize_dim(end_dim, x.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.shape
    return reshape(x, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(x, dim: int, sizes: Sequence[int]):
    dim = _normalize_dim(dim, x.ndim)
    sizes = tuple(sizes)
    inner = infer_shape(sizes, x.shape[dim]) if -1 in sizes else sizes
    if math.prod(inner) != x.shape[dim]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({x.shape[dim]}) in the input tensor"
        )
    return reshape(x, x.shape[:dim] + inner + x.shape[dim + 1:])


def squeeze(x, dim: Any = None):
    if x.ndim == 0:  # torch accepts dim 0 or -1 of a 0-d tensor
        for d in () if dim is None else (dim if isinstance(dim, (tuple, list)) else (dim,)):
            _normalize_dim(d, 1)
        return reshape(x, ())
    shape = x.shape
    if dim is None:
        dims = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = {_normalize_dim(d, x.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        dims = {d for d in dims if shape[d] == 1}  # torch ignores dims whose size is not 1
    return reshape(x, tuple(s for i, s in enumerate(shape) if i not in dims))


def unsqueeze(x, dim: int):
    dim = _normalize_dim(dim, x.ndim + 1)
    shape = x.shape
    return reshape(x, shape[:dim] + (1,) + shape[dim:])


# ---- axes -------------------------------------------------------------------------------------------
class Permute(Op):
    """Reorder axes; the gradient is permuted back with the inverse order."""

    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, grad):
        dims = ctx.dims
        return grad.permute(tuple(sorted(range(len(dims)), key=dims.__getitem__)))  # the inverse order


def permute(x, dims: Sequence[int]):
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute(): number of dimensions in the tensor input does not match the length of the desired "
            f"ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to len(dims) = {len(dims)}"
        )
    ndim = x.ndim
    dims = tuple([d if type(d) is int and 0 <= d < ndim else _normalize_dim(d, ndim) for d in dims])
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute(): duplicate dims are not allowed, got {list(dims)}")
    return _permuted(x, dims)


def _permuted(x, dims: tuple):
    """The view of ``x`` with its dims in the order ``dims`` (valid and distinct: the callers checked)."""
    out = Tensor._make(x._data.transpose(dims), x._device) if unrecorded_host(x) else Permute.apply(x, dims=dims)
    return view_of(out, x, lambda t: t.permute(dims))


def transpose(x, dim0: int, dim1: int):
    if x.ndim == 0:
        return x
    ndim = x._data.ndim
    order = list(range(ndim))
    a, b = _normalize_dim(dim0, ndim), _normalize_dim(dim1, ndim)
    order[a], order[b] = order[b], order[a]
    return _permuted(x, tuple(order))  # (valid and distinct by construction: permute's checks would find nothing)


def movedim(x, source: Any, destination: Any):
    src: list = [source] if isinstance(source, numbers.Integral) else list(source)
    dst: list = [destination] if isinstance(destination, numbers.Integral) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src}) and destination ({dst}) differ in length")
    src = [_normalize_dim(d, x.ndim) for d in src]
    dst = [_normalize_dim(d, x.ndim) for d in dst]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order = [d for d in range(x.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, order)


# ---- broadcasting and tiling ------------------------------------------------------------------------
class Expand(Op):
    """Broadcast to a larger shape (a read-only view); the gradient is summed back."""

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return ctx.xp.broadcast_to(x, shape)

    def backward(ctx, grad):
        return function.sum_to_shape(grad, shape=ctx.shape)  # (SumToSize itself: the shapes are known valid)


def expand(x, sizes: Sequence[int]):
    sizes = tuple(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({x.ndim})"
        )
    shape: Any = list(sizes)  # (a tuple once filled in)
    for i, s in enumerate(x.shape):
        target = sizes[lead + i]
        if target == -1:
            shape[lead + i] = s
        elif s != 1 and s != target:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({s}) at non-singleton "
                f"dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}"
            )
    if any(s < 0 for s in shape):
        raise RuntimeError(f"expand: -1 is not allowed in a leading, non-existing dimension (sizes {list(sizes)})")
    shape = tuple(shape)
    if shape == x.shape:
        return x
    return view_of(Expand.apply(x, shape=shape), x, lambda t: t.expand(shape))


class Repeat(Op):
    """Tile the tensor; each input element's gradient is the sum over its copies."""

    def forward(ctx, x, repeats):
        ctx.shape = x.shape
        ctx.repeats = repeats
        return ctx.xp.tile(x, repeats)

    def backward(ctx, grad):
        padded = (1,) * (len(ctx.repeats) - len(ctx.shape)) + tuple(ctx.shape)
        interleaved = tuple(v for r, s in zip(ctx.repeats, padded) for v in (r, s))
        summed = grad.reshape(interleaved).sum(tuple(range(0, len(interleaved), 2)))
        return summed.reshape(ctx.shape)


def repeat(x, repeats: Sequence[int]):
    if len(repeats) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    if any(r < 0 for r in repeats):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {list(repeats)}")
    return Repeat.apply(x, repeats=tuple(repeats))


class Flip(Op):
    """Reverse the order along dims; the gradient is flipped back."""

    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.xp.flip(x, axis=dims).copy()  # torch's flip copies; a NumPy flip would be a view

    def backward(ctx, grad):
        return grad.flip(ctx.dims)


def flip(x, dims: Sequence[int]):
    ndim = x.ndim
    dims = tuple([d if type(d) is int and 0 <= d < ndim else _normalize_dim(d, ndim) for d in dims])
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"flip(): dims has duplicates: {list(dims)}")
    return Flip.apply(x, dims=dims) if dims else x.clone()


# ---- joining and splitting --------------------------------------------------------------------------
class Cat(Op):
    """Concatenate along ``dim``; the gradient is cut back into the pieces."""

    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return ctx.xp.concatenate(arrays, axis=dim)

    def backward(ctx, grad):
        return tuple(Split.apply(grad, sizes=tuple(ctx.sizes), dim=ctx.dim))


def _expect_tensors(tensors: list, fn: str) -> None:
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): expected a sequence of Tensors, but element {i} is {type(t).__name__}")


def cat(tensors: Sequence[Any], dim: int = 0):

    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat(): expected a sequence of Tensors, but element {i} is {type(t).__name__}")
    # torch skips legacy empty 1-D tensors of size 0
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    first = tensors[0]
    if first.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = _normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim} (tensor number {i})"
            )
        for d in range(first.ndim):
            if d != dim and t.shape[d] != first.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {first.shape[d]} but got "
                    f"size {t.shape[d]} for tensor number {i} in the list."
                )
    target = result_type(*tensors) if len({t._data.dtype for t in tensors}) > 1 else None
    if target is not None:
        tensors = [t.to(target) for t in tensors]
    if len(tensors) == 1:
        return tensors[0].clone()
    return Cat.apply(*tensors, dim=dim)


def stack(tensors: Sequence[Any], dim: int = 0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    _expect_tensors(tensors, "stack")
    shape = tensors[0].shape
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    dim = _normalize_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, dim) for t in tensors], dim)


class Split(Op):
    """Cut along ``dim`` into pieces of ``sizes`` (views); the gradient is their concatenation."""

    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        pieces, start = [], 0
        lead = (slice(None),) * dim
        for s in sizes:
            pieces.append(x[lead + (slice(start, start + s),)])
            start += s
        return tuple(pieces)

    def backward(ctx, *grads):
        return cat(grads, ctx.dim)


def split(x, split_size_or_sections: Any, dim: int = 0) -> tuple:
    dim = _normalize_dim(dim, x.ndim)
    n = x.shape[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        _check_int64(split_size_or_sections)
        size = int(split_size_or_sections)
        if size <= 0 and n:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
                f"{dim}), but got split_sizes={sizes}"
            )
    pieces = Split.apply(x, sizes=tuple(sizes), dim=dim)
    lead, starts = (slice(None),) * dim, [sum(sizes[:i]) for i in range(len(sizes))]
    return tuple(
        view_of(p, x, lambda t, window=slice(start, start + size): t[lead + (window,)])  # type: ignore[misc]  # (a lambda with a bound default)
        for p, start, size in zip(pieces, starts, sizes)
    )


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    _expect(chunks, int, "chunk", "chunks")  # (a float, a bool or an int beyond 64 bits: torch's errors)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x.shape[_normalize_dim(dim, x.ndim)]
    return split(x, max(1, -(-n // chunks)), dim)


class Unbind(Op):
    """The slices along ``dim``, without that dim (views); the gradient is their stack (zeros for unused ones)."""

    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple([x[lead + (i, Ellipsis)] for i in range(x.shape[dim])])  # (Ellipsis: 0-d views, not scalars)

    def backward(ctx, *grads):
        return stack(grads, ctx.dim)


def unbind(x, dim: int = 0) -> tuple:
    dim = _normalize_dim(dim, x.ndim)
    if not x.shape[dim]:
        return ()
    lead = (slice(None),) * dim
    if unrecorded_host(x) and (Unbind.supports_complex or x._data.dtype.kind != "c"):
        device, data = x._device, x._data
        pieces = tuple([Tensor._make(data[lead + (i, Ellipsis)], device) for i in range(data.shape[dim])])
    else:
        pieces = Unbind.apply(x, dim=dim)
    return tuple([
        view_of(p, x, lambda t, key=lead + (i,): t[key])  # type: ignore[misc]  # (a lambda with a bound default)
        for i, p in enumerate(pieces)
    ])


# ---- rolling, tiling, grids (compositions: their gradients are those of slicing, cat, expand) -------
def narrow(x, dim: int, start: Any, length: int):
    """``length`` elements of ``dim`` from ``start`` (negative counts from the end): a view, by slicing."""
    dim = _normalize_dim(dim, x.ndim)
    size = x.shape[dim]
    if isinstance(start, Tensor):
        if start.ndim != 0 or start.is_floating_point() or start.dtype.name == "bool":
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = start.item()
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return x[(slice(None),) * dim + (slice(start, start + length),)]


def roll(x, shifts: Any, dims: Any = None):
    """Shift elements along ``dims`` with wrap-around (``dims=None``: over the flattened tensor)."""
    shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
    for value in shifts + ((dims,) if isinstance(dims, numbers.Integral) else tuple(dims or ())):
        _check_int64(value)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts must have one element when dims is not given, got {len(shifts)}")
        return roll(x.reshape(-1), shifts, 0).reshape(x.shape)
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    for shift, dim in zip(shifts, dims):
        dim = _normalize_dim(dim, x.ndim)
        n = x.shape[dim] if x.ndim else 1
        s = int(shift) % n if n else 0
        if s:  # the last s elements, then the rest
            x = cat([x.narrow(dim, n - s, s), x.narrow(dim, 0, n - s)], dim)
    return x


def tile(x, dims: Sequence[int]):
    """``repeat`` with ``dims`` padded by leading ones to the tensor's number of dims."""
    dims = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def repeat_interleave(x, repeats: Any, dim: int | None = None, output_size: int | None = None):
    """Each element repeated ``repeats`` times along ``dim`` (``None``: over the flattened tensor).
    An int is an expand and a reshape; a tensor of per-element counts is an index_select."""
    if dim is None:
        x, dim = x.reshape(-1), 0
    dim = _normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    if isinstance(repeats, Tensor):
        if repeats.ndim == 0 or repeats.numel() == 1:
            repeats = int(repeats.item())
        else:
            if repeats.ndim != 1 or repeats.shape[0] != x.shape[dim]:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                                   f"{repeats.shape[0] if repeats.ndim else 1} and input.size({dim}) = {x.shape[dim]}")
            if bool((repeats < 0).any()):
                raise RuntimeError("repeats can not be negative")
            xp = x.device.backend.xp
            with on_device(x.device):
                index = xp.repeat(xp.arange(x.shape[dim]), repeats._data).astype("int64")
            return x.index_select(dim, Tensor._make(index, x.device))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = x.shape
    expanded = unsqueeze(x, dim + 1).expand(shape[:dim + 1] + (int(repeats),) + shape[dim + 1:])
    return reshape(expanded, shape[:dim] + (shape[dim] * int(repeats),) + shape[dim + 1:])


def meshgrid(tensors: Sequence[Any], indexing: str | None = None) -> tuple:
    """Coordinate grids from 0-D or 1-D tensors: with ``indexing='ij'`` the i-th grid varies along dim i;
    ``'xy'`` swaps the first two dims (Cartesian)."""
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=3)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    tensors = list(tensors)
    _expect_tensors(tensors, "meshgrid")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a {t.ndim}-D tensor")
    if len({t._data.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = [reshape(t, (1,) * i + (-1,) + (1,) * (len(flat) - i - 1)).expand(shape) for i, t in enumerate(flat)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ---- splitting by sections or indices, rotations, diagonals (compositions of the views above) --------
def tensor_split(x, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Views: ``n`` nearly equal pieces (the first ``size % n`` one longer), or the pieces between ``indices``."""
    if x.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    dim = _normalize_dim(dim, x.ndim)
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t.dtype.name != "int64":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{t.dtype.name.capitalize()}")
        if t.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {t.ndim} dims")
        indices_or_sections = t.item() if t.ndim == 0 else [int(i) for i in t.tolist()]
    lead = (slice(None),) * dim
    if isinstance(indices_or_sections, numbers.Integral):
        sections, n = int(indices_or_sections), x.shape[dim]
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        sizes = [n // sections + (i < n % sections) for i in range(sections)]
        return split(x, sizes, dim)
    bounds = [0] + [int(i) for i in indices_or_sections]
    return tuple(x[lead + (slice(a, b),)] for a, b in zip(bounds, bounds[1:] + [None]))


def sections_argument(fn: str, *given: Any) -> Any:
    """The one of torch's spellings (``sections=``, ``indices=``, ...) a split was given."""
    chosen = [g for g in given if g is not None]
    if len(chosen) != 1:
        raise TypeError(f"{fn}() expected exactly one of indices_or_sections, sections or indices, got {len(chosen)}")
    return chosen[0]


def directional_split(x, indices_or_sections: Any, dim: int, least: int, fn: str) -> tuple:
    """``hsplit``/``vsplit``/``dsplit``: tensor_split along ``dim`` of a tensor of at least ``least`` dims, whose
    size there a number of sections must divide."""
    if x.ndim < least:
        raise RuntimeError(f"torch.{fn} requires a tensor with at least {least} dimension, but got a tensor with "
                           f"{x.ndim} dimensions!")
    if isinstance(indices_or_sections, numbers.Integral):
        n = x.shape[dim]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"torch.{fn} attempted to split along dimension {dim}, but the size of the dimension "
                               f"{n} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(x, indices_or_sections, dim)


def rot90(x, k: int = 1, dims: Sequence[int] = (0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second): flips and a transpose."""
    from .strided import check_int

    k, dims = check_int(k, "rot90", "k"), list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = _normalize_dim(dims[0], x.ndim), _normalize_dim(dims[1], x.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k = k % 4
    if k == 1:
        return flip(x, (d1,)).transpose(d0, d1)
    if k == 2:
        return flip(x, (d0, d1))
    if k == 3:
        return flip(x, (d0,)).transpose(d0, d1)
    return x.clone()


def diag_embed(x, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Each last-dim vector on the ``offset``-th diagonal of the (dim1, dim2) planes of a zero tensor."""
    from .strided import check_int, diagonal, scatter_view

    offset = check_int(offset, "diag_embed", "offset")
    ndim = x.ndim + 1
    d1, d2 = _normalize_dim(dim1, ndim), _normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = x.shape[-1] + abs(offset)
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    zeros = x.new_zeros(tuple(shape))
    return scatter_view(zeros, x, lambda t: diagonal(t, offset, d1, d2), "diag_embed")


def view_dtype(x, target: Any):
    """The same memory read as ``target`` (torch's ``view(dtype)``): with another element size the last dim
    shrinks or grows by the ratio. Not differentiable (as torch's), but it shares x's version counter."""
    from ..._signatures import _SCALAR_TYPE_NAMES as names

    source = x.dtype
    if target.itemsize != source.itemsize:
        what = f"to view {names[source.name]} as {names[target.name]} (different element sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if x.shape[-1] != 1 and x.stride(-1) != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {x.stride(-1)}")
        if target.itemsize > source.itemsize and x.shape[-1] % (target.itemsize // source.itemsize):
            raise RuntimeError(f"self.size(-1) must be divisible by {target.itemsize // source.itemsize} {what}, "
                               f"but got {x.shape[-1]}")
    with on_device(x.device):
        data = x._data.view(target.name)
    return view_of(Tensor._make(data, x.device), x)
