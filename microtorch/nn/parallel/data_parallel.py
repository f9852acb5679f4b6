"""``DataParallel``: torch's single-process wrapper, as it behaves on one device."""
from __future__ import annotations

from typing import Any

from ..modules.module import Module


class DataParallel(Module):
    """Wraps ``module`` and calls it (``torch.nn.parallel.DataParallel``). torch splits each batch over the
    GPUs of ``device_ids`` in one process; here, as torch does with a single device (or none), the module
    runs on the whole batch. Use DistributedDataParallel to train on several devices or processes."""

    def __init__(self, module: Module, device_ids: list | None = None, output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module  # (any callable, as torch on a machine without an accelerator: it fails when called)
        from ... import cuda  # (the package imports nn)

        # without an accelerator torch never reads device_ids (nor output_device): any value is accepted
        self.device_ids = list(device_ids) if device_ids is not None and cuda.is_available() else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """The wrapped module's output on the whole batch."""
        return self.module(*inputs, **kwargs)

