"""Op-table entries of the indexing writes: index_add/copy/fill/put/reduce, scatter_reduce, take, put,
masked_scatter (their in-place forms through ``(x * 1).op_(...)``, so the leaf stays untouched)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from op_table import Const, _draw_unique_index, forms, op, shapes, values


def _distinct(data, shape) -> np.ndarray:
    """Non-zero values 0.1 apart from each other (amax/amin without ties, which the libraries may share
    differently; prod without zeros)."""
    n = int(np.prod(shape))
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.float64)
    return ((order - n // 2 + 0.5) / 10).reshape(shape)


def _split(data, first: tuple, second: tuple) -> tuple:
    """Two arrays of the given shapes whose elements are all distinct (``_distinct``)."""
    n = int(np.prod(first))
    both = _distinct(data, (n + int(np.prod(second)),))
    return both[:n].reshape(first), both[n:].reshape(second)


def _draw_index_along(unique: bool = False, distinct: bool = False):
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
        x, src = _split(data, shape, src_shape) if distinct else (values(data, shape), values(data, src_shape))
        return [x, Const(index), src], {"dim": dim}
    return draw


def _draw_scatter_reduce(data, dtype):
    """x, an index (repeats allowed) no larger than x apart from dim, a src of the index's shape, the reduction."""
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    dim = data.draw(st.integers(0, len(shape) - 1))
    idx_shape = tuple(data.draw(st.integers(1, 3)) if d == dim else data.draw(st.integers(1, s))
                      for d, s in enumerate(shape))
    index = data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
    x, src = _split(data, shape, idx_shape)
    return [x, Const(index), src], {"dim": dim, "include_self": data.draw(st.booleans())}


def _scatter_reduce(lib, x, i, s, dim, include_self, how, form):
    if form == "in_place":
        return (x * 1).scatter_reduce_(dim, i, s, how, include_self=include_self)
    return lib.scatter_reduce(x, dim, i, s, how, include_self=include_self)


def _index_reduce(lib, x, i, s, dim, include_self, how, form):
    if form == "in_place":
        return (x * 1).index_reduce_(dim, i, s, how, include_self=include_self)
    return x.index_reduce(dim, i, s, how, include_self=include_self)


def _index_write(lib, x, i, s, dim, form):
    """index_add (alpha 2), index_copy or index_fill (a number or a 0-d tensor), out of place or in place."""
    return {
        "add": lambda: lib.index_add(x, dim, i, s, alpha=2.0), "add_": lambda: (x * 1).index_add_(dim, i, s),
        "copy": lambda: lib.index_copy(x, dim, i, s), "copy_": lambda: (x * 1).index_copy_(dim, i, s),
        "fill": lambda: x.index_fill(dim, i, -1.5), "fill_tensor": lambda: x.index_fill(dim, i, s.sum()),
        "fill_": lambda: (x * 1).index_fill_(dim, i, 0.5),
    }[form]()


def _with_include_self(draw):
    def drawn(data, dtype):
        inputs, params = draw(data, dtype)
        return inputs, {**params, "include_self": data.draw(st.booleans())}
    return drawn


op("index_add_or_fill", _index_write, forms(_draw_index_along(), form=["add", "add_", "fill", "fill_tensor", "fill_"]))
op("index_copy", _index_write, forms(_draw_index_along(unique=True), form=["copy", "copy_"]))
op("index_reduce", _index_reduce, forms(_with_include_self(_draw_index_along(distinct=True)),
                                        how=["prod", "mean", "amax", "amin"], form=["method", "in_place"]))
op("scatter_reduce", _scatter_reduce, forms(_draw_scatter_reduce, how=["sum", "prod", "mean", "amax", "amin"],
                                            form=["function", "in_place"]))
op("scatter_multiply", lambda lib, x, i, s, dim, include_self: x.scatter(dim, i, s, reduce="multiply"),
   _draw_scatter_reduce, grad=False)  # (torch has no derivative for scatter with reduce)


def _draw_index_put(data, dtype):
    """x, a row index (repeats and negative rows only when accumulating) and values broadcasting to x[rows]."""
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    accumulate = data.draw(st.booleans())
    if accumulate:
        rows = np.array(data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4)))
    else:
        rows = _draw_unique_index(data, (shape[0],), 0)
    values_shape = data.draw(st.sampled_from([(len(rows),) + tuple(shape[1:]), tuple(shape[1:]), ()]))
    return [values(data, shape), Const(rows.astype(np.int64)), values(data, values_shape)], {"accumulate": accumulate}


op("index_put", lambda lib, x, i, v, accumulate, in_place: (x * 1).index_put_((i,), v, accumulate) if in_place
   else lib.index_put(x, (i,), v, accumulate), forms(_draw_index_put, in_place=[False, True]))


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
op("put", lambda lib, x, i, s, form: {"put": lambda: x.put(i, s), "accumulate": lambda: x.put(i, s, accumulate=True),
                                      "put_": lambda: (x * 1).put_(i, s, accumulate=True)}[form](),
   forms(_draw_take_put(True), form=["put", "accumulate", "put_"]))


def _draw_masked_scatter(data, dtype):
    """x and a bool mask that broadcast together (in place: to x's shape), and a source with enough elements."""
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    mask = data.draw(hnp.arrays(np.bool_, pair.input_shapes[1]))
    full = np.broadcast_shapes(*pair.input_shapes)
    count = int(np.broadcast_to(mask, full).sum())
    source = values(data, (count + data.draw(st.integers(0, 2)),))
    in_place = data.draw(st.booleans())
    return [values(data, full if in_place else pair.input_shapes[0]), Const(mask), source], {"in_place": in_place}


op("masked_scatter", lambda lib, x, m, s, in_place: (x * 1).masked_scatter_(m, s) if in_place else x.masked_scatter(m, s),
   _draw_masked_scatter)
