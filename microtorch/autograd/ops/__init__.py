"""The primitive ops, one family per module (each op's gradient formula is in its class docstring).

- ``elementwise``: arithmetic, math functions, comparisons, casts (binary ops broadcast)
- ``reduce``: sum, mean, var, prod, max/min, logsumexp, norm, cumulative sums and products, arg-reductions
- ``shape``: reshape, permute, expand, repeat, flip, cat/stack, split, roll, tile, repeat_interleave
- ``views``: the view mechanics (shared memory and version counters, in-place writes through views)
- ``index``: ``x[key]``, ``x[key] = v``, gather, index_select, masked_select, scatter, scatter_reduce, the index_* writes, take, put, masked_scatter
- ``inplace``: ``add_``, ``mul_``, ``copy_``, ``fill_``, ``x += y``, random fills
- ``sort``: sort, argsort, topk; unique, unique_consecutive, searchsorted, bucketize, isin
- ``histogram``: bincount, histc, histogram, histogramdd
- ``linalg``: matmul, outer, addmm, einsum
- ``matrix``: tril/triu, diag, trace (compositions)
- ``decomposition``, ``linalg_spectral``, ``linalg_lu``, ``linalg_norm``: ``torch.linalg``'s solves, inverses, determinants,
  Cholesky, SVD, eigh, eig, QR, pinv, LU and p-norms
- ``fourier``: the discrete Fourier transforms of ``torch.fft`` (complex-to-complex, real-to-complex, complex-to-real)
- ``nn``: softmax, linear, embedding, constant padding
- ``activation``: the activation kernels (relu, tanh, sigmoid, gelu, softplus)
- ``conv``, ``pool``, ``norm``, ``loss``: the layer kernels (im2col + GEMM, windows, the shared normalisation, NLL/BCE)
"""

__all__ = ["activation", "conv", "elementwise", "fourier", "index", "inplace", "linalg", "loss", "matrix", "nn", "norm", "pool",
           "reduce", "shape", "sort", "views", "histogram"]
