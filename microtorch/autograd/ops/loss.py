"""Loss kernels: negative log-likelihood (``nll_loss``, ``cross_entropy``) and binary cross-entropy.

The other losses are a few Tensor ops each (``nn.functional``).
"""
from __future__ import annotations

from .. import grad_mode
from ..function import Op
from .index import IndexAccumulate
from .nn import _sums
from ..._tensor import Tensor


class NLLLoss(Op):
    """loss_n = -w[t_n] logp[n, t_n] (0 where t_n == ignore_index), reduced by 'none', 'sum' or 'mean'
    (divided by the sum of w[t_n]). It is linear in logp: grad_logp = -G w[t_n] / total at the target cells."""

    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = ctx.xp
        valid = target != ignore_index
        every_target_counts = weight is None and bool(valid.all())
        if not every_target_counts:
            target = xp.where(valid, target, 0)  # ignored targets pick class 0, with weight 0
        # logp[n, t_n, d...] for every position: an open grid over N and the extra dims, t in the class dim
        grid = [xp.arange(s).reshape((-1,) + (1,) * (target.ndim - 1 - i)) for i, s in enumerate(target.shape)]
        ctx.cells = (grid[0], target, *grid[1:])
        picked = logp[ctx.cells]
        if every_target_counts:  # the common case: plain sums, no weight arrays
            weights, total = None, picked.size
        else:
            weights = (weight[target] if weight is not None else xp.ones_like(picked)) * valid
            picked = picked * weights
            total = weights.sum()
        ctx.shape, ctx.reduction = logp.shape, reduction
        if reduction == "none":
            ctx.scale = weights if weights is not None else 1.0
            return -picked
        loss = -picked.sum()
        if reduction == "mean":  # every target ignored: the loss is 0/0 = nan and the gradient 0, as torch's
            loss = loss / total if total else loss * float("nan")
            total = total if total else 1
            ctx.scale = weights / total if weights is not None else 1.0 / total
        else:
            ctx.scale = weights if weights is not None else 1.0
        return xp.asarray(loss, dtype=logp.dtype)

    def backward(ctx, grad):
        scale = ctx.scale if isinstance(ctx.scale, float) else Tensor._make(ctx.scale.astype(grad._data.dtype, copy=False), ctx.device)
        per_cell = (grad * -1.0) * scale
        if tuple(per_cell.shape) != tuple(ctx.cells[1].shape):
            per_cell = per_cell.expand(ctx.cells[1].shape)
        return IndexAccumulate.apply(per_cell, key=ctx.cells, shape=ctx.shape), None, None


class CrossEntropy(Op):
    """loss_n = logsumexp(x_n) - x_n[t_n] for logits (N, C) and class indices t (no weights, none ignored),
    then 'none', 'sum' or 'mean': log_softmax and the NLL fused, as torch does.
    grad_x = G (softmax(x) - onehot(t)), divided by N for 'mean'."""

    def forward(ctx, x, target, reduction):
        xp = ctx.xp
        rows = xp.arange(x.shape[0])
        shifted = x - x.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        total = _sums(xp, exp, 1)
        losses = xp.log(total)[:, 0] - shifted[rows, target]
        exp /= total
        ctx.save_for_backward(x, exp)  # exp is now softmax(x): the first-order backward reuses it
        ctx.cells, ctx.reduction = (rows, target), reduction
        if reduction == "none":
            return losses
        return losses.sum() / x.shape[0] if reduction == "mean" else losses.sum()

    def backward(ctx, grad):
        x, probs = ctx.saved_tensors
        if not grad_mode.state.enabled:  # first order: G softmax, then G taken off at the targets (two passes)
            g = grad._data[:, None] if ctx.reduction == "none" else (
                grad._data / x.shape[0] if ctx.reduction == "mean" else grad._data)
            out = probs._data * g
            out[ctx.cells] -= g[:, 0] if ctx.reduction == "none" else g
            return Tensor._make(out, ctx.device), None
        probs = x.softmax(1)  # create_graph: softmax must stay connected to x (the saved one is a constant)
        onehot = Tensor._make(ctx.xp.zeros(tuple(x.shape), dtype=x._data.dtype), ctx.device)
        onehot._data[ctx.cells] = 1
        if ctx.reduction == "none":
            scale = grad.unsqueeze(1)
        else:
            scale = grad / x.shape[0] if ctx.reduction == "mean" else grad
        return (probs - onehot) * scale, None


class BinaryCrossEntropy(Op):
    """loss = -(t log x + (1 - t) log(1 - x)), each log clamped at -100 (torch's rule):
    grad_x = G (x - t) / max(x (1 - x), 1e-12), grad_t = G (log(1 - x) - log x)"""

    def forward(ctx, x, target):
        xp = ctx.xp
        ctx.save_for_backward(x, target)
        log_x = xp.maximum(xp.log(x), -100.0)
        log_rest = xp.maximum(xp.log1p(-x), -100.0)
        return -(target * log_x + (1 - target) * log_rest)

    def backward(ctx, grad):
        x, target = ctx.saved_tensors
        need_x, need_target = ctx.needs_input_grad
        gx = grad * (x - target) / (x * (1.0 - x)).clamp(min=1e-12) if need_x else None
        gt = grad * ((-x).log1p().clamp(min=-100.0) - x.log().clamp(min=-100.0)) if need_target else None
        return gx, gt
