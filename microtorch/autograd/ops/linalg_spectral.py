"""Spectral decompositions: ``svd``, ``eigh``, ``eig`` (complex), ``qr`` and the pseudo-inverse (``torch.linalg``'s).

Forward runs the backend's ``xp.linalg`` over any batch dims; backward is torch's formula written
with Tensor ops (so second derivatives come from differentiating it again). Degenerate singular values
or eigenvalues make the spectral gradients inf/nan, as in torch.
"""
from __future__ import annotations

from ..function import Op
from .decomposition import Solve, SolveTriangular, _eye, lapack


def _diag_embed(v):
    """The batch of diagonal matrices with ``v`` on their diagonals."""
    return v.unsqueeze(-1) * _eye(v, v.shape[-1])


def _off_diagonal_ratio(x, e):
    """x / e off the diagonal, 0 on it (e's diagonal is 0: the differences of equal positions)."""
    eye = _eye(x, x.shape[-1])
    return x / (e + eye) * (1 - eye)


class Svd(Op):
    """A = U diag(S) V^H; torch's svd_backward: gA = U [(skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS)] V^T
    (E_ij = S_j^2 - S_i^2), plus the parts of gU, gV outside the spans of U, V for non-square A"""

    materialize_grads = False  # without gU and gV, gA = U diag(gS) V^T: no division by E (repeated S are fine)

    def forward(ctx, a, full_matrices: bool):
        u, s, vh = lapack(ctx.xp, "svd", a, full_matrices=full_matrices)
        ctx.k = s.shape[-1]
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        k = ctx.k
        u, vh = u[..., :k], vh[..., :k, :]
        if gu is None and gvh is None:
            return (u * gs.unsqueeze(-2)) @ vh if gs is not None else None
        gu = u * 0 if gu is None else gu[..., :k]
        gvh = vh * 0 if gvh is None else gvh[..., :k, :]
        return svd_backward(u, s, vh, gu, s * 0 if gs is None else gs, gvh)


def svd_backward(u, s, vh, gu, gs, gvh):
    """The gradient of A from those of its reduced SVD (torch's formula; real matrices)."""
    m, n = u.shape[-2], vh.shape[-1]
    v, gv = vh.mT, gvh.mT
    utgu, vtgv = u.mT @ gu, v.mT @ gv
    utgu, vtgv = utgu - utgu.mT, vtgv - vtgv.mT
    s2 = s * s
    inner = _off_diagonal_ratio(utgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vtgv, s2.unsqueeze(-2) - s2.unsqueeze(-1))
    inner = inner + _diag_embed(gs)
    if m > n:
        gu_sinv = gu / s.unsqueeze(-2)
        return (u @ inner + gu_sinv - u @ (u.mT @ gu_sinv)) @ vh
    if m < n:
        gv_sinv = gv / s.unsqueeze(-2)
        return u @ (inner @ vh + gv_sinv.mT - (gv_sinv.mT @ v) @ vh)
    return u @ inner @ vh


class Eigh(Op):
    """A = V diag(L) V^T for symmetric A; torch's gradient: gA = V (diag(gL) + skew(V^T gV) / 2 / E) V^T
    with E_ij = L_j - L_i (not symmetrised: only the triangle UPLO names is read)"""

    materialize_grads = False  # without gV, gA = V diag(gL) V^T: no division by E

    def forward(ctx, a, uplo: str):
        w, v = lapack(ctx.xp, "eigh", a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        if gv is None:
            return (v * gw.unsqueeze(-2)) @ v.mT if gw is not None else None
        gw = w * 0 if gw is None else gw
        vtgv = v.mT @ gv
        inner = _off_diagonal_ratio((vtgv - vtgv.mT) * 0.5, w.unsqueeze(-2) - w.unsqueeze(-1)) + _diag_embed(gw)
        return v @ inner @ v.mT


class Eig(Op):
    """A = V diag(L) V^-1 (complex L and V, unit-norm eigenvectors, LAPACK's geev); torch's gradient (Boeddeker et
    al., eq. 4.77): gA = V^-H (diag(gL) + conj(1 / E) o (V^H gV - V^H V diag(Re diag(V^H gV)))) V^H, E_ij = L_j - L_i
    off the diagonal; its real part for a real A"""

    materialize_grads = False  # without gV, gA = V^-H diag(gL) V^H: no division by E

    def forward(ctx, a):
        xp = ctx.xp
        if not bool(xp.all(xp.isfinite(a))):
            raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
        if not hasattr(xp.linalg, "eig"):  # (CuPy's linalg has only the Hermitian eigh in many versions)
            from ..._unsupported import UnsupportedError

            raise UnsupportedError(f"linalg.eig: the {ctx.device.type} backend's array library has no general "
                                   f"eigensolver (xp.linalg.eig); compute it on the cpu (A.cpu())")
        kind = "complex128" if a.dtype in (xp.float64, xp.complex128) else "complex64"
        if a.shape[-1] == 0:  # (LAPACK has nothing to do; NumPy would answer in a real dtype)
            w, v = xp.zeros(a.shape[:-1], dtype=kind), xp.zeros(a.shape, dtype=kind)
        else:
            w, v = (o.astype(kind, copy=False) for o in lapack(xp, "eig", a))  # (NumPy: real when every L is)
        ctx.real_input = a.dtype.kind != "c"
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        from .complex import imag, real

        w, v = ctx.saved_tensors
        vh = v.mH
        inner = _diag_embed(gw) if gw is not None else v * 0
        if gv is not None:
            vhgv = vh @ gv
            diagonal = vhgv.diagonal(0, -2, -1)
            if not bool((imag(diagonal).abs() <= 1e-2).all()):
                raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                                   "multiplication by e^{i phi}. The specified loss function depends on this "
                                   "quantity, so it is ill-defined.")
            vhgv = vhgv - vh @ (v * real(diagonal).to(v.dtype).unsqueeze(-2))
            inner = inner + _off_diagonal_ratio(vhgv, (w.unsqueeze(-2) - w.unsqueeze(-1)).conj())
        grad = Solve.apply(vh, inner @ vh)
        return real(grad) if ctx.real_input else grad


class Qr(Op):
    """A = Q R; for m >= n: gA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T; for m < n the extra columns Y = Q R2
    give gY = Q gR2 and gQ += Y gR2^T"""

    def forward(ctx, a, mode: str):
        q, r = lapack(ctx.xp, "qr", a, mode="complete" if mode == "complete" else "reduced")
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        return q, r

    def backward(ctx, gq, gr):
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(q, r, gq, gr)
        from .shape import cat

        y, gr1, gr2 = a[..., m:], gr[..., :m], gr[..., m:]
        gx = _qr_backward_tall(q, r[..., :m], gq + y @ gr2.mT, gr1)
        return cat([gx, q @ gr2], -1)


def _qr_backward_tall(q, r, gq, gr):
    """The gradient of A = Q R (reduced, m >= n) from gQ and gR."""
    m = r @ gr.mT - gq.mT @ q
    copyltu = m.tril() + m.tril(-1).mT
    rhs = gq + q @ copyltu
    return SolveTriangular.apply(r, rhs.mT, upper=True).mT


class Pinv(Op):
    """A+ (singular values at or below max(atol, rtol * s_max) dropped); for constant rank,
    gA = -A+^T G A+^T + (I - A A+) G^T A+ A+^T + A+^T A+ G^T (I - A+ A) (Golub and Pereyra)"""

    def forward(ctx, a, atol, rtol, hermitian: bool):
        xp = ctx.xp
        if hermitian:
            w, v = lapack(xp, "eigh", a)
            s = xp.abs(w)
        else:
            u, s, vh = lapack(xp, "svd", a, full_matrices=False)
        top = s.max(axis=-1, keepdims=True) if s.shape[-1] else s[..., :1]
        tol = xp.maximum(xp.asarray(atol, dtype=s.dtype)[..., None], xp.asarray(rtol, dtype=s.dtype)[..., None] * top)
        keep = s > tol
        s_inv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
        if hermitian:
            w_inv = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(a.dtype)
            out = (v * w_inv[..., None, :]) @ xp.swapaxes(v, -1, -2)
        else:
            out = (xp.swapaxes(vh, -1, -2) * s_inv[..., None, :]) @ xp.swapaxes(u, -1, -2)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        pt, gt = p.mT, grad.mT
        out = -(pt @ grad @ pt)
        out = out + (gt @ p @ pt - a @ (p @ (gt @ p @ pt)))
        out = out + (pt @ p @ gt - (pt @ p @ gt) @ p @ a)
        return out, None, None
