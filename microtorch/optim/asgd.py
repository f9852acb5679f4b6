"""ASGD: averaged stochastic gradient descent (a decaying step size and a running average of the iterates)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .. import _dtype
from .._creation import tensor, zeros_like
from ..autograd import no_grad
from .optimizer import Optimizer, _check_lr, _check_non_negative, _check_not_differentiable, _scalar, _Loss


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent, as ``torch.optim.ASGD``.

    For each parameter ``p`` with gradient, at step t (``eta`` starts at lr, ``mu`` at 1)::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        p = p * (1 - lambd * eta) - eta * g
        ax = ax + mu * (p - ax)                           (ax = p while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

    ``eta`` and ``mu`` are float32 scalars on the parameter's device, as torch's.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-2).
        lambd: decay term (default: 1e-4).
        alpha: power for the eta update (default: 0.75).
        t0: the step at which averaging starts (default: 1e6).
        weight_decay: L2 penalty (default: 0).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, capturable: accepted for torch compatibility and ignored (one implementation).
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check_non_negative(("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = _scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            weight_decay = group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = tensor(0.0, dtype=_dtype.float32, device=p.device)
                    state["eta"] = tensor(lr, dtype=_dtype.float32, device=p.device)
                    state["mu"] = tensor(1.0, dtype=_dtype.float32, device=p.device)
                    state["ax"] = zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                eta, mu, ax = state["eta"].item(), state["mu"].item(), state["ax"]
                p.mul_(1 - lambd * eta)
                p.add_(grad, alpha=-eta)
                if mu != 1:
                    ax.add_(p.sub(ax).mul_(mu))
                else:
                    ax.copy_(p)
                step = state["step"].item()
                state["eta"].fill_(lr / ((1 + lambd * lr * step) ** alpha))
                state["mu"].fill_(1 / max(1, step - t0))
        return loss
