"""``microtorch.fft`` against ``torch.fft``: values and dtypes for every transform over input dtypes, sizes and
norms; torch's errors for bad arguments; ``out=``; the frequencies and shifts. Gradients and second derivatives
are the op table's (``op_table_fft.py``), and op_db's ``fft.*`` samples run in ``test_opinfo.py``."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch
from helpers import assert_close, assert_like_torch

TRANSFORMS = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2",
              "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]
REAL_INPUT = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}
ONE_DIM = {"fft", "ifft", "rfft", "irfft", "hfft", "ihfft"}
TOLERANCE = {"float32": (1e-4, 1e-4), "float64": (1e-10, 1e-10)}


def _both(array: np.ndarray) -> tuple:
    return torch.tensor(array), microtorch.tensor(array)


def _arguments(name: str) -> list:
    """Keyword forms of each transform: defaults, sizes that pad and crop, chosen dims, each norm."""
    if name in ONE_DIM:
        forms = [{}, {"n": 3}, {"n": 9, "dim": 0}, {"dim": -2, "norm": "ortho"}, {"n": 6, "norm": "forward"}]
    else:
        forms = [{}, {"s": (3, 7)}, {"dim": (0, 2), "norm": "ortho"}, {"s": (5, -1), "dim": (2, 1)},
                 {"norm": "forward"}]
        if name.endswith("n"):
            forms += [{"s": (2, 3, 4)}, {"dim": (1,)}, {"s": (4,), "norm": "backward"}]
    return forms


@pytest.mark.parametrize("name", TRANSFORMS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128", "int64", "bool"])
def test_transforms_give_torchs_values_and_dtypes(name, dtype):
    if name in REAL_INPUT and dtype.startswith("complex"):
        pytest.skip("a real-input transform (its refusal is tested below)")
    rng = np.random.default_rng(len(name))
    array = rng.standard_normal((4, 5, 6)) * 3
    if dtype.startswith("complex"):
        array = array + 1j * rng.standard_normal((4, 5, 6))
    ours, theirs = microtorch.tensor(array).to(getattr(microtorch, dtype)), torch.tensor(array).to(getattr(torch, dtype))
    rtol, atol = TOLERANCE["float64" if dtype in ("float64", "complex128") else "float32"]
    for kwargs in _arguments(name):
        expected = getattr(torch.fft, name)(theirs, **kwargs)
        got = getattr(microtorch.fft, name)(ours, **kwargs)
        assert_close(got, expected, rtol, atol * max(1.0, float(expected.abs().max())), f"{name}({dtype}, {kwargs})")


@pytest.mark.parametrize("name", ["rfft", "rfftn", "hfft", "hfftn"])
@pytest.mark.parametrize("n", [1, 2, 7, 8])
def test_inverse_transforms_give_back_the_signal(name, n):
    """Exact math: irfft(rfft(x), n) and ihfft(hfft(z)) are the identity on real x (any n, odd or even) and on a
    Hermitian half-spectrum z."""
    x = microtorch.randn(3, n, dtype=microtorch.float64)
    if name.startswith("r"):
        inverse = getattr(microtorch.fft, "i" + name)
        back = inverse(getattr(microtorch.fft, name)(x), **({"n": n} if name == "rfft" else {"s": (3, n)}))
        np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)
    else:  # z = ihfft(x) is a Hermitian half-spectrum: hfft(z, n) gives x back
        half = microtorch.fft.ihfft(x) if name == "hfft" else microtorch.fft.ihfftn(x)
        back = microtorch.fft.hfft(half, n) if name == "hfft" else microtorch.fft.hfftn(half, s=(3, n))
        np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)


BAD_CALLS = {
    "half input": lambda lib: lib.fft.fft(lib.ones(4).half()),
    "bfloat16 input": lambda lib: lib.fft.rfft(lib.ones(4).bfloat16()),
    "complex to rfft": lambda lib: lib.fft.rfft(lib.ones(4, dtype=lib.complex64)),
    "complex to rfftn": lambda lib: lib.fft.rfftn(lib.ones(4, 4, dtype=lib.complex128)),
    "complex to rfft2": lambda lib: lib.fft.rfft2(lib.ones(4, 4, dtype=lib.complex64)),
    "complex to ihfft": lambda lib: lib.fft.ihfft(lib.ones(4, dtype=lib.complex64)),
    "complex to ihfft2": lambda lib: lib.fft.ihfft2(lib.ones(4, 4, dtype=lib.complex64)),
    "complex to ihfftn": lambda lib: lib.fft.ihfftn(lib.ones(4, 4, dtype=lib.complex64)),
    "n = 0": lambda lib: lib.fft.fft(lib.ones(4), n=0),
    "n < 0": lambda lib: lib.fft.ifft(lib.ones(4), n=-2),
    "empty dim": lambda lib: lib.fft.fft(lib.ones(0)),
    "irfft of one frequency": lambda lib: lib.fft.irfft(lib.ones(1, dtype=lib.complex64)),
    "irfft2 to 0 points": lambda lib: lib.fft.irfft2(lib.ones(3, 3, dtype=lib.complex64), s=(0, 4)),
    "float n": lambda lib: lib.fft.fft(lib.ones(4), n=2.5),
    "float dim": lambda lib: lib.fft.fft(lib.ones(4), dim=1.0),
    "dim out of range": lambda lib: lib.fft.fft(lib.ones(4, 5), dim=2),
    "0-d input": lambda lib: lib.fft.fft(lib.tensor(3.0)),
    "fft2 of 1-d": lambda lib: lib.fft.fft2(lib.ones(3)),
    "s and dim lengths": lambda lib: lib.fft.fftn(lib.ones(4, 5), s=(3,), dim=(0, 1)),
    "s longer than ndim": lambda lib: lib.fft.fftn(lib.ones(4, 5), s=(2, 3, 4)),
    "s of floats": lambda lib: lib.fft.fftn(lib.ones(4, 5), s=[2.0]),
    "s with a later float": lambda lib: lib.fft.fftn(lib.ones(4, 5), s=(2, 1.5)),
    "dim with a later None": lambda lib: lib.fft.ifftn(lib.ones(4, 5), dim=[0, None]),
    "dim led by a bool": lambda lib: lib.fft.fftn(lib.ones(4, 5), dim=(True, 0)),
    "dim a string": lambda lib: lib.fft.fftn(lib.ones(4, 5), dim="a"),
    "repeated dims": lambda lib: lib.fft.fftn(lib.ones(4, 5), dim=(0, 0)),
    "no dims to rfftn": lambda lib: lib.fft.rfftn(lib.ones(4, 5), dim=()),
    "no dims to irfftn": lambda lib: lib.fft.irfftn(lib.ones(4, 5), dim=()),
    "no dims to hfftn": lambda lib: lib.fft.hfftn(lib.ones(4, 5), dim=()),
    "no dims to ihfftn": lambda lib: lib.fft.ihfftn(lib.ones(4, 5), dim=()),
    "unknown norm": lambda lib: lib.fft.fft(lib.ones(4), norm="xyz"),
    "norm not a string": lambda lib: lib.fft.hfft(lib.ones(4), norm=3),
    "not a tensor": lambda lib: lib.fft.fft("a"),
    "real out": lambda lib: lib.fft.fft(lib.ones(4), out=lib.empty(4)),
    "shift of a number": lambda lib: lib.fft.fftshift(3),
    "shift by a float dim": lambda lib: lib.fft.fftshift(lib.ones(4), dim=1.5),
    "shift dim out of range": lambda lib: lib.fft.ifftshift(lib.ones(4, 5), dim=5),
    "shift of 0-d": lambda lib: lib.fft.fftshift(lib.tensor(3.0)),
    "fftfreq of a float": lambda lib: lib.fft.fftfreq(2.5),
    "fftfreq of -1": lambda lib: lib.fft.fftfreq(-1),
    "rfftfreq of -4": lambda lib: lib.fft.rfftfreq(-4),
    "fftfreq in int64": lambda lib: lib.fft.fftfreq(5, dtype=lib.int64),
    "rfftfreq in complex": lambda lib: lib.fft.rfftfreq(5, dtype=lib.complex64),
    "fftfreq spacing a string": lambda lib: lib.fft.fftfreq(5, "a"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_arguments_raise_torchs_errors(case):
    assert_like_torch(BAD_CALLS[case])


@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fftn(lib.tensor(3.0)),  # 0-d: no dims, a complex copy
    lambda lib: lib.fft.fftn(lib.ones(2, 3), dim=()),
    lambda lib: lib.fft.fftn(lib.ones(2, 3), dim=(lib.tensor(1), True)),  # (0-d int tensors; a later bool is 1)
    lambda lib: lib.fft.fftfreq(5), lambda lib: lib.fft.fftfreq(6, 0.25, dtype=lib.float64),
    lambda lib: lib.fft.fftfreq(0), lambda lib: lib.fft.fftfreq(1), lambda lib: lib.fft.fftfreq(4, d=0),
    lambda lib: lib.fft.rfftfreq(7, 2.0), lambda lib: lib.fft.rfftfreq(0), lambda lib: lib.fft.rfftfreq(8, lib.tensor(0.5)),
    lambda lib: lib.fft.rfftfreq(-3), lambda lib: lib.fft.rfftfreq(-1),  # (torch's C++ n/2 + 1 points: 0, then 1)
    lambda lib: lib.fft.fftfreq(4, requires_grad=True).requires_grad,
    lambda lib: lib.fft.fftshift(lib.arange(12).reshape(3, 4)),
    lambda lib: lib.fft.ifftshift(lib.arange(12).reshape(3, 4), dim=0),
    lambda lib: lib.fft.fftshift(lib.arange(15).reshape(3, 5), dim=(1, 0)),
    lambda lib: lib.fft.fftshift(lib.arange(5), dim=(0, 0)),
    lambda lib: lib.fft.fft(lib.arange(4.0), out=lib.empty(0, dtype=lib.complex64)),
])
def test_exact_results_equal_torchs(call):
    assert_like_torch(call)


def test_out_keeps_the_out_tensor_and_casts_into_it():
    out = microtorch.empty(0, dtype=microtorch.complex64)
    x = microtorch.arange(6.0, dtype=microtorch.float64)
    assert microtorch.fft.rfft(x, out=out) is out
    expected = torch.fft.rfft(torch.arange(6.0, dtype=torch.float64)).to(torch.complex64)
    assert_close(out, expected, 1e-6, 1e-6, "rfft out=")


def test_gradient_through_a_spectral_loss_equals_torchs():
    """A training-style use: a loss on the power spectrum of a linear layer's output."""
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((8, 5)), rng.standard_normal((3, 5))
    grads = []
    for lib in (torch, microtorch):
        weight = lib.tensor(w, requires_grad=True)
        signal = lib.tensor(x) @ weight.T
        spectrum = lib.fft.rfft(signal, norm="ortho")
        loss = (spectrum.abs() ** 2).sum() + lib.fft.irfft(spectrum * 2, n=8).pow(2).mean()
        loss.backward()
        grads.append(weight.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-10)
