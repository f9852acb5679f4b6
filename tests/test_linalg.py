"""torch.linalg beyond the OpInfo samples: result tuples, errors, the Backend's LU, singular inputs, every device."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt


def _pair(array: np.ndarray, device: str = "cpu", requires_grad: bool = False) -> tuple:
    return (torch.tensor(array, requires_grad=requires_grad),
            mt.tensor(array, device=device, requires_grad=requires_grad))


def test_result_tuples_have_torch_field_names():
    a = np.random.default_rng(0).standard_normal((3, 3)) + 3 * np.eye(3)
    t, m = _pair(a)
    for name in ("qr", "svd", "eigh", "eig", "slogdet", "inv_ex", "solve_ex", "cholesky_ex", "lu_factor", "lu_factor_ex",
                 "lu"):
        args = (t @ t.mT,) if name in ("eigh", "cholesky_ex") else (t,)
        margs = (m @ m.mT,) if name in ("eigh", "cholesky_ex") else (m,)
        if name == "solve_ex":
            args, margs = args + (t,), margs + (m,)
        theirs, ours = getattr(torch.linalg, name)(*args), getattr(mt.linalg, name)(*margs)
        assert type(ours).__name__ == type(theirs).__name__.split(".")[-1], name
        assert ours._fields == tuple(f for f in ("Q", "R", "U", "S", "Vh", "eigenvalues", "eigenvectors", "sign",
                                                    "logabsdet", "inverse", "info", "result", "L", "LU", "pivots",
                                                    "P") if hasattr(theirs, f)) or len(ours) == len(theirs), name
        for field in ours._fields:
            assert hasattr(theirs, field), (name, field)
    assert mt.svd(m).V is not None and mt.triangular_solve(m, m).cloned_coefficient is not None


@pytest.mark.parametrize("device", ["cpu", "npx"])
def test_backend_lu_factor_matches_torch_pivots(device):
    rng = np.random.default_rng(1)
    for shape in [(4, 4), (2, 3, 5), (5, 3), (2, 1, 1)]:
        a = rng.standard_normal(shape)
        lu, piv = torch.linalg.lu_factor(torch.tensor(a))
        ours = mt.linalg.lu_factor(mt.tensor(a, device=device))
        np.testing.assert_allclose(ours.LU.cpu().numpy(), lu.numpy(), rtol=1e-10, atol=1e-12)
        assert ours.pivots.dtype == mt.int32
        np.testing.assert_array_equal(ours.pivots.cpu().numpy(), piv.numpy())


def test_singular_matrices_raise_or_report_as_torch():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    t, m = _pair(a)
    with pytest.raises(mt.linalg.LinAlgError, match="singular"):
        mt.linalg.inv(m)
    with pytest.raises(mt.linalg.LinAlgError, match="singular"):
        mt.linalg.solve(m, m)
    assert int(mt.linalg.inv_ex(m).info) == int(torch.linalg.inv_ex(t).info) == 2
    assert int(mt.linalg.lu_factor_ex(m).info) == int(torch.linalg.lu_factor_ex(t).info)
    with pytest.raises(mt.linalg.LinAlgError, match="leading minor of order 2"):
        mt.linalg.cholesky(m)
    assert int(mt.linalg.cholesky_ex(m).info) == int(torch.linalg.cholesky_ex(t).info) == 2
    assert float(mt.linalg.det(m)) == 0.0
    assert float(mt.linalg.cond(m, 1)) == float(torch.linalg.cond(t, 1)) == float("inf")
    assert int(mt.linalg.matrix_rank(m)) == int(torch.linalg.matrix_rank(t)) == 1


@pytest.mark.parametrize("a", [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0000001]]])
def test_det_gradient_at_and_near_singular_matrices_is_torch_s(a):
    t, m = _pair(np.array(a), requires_grad=True)
    torch.linalg.det(t).backward()
    mt.linalg.det(m).backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_norms_match_torch_for_every_order():
    a = np.random.default_rng(2).standard_normal((2, 3, 4))
    t, m = _pair(a, requires_grad=True)
    for ord in ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")]:
        theirs, ours = torch.linalg.matrix_norm(t, ord), mt.linalg.matrix_norm(m, ord)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(mt.norm(m[0], p="nuc").detach().numpy(), torch.norm(t[0], p="nuc").detach().numpy())
    x = mt.tensor([0.0, 1.0, 2.0], requires_grad=True)
    assert mt.norm(x, 0).requires_grad and float(mt.norm(x, 0)) == 2.0


def test_errors_are_torch_exceptions():
    with pytest.raises(RuntimeError, match="square matrices"):
        mt.linalg.inv(mt.ones(2, 3))
    with pytest.raises(RuntimeError, match="floating point"):
        mt.linalg.det(mt.ones(2, 2, dtype=mt.int64))
    with pytest.raises(RuntimeError, match="Order 3 not supported"):
        mt.linalg.matrix_norm(mt.ones(2, 2), 3)
    with pytest.raises(RuntimeError, match="at least 2 tensors"):
        mt.linalg.multi_dot([mt.ones(2)])
    with pytest.raises(RuntimeError, match="mode='r'"):
        mt.linalg.qr(mt.ones(3, 2, requires_grad=True), mode="r").R.sum().backward()
    with pytest.raises(TypeError, match="must be bool"):
        mt.ones(2, 2).qr(object())


@pytest.mark.parametrize("complex_input", [False, True])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
def test_eig_decomposes_and_its_gradient_is_torchs(complex_input, shape):
    """A V = V diag(L) with unit-norm V (exact math: the eigenvectors' signs and phases are LAPACK's and differ
    between LAPACKs, so they are not compared); a loss that depends on them only through |V| has torch's gradient."""
    rng = np.random.default_rng(len(shape))
    a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if complex_input else 0)
    weights = rng.standard_normal(shape)
    grads = []
    for lib in (torch, mt):
        A = lib.tensor(a, requires_grad=True)
        L, V = lib.linalg.eig(A)
        assert L.dtype == lib.complex128 and V.dtype == lib.complex128
        if lib is mt:
            np.testing.assert_allclose((A.detach().to(mt.complex128) @ V).detach().numpy(),
                                       (V * L.unsqueeze(-2)).detach().numpy(), atol=1e-12)
            np.testing.assert_allclose(V.abs().pow(2).sum(-2).detach().numpy(), 1.0, atol=1e-12)
            np.testing.assert_allclose(lib.linalg.eigvals(A).detach().numpy(), L.detach().numpy())
        loss = (V.abs() * lib.tensor(weights)).sum() + (L * L).real.sum() + lib.linalg.eigvals(A).imag.abs().sum()
        loss.backward()
        grads.append(A.grad.resolve_conj().numpy() if lib is torch else A.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-10)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.eig(lib.ones(2, 3)), lambda lib: lib.linalg.eigvals(lib.ones(3)),
    lambda lib: lib.linalg.eig(lib.ones(2, 2).half()), lambda lib: lib.linalg.eig(lib.tensor([[1.0, float("nan")],
                                                                                            [0.0, 1.0]])),
    lambda lib: lib.linalg.eig(lib.zeros(2, 0, 0)).eigenvalues, lambda lib: lib.linalg.eig("A"),
    lambda lib: lib.linalg.eig(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: (lambda A: lib.autograd.grad(lib.linalg.eig(A)[1].real.sum(), A))(  # (depends on the phase)
        lib.tensor([[2.0, 1.0], [-1.0, 2.0]], dtype=lib.float64, requires_grad=True)),
])
def test_eig_edges_and_errors_as_torch(call):
    from helpers import assert_like_torch

    assert_like_torch(call, same_message=False)


def test_eig_without_a_general_eigensolver_says_so(monkeypatch):
    """A backend whose xp.linalg has no eig (CuPy's linalg in many versions) refuses by name, not AttributeError."""
    from microtorch._unsupported import UnsupportedError

    monkeypatch.delattr(np.linalg, "eig")
    with pytest.raises(UnsupportedError, match="no general eigensolver"):
        mt.linalg.eig(mt.eye(2))


# ---- svd_lowrank, pca_lowrank (randomized: compared by exact math, and with torch where the answer is unique) ----
def _low_rank(shape, rank, seed=0):
    """A (..., m, n) float64 matrix of exactly ``rank`` with well separated singular values."""
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    left, right = rng.standard_normal((*batch, m, rank)), rng.standard_normal((*batch, rank, n))
    return left @ (np.arange(rank, 0, -1)[:, None] * 3.0 * right)


@pytest.mark.parametrize("shape, rank, q", [((8, 5), 3, 4), ((5, 9), 2, 6), ((2, 3, 7, 6), 3, 3), ((6, 6), 6, 6)])
def test_svd_lowrank_recovers_a_low_rank_matrix(shape, rank, q):
    """U diag(S) V^H = A; S are A's largest singular values; U and V have orthonormal columns."""
    A = _low_rank(shape, rank)
    U, S, V = mt.svd_lowrank(mt.tensor(A), q=q)
    m, n = shape[-2:]
    k = min(q, m, n)  # (QR's reduced factor of the wide sketch: torch's shapes too)
    assert (tuple(U.shape), tuple(S.shape), tuple(V.shape)) == (shape[:-2] + (m, k), shape[:-2] + (k,),
                                                                shape[:-2] + (n, k))
    assert [tuple(t.shape) for t in torch.svd_lowrank(torch.tensor(A), q=q)] == [tuple(t.shape) for t in (U, S, V)]
    u, s, v = U.numpy(), S.numpy(), V.numpy()
    np.testing.assert_allclose((u * s[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)), A, atol=1e-9)
    np.testing.assert_allclose(s, np.linalg.svd(A, compute_uv=False)[..., :k], atol=1e-9)
    for w in (u[..., :, :rank], v[..., :, :rank]):
        np.testing.assert_allclose(np.conj(np.swapaxes(w, -1, -2)) @ w, np.broadcast_to(np.eye(rank), w.shape[:-2] + (rank, rank)), atol=1e-10)


def test_svd_lowrank_of_a_difference_and_pca_as_torch():
    """``M`` is subtracted (broadcast); pca_lowrank centres the columns: singular values equal torch's."""
    A = _low_rank((9, 6), 3, seed=1)
    M = np.random.default_rng(2).standard_normal(6)
    ours = mt.svd_lowrank(mt.tensor(A + M), q=3, M=mt.tensor(M))[1]
    np.testing.assert_allclose(ours.numpy(), torch.svd_lowrank(torch.tensor(A + M), q=3, M=torch.tensor(M))[1].numpy(),
                               rtol=1e-10)
    for kwargs in ({}, {"q": 3}, {"center": False, "q": 4}, {"niter": 0, "q": 5}):
        got = mt.pca_lowrank(mt.tensor(A), **kwargs)
        want = torch.pca_lowrank(torch.tensor(A), **kwargs)
        assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in want]
        np.testing.assert_allclose(got[1].numpy()[:3], want[1].numpy()[:3], rtol=1e-9)


@pytest.mark.parametrize("shape", [(7, 4), (4, 7)])
def test_svd_lowrank_gradients_are_torchs(shape):
    """With q = rank the span found is A's own, so the gradient of a loss through S and U diag(S) V^H is unique."""
    A = _low_rank(shape, 3, seed=3)
    weights = np.random.default_rng(4).standard_normal(shape)
    grads = []
    for lib in (mt, torch):
        a = lib.tensor(A, requires_grad=True)
        U, S, V = lib.svd_lowrank(a, q=3)
        loss = (S * lib.tensor([1.0, -2.0, 0.5])).sum() + ((U * S) @ V.mT * lib.tensor(weights)).sum()
        loss.backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-7, atol=1e-9)


def test_svd_lowrank_draws_from_the_global_generator():
    A = np.random.default_rng(5).standard_normal((10, 8))  # full rank: the answer depends on the sketch
    mt.manual_seed(7)
    first = mt.svd_lowrank(mt.tensor(A), q=3, niter=0)[1].numpy()
    mt.manual_seed(7)
    np.testing.assert_array_equal(mt.svd_lowrank(mt.tensor(A), q=3, niter=0)[1].numpy(), first)
    assert not np.array_equal(mt.svd_lowrank(mt.tensor(A), q=3, niter=0)[1].numpy(), first)


@pytest.mark.parametrize("call", [
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), q=4),
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), q=-1),
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), niter=-1),
])
def test_lowrank_errors_as_torch(call):
    errors = []
    for lib in (torch, mt):
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_lowrank_and_qr_of_complex_input_say_they_are_unsupported():
    """microtorch's qr and svd are real-only (torch's take complex): a named UnsupportedError, not a wrong answer."""
    from microtorch._unsupported import UnsupportedError

    for call in (lambda: mt.svd_lowrank(mt.ones(4, 3, dtype=mt.complex128)), lambda: mt.linalg.qr(mt.ones(2, 2, dtype=mt.complex64))):
        with pytest.raises(UnsupportedError, match="linalg.qr: complex inputs are not supported by microtorch"):
            call()


def test_lowrank_of_no_matrix_says_so():
    with pytest.raises(TypeError, match="svd_lowrank\\(\\): argument 'A' must be a Tensor, not list"):
        mt.svd_lowrank([[1.0, 2.0]])
    with pytest.raises(RuntimeError, match="expected a matrix or a batch of matrices, got a 1-D tensor"):
        mt.pca_lowrank(mt.ones(3))
