"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .._creation import zeros_like
from .._device import on_device
from .._tensor import Tensor
from ..autograd import no_grad
from .optimizer import Optimizer, _check_non_negative, _check_not_differentiable, _scalar, _step_counter, _Loss


class Adam(Optimizer):
    """Implements the Adam algorithm, as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient, at step t::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)                   (decoupled_weight_decay)
        g = g + weight_decay * p                          (otherwise, if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v); v_hat = v_max              (amsgrad; else v_hat = v)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v_hat) / sqrt(1 - beta2**t) + eps)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default: 1e-3).
        betas: coefficients of the running averages of the gradient and its square (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: weight decay coefficient (default: 0).
        amsgrad: use the AMSGrad variant (the running maximum of v) (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        decoupled_weight_decay: decay the weights directly, as AdamW (default: False).
        foreach, fused, capturable: accepted for torch compatibility; microtorch has one implementation.
        differentiable: must be False.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_non_negative(("learning rate", lr), ("epsilon value", eps))
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        _check_non_negative(("weight_decay value", weight_decay))
        _check_not_differentiable(differentiable)
        defaults = dict(lr=lr, betas=tuple(_scalar(b) for b in betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            # (a tensor lr stays one here: torch computes 1 - lr * wd and lr / bias_correction1 in its dtype)
            lr, eps, weight_decay, amsgrad = group["lr"], group["eps"], group["weight_decay"], group["amsgrad"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_counter()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                step_count = state["step"]  # a cpu float32 scalar tensor, as torch's; counted on its array
                step_count._data += 1
                step = step_count._data.item()

                decoupled = weight_decay != 0 and group["decoupled_weight_decay"]
                hyper = (_scalar(1 - lr * weight_decay) if decoupled else 1, 0 if decoupled else weight_decay, beta1,
                         beta2, _scalar(lr / (1 - beta1**step)), (1 - beta2**step) ** 0.5, eps)
                max_exp_avg_sq = state["max_exp_avg_sq"] if amsgrad else None
                with on_device(p.device):
                    _adam_update_(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, hyper)
        return loss


class AdamW(Adam):
    """Implements AdamW: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay``), as ``torch.optim.AdamW``.

    Same arguments as :class:`Adam`, except that ``weight_decay`` defaults to 1e-2 and
    the decay is always decoupled.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


def _adam_update_(p: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, max_exp_avg_sq: Tensor | None,
                  hyper: tuple) -> None:
    """One Adam update of ``p`` in place, on the backend's arrays: a dozen Tensor calls per parameter would
    cost more than the arithmetic on small layers, and the backend runs a large parameter's update in blocks
    across its threads (``Backend.elementwise``)."""
    arrays = (p._data, grad._data, exp_avg._data, exp_avg_sq._data)
    amsgrad = max_exp_avg_sq._data if max_exp_avg_sq is not None else None
    p.device.backend.elementwise(_adam_kernel, p._data, *arrays, amsgrad, hyper)
    for t in (p, exp_avg, exp_avg_sq) if max_exp_avg_sq is None else (p, exp_avg, exp_avg_sq, max_exp_avg_sq):
        t._bump_version()


def _adam_kernel(xp: Any, out: Any, p: Any, g: Any, m: Any, v: Any, v_max: Any, hyper: tuple) -> None:
    """Adam's update in place (``out`` is ``p``): the steps and their order are torch's (``p.mul_(decay)``,
    ``grad.add(p, alpha=weight_decay)``, ``exp_avg.lerp_(grad, 1 - beta1)``, ``exp_avg_sq.mul_(beta2).addcmul_(grad,
    grad, value=1 - beta2)``, ``p.addcdiv_(exp_avg, denom, value=-step_size)``), so the results match it to the
    last bits."""
    decay, weight_decay, beta1, beta2, step_size, bias_correction2_sqrt, eps = hyper
    if decay != 1:  # AdamW's decoupled decay
        p *= decay
    if weight_decay != 0:
        g = g + p * weight_decay
    scratch = xp.subtract(g, m, out=xp.empty_like(m))  # (out=: a 0-d result stays an array)
    scratch *= 1 - beta1
    m += scratch  # m = lerp(m, g, 1 - beta1)
    v *= beta2
    xp.multiply(g, g, out=scratch)
    scratch *= 1 - beta2
    v += scratch  # v = beta2 v + (1 - beta2) g^2
    if v_max is not None:
        xp.maximum(v_max, v, out=v_max)
        v = v_max
    xp.sqrt(v, out=scratch)
    scratch /= bias_correction2_sqrt
    scratch += eps  # denom
    xp.divide(m, scratch, out=scratch)
    scratch *= -step_size
    p += scratch
