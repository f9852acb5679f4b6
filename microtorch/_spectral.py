"""``stft`` and ``istft``: short-time Fourier transforms, composed of differentiable ops (frames by ``unfold``,
the transforms of ``microtorch.fft``, overlap-add by ``index_add``), with torch's defaults, checks and layouts.

``stft`` of a (batch of) signal(s) gives (batch, frequencies, frames); ``istft`` inverts it by overlap-add of the
windowed inverse transforms, divided by the overlap-added squared window (torch's ``window overlap add min``
check refuses a window whose envelope vanishes).
"""
from __future__ import annotations

from typing import Any, Optional

from ._creation import arange, ones, zeros
from ._promotion import _expect, _optional_ints
from ._signatures import _SCALAR_TYPE_NAMES
from ._tensor import Tensor
from ._warn_once import warn_once

_WINDOW_WARNING = ("A window was not provided. A rectangular window will be applied,which is known to cause spectral "
                   "leakage. Other windows such as torch.hann_window or torch.hamming_window are recommended to reduce "
                   "spectral leakage.To suppress this warning and use a rectangular window, explicitly set "
                   "`window=torch.ones(n_fft, device=<device>)`.")
_REAL_OUTPUT_WARNING = ("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                        "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                        "still call torch.view_as_real on the complex output to recover the old return format.")


def _lengths(n_fft: Any, hop_length: Any, win_length: Any, fn: str) -> tuple:
    """(hop_length, win_length) with torch's defaults (n_fft // 4, n_fft), after the integer checks."""
    _optional_ints(fn, n_fft=n_fft, hop_length=hop_length, win_length=win_length)
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if hop <= 0:
        raise RuntimeError(f"{fn}: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{fn}: expected 0 < win_length <= n_fft, but got win_length={win}")
    return hop, win


def _full_window(window: Optional[Tensor], win_length: int, n_fft: int, like: Tensor, fn: str) -> Tensor:
    """The window zero-padded on both sides to n_fft (ones of win_length without one), on ``like``'s device."""
    if window is None:
        window = ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype, device=like.device)
    else:
        _expect(window, Tensor, fn, "window")
        if window.device != like.device:
            raise RuntimeError(f"{fn} input and window must be on the same device but got self on {like.device} and "
                               f"window on {window.device}")
        if window.ndim != 1 or window.shape[0] != win_length:
            raise RuntimeError(f"{fn}: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                               f"window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    if left == 0 and win_length == n_fft:
        return window
    from .nn.functional import pad

    return pad(window, (left, n_fft - win_length - left))


def stft(input: Tensor, n_fft: int, hop_length: Optional[int] = None, win_length: Optional[int] = None,  # noqa: A002
         window: Optional[Tensor] = None, center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: Optional[bool] = None, return_complex: Optional[bool] = None,
         align_to_window: Optional[bool] = None) -> Tensor:
    """The short-time Fourier transform: frames of ``n_fft`` samples, ``hop_length`` apart, times the window
    (``win_length`` long, centred in the frame), each transformed; (batch,) frequencies x frames. ``center``
    pads the signal by n_fft // 2 on both sides (``pad_mode``) so frame t is centred on sample t hop_length;
    ``align_to_window`` (``center=False`` only) starts the window, not the frame, at sample 0."""
    from . import fft as _fft
    from .nn.functional import pad

    _expect(input, Tensor, "stft", "input")
    _expect(n_fft, int, "stft", "n_fft", 2)
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if window is None:
        warn_once("stft window", _WINDOW_WARNING)
    complex_input = input.is_complex() or isinstance(window, Tensor) and window.is_complex()
    if not (return_complex if return_complex is not None else complex_input):
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                               "require that return_complex=True in a future PyTorch release.")
        warn_once("stft real output", _REAL_OUTPUT_WARNING)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"stft: expected a tensor of floating point or complex values, got "
                           f"{_SCALAR_TYPE_NAMES[input.dtype.name]}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got {input.ndim} dims")
    if center:  # (torch pads the signal as a 3-D batch, so reflect and replicate apply to the last dim)
        shape = input.shape
        input = pad(input.reshape((1,) * (3 - input.ndim) + tuple(shape)), (n_fft // 2, n_fft // 2), pad_mode)
        input = input.reshape(tuple(shape[:-1]) + (input.shape[-1],))
    signal = input if input.ndim == 2 else input.unsqueeze(0)
    if not 0 < n_fft <= signal.shape[1]:
        raise RuntimeError(f"stft: expected 0 < n_fft <= {signal.shape[1]}, but got n_fft={n_fft}")
    hop, win = _lengths(n_fft, hop_length, win_length, "stft")
    full_window = _full_window(window, win, n_fft, signal, "stft")
    if not center and align_to_window:  # (the window, centred in the frame, starts at sample 0)
        left = (n_fft - win) // 2
        signal = pad(signal, (left, n_fft - win - left))
    frames = signal.unfold(1, n_fft, hop) * full_window
    onesided = not frames.is_complex() if onesided is None else onesided
    if frames.is_complex() and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    out = (_fft.rfft(frames, norm=norm) if onesided else _fft.fft(frames, norm=norm)).transpose(1, 2)
    out = out if input.ndim == 2 else out.squeeze(0)
    return out if return_complex or return_complex is None and complex_input else _view_as_real(out)


def _view_as_real(z: Tensor) -> Tensor:
    from ._complex import view_as_real

    return view_as_real(z.contiguous())


def istft(input: Tensor, n_fft: int, hop_length: Optional[int] = None, win_length: Optional[int] = None,  # noqa: A002
          window: Optional[Tensor] = None, center: bool = True, normalized: bool = False,
          onesided: Optional[bool] = None, length: Optional[int] = None, return_complex: bool = False) -> Tensor:
    """The inverse of ``stft``: each frame's inverse transform, times the window, overlap-added and divided by
    the overlap-added squared window; ``length`` crops (or zero-pads) the signal to that many samples."""
    _expect(input, Tensor, "istft", "input")
    _expect(n_fft, int, "istft", "n_fft", 2)
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex values, got {input.ndim}")
    spectrum = input if input.ndim == 3 else input.unsqueeze(0)
    hop, win = _lengths(n_fft, hop_length, win_length, "istft")
    if hop > win:
        raise RuntimeError(f"istft: expected 0 < hop_length <= win_length, but got hop_length={hop}")
    frequencies, n_frames = spectrum.shape[1], spectrum.shape[2]
    onesided = frequencies != n_fft if onesided is None else onesided
    _check_frequencies(frequencies, n_fft, onesided)
    full_window = _full_window(window, win, n_fft, spectrum, "istft")
    frames = _inverse_frames(spectrum.transpose(1, 2), n_fft, normalized, onesided, return_complex, full_window)
    signal_length = n_fft + hop * (n_frames - 1)
    positions = (arange(n_frames, device=input.device).unsqueeze(1) * hop
                 + arange(n_fft, device=input.device)).reshape(-1)
    y = _overlap_add(frames * full_window, positions, signal_length)
    envelope = _overlap_add((full_window * full_window).expand(1, n_frames, n_fft), positions, signal_length)
    start = n_fft // 2 if center else 0
    end = signal_length - (n_fft // 2 if center else 0) if length is None else start + length
    y, envelope = y[:, start:end], envelope[:, start:end]
    lowest = envelope.abs().min().item() if envelope.numel() else 0.0
    if not lowest > 1e-11:
        raise RuntimeError(f"istft: window overlap add min: {lowest:g} (the squared window overlap-added vanishes "
                           f"somewhere: choose a hop_length or window whose frames cover every sample)")
    y = y / envelope
    if end > signal_length:
        warn_once("istft length", "The length of signal is shorter than the length parameter. Result is being padded "
                  "with zeros in the tail. Please check your center and hop_length settings.")
        from .nn.functional import pad

        y = pad(y, (0, end - signal_length))
    return y if input.ndim == 3 else y.squeeze(0)


def _check_frequencies(frequencies: int, n_fft: int, onesided: bool) -> None:
    expected = n_fft // 2 + 1 if onesided else n_fft
    if frequencies != expected:
        which = "n_fft / 2 + 1 when onesided=True" if onesided else "n_fft when onesided=False"
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"{which}, but got {frequencies}")


def _inverse_frames(frames: Tensor, n_fft: int, normalized: bool, onesided: bool, return_complex: bool,
                    window: Tensor) -> Tensor:
    """Each frame's inverse transform (n_fft samples): complex with ``return_complex``, else real."""
    from . import fft as _fft

    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise RuntimeError("cannot have onesided output if window or input is complex")
        return _fft.ifft(frames, norm=norm)
    if window.is_complex():
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    if not onesided:
        frames = frames[..., :n_fft // 2 + 1]
    return _fft.irfft(frames, n=n_fft, norm=norm)


def _overlap_add(frames: Tensor, positions: Tensor, length: int) -> Tensor:
    """(batch, frames, n_fft) summed into (batch, length) signals at each frame's sample positions."""
    batch = frames.shape[0]
    return zeros(batch, length, dtype=frames.dtype, device=frames.device).index_add(
        1, positions, frames.reshape(batch, -1))
