"""``stft`` / ``istft`` against torch's: the round trip, the old real layout, the Tensor methods, torch's warnings and
its errors (the checks, worded by microtorch where torch prints its C++ argument dump). Values and gradients over
drawn framings are the op table's (``op_table_fft.py``: ``stft``, ``istft``); op_db's ``stft`` samples run in
``test_opinfo.py``."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import microtorch
from helpers import assert_close, assert_like_torch


def _signal(lib, n=64, batch=()):
    return lib.tensor(np.sin(np.arange(np.prod(batch, dtype=int) * n) * 0.3).reshape(*batch, n))


def test_istft_gives_the_signal_back():
    """Exact math: a Hann window at hop n_fft / 4 overlap-adds to a constant, so istft(stft(x)) is x."""
    x = microtorch.randn(2, 100, dtype=microtorch.float64)
    window = microtorch.hann_window(16, dtype=microtorch.float64)
    spectrum = microtorch.stft(x, 16, window=window, return_complex=True)
    np.testing.assert_allclose(microtorch.istft(spectrum, 16, window=window, length=100).numpy(), x.numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib: lib.stft(_signal(lib), 16, window=lib.hann_window(16, dtype=lib.float64), return_complex=False),
    lambda lib: _signal(lib, batch=(2,)).stft(8, hop_length=3, window=lib.ones(8, dtype=lib.float64),
                                              return_complex=True).abs(),
    lambda lib: lib.stft(_signal(lib), 8, window=lib.ones(8, dtype=lib.float64), return_complex=True).istft(
        8, window=lib.ones(8, dtype=lib.float64), length=70),
])
def test_layouts_and_methods_equal_torchs(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (return_complex=False and the padded tail warn: tested below)
        expected, got = call(torch), call(microtorch)
    assert_close(got, expected, 1e-10, 1e-10, "stft")


@pytest.mark.parametrize("call, message", [
    (lambda lib: lib.stft(_signal(lib), 8, return_complex=True), "A window was not provided"),
    (lambda lib: lib.stft(_signal(lib), 8, window=lib.ones(8, dtype=lib.float64), return_complex=False),
     "stft with return_complex=False is deprecated"),
    (lambda lib: lib.istft(lib.stft(_signal(lib), 8, window=lib.ones(8, dtype=lib.float64), return_complex=True), 8,
                           window=lib.ones(8, dtype=lib.float64), length=90), "The length of signal is shorter"),
])
def test_warnings_as_torchs_once_per_process(call, message, monkeypatch):
    """torch's TORCH_WARN_ONCE: the first call warns, later ones do not (microtorch's record is reset here; torch's
    cannot be, so its side is not asserted)."""
    monkeypatch.setattr(microtorch._warn_once, "given", set())
    with pytest.warns(UserWarning, match=message):
        call(microtorch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(microtorch)


BAD_CALLS = {
    "no return_complex for a real signal": lambda lib: lib.stft(_signal(lib), 8, window=lib.ones(8)),
    "align_to_window with center": lambda lib: lib.stft(_signal(lib), 8, return_complex=True, align_to_window=True),
    "an integer signal": lambda lib: lib.stft(lib.arange(64), 8, window=lib.ones(8), return_complex=True),
    "a 3-D signal": lambda lib: lib.stft(lib.ones(2, 2, 64), 8, window=lib.ones(8), return_complex=True),
    "n_fft longer than the signal": lambda lib: lib.stft(lib.ones(6), 8, center=False, window=lib.ones(8),
                                                         return_complex=True),
    "n_fft 0": lambda lib: lib.stft(lib.ones(6), 0, center=False, window=lib.ones(8), return_complex=True),
    "hop 0": lambda lib: lib.stft(lib.ones(64), 8, hop_length=0, window=lib.ones(8), return_complex=True),
    "win_length over n_fft": lambda lib: lib.stft(lib.ones(64), 8, win_length=9, window=lib.ones(9),
                                                  return_complex=True),
    "window of the wrong length": lambda lib: lib.stft(lib.ones(64), 8, window=lib.ones(7), return_complex=True),
    "a 2-D window": lambda lib: lib.stft(lib.ones(64), 8, window=lib.ones(2, 4), return_complex=True),
    "onesided for a complex signal": lambda lib: lib.stft(lib.ones(64, dtype=lib.complex64), 8, window=lib.ones(8),
                                                          onesided=True, return_complex=True),
    "float n_fft": lambda lib: lib.stft(lib.ones(64), 8.0, window=lib.ones(8), return_complex=True),
    "reflect padding beyond the signal": lambda lib: lib.stft(lib.ones(3), 8, window=lib.ones(8), return_complex=True),
    "istft of a real tensor": lambda lib: lib.istft(lib.ones(5, 4), 8),
    "istft frequencies not n_fft / 2 + 1": lambda lib: lib.istft(lib.ones(6, 4, dtype=lib.complex64), 8,
                                                                 onesided=True, window=lib.ones(8)),
    "istft frequencies not n_fft": lambda lib: lib.istft(lib.ones(5, 4, dtype=lib.complex64), 8, onesided=False,
                                                         window=lib.ones(8)),
    "istft hop over win_length": lambda lib: lib.istft(lib.ones(5, 4, dtype=lib.complex64), 8, hop_length=9,
                                                       window=lib.ones(8)),
    "istft onesided and complex output": lambda lib: lib.istft(lib.ones(5, 4, dtype=lib.complex64), 8,
                                                               window=lib.ones(8), return_complex=True),
    "istft window envelope vanishing": lambda lib: lib.istft(lib.ones(5, 4, dtype=lib.complex64), 8,
                                                             window=lib.zeros(8)),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_arguments_raise_as_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_like_torch(BAD_CALLS[case], same_message=False)  # (torch's messages print its C++ argument dump)


def test_bad_inputs_torch_fails_on_internally_get_clear_errors():
    """torch raises AttributeError for a list signal and IndexError for a 1-D spectrum; microtorch names them."""
    with pytest.raises(TypeError, match="argument 'input' .* must be Tensor, not list"):
        microtorch.stft([1.0, 2.0], 8)
    with pytest.raises(RuntimeError, match="istft: expected a tensor with 2 or 3 dimensions"):
        microtorch.istft(microtorch.ones(5, dtype=microtorch.complex64), 8)


def test_warn_always_repeats_the_warnings_as_torchs():
    """torch's TORCH_WARN_ONCE warns on every call under set_warn_always(True); so does microtorch."""
    for lib in (torch, microtorch):
        lib.set_warn_always(True)
        try:
            for _ in range(2):
                with pytest.warns(UserWarning, match="A window was not provided"):
                    lib.stft(_signal(lib), 8, return_complex=True)
        finally:
            lib.set_warn_always(False)
