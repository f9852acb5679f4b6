"""``torch.linalg``: solves, inverses, determinants, norms and decompositions, batched, with torch's gradients.

The primitive ops (forward on the backend's ``xp.linalg`` and its ``lu_factor``, backward in Tensor ops, so
second derivatives come free) are in ``autograd/ops/decomposition.py``, ``linalg_spectral.py`` and
``linalg_norm.py``; this package holds the functions with torch's signatures and checks. Complex results
(``eig``, ``eigvals``) are not available: microtorch has no complex dtype.
"""
from __future__ import annotations

from ._common import LinAlgError
from ._cross import cross
from ._householder import householder_product
from ._lu import lu, lu_factor, lu_factor_ex, lu_solve
from ._norms import cond, matrix_norm, matrix_rank, norm, vector_norm
from ._solve import (cholesky, cholesky_ex, det, diagonal, inv, inv_ex, matrix_exp, matrix_power, multi_dot,
                     slogdet, solve, solve_ex, solve_triangular, tensorinv, tensorsolve, vander, vecdot)
from ._spectral import eig, eigh, eigvals, eigvalsh, lstsq, pinv, qr, svd, svdvals
from .._functions import matmul  # (torch.linalg.matmul is torch.matmul)

__all__ = ["LinAlgError", "matmul", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex",
           "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander",
           "vecdot", "vector_norm"]
