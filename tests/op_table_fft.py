"""Op-table entries for ``torch.fft``: real inputs, real outputs (``view_as_real`` of complex results, complex
inputs built with ``complex``), so the property suites compare values, gradients and second derivatives of
every transform kind, each ``norm``, zero-padding and cropping (``n`` / ``s``) and chosen dims with torch's.
"""
from __future__ import annotations

from hypothesis import strategies as st

from op_table import op, shapes, values

_NORMS = st.sampled_from([None, "backward", "ortho", "forward"])
_TOLERANCE = {"atol": {"float32": 1e-4}, "rtol": {"float32": 5e-4}}  # (sums of up to a few hundred float32 terms)


def _as_real(lib, t):
    return lib.view_as_real(t.resolve_conj()) if t.is_complex() else t  # (torch may return a lazy conjugate)


def _through_float32(fn):
    """``fn`` on float16 inputs through float32, cast back: the FFTs refuse half precision (as torch's CPU ones),
    so the float16 no-drift run checks the round trip."""
    def run(lib, *tensors, **params):
        if tensors[0].dtype != lib.float16:
            return fn(lib, *tensors, **params)
        return fn(lib, *(t.float() for t in tensors), **params).to(lib.float16)
    return run


def _draw_one_dim(complex_input: bool, min_side: int = 1):
    """A 1-d transform's inputs (two parts of a complex signal, or one real one) and n, dim, norm."""
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=5))
        inputs = [values(data, shape) for _ in range(2 if complex_input else 1)]
        dim = data.draw(st.integers(-len(shape), len(shape) - 1))
        return inputs, {"n": data.draw(st.none() | st.integers(1, 8)), "dim": dim, "norm": data.draw(_NORMS)}
    return draw


def _draw_many_dims(complex_input: bool, output_length_given: bool = False):
    """An n-d transform's inputs and s, dim, norm: chosen dims in any order (or the last len(s) without dim),
    sizes to pad or crop to (-1 keeps one); ``output_length_given``: s gives the last dim's (complex-to-real)."""
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=4))
        inputs = [values(data, shape) for _ in range(2 if complex_input else 1)]
        count = data.draw(st.integers(1, len(shape)))
        dims = data.draw(st.permutations(range(len(shape))))[:count]
        sizes = [data.draw(st.sampled_from([-1, 1, 2, 3, 5])) for _ in dims]
        if output_length_given:
            sizes[-1] = data.draw(st.integers(1, 7))
        form = data.draw(st.sampled_from(["s", "both"] if output_length_given else ["dim", "s", "both"]))
        params = {"s": None if form == "dim" else tuple(sizes), "dim": None if form == "s" else tuple(dims)}
        if form == "s":  # (without dim, s applies to the last len(s) dims)
            params["s"] = params["s"][-count:]
        return inputs, {**params, "norm": data.draw(_NORMS)}
    return draw


def _c2c(name: str):
    return _through_float32(lambda lib, x, y, **p: _as_real(lib, getattr(lib.fft, name)(lib.complex(x, y), **p)))


def _r2x(name: str):
    return _through_float32(lambda lib, x, **p: _as_real(lib, getattr(lib.fft, name)(x, **p)))


for _name in ("fft", "ifft"):
    op(f"fft.{_name}", _c2c(_name), _draw_one_dim(True), **_TOLERANCE)
    op(f"fft.{_name}_of_real", _r2x(_name), _draw_one_dim(False), **_TOLERANCE)
for _name in ("fftn", "ifftn"):
    op(f"fft.{_name}", _c2c(_name), _draw_many_dims(True), **_TOLERANCE)
for _name in ("rfft", "ihfft"):
    op(f"fft.{_name}", _r2x(_name), _draw_one_dim(False), **_TOLERANCE)
for _name in ("rfftn", "ihfftn"):
    op(f"fft.{_name}", _r2x(_name), _draw_many_dims(False), **_TOLERANCE)
for _name in ("irfft", "hfft"):  # (a last dim of 2 or more: the default output length 2 (m - 1) is then positive)
    op(f"fft.{_name}", _c2c(_name), _draw_one_dim(True, min_side=2), **_TOLERANCE)
for _name in ("irfftn", "hfftn"):
    op(f"fft.{_name}", _c2c(_name), _draw_many_dims(True, output_length_given=True), **_TOLERANCE)
op("fft.fftshift", lambda lib, x, dim: lib.fft.fftshift(x, dim), lambda d, t: (lambda shape: (
    [values(d, shape)], {"dim": d.draw(st.none() | st.integers(-len(shape), len(shape) - 1)
                                       | st.permutations(range(len(shape))).map(tuple))}))(d.draw(shapes(min_dims=1))))
op("fft.ifftshift", lambda lib, x, dim: lib.fft.ifftshift(x, dim), lambda d, t: (lambda shape: (
    [values(d, shape)], {"dim": d.draw(st.none() | st.integers(-len(shape), len(shape) - 1))}))(d.draw(shapes(min_dims=1))))


def _draw_stft(data, dtype):
    """A batch of signals (or one) and stft's framing: n_fft, hop, window length (a Hann window or none), centre
    padding mode, normalisation and sidedness."""
    n_fft = data.draw(st.integers(2, 8))
    length = data.draw(st.integers(n_fft, 20))
    shape = (length,) if data.draw(st.booleans()) else (data.draw(st.integers(1, 2)), length)
    win = data.draw(st.integers(1, n_fft))
    params = {"n_fft": n_fft, "hop_length": data.draw((st.none() if n_fft >= 4 else st.nothing()) | st.integers(1, n_fft)), "win_length": win,
              "hann": data.draw(st.booleans()), "center": data.draw(st.booleans()),
              "pad_mode": data.draw(st.sampled_from(["reflect", "constant", "replicate"])),
              "normalized": data.draw(st.booleans()), "onesided": data.draw(st.sampled_from([None, True, False]))}
    if n_fft // 2 >= length:  # (reflect padding needs more samples than it pads)
        params["pad_mode"] = "constant"
    return [values(data, shape)], params


def _window(lib, x, hann, length):
    """A Hann window lifted off 0 (istft divides by its overlap-added square), or a rectangular one."""
    window = lib.hann_window(length, dtype=x.dtype) + 0.5 if hann else lib.ones(length, dtype=x.dtype)
    return window.to(x.device)


def _stft(lib, x, hann, n_fft, win_length, **p):
    window = _window(lib, x, hann, win_length)
    return lib.stft(x, n_fft, win_length=win_length, window=window, return_complex=True, **p)


op("stft", _through_float32(lambda lib, x, **p: _as_real(lib, _stft(lib, x, **p))), _draw_stft, **_TOLERANCE)


def _istft_of_stft(lib, x, hann, n_fft, win_length, hop_length, center, pad_mode, normalized, onesided):
    """istft of stft(x) over a window that never vanishes (+ 0.5) and a hop within it: the signal back."""
    hop = min(hop_length or max(n_fft // 4, 1), win_length)
    kwargs = {"n_fft": n_fft, "hop_length": hop, "win_length": win_length, "center": center,
              "normalized": normalized, "onesided": onesided}
    spectrum = _stft(lib, x, hann, pad_mode=pad_mode, **kwargs)
    window = _window(lib, x, hann, win_length)
    return lib.istft(spectrum * 2, window=window, **{**kwargs, "win_length": win_length})


op("istft", _through_float32(_istft_of_stft), lambda d, t: (lambda drawn: (
    drawn[0], {**drawn[1], "center": True, "win_length": drawn[1]["n_fft"]}))(_draw_stft(d, t)), **_TOLERANCE)
