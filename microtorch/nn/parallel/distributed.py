"""``DistributedDataParallel``: one model replica per process, gradients averaged during backward."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...distributed import _collectives, distributed_c10d
from ...distributed._object_collectives import all_gather_object
from ..modules.module import Module
from ._reducer import Reducer


def _to_device(obj: Any, device: Any) -> Any:
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


class DistributedDataParallel(Module):
    """Wraps ``module`` so that ``backward`` averages its gradients over the process group
    (``torch.nn.parallel.DistributedDataParallel``): parameters and buffers are broadcast from rank 0 at
    construction, buffers again before every forward (``broadcast_buffers``), and gradients are all-reduced
    in buckets of ``bucket_cap_mb`` while backward runs. ``no_sync()`` accumulates locally instead.
    Each rank feeds its own share of the batch; the result equals one process on the whole batch."""

    def __init__(self, module: Module, device_ids: list | None = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool | None = None, init_sync: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 **unsupported: Any) -> None:
        super().__init__()
        if unsupported:
            raise TypeError(f"DistributedDataParallel: unsupported arguments {sorted(unsupported)}")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel expects an nn.Module, got {type(module).__name__}")
        self.module = module
        group = distributed_c10d.resolve_group(process_group)
        if group is None:
            raise ValueError("DistributedDataParallel: this rank is not a member of process_group")
        self.process_group = group
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self.device_ids, self.output_device = self._check_devices(module, device_ids, output_device)
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        params = [p for _, p in named]
        self._verify_same_model(params)
        if init_sync:
            self._sync_module_states()
        self.reducer = Reducer(params, [n for n, _ in named], self.process_group, self.bucket_bytes_cap,
                               find_unused_parameters, gradient_as_bucket_view)

    @staticmethod
    def _check_devices(module: Module, device_ids: list | None, output_device: Any) -> tuple:
        devices = {p.device for p in module.parameters()}
        if len(devices) > 1:
            raise ValueError(f"DistributedDataParallel: the module's parameters are on several devices {devices}; "
                             "move it to one device first")
        device = next(iter(devices))
        if device_ids is not None and device.type == "cpu":
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with single-device/multiple-"
                f"device GPU modules or CPU modules, but got device_ids {device_ids}, output_device {output_device}, "
                f"and module parameters {devices}."
            )
        if device_ids is not None and len(device_ids) != 1:
            raise ValueError(f"DistributedDataParallel: device_ids must name one device per process, got {device_ids}")
        return device_ids, (output_device if output_device is not None else (device_ids or [None])[0])

    def _verify_same_model(self, params: list) -> None:
        """Every rank wraps the same parameter shapes and dtypes (torch's _verify_param_shape_across_processes)."""
        pg = self.process_group
        mine = [(tuple(t.shape), str(t.dtype)) for t in list(params) + list(self.module.buffers())]
        everyone: list = [None] * pg.size()
        all_gather_object(everyone, mine, group=pg)
        for rank, theirs in enumerate(everyone):
            if len(theirs) != len(everyone[0]):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {rank} has {len(theirs)} "
                                   f"params and buffers, while rank 0 has inconsistent {len(everyone[0])}.")
            for i, (a, b) in enumerate(zip(theirs, everyone[0])):
                if a != b:
                    raise RuntimeError(f"DDP expects same model across all ranks: params[{i}] (parameters, then "
                                       f"buffers) has shape {list(a[0])} ({a[1]}) in process {rank} but {list(b[0])} "
                                       f"({b[1]}) in process 0.")

    def _sync_module_states(self) -> None:
        """Rank 0's parameters and buffers, on every rank."""
        _collectives.broadcast_coalesced(list(self.module.parameters()) + list(self.module.buffers()),
                                         self.process_group)

    def _sync_buffers(self) -> None:
        buffers = list(self.module.buffers())
        if buffers:
            _collectives.broadcast_coalesced(buffers, self.process_group)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Run the module on this rank's inputs; a backward of the result then averages the gradients."""
        if self.require_forward_param_sync and self.broadcast_buffers:
            self._sync_buffers()
        if self.device_ids:
            inputs, kwargs = _to_device(inputs, self.device_ids[0]), _to_device(kwargs, self.device_ids[0])
        outputs = self.module(*inputs, **kwargs)
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward(outputs)
        return outputs

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside accumulate gradients locally, without communication;
        the first synchronised backward after it averages the accumulated sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def extra_repr(self) -> str:
        """The reduction settings, for the repr."""
        return f"broadcast_buffers={self.broadcast_buffers}, bucket_cap_mb={self.bucket_bytes_cap / 2 ** 20:g}"
