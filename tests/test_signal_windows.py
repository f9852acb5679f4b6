"""``signal.windows`` and the ``torch.*_window`` factories against torch's: values, dtypes, lengths 0-9, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt

LENGTHS = [0, 1, 2, 3, 8, 9]
WINDOWS = {  # name: keyword choices beyond sym
    "bartlett": [{}], "blackman": [{}], "cosine": [{}], "hamming": [{}], "hann": [{}], "nuttall": [{}],
    "gaussian": [{}, {"std": 0.4}], "kaiser": [{}, {"beta": 0.0}, {"beta": 3.5}],
    "exponential": [{}, {"tau": 0.3}], "general_hamming": [{"alpha": 0.7}],
    "general_cosine": [{"a": [0.4, 0.3, 0.2]}, {"a": (1.0,)}],
}


def _same(ours: mt.Tensor, theirs: torch.Tensor) -> None:
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_windows_match_torch(name: str, dtype: str) -> None:
    for M in LENGTHS:
        for sym in (True, False):
            for kw in WINDOWS[name]:
                ours = getattr(mt.signal.windows, name)(M, sym=sym, dtype=getattr(mt, dtype), **kw)
                _same(ours, getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype), **kw))


def test_exponential_center_and_default_dtype() -> None:
    _same(mt.signal.windows.exponential(7, sym=False, center=1.5), torch.signal.windows.exponential(7, sym=False, center=1.5))
    assert mt.signal.windows.hann(4).dtype == mt.get_default_dtype()


@pytest.mark.parametrize("name", ["hann", "hamming", "blackman", "bartlett", "kaiser"])
def test_torch_window_factories(name: str) -> None:
    for M in LENGTHS:
        for periodic in (True, False):
            _same(getattr(mt, f"{name}_window")(M, periodic, dtype=mt.float64),
                  getattr(torch, f"{name}_window")(M, periodic, dtype=torch.float64))


def test_window_factories_positional_parameters() -> None:
    _same(mt.hamming_window(6, False, 0.6, 0.3), torch.hamming_window(6, False, 0.6, 0.3))
    _same(mt.kaiser_window(6, True, 4.0), torch.kaiser_window(6, True, 4.0))


@pytest.mark.parametrize("call", [
    lambda lib: lib.signal.windows.hann(-1),
    lambda lib: lib.signal.windows.hann(4, dtype=lib.int64),
    lambda lib: lib.signal.windows.exponential(4, tau=0.0),
    lambda lib: lib.signal.windows.exponential(4, center=1.0),
    lambda lib: lib.signal.windows.gaussian(4, std=-1.0),
    lambda lib: lib.signal.windows.kaiser(4, beta=-1.0),
    lambda lib: lib.signal.windows.general_cosine(4, a=[]),
    lambda lib: lib.signal.windows.general_cosine(4, a=3),
])
def test_window_errors_match_torch(call) -> None:
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value), match=str(theirs.value)[:30].replace("(", r"\(").replace(")", r"\)")):
        call(mt)
