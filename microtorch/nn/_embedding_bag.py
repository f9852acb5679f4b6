"""``embedding_bag``: sums, means or maxima of bags of embedding rows, without the (bags, length, dim)
intermediate for sum and mean (one (bags, indices) matrix product). Re-exported by ``nn.functional``."""
from __future__ import annotations

import math
import warnings

from .._creation import arange
from .._functions import cat
from .._promotion import _expect
from .._tensor import Tensor


def _flat_bags(input: Tensor, offsets: Tensor | None, per_sample_weights: Tensor | None) -> tuple:
    """1-D indices, offsets and weights, with torch's checks (a 2-D input is one bag per row)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                             f"length sequences. However, found offsets of type {type(offsets).__name__}")
        offsets = arange(0, input.numel(), max(input.shape[1], 1), dtype=input.dtype, device=input.device)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    return input, offsets, per_sample_weights


def _membership(indices: Tensor, offsets: Tensor, include_last_offset: bool, padding_idx: int | None) -> Tensor:
    """Bool (bags, indices): entry m belongs to bag b (bag b spans offsets[b] to offsets[b + 1])."""
    positions = arange(indices.shape[0], device=indices.device)
    if include_last_offset:
        starts, ends = offsets[:-1], offsets[1:]
    else:
        starts, ends = offsets, cat([offsets[1:], offsets.new_full((1,), indices.shape[0])])
    member = (positions >= starts.unsqueeze(1)) & (positions < ends.unsqueeze(1))
    if padding_idx is not None:
        member = member & (indices != padding_idx)
    return member


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """One row per bag: the sum ('sum', optionally weighted per index), mean or max of the ``weight`` rows its
    indices pick; entries equal to ``padding_idx`` are left out, empty bags give zeros."""
    _expect(input, Tensor, "embedding_bag", "input")
    _expect(weight, Tensor, "embedding_bag", "weight", 2)
    from .functional import embedding

    if weight.dtype.name == "int64" and input.is_floating_point():  # torch's old argument order
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, input, "
                      "...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({list(per_sample_weights.shape)}) is not None, then "
                         f"it must have the same shape as the input ({list(input.shape)})")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    indices, offsets, per_sample_weights = _flat_bags(input, offsets, per_sample_weights)
    if offsets.numel() and int(offsets[0]) != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(offsets[0])}")
    if padding_idx is not None:
        padding_idx %= weight.shape[0]
    rows = embedding(indices, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)  # (M, D)
    member = _membership(indices, offsets, include_last_offset, padding_idx)
    if mode == "max":
        scores = rows.unsqueeze(0).masked_fill(~member.unsqueeze(2), -math.inf)
        best = scores.max(1).values
        return best.masked_fill(~member.any(1, keepdim=True), 0.0)
    share = member.to(rows.dtype)
    if per_sample_weights is not None:
        share = share * per_sample_weights
    out = share @ rows
    if mode == "mean":
        out = out / member.sum(1, keepdim=True).clamp(min=1).to(rows.dtype)
    return out


__all__ = ["embedding_bag"]
