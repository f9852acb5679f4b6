"""Op-table entries of the indexing writes: index_add/copy/fill/put/reduce, scatter_reduce, take, put,
masked_scatter (their in-place forms through ``(x * 1).op_(...)``, so the leaf stays untouched)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from op_table import Const, _draw_unique_index, op, shapes, values


def _distinct(data, shape) -> np.ndarray:
    """Values 0.1 apart from each other (amax/amin without ties, which the libraries may share differently)."""
    n = int(np.prod(shape))
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.float64)
    return ((order - n / 2) / 10).reshape(shape)


def _draw_index_along(unique: bool = False, distinct: bool = False, lo: float = -3.0):
    """x, a vector index along dim (distinct positions if ``unique``) and a source of x's shape with the index's
    length along dim."""
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
        dim = data.draw(st.integers(0, len(shape) - 1))
        if unique:
            index = np.array(data.draw(st.permutations(range(shape[dim]))), dtype=np.int64)
            index = index[:data.draw(st.integers(1, shape[dim]))]
        else:
            index = np.array(data.draw(st.lists(st.integers(0, shape[dim] - 1), min_size=1, max_size=4)), dtype=np.int64)
        src_shape = tuple(len(index) if d == dim else s for d, s in enumerate(shape))
        if distinct:
            both = _distinct(data, (int(np.prod(shape)) + int(np.prod(src_shape)),))
            x, src = both[:int(np.prod(shape))].reshape(shape), both[int(np.prod(shape)):].reshape(src_shape)
        else:
            x, src = values(data, shape, lo), values(data, src_shape, lo)
        return [x, Const(index), src], {"dim": dim}
    return draw


def _draw_scatter_reduce(distinct: bool = False, lo: float = -3.0):
    """x, an index (repeats allowed) no larger than x apart from dim, and a src of the index's shape."""
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
        dim = data.draw(st.integers(0, len(shape) - 1))
        idx_shape = tuple(data.draw(st.integers(1, 3)) if d == dim else data.draw(st.integers(1, s))
                          for d, s in enumerate(shape))
        index = data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
        if distinct:
            both = _distinct(data, (int(np.prod(shape)) + index.size,))
            x, src = both[:int(np.prod(shape))].reshape(shape), both[int(np.prod(shape)):].reshape(idx_shape)
        else:
            x, src = values(data, shape, lo), values(data, idx_shape, lo)
        return [x, Const(index), src], {"dim": dim, "include_self": data.draw(st.booleans())}
    return draw


op("index_add", lambda lib, x, i, s, dim: lib.index_add(x, dim, i, s, alpha=2.0), _draw_index_along())
op("index_add_", lambda lib, x, i, s, dim: (x * 1).index_add_(dim, i, s), _draw_index_along())
op("index_copy", lambda lib, x, i, s, dim: lib.index_copy(x, dim, i, s), _draw_index_along(unique=True))
op("index_copy_", lambda lib, x, i, s, dim: (x * 1).index_copy_(dim, i, s), _draw_index_along(unique=True))
op("index_fill", lambda lib, x, i, s, dim: x.index_fill(dim, i, -1.5), _draw_index_along())
op("index_fill_tensor_value", lambda lib, x, i, s, dim: x.index_fill(dim, i, s.sum()), _draw_index_along())
op("index_fill_", lambda lib, x, i, s, dim: (x * 1).index_fill_(dim, i, 0.5), _draw_index_along())
for _how, _draw in [("prod", _draw_index_along(lo=0.5)), ("mean", _draw_index_along()),
                    ("amax", _draw_index_along(distinct=True)), ("amin", _draw_index_along(distinct=True))]:
    op(f"index_reduce_{_how}", lambda lib, x, i, s, dim, how=_how: x.index_reduce(dim, i, s, how), _draw)
    op(f"index_reduce_{_how}_exclude_self", lambda lib, x, i, s, dim, how=_how: (x * 1).index_reduce_(
        dim, i, s, how, include_self=False), _draw)
for _how, _draw in [("sum", _draw_scatter_reduce()), ("prod", _draw_scatter_reduce(lo=0.5)),
                    ("mean", _draw_scatter_reduce()), ("amax", _draw_scatter_reduce(distinct=True)),
                    ("amin", _draw_scatter_reduce(distinct=True))]:
    op(f"scatter_reduce_{_how}", lambda lib, x, i, s, dim, include_self, how=_how: lib.scatter_reduce(
        x, dim, i, s, how, include_self=include_self), _draw)
op("scatter_reduce_", lambda lib, x, i, s, dim, include_self: (x * 1).scatter_reduce_(
    dim, i, s, "sum", include_self=include_self), _draw_scatter_reduce())
op("scatter_multiply", lambda lib, x, i, s, dim, include_self: x.scatter(dim, i, s, reduce="multiply"),
   _draw_scatter_reduce(lo=0.5), grad=False)  # (torch has no derivative for scatter with reduce)


def _draw_index_put(accumulate: bool):
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
        if accumulate:
            rows = np.array(data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4)))
        else:
            rows = _draw_unique_index(data, (shape[0],), 0)
        values_shape = data.draw(st.sampled_from([(len(rows),) + tuple(shape[1:]), tuple(shape[1:]), ()]))
        return [values(data, shape), Const(rows.astype(np.int64)), values(data, values_shape)], {"accumulate": accumulate}
    return draw


op("index_put", lambda lib, x, i, v, accumulate: x.index_put((i,), v, accumulate=accumulate), _draw_index_put(False))
op("index_put_accumulate", lambda lib, x, i, v, accumulate: lib.index_put(x, (i,), v, accumulate), _draw_index_put(True))
op("index_put_", lambda lib, x, i, v, accumulate: (x * 1).index_put_((i,), v, accumulate), _draw_index_put(True))


def _draw_take_put(unique: bool):
    def draw(data, dtype):
        shape = data.draw(shapes(max_dims=3, max_side=3))
        n = int(np.prod(shape))
        if unique:
            index = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)[:data.draw(st.integers(1, n))]
        else:
            index = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)), dtype=np.int64)
        index = index.reshape(data.draw(st.sampled_from([(len(index),), (1, len(index))])))
        return [values(data, shape), Const(index), values(data, index.shape)], {}
    return draw


op("take", lambda lib, x, i, s: lib.take(x, i), _draw_take_put(False))
op("put", lambda lib, x, i, s: x.put(i, s), _draw_take_put(True))
op("put_accumulate", lambda lib, x, i, s: x.put(i, s, accumulate=True), _draw_take_put(False))
op("put_", lambda lib, x, i, s: (x * 1).put_(i, s, accumulate=True), _draw_take_put(False))


def _draw_masked_scatter(inplace: bool):
    """x and a bool mask that broadcast together (in place: to x's shape), and a source with enough elements."""
    def draw(data, dtype):
        pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
        mask = data.draw(hnp.arrays(np.bool_, pair.input_shapes[1]))
        full = np.broadcast_shapes(*pair.input_shapes)
        count = int(np.broadcast_to(mask, full).sum())
        source = values(data, (count + data.draw(st.integers(0, 2)),))
        return [values(data, full if inplace else pair.input_shapes[0]), Const(mask), source], {}
    return draw


op("masked_scatter", lambda lib, x, m, s: x.masked_scatter(m, s), _draw_masked_scatter(False))
op("masked_scatter_", lambda lib, x, m, s: (x * 1).masked_scatter_(m, s), _draw_masked_scatter(True))
