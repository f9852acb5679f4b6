"""DistributedDataParallel's reducer: gradients in buckets, each all-reduced as soon as it is full.

Parameters are packed, in reverse order of registration (roughly the order backward reaches
them), into flat buckets of ``bucket_cap_mb`` (the first one smaller, 1 MiB, so communication
starts early), one dtype and device per bucket. A post-accumulate-grad hook on every
parameter copies its gradient into its bucket once backward has finished it; the bucket
whose last gradient arrives is divided by the world size and its non-blocking all-reduce
starts at once, while backward goes on computing the other gradients (buckets start in index
order, identical on every rank, so the collectives match). When the last bucket has started,
all are waited for and the averaged gradients are written back to ``.grad``.
"""
from __future__ import annotations

from typing import Any

from ... import _creation
from ..._tensor import Tensor
from ...autograd.function import Op
from ...autograd.grad_mode import no_grad
from ...distributed import _collectives
from ...distributed.distributed_c10d import ProcessGroup

FIRST_BUCKET_BYTES = 1024 * 1024


class Bucket:
    """Some parameters of one dtype and device, and the flat buffer their gradients are reduced in."""

    def __init__(self, params: list) -> None:
        self.params = params
        self.offsets = []
        total = 0
        for p in params:
            self.offsets.append(total)
            total += p.numel()
        with no_grad():
            self.buffer = _creation.zeros(total, dtype=params[0].dtype, device=params[0].device)
        self.pending = len(params)
        self.work: Any = None  # the bucket's all-reduce (a Work), once launched

    def view(self, i: int) -> Any:
        """Parameter i's slot in the buffer, in its shape."""
        p = self.params[i]
        return self.buffer[self.offsets[i]:self.offsets[i] + p.numel()].view(p.shape)


def assign_buckets(params: list, cap_bytes: int, first_cap_bytes: int = FIRST_BUCKET_BYTES) -> list:
    """Parameters in reverse order, cut into buckets of at most ``cap_bytes`` (the first of at most
    ``first_cap_bytes``; a single larger parameter gets a bucket of its own), one dtype and device per bucket."""
    buckets: list = []
    open_: dict = {}
    for p in reversed(params):
        key = (p.device, p.dtype)
        current = open_.setdefault(key, [[], 0])
        cap = min(first_cap_bytes, cap_bytes) if not buckets else cap_bytes
        if current[0] and current[1] + p.nbytes > cap:
            buckets.append(current[0])
            current = open_[key] = [[], 0]
        current[0].append(p)
        current[1] += p.nbytes
    buckets.extend(members for members, _ in open_.values() if members)
    return buckets


def reachable_leaves(outputs: Any) -> set:
    """ids of the leaf tensors the autograd graph of ``outputs`` reaches."""
    stack, seen, leaves = [], set(), set()

    def collect(obj: Any) -> None:
        if isinstance(obj, Tensor):
            if obj._grad_fn is not None:
                stack.append(obj._grad_fn)
            elif obj.requires_grad:
                leaves.add(id(obj))
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                collect(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                collect(item)

    collect(outputs)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for edge in node.next_edges:
            if edge is None:
                continue
            if isinstance(edge[0], Op):
                stack.append(edge[0])
            else:
                leaves.add(id(edge[0]))
    return leaves


class Reducer:
    """Averages the gradients of ``params`` over ``group`` during backward (see the module docstring)."""

    def __init__(self, params: list, names: list, group: ProcessGroup, cap_bytes: int, find_unused: bool,
                 gradient_as_bucket_view: bool) -> None:
        self.group = group
        self.names = names
        self.find_unused = find_unused
        self.as_view = gradient_as_bucket_view
        self.params = params
        self.buckets = [Bucket(members) for members in assign_buckets(params, cap_bytes)]
        self.slot = {}  # id(param) -> (bucket, index in it)
        for bucket in self.buckets:
            for i, p in enumerate(bucket.params):
                self.slot[id(p)] = (bucket, i)
        self.expecting = False  # a synchronised backward is due (set by the forward)
        self.started = False  # its first gradient has arrived
        self.next_bucket = 0
        self.used: set = set()
        self.ready: set = set()
        self.handles = [p.register_post_accumulate_grad_hook(self._gradient_ready) for p in params]

    def prepare_for_backward(self, outputs: Any) -> None:
        """Called after a forward whose backward must synchronise; with ``find_unused``, the parameters
        the outputs do not depend on are ready at once (their gradient counts as zero here)."""
        if self.expecting and self.started:
            missing = [self.names[i] for i, p in enumerate(self.params) if id(p) not in self.used]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss. You can enable "
                "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
                "`microtorch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
                f"participate in calculating loss. Parameters that did not receive a gradient: {', '.join(missing)}"
            )
        self.expecting, self.started, self.next_bucket, self.used, self.ready = True, False, 0, set(), set()
        for bucket in self.buckets:
            bucket.pending, bucket.work = len(bucket.params), None
        if self.find_unused:
            reached = reachable_leaves(outputs)
            for p in self.params:
                if id(p) not in reached:
                    self._mark_ready(p, None)

    def _gradient_ready(self, param: Any) -> None:
        if self.expecting:
            self.started = True
            self.used.add(id(param))
            self._mark_ready(param, param.grad)

    def _mark_ready(self, param: Any, grad: Any) -> None:
        if id(param) in self.ready:
            raise RuntimeError(
                "Expected to mark a variable ready only once. This error is caused by a parameter used outside the "
                "`forward` function (or reused in several backward passes) in one iteration; parameter "
                f"{self.names[self.params.index(param)]}"
            )
        self.ready.add(id(param))
        bucket, i = self.slot[id(param)]
        with no_grad():
            slot = bucket.view(i)
            if grad is None:
                slot.zero_()
            elif grad is not slot:
                slot.copy_(grad)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready_buckets()

    def _launch_ready_buckets(self) -> None:
        size = self.group.size()
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            bucket = self.buckets[self.next_bucket]
            with no_grad():
                bucket.buffer.div_(size)
            bucket.work = _collectives.all_reduce_unchecked(bucket.buffer, self.group)
            self.next_bucket += 1
        for bucket in self.buckets[:self.next_bucket]:
            bucket.work.is_completed()  # MPI progresses requests when asked
        if self.next_bucket == len(self.buckets):
            self._finalize()

    def _globally_used(self) -> set:
        """ids of the parameters some rank used (find_unused_parameters: the others keep their .grad)."""
        with no_grad():
            flags = _creation.tensor([id(p) in self.used for p in self.params], device=self.params[0].device)
        _collectives.all_reduce_unchecked(flags, self.group).wait()  # bool SUM: logical or
        return {id(p) for p, used in zip(self.params, flags.tolist()) if used}

    def _finalize(self) -> None:
        for bucket in self.buckets:
            bucket.work.wait()
        used = self._globally_used() if self.find_unused else None
        with no_grad():
            for bucket in self.buckets:
                for i, p in enumerate(bucket.params):
                    if used is not None and id(p) not in used:
                        continue
                    averaged = bucket.view(i)
                    if self.as_view:
                        p.grad = averaged
                    elif p.grad is None:
                        p.grad = averaged.clone()
                    else:
                        p.grad.copy_(averaged)
        self.expecting = self.started = False

    def remove_hooks(self) -> None:
        """Unregister the gradient hooks."""
        for handle in self.handles:
            handle.remove()

