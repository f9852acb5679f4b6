"""NAdam: Adam with Nesterov momentum (and a momentum schedule), L2 or decoupled weight decay."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .. import _dtype
from .._creation import tensor, zeros_like
from ..autograd import no_grad
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_non_negative, _check_not_differentiable, _scalar,
                        _step_counter, _Loss)


class NAdam(Optimizer):
    """Implements the NAdam algorithm, as ``torch.optim.NAdam``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)                   (decoupled_weight_decay)
        g = g + weight_decay * p                          (otherwise, if weight_decay != 0)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));  prod = prod * mu_t  (a float32 scalar)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - prod) * g / denom - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 2e-3).
        betas: coefficients of the running averages of the gradient and its square (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: weight decay coefficient (default: 0).
        momentum_decay: the momentum schedule's decay (default: 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW (NAdamW) (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_non_negative(("epsilon value", eps))
        _check_betas(betas)
        _check_non_negative(("weight_decay value", weight_decay), ("momentum_decay value", momentum_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
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
                    state["mu_product"] = tensor(1.0, dtype=_dtype.float32)
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                state["step"] += 1
                _nadam_update_(p, grad, state, group)
        return loss


def _nadam_update_(p: Any, grad: Any, state: dict, group: dict) -> None:
    """One NAdam update of ``p`` in place, in torch's order (the momentum product is kept in float32, as torch's)."""
    (beta1, beta2), lr, eps = group["betas"], group["lr"], group["eps"]  # (a tensor lr: torch's arithmetic in its dtype)
    weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
    step = state["step"].item()
    bias_correction2 = 1 - beta2**step
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            p.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(p, alpha=weight_decay)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product = state["mu_product"]
    mu_product *= mu
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
    mu_product_value = mu_product.item()
    p.addcdiv_(grad, denom, value=_scalar(-lr * (1.0 - mu) / (1.0 - mu_product_value)))
    p.addcdiv_(exp_avg, denom, value=_scalar((-lr * mu_next) / (1.0 - mu_product_value * mu_next)))
