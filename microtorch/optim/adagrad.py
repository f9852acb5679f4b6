"""Adagrad: per-coordinate learning rates from the sum of squared past gradients."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import full_like
from ..autograd import no_grad
from .optimizer import Optimizer, _check_non_negative, _check_not_differentiable, _scalar, _step_counter, _Loss


class Adagrad(Optimizer):
    """Implements the Adagrad algorithm, as ``torch.optim.Adagrad``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                                     (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-2).
        lr_decay: learning rate decay (default: 0).
        weight_decay: L2 penalty (default: 0).
        initial_accumulator_value: initial value of the sum of squares (default: 0).
        eps: added to the denominator for numerical stability (default: 1e-10).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, fused: accepted for torch compatibility; microtorch has one implementation.
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_non_negative(("learning rate", lr), ("lr_decay value", lr_decay), ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value), ("epsilon value", eps))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates Adagrad's state eagerly
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Any) -> dict:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["sum"] = full_like(p, self.defaults["initial_accumulator_value"])
        return state

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = _scalar(group["lr"]), group["lr_decay"], group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                state = self._init_state(p)
                state["step"] += 1
                step = state["step"].item()
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(eps)
                p.addcdiv_(grad, std, value=-clr)
        return loss
