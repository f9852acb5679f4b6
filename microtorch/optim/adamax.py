"""Adamax: Adam with the infinity norm in place of the root mean square."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import zeros_like
from .._functions import maximum
from ..autograd import no_grad
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_non_negative, _check_not_differentiable, _scalar,
                        _step_counter, _Loss)


class Adamax(Optimizer):
    """Implements the Adamax algorithm, as ``torch.optim.Adamax``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 2e-3).
        betas: coefficients of the running average and of the infinity norm (default: (0.9, 0.999)).
        eps: added to |g| for numerical stability (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check_non_negative(("epsilon value", eps))
        _check_betas(betas)
        _check_non_negative(("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            (beta1, beta2), lr = group["betas"], group["lr"]  # (a tensor lr stays one: torch's arithmetic in its dtype)
            eps, weight_decay = group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_inf"] = zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))
                clr = _scalar(lr / (1 - beta1 ** state["step"].item()))
                p.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss
