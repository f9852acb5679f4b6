"""The primitive ops, one family per module (each op's gradient formula is in its class docstring).

- ``elementwise``: arithmetic, math functions, comparisons, casts (binary ops broadcast)
- ``reduce``: sum, mean, var, prod, max/min, logsumexp, norm, cumulative sums and products, arg-reductions
- ``shape``: reshape, permute, expand, repeat, flip, cat/stack, split, roll, tile, repeat_interleave
- ``views``: the view mechanics (shared memory and version counters, in-place writes through views)
- ``index``: ``x[key]``, ``x[key] = v``, gather, index_select, masked_select, scatter
- ``inplace``: ``add_``, ``mul_``, ``copy_``, ``fill_``, ``x += y``, random fills
- ``sort``: sort, argsort, topk
- ``linalg``: matmul, outer, addmm, einsum
- ``matrix``: tril/triu, diag, trace (compositions)
- ``decomposition``, ``linalg_spectral``, ``linalg_lu``, ``linalg_norm``: ``torch.linalg``'s solves, inverses, determinants,
  Cholesky, SVD, eigh, QR, pinv, LU and p-norms
- ``nn``: softmax, linear, embedding, the activations with a kernel of their own
- ``conv``, ``pool``, ``norm``, ``loss``: the layer kernels (im2col + GEMM, windows, the shared normalisation, NLL/BCE)
"""

__all__ = ["conv", "elementwise", "index", "inplace", "linalg", "loss", "matrix", "nn", "norm", "pool", "reduce",
           "shape", "sort", "views"]
