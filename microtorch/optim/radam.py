"""RAdam: Adam whose adaptive step is rectified by the variance of its running average's length."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import zeros_like
from ..autograd import no_grad
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_non_negative, _check_not_differentiable, _scalar,
                        _step_counter, _Loss)


class RAdam(Optimizer):
    """Implements the RAdam algorithm, as ``torch.optim.RAdam``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)                   (decoupled_weight_decay)
        g = g + weight_decay * p                          (otherwise, if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho_t > 5: r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                      p = p - lr * m / (1 - beta1**t) * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r
        else:         p = p - lr * m / (1 - beta1**t)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-3).
        betas: coefficients of the running averages of the gradient and its square (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: weight decay coefficient (default: 0).
        decoupled_weight_decay: decay the weights directly, as AdamW (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_non_negative(("epsilon value", eps))
        _check_betas(betas)
        _check_non_negative(("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                state["step"] += 1
                _radam_update_(p, grad, state, group)
        return loss


def _radam_update_(p: Any, grad: Any, state: dict, group: dict) -> None:
    """One RAdam update of ``p`` in place, in torch's order."""
    (beta1, beta2), lr, eps, weight_decay = group["betas"], _scalar(group["lr"]), group["eps"], group["weight_decay"]
    step = state["step"].item()
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            p.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(p, alpha=weight_decay)
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
    bias_corrected_exp_avg = exp_avg / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = (bias_correction2**0.5) / exp_avg_sq.sqrt().add_(eps)
        p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
    else:
        p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
