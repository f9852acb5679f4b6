"""Autograd Functions behind layers (torch's ``nn.modules._functions``): ``SyncBatchNorm``, batch normalisation
whose statistics cover every rank's batch."""
from __future__ import annotations

from typing import Any

from ..._creation import zeros
from ..._functions import cat
from ..._tensor import Tensor
from ...autograd.function import Function, once_differentiable


def _layout(input: Tensor) -> tuple:
    """(the dims a channel's statistics reduce over, the shape a per-channel vector broadcasts as)."""
    return [0, *range(2, input.ndim)], (1, input.shape[1]) + (1,) * (input.ndim - 2)


def _summed(values: Tensor, process_group: Any) -> Tensor:
    """``values`` summed over the ranks of ``process_group`` (a new tensor: the input is left as it is)."""
    from ... import distributed as dist

    total = values.clone()
    dist.all_reduce(total, group=process_group)
    return total


class SyncBatchNorm(Function):
    """Batch normalisation over the batches of every rank in ``process_group``.

    forward: per channel, the element count and sum are summed over the ranks (the global mean), then the
    squared deviations from that mean (the biased variance: two passes, as stable as one process's); a rank
    with an empty batch contributes zeros. backward: with x^ = (x - mean) * invstd over all N elements,
    dx = w * invstd * (dy - sum(dy) / N - x^ * sum(dy * x^) / N), the two sums all-reduced; the weight and bias
    gradients stay local (DistributedDataParallel averages them)."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Any, bias: Any, running_mean: Any, running_var: Any,
                eps: float, momentum: float, process_group: Any, world_size: int) -> Tensor:
        dims, shape = _layout(input)
        channels = input.shape[1]
        local = zeros(channels + 1, dtype=input.dtype, device=input.device)
        local[:channels] = input.sum(dims)
        local[channels] = input.numel() // channels
        stats = _summed(local, process_group)
        count = float(stats[channels])
        mean = stats[:channels] / count
        centred = input - mean.reshape(shape)
        var = _summed((centred * centred).sum(dims), process_group) / count
        invstd = (var + eps).rsqrt()
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype), alpha=momentum)
        if running_var is not None:
            unbiased = var * (count / (count - 1)) if count > 1 else var * float("inf")
            running_var.mul_(1 - momentum).add_(unbiased.to(running_var.dtype), alpha=momentum)
        normalized = centred * invstd.reshape(shape)
        ctx.save_for_backward(normalized, weight, invstd)
        ctx.process_group, ctx.count = process_group, count
        out = normalized if weight is None else normalized * weight.reshape(shape)
        return out if bias is None else out + bias.reshape(shape)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_output: Tensor) -> tuple:  # (ctx: a FunctionCtx carrying this op's attributes)
        normalized, weight, invstd = ctx.saved_tensors
        dims, shape = _layout(grad_output)
        channels = grad_output.shape[1]
        sum_dy = grad_output.sum(dims)
        sum_dy_xhat = (grad_output * normalized).sum(dims)
        grad_input = None
        if ctx.needs_input_grad[0]:
            sums = _summed(cat([sum_dy, sum_dy_xhat]), ctx.process_group) / ctx.count
            scale = invstd if weight is None else invstd * weight
            grad_input = (grad_output - sums[:channels].reshape(shape)
                          - normalized * sums[channels:].reshape(shape)) * scale.reshape(shape)
        grad_weight = sum_dy_xhat if weight is not None and ctx.needs_input_grad[1] else None
        grad_bias = sum_dy if ctx.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias, None, None, None, None, None, None
