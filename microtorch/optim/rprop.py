"""Rprop: resilient backpropagation (per-element step sizes driven by the signs of successive gradients)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import full_like, zeros_like
from ..autograd import no_grad
from .optimizer import Optimizer, _check_lr, _check_not_differentiable, _scalar, _step_counter, _Loss


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm, as ``torch.optim.Rprop``.

    For each parameter ``p`` with gradient (``step_size`` starts at lr, ``prev`` at 0)::

        g = -grad if maximize else grad
        factor = etaplus where g * prev > 0, etaminus where < 0, 1 where == 0
        step_size = clamp(step_size * factor, step_size_min, step_size_max)
        g = 0 where factor == etaminus
        p = p - sign(g) * step_size;  prev = g

    Args:
        params: tensors or parameter groups to optimize.
        lr: the initial step size (default: 1e-2).
        etas: (etaminus, etaplus), the factors that shrink and grow a step size (default: (0.5, 1.2)).
        step_sizes: the smallest and largest step sizes (default: (1e-6, 50)).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            (etaminus, etaplus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["prev"] = zeros_like(p)
                    state["step_size"] = full_like(grad, _scalar(group["lr"]))
                state["step"] += 1
                prev, step_size = state["prev"], state["step_size"]
                sign = grad.mul(prev).sign()
                factor = sign.masked_fill(sign.gt(0), etaplus).masked_fill_(sign.lt(0), etaminus)
                factor.masked_fill_(sign.eq(0), 1)
                step_size.mul_(factor).clamp_(step_size_min, step_size_max)
                grad = grad.masked_fill(factor.eq(etaminus), 0)
                p.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss
