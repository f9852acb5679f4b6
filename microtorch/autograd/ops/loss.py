"""Loss kernels: negative log-likelihood (``nll_loss``, ``cross_entropy``) and binary cross-entropy.

The other losses are a few Tensor ops each (``nn.functional``).
"""
from __future__ import annotations

from ..function import Op


class NLLLoss(Op):
    """loss_n = -w[t_n] logp[n, t_n] (0 where t_n == ignore_index), reduced by 'none', 'sum' or 'mean'
    (divided by the sum of w[t_n]). It is linear in logp: grad_logp = -G w[t_n] at the target cells."""

    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = ctx.xp
        valid = target != ignore_index
        safe_target = xp.where(valid, target, 0)[:, None]  # (N, 1, d...) against logp's (N, C, d...)
        picked = xp.take_along_axis(logp, safe_target, axis=1)[:, 0]
        scale = (weight[safe_target[:, 0]] if weight is not None else xp.ones_like(picked)) * valid
        loss = -(scale * picked)
        if reduction != "none":
            loss = loss.sum()
        if reduction == "mean":  # every target ignored: the loss is 0/0 = nan and the gradient 0, as torch's
            total = scale.sum()
            loss = loss / total
            scale = scale / xp.where(total == 0, 1, total)
        cells = safe_target == xp.arange(logp.shape[1]).reshape((1, -1) + (1,) * (logp.ndim - 2))
        ctx.save_for_backward(cells, scale.astype(logp.dtype, copy=False))
        return loss.astype(logp.dtype, copy=False)

    def backward(ctx, grad):
        cells, scale = ctx.saved_tensors
        return (scale * -grad).unsqueeze(1) * cells, None, None


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
