"""Converting convolution weights to a memory format (torch's ``nn.utils.memory_format``). microtorch keeps every
tensor row-major, so the weights keep their values and layout: these walk the module tree as torch's do, check
the format, and return the module (a torch script that calls them runs unchanged)."""
from __future__ import annotations

from typing import Any, TypeVar

from ..._memory_format import memory_format as _memory_format
from ...autograd.grad_mode import no_grad
from ..modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]

_M = TypeVar("_M", bound=Module)


def _convert(module: Any, kinds: tuple, memory_format: Any) -> Any:
    if not isinstance(memory_format, _memory_format):
        raise TypeError(f"memory_format must be a microtorch.memory_format, got {type(memory_format).__name__}")
    if isinstance(module, kinds):
        with no_grad():
            module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, kinds, memory_format)
    return module


def convert_conv2d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give every ``Conv2d``/``ConvTranspose2d`` weight in ``module`` the ``memory_format`` (here: the same values,
    row-major); returns ``module``."""
    return _convert(module, (Conv2d, ConvTranspose2d), memory_format)


def convert_conv3d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give every ``Conv3d``/``ConvTranspose3d`` weight in ``module`` the ``memory_format`` (here: the same values,
    row-major); returns ``module``."""
    return _convert(module, (Conv3d, ConvTranspose3d), memory_format)
