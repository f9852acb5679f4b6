"""Adadelta: step sizes from running averages of squared gradients and of squared updates."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import zeros_like
from ..autograd import no_grad
from .optimizer import Optimizer, _check_lr, _check_non_negative, _check_not_differentiable, _scalar, _step_counter, _Loss


class Adadelta(Optimizer):
    """Implements the Adadelta algorithm, as ``torch.optim.Adadelta``.

    For each parameter ``p`` with gradient::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Args:
        params: tensors or parameter groups to optimize.
        lr: coefficient that scales delta before it is applied (default: 1.0).
        rho: coefficient of the running averages (default: 0.9).
        eps: added inside the square roots for numerical stability (default: 1e-6).
        weight_decay: L2 penalty (default: 0).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_non_negative(("epsilon value", eps), ("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, rho, eps, weight_decay = _scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["square_avg"] = zeros_like(p)
                    state["acc_delta"] = zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
                std = square_avg.add(eps).sqrt_()
                delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
                acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-lr)
        return loss
