"""Muon: momentum whose update is orthogonalised by a Newton-Schulz iteration (Keller Jordan, 2024), for the 2-D
weights of hidden layers; torch's ``torch.optim.Muon``."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from ..autograd import no_grad
from .optimizer import Optimizer, _Loss, _scalar

__all__ = ["Muon"]

# Keller Jordan's constants (github.com/KellerJordan/Muon), torch's defaults
EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bfloat16_rounded(x: Tensor) -> Tensor:
    """float32 ``x`` rounded to the nearest bfloat16 (ties to even; nan kept), still float32. torch's CPU bfloat16
    ops compute in float32 and round each result once, so rounding after each step gives its values bit for bit,
    without the ml_dtypes package."""
    xp = x.device.backend.xp
    bits = x._data.view(xp.uint32).astype(xp.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    rounded = bits.astype(xp.uint32).view(xp.float32)
    return Tensor._make(xp.where(xp.isnan(x._data), x._data, rounded), x.device)


def _zeropower_via_newtonschulz(grad: Tensor, ns_coefficients: tuple, ns_steps: int, eps: float) -> Tensor:
    """About U V^T for grad = U S V^T: a quintic Newton-Schulz iteration X <- a X + (b A + c A^2) X, A = X X^T,
    from X = grad / |grad|_F, on the wide orientation, in bfloat16 precision as torch's (float32 tensors holding
    bfloat16 values). Its singular values end near, not at, 1 (about 0.7-1.1): the coefficients favour speed."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    rounded = _bfloat16_rounded
    x = rounded(grad.float())
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    x = rounded(x / rounded(rounded(x.norm()).clamp(min=eps)))
    for _ in range(ns_steps):
        gram = rounded(x @ x.T)
        x = rounded(a * x + rounded(b * gram + c * (gram @ gram)) @ x)
    return x.T if tall else x


def _adjust_lr(lr: Any, adjust_lr_fn: str | None, shape: tuple) -> Any:
    """The learning rate scaled for a (rows, cols) weight: sqrt(max(1, rows/cols)) ('original', Keller Jordan's)
    or 0.2 sqrt(max(rows, cols)) ('match_rms_adamw', Moonshot's: AdamW's update RMS)."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


class Muon(Optimizer):
    """Implements the Muon algorithm, as ``torch.optim.Muon``, for 2-D parameters (optimize biases, embeddings and
    other parameters with AdamW). For each parameter ``p`` with gradient g::

        B = lerp(B, g, 1 - momentum);  U = lerp(g, B, momentum) if nesterov else B
        O = NS(U): ns_steps Newton-Schulz iterations with ns_coefficients (a, b, c), near U's orthogonal factor
        p = p * (1 - lr * weight_decay) - adjust_lr(lr, p.shape) * O

    Args:
        params: 2-D tensors or parameter groups of them to optimize.
        lr: learning rate (default: 1e-3).
        weight_decay: decoupled weight decay (default: 0.1).
        momentum: momentum factor (default: 0.95).
        nesterov: Nesterov momentum (default: True).
        ns_coefficients: the Newton-Schulz polynomial's (a, b, c) (default: (3.4445, -4.7750, 2.0315)).
        eps: the floor of the Frobenius norm the update is first divided by (default: 1e-7).
        ns_steps: Newton-Schulz iterations, fewer than 100 (default: 5).
        adjust_lr_fn: None or 'original' (Keller Jordan's sqrt(max(1, rows/cols))) or 'match_rms_adamw'
            (0.2 sqrt(max(rows, cols))) (default: None).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS, adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = ((0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}"),
                  (0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}"),
                  (0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}"),
                  (adjust_lr_fn in (None, "original", "match_rms_adamw"),
                   f"Adjust learning rate function {adjust_lr_fn} is not supported"))
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    @no_grad()
    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step (``closure`` re-evaluates the model and returns the loss)."""
        loss = self._loss_of(closure)
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]  # (a tensor lr stays one: torch's float32 arithmetic)
            for p, grad in self._grads(group):
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_like(grad)
                buffer = state["momentum_buffer"].lerp_(grad, 1 - momentum)
                update = grad.lerp(buffer, momentum) if group["nesterov"] else buffer
                update = _zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
                p.mul_(1 - lr * group["weight_decay"])
                p.add_(update, alpha=-_scalar(_adjust_lr(lr, group["adjust_lr_fn"], tuple(p.shape))))
        return loss
