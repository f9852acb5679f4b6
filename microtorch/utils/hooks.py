"""``RemovableHandle``: what every ``register_*_hook`` returns (``torch.utils.hooks``)."""
from __future__ import annotations

import itertools
from typing import Any, Sequence


class RemovableHandle:
    """A handle on one registered hook: ``handle.remove()`` (or leaving a ``with`` block) unregisters it."""

    _next_id = itertools.count()

    def __init__(self, hooks: dict, *, extra_dict: dict | list | None = None) -> None:
        self.hooks, self.id = hooks, next(RemovableHandle._next_id)
        # extra dicts keyed by the same id (e.g. a hook's "with kwargs" flag) go when the hook goes
        self.extra_dicts = [] if extra_dict is None else extra_dict if isinstance(extra_dict, list) else [extra_dict]

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self.hooks.pop(self.id, None)
        for extra in self.extra_dicts:
            extra.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()



# ---- module backward hooks -------------------------------------------------------------------------------
from ..autograd.function import Function  # noqa: E402  (after RemovableHandle, which the optimizers import alone)


class BackwardHookFunction(Function):
    """The identity on a module's input (or output) tensors; its backward is where the module's full
    backward hooks see, and may replace, the gradients (torch's ``BackwardHookFunction``)."""

    @staticmethod
    def forward(ctx: Any, on_backward: Any, *tensors: Any) -> tuple:
        ctx.on_backward = on_backward
        ctx.set_materialize_grads(False)
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return (None, *ctx.on_backward(grads))


class BackwardHook:
    """One module call's full backward hooks: ``setup_input_hook`` wraps the positional input tensors,
    ``setup_output_hook`` the outputs; when the gradients reach the outputs the pre hooks may replace
    ``grad_output``, and when they reach the inputs ``hook(module, grad_input, grad_output)`` may replace
    ``grad_input`` (tuples with None for non-tensor arguments, as torch's)."""

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module, self.user_hooks, self.user_pre_hooks = module, user_hooks, user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = self.n_outputs = -1
        self.input_tensors_index: list | None = None  # positions of the Tensor inputs (outputs), once wrapped
        self.output_tensors_index: list = []

    @staticmethod
    def _pack_with_none(indices: list, values: Sequence, size: int) -> tuple:
        packed = [None] * size
        for index, value in zip(indices, values):
            packed[index] = value
        return tuple(packed)

    def _apply_on_tensors(self, on_backward: Any, args: tuple) -> tuple:
        from ..autograd import grad_mode

        index = [i for i, a in enumerate(args) if isinstance(a, _tensor_type())]
        if not (any(args[i].requires_grad for i in index) and grad_mode.is_grad_enabled()):
            return args, None
        outputs = BackwardHookFunction.apply(on_backward, *[args[i] for i in index])
        new_args = list(args)
        for i, value in zip(index, outputs):
            new_args[i] = value
        return tuple(new_args), index

    def setup_input_hook(self, args: tuple) -> tuple:
        """Wrap the input tensors; their gradients go through the user hooks."""
        def on_backward(grad_input: tuple) -> tuple:
            if self.grad_outputs is None or self.input_tensors_index is None:
                return grad_input
            packed = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for hook in self.user_hooks:
                out = hook(self.module, packed, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(packed):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(packed)}")
                packed = out
            self.grad_outputs = None
            return tuple(packed[i] for i in self.input_tensors_index)

        result, self.input_tensors_index = self._apply_on_tensors(on_backward, args)
        self.n_inputs = len(args)
        return result

    def setup_output_hook(self, output: Any) -> Any:
        """Wrap the output tensors; their gradients go through the pre hooks, and through the user hooks
        right away when no input needs a gradient."""
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        result, self.output_tensors_index = self._apply_on_tensors(self._on_output_backward, outputs)
        self.n_outputs = len(outputs)
        return result if is_tuple else result[0]

    def _on_output_backward(self, grad_output: tuple) -> tuple:
        grad_outputs = self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            replaced = pre_hook(self.module, grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(replaced)}, but expected {len(grad_outputs)}")
            grad_outputs = self.grad_outputs = replaced
        local_grad_outputs = grad_outputs
        if self.input_tensors_index is None:
            import warnings

            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            grad_inputs = self._pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local_grad_outputs[i] for i in self.output_tensors_index)


def _tensor_type() -> type:
    from .._tensor import Tensor

    return Tensor


__all__ = ["RemovableHandle", "BackwardHook"]
