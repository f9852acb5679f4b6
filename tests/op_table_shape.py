"""Op-table entries for issue 21's shape ops: the strided views (diagonal, unfold, as_strided) and their
scatters, tensor_split, rot90, diag_embed, the stacks, block_diag, combinations. One entry per family, small draws."""
from __future__ import annotations

from hypothesis import strategies as st

from op_table import dim_of, op, shapes, values


def _draw_diagonal(d, t):
    shape = d.draw(shapes(min_dims=2, max_dims=3, max_side=3))
    dims = d.draw(st.lists(st.integers(0, len(shape) - 1), min_size=2, max_size=2, unique=True))
    return [values(d, shape)], {"offset": d.draw(st.integers(-2, 2)), "dim1": dims[0], "dim2": dims[1]}


op("diagonal", lambda lib, x, offset, dim1, dim2: x.diagonal(offset, dim1, dim2) * 2, _draw_diagonal)
op("diagonal_scatter", lambda lib, x, offset, dim1, dim2: lib.diagonal_scatter(x, x.diagonal(offset, dim1, dim2) ** 2,
                                                                                 offset, dim1, dim2), _draw_diagonal)
op("diag_embed", lambda lib, x: lib.diag_embed(x, 1) + lib.diag_embed(x, -1, 0, -1).sum(),
   lambda d, t: ([values(d, d.draw(shapes(min_dims=1, max_dims=2, max_side=3)))], {}))


def _draw_unfold(d, t):
    shape = d.draw(shapes(min_dims=1, max_dims=3, max_side=4))
    dim = dim_of(d, len(shape))
    return [values(d, shape)], {"dim": dim, "size": d.draw(st.integers(0, shape[dim])), "step": d.draw(st.integers(1, 3))}


op("unfold", lambda lib, x, dim, size, step: x.unfold(dim, size, step) * 3, _draw_unfold)
op("as_strided", lambda lib, x, stride: x.as_strided((2, 2), stride, 1) * 2,
   lambda d, t: ([values(d, (3, 3))], {"stride": d.draw(st.sampled_from([(1, 2), (3, 1), (2, 2), (0, 1)]))}),
   noncontiguous=False)  # (torch's as_strided addresses the storage: a non-contiguous input reads other elements)
op("select_slice_scatter", lambda lib, x: lib.slice_scatter(lib.select_scatter(x, x[0] * 2, 0, 0), x[:, :1] ** 2, 1, 0, 1),
   lambda d, t: ([values(d, d.draw(shapes(min_dims=2, max_dims=3, max_side=3)))], {}))
op("tensor_split", lambda lib, x, how: lib.cat([p * (i + 1) for i, p in enumerate(lib.tensor_split(x, how, 0))], 0),
   lambda d, t: ([values(d, d.draw(shapes(min_dims=1, max_dims=2, max_side=5)))],
                 {"how": d.draw(st.one_of(st.integers(1, 4), st.lists(st.integers(0, 5), max_size=3)))}))
op("rot90", lambda lib, x, k: lib.rot90(x, k, (0, -1)),
   lambda d, t: ([values(d, d.draw(shapes(min_dims=2, max_dims=3, max_side=3)))], {"k": d.draw(st.integers(-4, 4))}))
op("stacks", lambda lib, x, y: lib.hstack([x, y]) + lib.vstack([x, y]).sum() + lib.dstack([x, y]).sum()
   + lib.column_stack([x, y]).sum(), lambda d, t: (lambda shape: ([values(d, shape), values(d, shape)], {}))(
       d.draw(shapes(min_dims=0, max_dims=2, max_side=3))))
op("block_diag", lambda lib, x, y: lib.block_diag(x, y, x.sum()),
   lambda d, t: ([values(d, d.draw(shapes(min_dims=1, max_dims=2, max_side=3))),
                  values(d, d.draw(shapes(min_dims=1, max_dims=2, max_side=3)))], {}))
op("combinations", lambda lib, x, r, rep: lib.combinations(x, r, rep) * 2 + lib.cartesian_prod(x, x).sum(),
   lambda d, t: ([values(d, (d.draw(st.integers(1, 4)),))], {"r": d.draw(st.integers(1, 3)), "rep": d.draw(st.booleans())}))
