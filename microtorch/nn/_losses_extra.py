"""Embedding, ranking, margin and likelihood losses, and CTC (torch's ``nn.functional`` names), as
composites of Tensor ops, so gradients, double backward and every backend come with them.
Re-exported by ``nn.functional``."""
from __future__ import annotations

import math
from typing import Any, Callable

from .._creation import arange, tensor as _as_tensor
from .._tensor import Tensor
from ._distance import pairwise_distance


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    from .functional import _reduction as reduction_of

    return reduction_of(size_average, reduce, reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _check_tensors(fn: str, **tensors: Any) -> None:
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _check_floating(fn: str, input: Tensor) -> None:
    if not input.is_floating_point():
        raise RuntimeError(f"{fn}: expected a floating point input, got {input.dtype}")


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (cos over dim 1, or 0 for 1-D)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    if target.ndim not in (0, 1):
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported, got {target.ndim}D target")
    if target.ndim == 1 and input1.ndim != 2 or target.ndim == 0 and input1.ndim != 1:
        raise RuntimeError(
            f"{target.ndim}D target tensor expects {target.ndim + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if input1.shape != input2.shape:
        raise RuntimeError(
            f"cosine_embedding_loss: input1 and input2 must have the same size, got {list(input1.shape)} and "
            f"{list(input2.shape)}"
        )
    _check_floating("cosine_embedding_loss", input1)
    dim = input1.ndim - 1
    eps = 1e-12  # torch's EPSILON, added to each squared norm
    dot = (input1 * input2).sum(dim)
    cos = dot / (((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)).sqrt()
    zeros = cos.new_zeros(cos.shape)
    loss = (1.0 - cos).where(target == 1, zeros) + (cos - margin).clamp_min(0.0).where(target == -1, zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0.0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (torch adds both terms where y is neither)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_tensors("hinge_embedding_loss", input=input, target=target)
    zeros = input.new_zeros(input.shape)
    loss = (margin - input).clamp_min(0.0).where(target != 1, zeros) + input.where(target != -1, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), as torch computes it."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_tensors("soft_margin_loss", input=input, target=target)
    _check_floating("soft_margin_loss", input)
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """The mean over classes of the binary cross-entropy of sigmoid(x) with y (optionally weighted)."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    from .functional import logsigmoid

    _check_tensors("multilabel_soft_margin_loss", input=input)
    if isinstance(target, (int, float, complex)) and not isinstance(target, bool):
        if isinstance(target, int) and not -0x8000000000000000 <= target < 0x10000000000000000:
            raise OverflowError("int too big to convert")
        # (torch's composite broadcasts a number target; a complex one gives a complex loss there too)
        target = input.new_tensor(target) if not isinstance(target, complex) else _as_tensor(target, device=input.device)
    _check_tensors("multilabel_soft_margin_loss", target=target)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    return _reduce(loss.sum(class_dim) / input.shape[class_dim], reduction)


def _class_rows(fn: str, input: Tensor, target: Tensor, target_same_shape: bool) -> tuple:
    """(N, C) input and the target as rows, checking torch's shapes for a (C,) or (N, C) input."""
    _check_tensors(fn, input=input, target=target)
    if input.ndim > 2 or input.ndim and input.shape[-1] == 0:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(input.shape)}"
        )
    if target.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"{fn}: expected target of scalar type Long, got {target.dtype}")
    _check_floating(fn, input)
    rows = input.reshape(1, -1) if input.ndim < 2 else input  # a 0-d input is one sample of one class
    expected = tuple(input.shape) if target_same_shape else tuple(input.shape[:-1])
    if tuple(target.shape) != expected and not (target_same_shape is False and target.numel() == rows.shape[0]
                                                and target.ndim <= 1):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    classes = rows.shape[1]
    if target.numel() and (bool((target < -1 if target_same_shape else target < 0).any())
                           or bool((target >= classes).any())):
        raise RuntimeError(f"{fn}: target out of range (every target must lie in [0, {classes - 1}])")
    return rows, target.reshape(rows.shape[0], -1)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """sum over target classes j and non-target classes i of max(0, 1 - (x[y_j] - x[i])), over C; the
    targets of a row are its entries before the first -1."""
    reduction = _reduction(size_average, reduce, reduction)
    rows, targets = _class_rows("multilabel_margin_loss", input, target, target_same_shape=True)
    classes = rows.shape[1]
    listed = (targets >= 0).long().cumprod(1).bool()  # the prefix before the first -1
    picked = targets.masked_fill(~listed, 0)
    class_ids = arange(classes, device=rows.device)
    is_target = ((picked.unsqueeze(2) == class_ids) & listed.unsqueeze(2)).any(1)
    scores = rows.gather(1, picked)  # x[y_j]
    hinge = (1.0 - scores.unsqueeze(2) + rows.unsqueeze(1)).clamp_min(0.0)
    keep = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = (hinge * keep.to(rows.dtype)).sum((1, 2)) / classes
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """sum over i != y of w[y] max(0, margin - x[y] + x[i])^p, over C (p is 1 or 2)."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    rows, targets = _class_rows("multi_margin_loss", input, target, target_same_shape=False)
    classes = rows.shape[1]
    if weight is not None and (weight.ndim != 1 or weight.numel() != classes):
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight.shape)}")
    scores = rows.gather(1, targets)
    hinge = (margin - scores + rows).clamp_min(0.0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[targets.reshape(-1)].unsqueeze(1)
    others = rows.new_ones(rows.shape).scatter(1, targets, 0.0)  # the target's own class does not count
    loss = (hinge * others).sum(1) / classes
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """0.5 (log max(var, eps) + (x - y)^2 / max(var, eps)) (+ 0.5 log 2 pi with ``full``); var may be one per
    element, one per sample (a dim short, or one mismatched dim of size 1) or a float."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.new_ones(input.shape) * var
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(v for n, v in zip(input.shape, var.shape) if n != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # torch clamps a clone under no_grad: the value is clamped, the gradient passes as if it were not
    var = var - (var - var.clamp(min=eps)).detach()
    diff = input - target
    loss = (var.log() + diff * diff / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """exp(x) - y x (``log_input``) or x - y log(x + eps); ``full`` adds Stirling's y log y - y + 0.5 log(2 pi y)
    where y > 1."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    _check_tensors("poisson_nll_loss", input=input, target=target)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = target.where(target > 1, target * 0.0 + 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.where(target > 1, stirling * 0.0)
    return _reduce(loss, reduction)


def _triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative {negative.ndim}D inputs"
        )


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm pairwise distance (``swap``: d(a, n) becomes
    min(d(a, n), d(p, n)))."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)

    def distance(x: Tensor, y: Tensor) -> Tensor:
        return pairwise_distance(x, y, p, eps)

    return _triplet(anchor, positive, negative, distance, margin, swap, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance: Callable, margin: float, swap: bool,
             reduction: str) -> Tensor:
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0.0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """The triplet loss with any distance (default: ``pairwise_distance``)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)


__all__ = [
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss", "gaussian_nll_loss",
    "poisson_nll_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
]
