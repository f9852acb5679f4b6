"""Lazy modules (``torch.nn.modules.lazy``): layers whose input size is read from the first input.

A lazy module starts with ``UninitializedParameter``s; a forward pre hook calls
``initialize_parameters(input)`` on the first call (shapes from the input, then torch's
initialisation), after which the module becomes its ordinary class (``LazyLinear`` -> ``Linear``).
Loading a state_dict into a lazy module materializes its parameters with the loaded shapes. The lazy
layers live next to their ordinary classes, as torch's (``LazyLinear`` in linear.py, ``LazyConv2d`` in conv.py)."""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


if TYPE_CHECKING:  # the mixin is only ever mixed into Modules: type checkers see Module's attributes
    from .module import Module as _MixinBase
else:
    _MixinBase = object


class LazyModuleMixin(_MixinBase):
    """Mixed in before a layer class: defers its parameters' shapes to the first forward."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._state_hook = self._register_state_dict_hook(self._lazy_state_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _lazy_state_hook(self, module: Any, destination: dict, prefix: str, local_metadata: dict) -> None:
        # torch keeps uninitialized parameters themselves in the state_dict (their detached copies would lose that)
        for name, value in itertools.chain(self._parameters.items(), self._buffers.items()):
            if is_lazy(value):
                destination[prefix + name] = value

    def _lazy_load_hook(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool, missing_keys: list,
                        unexpected_keys: list, error_msgs: list) -> None:
        for name, value in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and value is not None and is_lazy(value) and not is_lazy(state_dict[key]):
                with no_grad():
                    value.materialize(tuple(state_dict[key].shape))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize the parameters from the first input (subclasses define it)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether any parameter or buffer is still uninitialized."""
        return any(is_lazy(v) for v in itertools.chain(self._parameters.values(), self._buffers.values()))

    def _infer_parameters(self, module: Any, args: tuple, kwargs: dict | None = None) -> None:
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        for hook in ("_initialize_hook", "_load_hook", "_state_hook"):
            getattr(module, hook).remove()
            delattr(module, hook)
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become
