"""Op-table entries of ``torch.linalg`` and torch's matrix functions (loaded by ``op_table``): the primitive ops
and the composites with formulas of their own (the rest, e.g. multi_dot or cond, are products of these, and
torch's OpInfo samples check them in tests/test_opinfo.py).

Draws are small (matrices of 1 to 3 rows, at most one batch dim of 2) and well-conditioned: diagonally dominant
for solves and inverses, M M^T + n I for Cholesky, spread-out eigen- and singular values for the spectral ops
(whose vectors enter only through sign-invariant squares: LAPACK builds may choose different signs).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from op_table import op, values


def _batch_and_size(data, max_n: int = 3) -> tuple:
    batch = data.draw(st.sampled_from([(), (2,)]))
    return batch, data.draw(st.integers(1, max_n))


def dominant(data, dtype, rhs: bool = False):
    """A diagonally dominant square batch (and a right-hand side): far from singular."""
    batch, n = _batch_and_size(data)
    a = values(data, batch + (n, n), -1.0, 1.0) + np.eye(n) * (n + 1.0)
    if not rhs:
        return [a], {}
    return [a, values(data, batch + (n, data.draw(st.integers(1, 2))), -2.0, 2.0)], {}


def spd(data, dtype, rhs: bool = False):
    """M M^T + n I, symmetric positive-definite (and a right-hand side)."""
    batch, n = _batch_and_size(data)
    m = values(data, batch + (n, n), -1.0, 1.0)
    a = m @ np.swapaxes(m, -1, -2) + np.eye(n) * n
    if not rhs:
        return [a], {}
    return [a, values(data, batch + (n, 2), -2.0, 2.0)], {}


def spread(data, dtype, square: bool = False, symmetric: bool = False):
    """A (batch of) matrices near diag(1, 2, 3, ...): singular values (or eigenvalues) at least ~0.7 apart."""
    batch, m = _batch_and_size(data)
    n = m if square or symmetric else data.draw(st.integers(1, 3))
    noise = values(data, batch + (m, n), -0.15, 0.15)
    if symmetric:
        noise = noise + np.swapaxes(noise, -1, -2)
    return [noise + _diag(m, n)], {}


def _diag(m: int, n: int) -> np.ndarray:
    out = np.zeros((m, n))
    k = min(m, n)
    out[np.arange(k), np.arange(k)] = np.arange(1.0, k + 1)
    return out


def _squares(lib, *tensors):
    """The tensors' squares, flattened and joined: invariant to the signs of singular and eigen vectors."""
    return lib.cat([(t * t).reshape(-1) for t in tensors])


op("linalg.inv", lambda lib, a: lib.linalg.inv(a), dominant)
op("linalg.solve", lambda lib, a, b: lib.linalg.solve(a, b), lambda d, t: dominant(d, t, rhs=True))
op("linalg.det", lambda lib, a: lib.linalg.det(a), dominant)
op("logdet", lambda lib, a: lib.logdet(a), dominant)
op("linalg.cholesky", lambda lib, a: lib.linalg.cholesky(a), spd)
op("cholesky_solve", lambda lib, a, b: lib.cholesky_solve(b, lib.linalg.cholesky(a)), lambda d, t: spd(d, t, rhs=True))
op("triangular_solve", lambda lib, a, b: lib.triangular_solve(b, a, upper=False).solution,
   lambda d, t: dominant(d, t, rhs=True))
op("linalg.matrix_power", lambda lib, a, n: lib.linalg.matrix_power(a, n),
   lambda d, t: (dominant(d, t)[0], {"n": d.draw(st.integers(-2, 3))}))
op("linalg.matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a),
   lambda d, t: ([values(d, _batch_and_size(d)[0] + (2, 2), -1.5, 1.5)], {}))
op("linalg.vector_norm", lambda lib, x, p: lib.linalg.vector_norm(x, p, dim=-1),
   lambda d, t: ([values(d, (2, 3), 0.2, 2.0) * np.sign(values(d, (2, 3), -1, 1) + 1e-3)],
                 {"p": d.draw(st.sampled_from([0.5, 1.5, 3.0]))}))
op("linalg.matrix_norm", lambda lib, a, ord: lib.linalg.matrix_norm(a, ord),
   lambda d, t: ([spread(d, t)[0][0]], {"ord": d.draw(st.sampled_from(["fro", "nuc", 2, -2]))}))
op("linalg.qr", lambda lib, a: _squares(lib, *lib.linalg.qr(a)), lambda d, t: spread(d, t))
op("linalg.svd", lambda lib, a: _squares(lib, *lib.linalg.svd(a, full_matrices=False)), lambda d, t: spread(d, t),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("linalg.svdvals", lambda lib, a: lib.linalg.svdvals(a), lambda d, t: spread(d, t))
op("linalg.eigh", lambda lib, a: _squares(lib, *lib.linalg.eigh(a)), lambda d, t: spread(d, t, symmetric=True),
   rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("linalg.eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a), lambda d, t: spread(d, t, symmetric=True))
op("linalg.pinv", lambda lib, a: lib.linalg.pinv(a), lambda d, t: spread(d, t), rtol={"float32": 1e-3})
op("linalg.lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
   lambda d, t: ([_diag(3, 2) + values(d, (3, 2), -0.15, 0.15), values(d, (3, 2))], {}), rtol={"float32": 1e-3})
op("linalg.lu_factor", lambda lib, a: lib.linalg.lu_factor(a).LU, dominant)
op("linalg.lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b), lambda d, t: dominant(d, t, rhs=True))
