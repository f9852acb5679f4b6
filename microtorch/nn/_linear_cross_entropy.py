"""``F.linear_cross_entropy``: cross-entropy of ``linear(input, linear_weight, linear_bias)``, torch 2.13's fused
classifier-head loss.

microtorch computes torch's reference path (the logits, then ``cross_entropy``) for every ``options``: the
values and gradients are torch's, but the memory saving of torch's batch-chunked kernel is not implemented.
"""
from __future__ import annotations

import math
from typing import Any

from .._tensor import Tensor

__all__ = ["linear_cross_entropy"]

def _check_shapes(input: Tensor, linear_weight: Tensor, linear_bias: Tensor | None) -> tuple:
    """(batch shape, number of classes, out_features), after torch's checks."""
    if input.ndim < 1 or input.ndim > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}")
    if input.shape[-1] != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(classes, *out_features)}, got {tuple(linear_bias.shape)}")
    if out_features and input.ndim == 1:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires"
                           f" batched input, (N, {input.shape[-1]}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    return tuple(input.shape[:-1]), classes, out_features


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *, linear_bias: Tensor | None = None,
                         weight: Tensor | None = None, reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: Any = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``; ``linear_weight`` of shape
    (C, d1, ..., dK, in_features) gives a K-dimensional loss. grad: those of ``linear`` and ``cross_entropy``."""
    from .functional import _check_tensor, cross_entropy, linear

    for name, value in (("input", input), ("linear_weight", linear_weight), ("target", target)):
        _check_tensor(value, name, "linear_cross_entropy")
    batch, classes, out_features = _check_shapes(input, linear_weight, linear_bias)
    logits_shape = (*batch, classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    flat = math.prod(out_features, start=classes)
    bias = None if linear_bias is None else linear_bias.reshape(flat)
    logits = linear(input, linear_weight.reshape(flat, input.shape[-1]), bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index, label_smoothing=label_smoothing)
