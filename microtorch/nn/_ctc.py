"""``ctc_loss``: the connectionist temporal classification loss by the forward (alpha) recursion in log
space over the blank-extended targets, as Tensor ops (so its gradient, double backward and every backend
come from autograd). Re-exported by ``nn.functional``."""
from __future__ import annotations

import math
from typing import Any

from .._creation import arange, tensor
from .._functions import cat, stack
from .._tensor import Tensor

# impossible paths carry this instead of -inf, so logsumexp and its gradient never see inf - inf
_NEG = -1e30


def _lengths(value: Any) -> list:
    if isinstance(value, Tensor):
        return [int(v) for v in value.reshape(-1).tolist()]
    if isinstance(value, int):
        return [value]
    return [int(v) for v in value]


def _extended_targets(targets: Tensor, target_lengths: list, blank: int) -> list:
    """Per sample, the labels with blanks around and between them: (blank, l1, blank, l2, ..., blank)."""
    flat = [int(v) for v in targets.reshape(-1).tolist()]
    rows, start = [], 0
    for n, length in enumerate(target_lengths):
        if targets.ndim == 2:
            labels = flat[n * targets.shape[1]:n * targets.shape[1] + length]
        else:
            labels, start = flat[start:start + length], start + length
        rows.append([blank] + [v for label in labels for v in (label, blank)])
    return rows


def _check(log_probs: Tensor, targets: Tensor, inputs: list, target_lengths: list, blank: int) -> None:
    time, batch, classes = log_probs.shape
    if not log_probs.is_floating_point():
        raise RuntimeError(f"ctc_loss: expected floating point log_probs, got {log_probs.dtype}")
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(inputs) != batch:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {len(inputs)} for batch {batch}")
    if len(target_lengths) != batch:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {len(target_lengths)} for batch {batch}")
    for n, (t, s) in enumerate(zip(inputs, target_lengths)):
        if not 0 <= t <= time:
            raise RuntimeError(f"Expected input_lengths to have value at most {time}, but got value {t} (while "
                               f"checking arguments for ctc_loss_cpu)")
        if s < 0 or targets.ndim == 2 and s > targets.shape[1]:
            raise RuntimeError(f"Expected tensor to have size at least {s} at dimension 1, but got size "
                               f"{targets.shape[1] if targets.ndim == 2 else targets.numel()} for argument #2 'targets'")
    if targets.ndim == 1 and sum(target_lengths) > targets.numel():
        raise RuntimeError(f"Expected tensor to have size at least {sum(target_lengths)} at dimension 0, but got "
                           f"size {targets.numel()} for argument #2 'targets'")


def _alpha_recursion(log_probs: Tensor, ext: Tensor, skip: Tensor, inputs: Tensor) -> Tensor:
    """The log-probabilities alpha (N, L) of every extended-target prefix after each sample's last frame."""
    lp = log_probs.gather(2, ext.unsqueeze(0).expand(log_probs.shape[0], *ext.shape))  # (T, N, L)
    batch, width = ext.shape
    start = lp.new_full((batch, width), _NEG)
    start[:, :2] = 0.0  # a path starts with the blank or the first label
    alpha = (lp[0] + start).clamp(min=_NEG)
    for t in range(1, lp.shape[0]):
        one = cat([alpha.new_full((batch, 1), _NEG), alpha[:, :-1]], 1)
        two = cat([alpha.new_full((batch, 2), _NEG), alpha[:, :-2]], 1).masked_fill(~skip, _NEG)
        step = (stack([alpha, one, two], 0).logsumexp(0) + lp[t]).clamp(min=_NEG)
        alpha = step.where((inputs > t).unsqueeze(1), alpha)  # frames past a sample's length leave it unchanged
    return alpha


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """-log p(target | input) summed over every alignment (blanks between and around labels, repeats merged);
    ``log_probs`` (T, N, C) or (T, C) are log-softmax outputs. 'mean' divides each loss by its target length,
    then averages; ``zero_infinity`` turns impossible alignments' inf losses (and their gradients) into 0."""
    from .functional import _reduction

    reduction = _reduction(None, None, reduction)
    unbatched = log_probs.ndim == 2
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss: expected log_probs of 2 (T, C) or 3 (T, N, C) dims, got {list(log_probs.shape)}")
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
    inputs, target_lengths = _lengths(input_lengths), _lengths(target_lengths)
    _check(log_probs, targets, inputs, target_lengths, blank)
    rows = _extended_targets(targets, target_lengths, blank)
    width = max(len(r) for r in rows)
    padded = [r + [blank] * (width - len(r)) for r in rows]
    device = log_probs.device
    ext = tensor(padded, device=device)
    skip = tensor([[s >= 2 and r[s] != blank and r[s] != r[s - 2] for s in range(width)] for r in padded],
                  device=device)
    alpha = _alpha_recursion(log_probs, ext, skip, tensor(inputs, device=device))
    ends = tensor([[len(r) - 1, max(len(r) - 2, 0)] for r in rows], device=device)
    last = alpha.gather(1, ends)
    last = last.masked_fill(tensor([[False, len(r) == 1] for r in rows], device=device), _NEG)  # empty target
    loss = -last.logsumexp(1)
    impossible = loss > -_NEG / 2
    # torch's gradient in log_probs is the one for log-softmax outputs: exp(log_probs) - occupancy (the true
    # gradient is -occupancy; the two agree through a log_softmax). Add exp(log_probs) to the gradient of the
    # frames each sample uses, with a term whose value is exactly 0.
    frames = (arange(log_probs.shape[0], device=device).unsqueeze(1) < tensor(inputs, device=device)).unsqueeze(2)
    loss = loss + (log_probs.detach().exp() * (log_probs - log_probs.detach()) * frames).sum((0, 2))
    if zero_infinity:
        loss = loss.masked_fill(impossible, 0.0)
    else:
        loss = loss.masked_fill(impossible, math.inf)
    if reduction == "mean":
        divisor = tensor(target_lengths, device=device).clamp(min=1).to(loss.dtype)
        return (loss / divisor).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss


__all__ = ["ctc_loss"]
