"""RMSprop: divide the gradient by a running root mean square of recent gradients."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import zeros_like
from .._device import on_device
from ..autograd import no_grad
from .optimizer import Optimizer, _check_non_negative, _check_not_differentiable, _scalar, _step_counter, _Loss


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm, as ``torch.optim.RMSprop``.

    For each parameter ``p`` with gradient::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        v = alpha * v + (1 - alpha) * g * g
        if centered: m = alpha * m + (1 - alpha) * g;  avg = sqrt(v - m * m) + eps
        else:        avg = sqrt(v) + eps
        if momentum > 0: b = momentum * b + g / avg;  p = p - lr * b
        else:            p = p - lr * g / avg

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-2).
        alpha: smoothing constant (default: 0.99).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        momentum: momentum factor (default: 0).
        centered: normalize by an estimate of the gradient's variance (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        capturable, foreach: accepted for torch compatibility; microtorch has one implementation.
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_non_negative(("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                            ("weight_decay value", weight_decay), ("alpha value", alpha))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, alpha, eps = _scalar(group["lr"]), group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
                state["step"] += 1
                updated = [p, state["square_avg"], state.get("grad_avg"), state.get("momentum_buffer")]
                with on_device(p.device):  # in place on the arrays; a large one in blocks across the threads
                    p.device.backend.elementwise(_rmsprop_kernel, p._data, grad._data,
                                                 *[None if t is None else t._data for t in updated],
                                                 (lr, alpha, eps, weight_decay, momentum))
                for t in updated:
                    if t is not None:
                        t._bump_version()
        return loss


def _rmsprop_kernel(xp: Any, out: Any, g: Any, p: Any, square_avg: Any, grad_avg: Any, buf: Any,
                    hyper: tuple) -> None:
    """RMSprop's update in place (``out`` is ``p``), with torch's steps and order (``grad.add(p, alpha=weight_decay)``,
    ``square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)``, ``grad_avg.lerp_(grad, 1 - alpha)``,
    ``buf.mul_(momentum).addcdiv_(grad, avg)``, ``p.add_(buf, alpha=-lr)`` or ``p.addcdiv_(grad, avg, value=-lr)``);
    ``grad_avg`` is None unless centered, ``buf`` None without momentum."""
    lr, alpha, eps, weight_decay, momentum = hyper
    if weight_decay != 0:
        g = g + p * weight_decay
    square_avg *= alpha
    square_avg += _times(g * g, 1 - alpha)
    if grad_avg is not None:
        grad_avg += (g - grad_avg) * (1 - alpha)
        avg = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps
    if buf is not None:
        buf *= momentum
        buf += g / avg
        p += _times(buf, -lr)
    else:
        p += _times(g / avg, -lr)


def _times(x: Any, alpha: float) -> Any:
    """``x * alpha``, but ``x`` itself for 1 (as ``add_(x, alpha=alpha)`` does)."""
    return x if alpha == 1 else x * alpha
