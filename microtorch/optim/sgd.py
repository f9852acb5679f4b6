"""SGD: stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._device import on_device
from ..autograd import no_grad
from .optimizer import Optimizer, _check_non_negative, _check_not_differentiable, _scalar, _Loss


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        g = g + weight_decay * p                          (if weight_decay != 0)
        if momentum != 0:
            b = g                                         (t = 1)
            b = momentum * b + (1 - dampening) * g        (t > 1)
            g = g + momentum * b if nesterov else b
        p = p - lr * g

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-3).
        momentum: momentum factor (default: 0).
        dampening: dampening for momentum (default: 0).
        weight_decay: L2 penalty (default: 0).
        nesterov: use Nesterov momentum (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        foreach, fused: accepted for torch compatibility; microtorch has one implementation.
        differentiable: must be False (microtorch does not differentiate through optimizer steps).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_non_negative(("learning rate", lr), ("momentum value", momentum), ("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, momentum, dampening = _scalar(group["lr"]), group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p, grad in self._grads(group):
                buf, fresh = None, False
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        if weight_decay != 0:
                            grad = grad.add(p, alpha=weight_decay)
                        buf = state["momentum_buffer"] = grad.detach().clone()
                        fresh = True  # (the decay is in the buffer already)
                hyper = (lr, 0 if fresh else weight_decay, momentum, 1 - dampening, nesterov, fresh)
                with on_device(p.device):  # in place on the arrays; a large one in blocks across the threads
                    p.device.backend.elementwise(_sgd_kernel, p._data, p._data, grad._data,
                                                 None if buf is None else buf._data, hyper)
                for t in (p,) if buf is None else (p, buf):
                    t._bump_version()
        return loss


def _sgd_kernel(xp: Any, out: Any, p: Any, g: Any, buf: Any, hyper: tuple) -> None:
    """SGD's update in place (``out`` is ``p``), with torch's steps and order (``grad.add(p, alpha=weight_decay)``,
    ``buf.mul_(momentum).add_(grad, alpha=1 - dampening)``, ``p.add_(grad, alpha=-lr)``); a ``fresh`` buffer was just
    made from the decayed gradient (``weight_decay`` comes as 0), so it is not updated again."""
    lr, weight_decay, momentum, buf_weight, nesterov, fresh = hyper
    if weight_decay != 0:
        g = g + p * weight_decay
    if buf is not None:
        if not fresh:
            buf *= momentum
            buf += g if buf_weight == 1 else g * buf_weight
        g = g + buf * momentum if nesterov else buf
    p += g * -lr

