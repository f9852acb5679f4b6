"""Discrete Fourier transforms over chosen dims: complex-to-complex, real-to-complex (one-sided), complex-to-real.

Forward runs the backend's ``xp.fft`` (NumPy's pocketfft keeps float32 as float32); the public functions of
``microtorch.fft`` resize inputs and compose these three (``hfft`` is a complex-to-real transform of the
conjugate, ``ihfft`` the conjugate of a real-to-complex one).

``norm`` scales a forward transform by 1 ("backward"), 1/sqrt(N) ("ortho") or 1/N ("forward"), and an inverse
one by 1/N, 1/sqrt(N), 1. Each transform is linear, so its gradient is its adjoint applied to g: the opposite
direction with the same scale, i.e. with "backward" and "forward" swapped (``ADJOINT_NORM``).
"""
from __future__ import annotations

from ..function import Op
from ..._tensor import Tensor
from .complex import real
from .nn import ConstantPad

#: the norm of the adjoint transform: the same scale on the opposite direction
ADJOINT_NORM = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


class FFT(Op):
    """Complex-to-complex (inverse: the conjugate kernel); grad: the transform in the other direction of g,
    with the adjoint norm."""

    supports_complex = True

    def forward(ctx, z, dims, norm, inverse):
        return (ctx.xp.fft.ifftn if inverse else ctx.xp.fft.fftn)(z, axes=dims, norm=norm)

    def backward(ctx, grad):
        p = ctx.params
        return FFT.apply(grad, dims=p["dims"], norm=ADJOINT_NORM[p["norm"]], inverse=not p["inverse"])


class RFFT(Op):
    """Real-to-complex, keeping the last dim's first n//2+1 frequencies; grad: Re(adjoint of the full complex
    transform applied to g padded with zeros to n)."""

    def forward(ctx, x, dims, norm):
        ctx.n = x.shape[dims[-1]]
        return ctx.xp.fft.rfftn(x, axes=dims, norm=norm)

    def backward(ctx, grad):
        dims, norm = ctx.params["dims"], ctx.params["norm"]
        pads = [(0, 0)] * grad.ndim
        pads[dims[-1]] = (0, ctx.n - grad.shape[dims[-1]])
        full = ConstantPad.apply(grad, pads=tuple(pads), value=0)
        return real(FFT.apply(full, dims=dims, norm=ADJOINT_NORM[norm], inverse=True))


class IRFFT(Op):
    """Complex-to-real: the inverse transform of the Hermitian signal whose last dim's first half is given,
    ``n`` points long on that dim; grad: the one-sided forward transform of g (adjoint norm), its entries that
    stand for two conjugate frequencies doubled (torch's fft_c2r_backward)."""

    supports_complex = True

    def forward(ctx, z, dims, norm, n):
        sizes = [z.shape[d] for d in dims[:-1]] + [n]
        return ctx.xp.fft.irfftn(z, s=sizes, axes=dims, norm=norm)

    def backward(ctx, grad):
        dims, norm, n = ctx.params["dims"], ctx.params["norm"], ctx.params["n"]
        half = RFFT.apply(grad, dims=dims, norm=ADJOINT_NORM[norm])
        weights = ctx.xp.ones(n // 2 + 1, dtype=half._data.real.dtype)
        weights[1:n - n // 2] = 2  # (all but the zero frequency and, for even n, the Nyquist one)
        shape = [1] * half.ndim
        shape[dims[-1]] = n // 2 + 1
        return half * Tensor._make(weights.reshape(shape), ctx.device)
