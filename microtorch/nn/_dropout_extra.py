"""Channel dropout (``dropout1d/2d/3d``, ``feature_alpha_dropout``) and ``alpha_dropout`` (torch's
formulas), re-exported by ``nn.functional``."""
from __future__ import annotations

import warnings

from .._device import on_device
from .._tensor import Tensor

_SELU_NEG = 1.7580993408473766  # -SELU's saturation value, scale * alpha


def _check(fn: str, input: Tensor, p: float, training: bool = True) -> None:
    """p, the input, and (when training: torch returns any input itself otherwise) its floating dtype."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if training and not input.is_floating_point():
        raise RuntimeError(f"{fn}: expected a floating point input, got {input.dtype}")


def _keep_mask(input: Tensor, p: float, per_channel: bool) -> Tensor:
    """1 where kept (probability 1 - p), 0 where dropped: one draw per element or per (sample, channel)."""
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if per_channel else tuple(input.shape)
    backend, dev = input.device.backend, input.device
    with on_device(dev):
        keep = backend.uniform(shape, 0.0, 1.0, input.dtype.name, dev.index) >= p
        return Tensor._make(keep.astype(input.dtype.name), dev)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    if not training or p == 0.0:
        return input
    scale = _keep_mask(input, p, per_channel=True) * (1.0 / (1.0 - p) if p < 1.0 else 0.0)
    return input.mul_(scale) if inplace else input * scale


def _channel_dropout(fn: str, input: Tensor, p: float, training: bool, inplace: bool, spatial: int) -> Tensor:
    _check(fn, input, p)
    if spatial == 3 and input.ndim not in (4, 5):  # torch only warns here, then treats the input as unbatched
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", stacklevel=3)
    elif input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{fn}: Expected {spatial + 1}D or {spatial + 2}D input, but received a {input.ndim}D input. Note that "
            f"{fn} exists to provide channel-wise dropout on inputs with {spatial} spatial dimension(s), a channel "
            f"dimension, and an optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs)."
        )
    if input.ndim == spatial + 2:
        return _feature_dropout(input, p, training, inplace)
    out = _feature_dropout(input.unsqueeze(0), p, training, inplace)
    return input if inplace else out.squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability p, scaling the rest by 1/(1-p)."""
    return _channel_dropout("dropout1d", input, p, training, inplace, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p (a 3-D input is one batch of (N, C, L), as torch)."""
    _check("dropout2d", input, p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace) if input.ndim >= 2 else input


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""
    return _channel_dropout("dropout3d", input, p, training, inplace, 3)


def _alpha_dropout(fn: str, input: Tensor, p: float, training: bool, inplace: bool, per_channel: bool) -> Tensor:
    _check(fn, input, p, training)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    a = 1.0 / ((_SELU_NEG * _SELU_NEG * p + 1) * (1 - p)) ** 0.5
    keep = _keep_mask(input, p, per_channel)
    shift = (keep - 1.0) * (_SELU_NEG * a) + _SELU_NEG * a * p  # dropped cells take SELU's saturation value
    scale = keep * a
    return input.mul_(scale).add_(shift) if inplace else input * scale + shift


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped cells take SELU's negative saturation, then an affine map keeps the
    mean and variance."""
    return _alpha_dropout("alpha_dropout", input, p, training, inplace, per_channel=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """``alpha_dropout`` of whole channels."""
    return _alpha_dropout("feature_alpha_dropout", input, p, training, inplace, per_channel=True)


__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]
