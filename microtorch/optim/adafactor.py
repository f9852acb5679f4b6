"""Adafactor: a second-moment estimate factored into row and column means (Shazeer and Stern, 2018)."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from .._creation import zeros, zeros_like
from .._type_info import finfo
from ..autograd import no_grad
from .._tensor import Tensor
from .optimizer import Optimizer, _scalar, _step_counter, _Loss


class Adafactor(Optimizer):
    """Implements the Adafactor algorithm, as ``torch.optim.Adafactor``.

    For each parameter ``p`` with gradient g (negated if ``maximize``), at step t::

        beta2_t = 1 - t ** beta2_decay;  rho = min(lr, 1 / sqrt(t));  alpha = max(eps2, rms(p)) * rho
        p = p * (1 - lr * weight_decay)
        a matrix (or a stack of them): R = lerp(R, mean(g^2, last dim), 1 - beta2_t),
                                       C = lerp(C, mean(g^2, next-to-last dim), 1 - beta2_t),
                                       v = R C / max(mean(R), eps1)
        otherwise:                     v = lerp(v, g^2, 1 - beta2_t)
        u = g / sqrt(max(v, eps1^2));  p = p - alpha / max(1, rms(u) / d) * u

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate, the bound on the relative step (default: 1e-2).
        beta2_decay: the decay exponent of the second-moment average (default: -0.8).
        eps: (eps1, eps2): eps1 bounds the variance below (None: the dtype's machine epsilon), eps2 the
            parameter scale (default: (None, 1e-3)).
        d: clipping threshold on the update's root mean square (default: 1.0).
        weight_decay: decoupled weight decay (default: 0).
        foreach: accepted for torch compatibility and ignored (one implementation).
        maximize: maximize the objective instead of minimizing it (default: False).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = ((0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}"),
                  (0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
                  (eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}"),
                  (0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}"),
                  (1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}"),
                  (0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}"))
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            lr = _scalar(group["lr"])
            for p, grad in self._grads(group):
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                if eps1 is None:  # (torch's: set from the first parameter, then kept for the group's others)
                    eps1 = finfo(p.dtype).eps
                state = self.state[p]
                if len(state) == 0:
                    _init_state(state, grad)
                state["step"] += 1
                t = state["step"].item()
                weight = t ** group["beta2_decay"]  # 1 - beta2_t
                alpha = max(eps2, p.norm(2).item() / math.sqrt(p.numel())) * min(lr, 1 / math.sqrt(t))
                if group["weight_decay"] != 0:
                    p.mul_(1 - lr * group["weight_decay"])
                update = _variance(state, grad, weight, eps1).clamp_(min=eps1 * eps1).rsqrt_().mul_(grad)
                denom = max(1.0, update.norm(2).item() / (math.sqrt(update.numel()) * group["d"]))
                p.add_(update, alpha=-alpha / denom)
        return loss


def _init_state(state: dict, grad: Any) -> None:
    """A step count; row and column factors (a size-1 last or next-to-last dim) for a matrix gradient, else a
    full variance."""
    state["step"] = _step_counter()
    if grad.ndim > 1:
        rows, cols = list(grad.shape), list(grad.shape)
        rows[-1] = cols[-2] = 1
        state["row_var"] = zeros(rows, dtype=grad.dtype, device=grad.device)
        state["col_var"] = zeros(cols, dtype=grad.dtype, device=grad.device)
    else:
        state["variance"] = zeros_like(grad)


def _variance(state: dict, grad: Any, weight: float, eps1: float) -> Any:
    """The second-moment estimate after this gradient: the factored one's outer product R C / mean(R)."""
    if grad.ndim > 1:
        row_var, col_var = state["row_var"], state["col_var"]
        row_var.lerp_(grad.norm(dim=-1, keepdim=True).square_().div_(grad.shape[-1]), weight)
        col_var.lerp_(grad.norm(dim=-2, keepdim=True).square_().div_(grad.shape[-2]), weight)
        return (row_var @ col_var).div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
    state["variance"].lerp_(grad * grad, weight)
    return state["variance"].clone()
