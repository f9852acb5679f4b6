"""Tensor collectives with torch.distributed's signatures and semantics.

Each function checks its arguments, then, unless the group has a single rank, compares a
fingerprint of the call (operation, sequence number, dtype, shape, root, reduction) across
the ranks (one small all-gather), so mismatched calls raise the same clear error on every
rank instead of hanging or corrupting memory, and finally hands the tensors' arrays to the
group's engine for their device (MPI in place on host memory, NCCL on device pointers).
``async_op=True`` returns the :class:`Work`; otherwise it is waited for (with the timeout).
"""
from __future__ import annotations

from typing import Any, Sequence

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .distributed_c10d import ProcessGroup, ReduceOp, RedOpType, peer_rank, resolve_group
from ._work import Work

__all__ = [
    "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "gather", "scatter",
    "reduce_scatter", "reduce_scatter_tensor", "all_to_all_single", "all_to_all", "send", "recv", "isend",
    "irecv", "barrier", "monitored_barrier", "P2POp", "batch_isend_irecv",
]

_OPS = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "gather", "scatter",
        "reduce_scatter", "all_to_all", "barrier", "broadcast_object_list", "all_gather_object", "gather_object",
        "scatter_object_list"]
_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bfloat16"]
_MAX_DIMS = 6


# ---- argument checks ---------------------------------------------------------------------------
def check_tensor(param: Any, name: str) -> Tensor:
    """A contiguous Tensor, or torch's TypeError / ValueError."""
    if not isinstance(param, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type Tensor but got "
                        f"{type(param)} instead.")
    if not param.is_contiguous():
        raise ValueError(f"Tensors must be contiguous (`{name}` is not: call .contiguous() first)")
    return param


def _check_list(param: Any, name: str) -> list:
    if not isinstance(param, list) or not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[Tensor] but got "
                        f"{type(param)}.")
    return param


def _check_like(tensors: Sequence[Tensor], like: Tensor, what: str, count: int | None = None) -> None:
    """Each tensor has ``like``'s shape, dtype and device (and there are ``count`` of them)."""
    if count is not None and len(tensors) != count:
        raise ValueError(f"{what}: the list has {len(tensors)} tensors, it needs one per rank ({count})")
    for i, t in enumerate(tensors):
        if t.shape != like.shape or t.dtype != like.dtype:
            raise ValueError(f"{what}[{i}] has shape {list(t.shape)} and dtype {t.dtype}; "
                             f"expected {list(like.shape)} and {like.dtype}, as the input")
        if t.device is not like.device:
            raise ValueError(f"{what}[{i}] is on {t.device} and the input on {like.device}: one collective, one device")


def _same_device(a: Tensor, b: Tensor, what: str) -> None:
    if a.device is not b.device:
        raise ValueError(f"{what}: the tensors are on {a.device} and {b.device}: one collective, one device")
    if a.dtype != b.dtype:
        raise ValueError(f"{what}: the tensors have dtypes {a.dtype} and {b.dtype}; they must match")


def check_op(op: Any, tensor: Tensor) -> RedOpType:
    """A supported reduction for ``tensor``'s dtype."""
    if not isinstance(op, RedOpType):
        raise TypeError(f"op must be a ReduceOp (ReduceOp.SUM, ...), got {op!r}")
    if op == ReduceOp.PREMUL_SUM:
        raise ValueError("ReduceOp.PREMUL_SUM is not supported by microtorch.distributed")
    if op == ReduceOp.AVG and not tensor.is_floating_point():
        raise ValueError(f"ReduceOp.AVG needs a floating point tensor, got {tensor.dtype}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and tensor.is_floating_point():
        raise ValueError(f"ReduceOp.{op.name} needs an integer or bool tensor, got {tensor.dtype}")
    return op


# ---- the cross-rank fingerprint ------------------------------------------------------------------
def fingerprint(pg: ProcessGroup, op_name: str, tensor: Tensor | None = None, shape: bool = True,
                root: int = -1, reduce_op: int = -1, extra: int = -1) -> list:
    """The integers every rank must agree on for this call."""
    pg._sequence += 1
    dims = [-1] * (_MAX_DIMS + 2)
    dtype = device = -1
    if tensor is not None:
        name = tensor._data.dtype.name
        dtype = _DTYPES.index(name) if name in _DTYPES else 99
        device = 1 if pg.engine_for(tensor.device) is not pg._mpi else 0
        if shape:
            dims = [tensor.ndim] + (list(tensor.shape[:_MAX_DIMS]) + [-1] * _MAX_DIMS)[:_MAX_DIMS] + [tensor.numel()]
    return [_OPS.index(op_name), pg._sequence, dtype, device, *dims, root, int(reduce_op), extra]


def _describe(row: list) -> str:
    op, seq, dtype, device, ndim, *rest = row
    dims, numel, root, reduce_op, extra = rest[:_MAX_DIMS], rest[_MAX_DIMS], *rest[_MAX_DIMS + 1:]
    parts = [f"SequenceNumber={seq}"]
    if dtype != -1:
        parts.append(f"TensorDtype={_DTYPES[dtype] if dtype < len(_DTYPES) else 'other'}")
        parts.append(f"Device={'cuda' if device == 1 else 'cpu'}")
    if ndim != -1:
        parts.append(f"TensorShape={dims[:ndim] if ndim <= _MAX_DIMS else f'{ndim} dims, {numel} elements'}")
    if root != -1:
        parts.append(f"root={root}")
    if reduce_op != -1:
        parts.append(f"op={RedOpType(reduce_op).name}")
    if extra != -1:
        parts.append(f"count={extra}")
    return f"{_OPS[op]}({', '.join(parts)})"


def check_everyone(pg: ProcessGroup, mine: list) -> None:
    """Raise the same RuntimeError on every rank if the ranks are not all making this very call."""
    if pg.size() == 1:
        return
    rows = pg._mpi.all_gather_ints(mine, f"rank {pg.rank()}: {_OPS[mine[0]]}")
    for rank, row in enumerate(rows):
        if row != rows[0]:
            raise RuntimeError(
                f"Detected mismatch between collectives on ranks. Rank 0 is running collective: {_describe(rows[0])}, "
                f"but Rank {rank} is running collective: {_describe(row)}"
            )


def _finish(work: Work, async_op: bool) -> Work | None:
    if async_op:
        return work
    work.wait()
    return None


def _average(work: Work, op: RedOpType, tensor: Tensor, size: int) -> Work:
    """AVG runs as SUM, then divides (the engines have no AVG for every dtype)."""
    if op == ReduceOp.AVG:
        def divide() -> None:
            with no_grad():
                tensor.div_(size)

        work.then(divide)
    return work


def _sum_for(op: RedOpType) -> RedOpType:
    return ReduceOp.SUM if op == ReduceOp.AVG else op


def _copy_out(buffer: Any, targets: Sequence[Tensor]) -> Any:
    """A step copying ``buffer[i]`` (a stacked tensor or a list of pieces) into ``targets[i]``."""
    def copy() -> None:
        with no_grad():
            for i, t in enumerate(targets):
                t.copy_(buffer[i].view(t.shape))

    return copy


def _empty(shape: tuple, like: Tensor) -> Tensor:
    with no_grad():
        return _creation.empty(*shape, dtype=like.dtype, device=like.device)


# ---- the collectives ---------------------------------------------------------------------------------
def all_reduce(tensor: Tensor, op: RedOpType = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` over the ranks, in place on every rank."""
    check_tensor(tensor, "tensor")
    op = check_op(op, tensor)
    pg = resolve_group(group)
    if pg is None:
        return None
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "all_reduce", tensor, reduce_op=op))
    work = engine.all_reduce(tensor._data, _sum_for(op))
    tensor._bump_version()
    return _finish(_average(work, op, tensor, pg.size()), async_op)


def all_reduce_unchecked(tensor: Tensor, pg: ProcessGroup) -> Work:
    """SUM all-reduce without the fingerprint (DistributedDataParallel's buckets, identical on every rank
    by construction); returns the Work."""
    work = pg.engine_for(tensor.device).all_reduce(tensor._data, ReduceOp.SUM)
    tensor._bump_version()
    return work


def broadcast_coalesced(tensors: Sequence[Tensor], pg: ProcessGroup, root: int = 0) -> None:
    """Group rank ``root``'s values of ``tensors`` on every rank, one unchecked broadcast per dtype and device
    (DistributedDataParallel's parameters and buffers, the same on every rank by construction)."""
    from .._functions import cat

    by_kind: dict = {}
    for t in tensors:
        by_kind.setdefault((t.device, t.dtype), []).append(t)
    for members in by_kind.values():
        with no_grad():
            flat = cat([t.detach().reshape(-1) for t in members]).contiguous()
        pg.engine_for(flat.device).broadcast(flat._data, root).wait()
        offset = 0
        with no_grad():
            for t in members:
                t.copy_(flat[offset:offset + t.numel()].view(t.shape))
                offset += t.numel()


def broadcast(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, async_op: bool = False,
              group_src: int | None = None) -> Work | None:
    """Copy ``src``'s tensor into every rank's."""
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    root = peer_rank(pg, src, group_src, "src")
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "broadcast", tensor, root=root))
    work = engine.broadcast(tensor._data, root)
    tensor._bump_version()
    return _finish(work, async_op)


def reduce(tensor: Tensor, dst: int | None = None, op: RedOpType = ReduceOp.SUM, group: ProcessGroup | None = None,
           async_op: bool = False, group_dst: int | None = None) -> Work | None:
    """Reduce ``tensor`` over the ranks into ``dst``'s tensor (the others' are left as they were)."""
    check_tensor(tensor, "tensor")
    op = check_op(op, tensor)
    pg = resolve_group(group)
    if pg is None:
        return None
    root = peer_rank(pg, dst, group_dst, "dst")
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "reduce", tensor, root=root, reduce_op=op))
    work = engine.reduce(tensor._data, _sum_for(op), root)
    if pg.rank() == root:
        tensor._bump_version()
        _average(work, op, tensor, pg.size())
    return _finish(work, async_op)


def all_gather(tensor_list: list, tensor: Tensor, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Every rank's ``tensor`` into ``tensor_list[rank]``, on every rank."""
    _check_list(tensor_list, "tensor_list")
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    _check_like(tensor_list, tensor, "all_gather: tensor_list", pg.size())
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "all_gather", tensor))
    buffer = _empty((pg.size(),) + tuple(tensor.shape), tensor)
    work = engine.all_gather(buffer._data, tensor._data).then(_copy_out(buffer, tensor_list))
    return _finish(work, async_op)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group: ProcessGroup | None = None,
                           async_op: bool = False) -> Work | None:
    """Every rank's input, concatenated (along the first dim, or stacked) into ``output_tensor``."""
    check_tensor(output_tensor, "output_tensor")
    check_tensor(input_tensor, "input_tensor")
    _same_device(output_tensor, input_tensor, "all_gather_into_tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    if output_tensor.numel() != pg.size() * input_tensor.numel():
        raise ValueError("all_gather_into_tensor: output tensor size must be equal to world_size times input tensor "
                         f"size ({output_tensor.numel()} != {pg.size()} x {input_tensor.numel()})")
    engine = pg.engine_for(input_tensor.device)
    check_everyone(pg, fingerprint(pg, "all_gather_into_tensor", input_tensor))
    work = engine.all_gather(output_tensor._data, input_tensor._data)
    output_tensor._bump_version()
    return _finish(work, async_op)


def gather(tensor: Tensor, gather_list: list | None = None, dst: int | None = None,
           group: ProcessGroup | None = None, async_op: bool = False, group_dst: int | None = None) -> Work | None:
    """Every rank's ``tensor`` into ``gather_list`` on ``dst`` (``dst=0`` when neither dst is given)."""
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    root = peer_rank(pg, 0 if dst is None and group_dst is None else dst, group_dst, "dst")
    if pg.rank() == root:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_like(_check_list(gather_list, "gather_list"), tensor, "gather: gather_list", pg.size())
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "gather", tensor, root=root))
    if pg.rank() != root:
        return _finish(engine.gather(None, tensor._data, root), async_op)
    buffer = _empty((pg.size(),) + tuple(tensor.shape), tensor)
    assert gather_list is not None  # (checked above on the destination)
    work = engine.gather(buffer._data, tensor._data, root).then(_copy_out(buffer, gather_list))
    return _finish(work, async_op)


def scatter(tensor: Tensor, scatter_list: list | None = None, src: int | None = None,
            group: ProcessGroup | None = None, async_op: bool = False, group_src: int | None = None) -> Work | None:
    """``scatter_list[rank]`` of ``src`` into every rank's ``tensor`` (``src=0`` when neither src is given)."""
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    root = peer_rank(pg, 0 if src is None and group_src is None else src, group_src, "src")
    stacked = None
    if pg.rank() == root:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_like(_check_list(scatter_list, "scatter_list"), tensor, "scatter: scatter_list", pg.size())
        with no_grad():
            stacked = _stacked(scatter_list)
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    engine = pg.engine_for(tensor.device)
    check_everyone(pg, fingerprint(pg, "scatter", tensor, root=root))
    work = engine.scatter(tensor._data, None if stacked is None else stacked._data, root)
    tensor._bump_version()
    return _finish(work, async_op)


def _stacked(tensors: Sequence[Tensor]) -> Tensor:
    from .._functions import stack

    return stack([t.detach() for t in tensors]).contiguous()


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: RedOpType = ReduceOp.SUM,
                          group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduce ``input`` over the ranks; rank r keeps the r-th of its ``world_size`` equal chunks in ``output``."""
    check_tensor(output, "output")
    check_tensor(input, "input")
    _same_device(output, input, "reduce_scatter_tensor")
    op = check_op(op, input)
    pg = resolve_group(group)
    if pg is None:
        return None
    if input.numel() != pg.size() * output.numel():
        raise ValueError("reduce_scatter_tensor: input tensor must be the same size as output size times world size "
                         f"({input.numel()} != {pg.size()} x {output.numel()})")
    engine = pg.engine_for(input.device)
    check_everyone(pg, fingerprint(pg, "reduce_scatter", input, reduce_op=op))
    work = engine.reduce_scatter(output._data, input._data, _sum_for(op))
    output._bump_version()
    return _finish(_average(work, op, output, pg.size()), async_op)


def reduce_scatter(output: Tensor, input_list: list, op: RedOpType = ReduceOp.SUM,
                   group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduce the lists over the ranks; rank r gets the reduced ``input_list[r]`` in ``output``."""
    check_tensor(output, "output")
    _check_list(input_list, "input_list")
    pg = resolve_group(group)
    if pg is None:
        return None
    _check_like(input_list, output, "reduce_scatter: input_list", pg.size())
    with no_grad():
        stacked = _stacked(input_list)
    return reduce_scatter_tensor(output, stacked, op, group, async_op)


def _split_counts(tensor: Tensor, splits: list | None, size: int, name: str) -> list:
    """Element counts per rank of a dim-0 split of ``tensor``."""
    if tensor.ndim == 0:
        raise ValueError(f"all_to_all_single: `{name}` must have at least one dimension")
    rows = tensor.shape[0]
    row = tensor.numel() // rows if rows else 0
    if splits is None:
        if rows % size:
            raise ValueError(f"all_to_all_single: `{name}`'s first dim ({rows}) must divide by the world size ({size})")
        return [rows // size * row] * size
    splits = list(splits)
    if len(splits) != size or sum(splits) != rows or any(s < 0 for s in splits):
        raise ValueError(f"all_to_all_single: {name} split sizes {splits} must be {size} non-negative numbers "
                         f"summing to its first dim ({rows})")
    return [s * row for s in splits]


def all_to_all_single(output: Tensor, input: Tensor, output_split_sizes: list | None = None,
                      input_split_sizes: list | None = None, group: ProcessGroup | None = None,
                      async_op: bool = False) -> Work | None:
    """Split ``input`` along dim 0, send chunk r to rank r, and concatenate what arrives into ``output``."""
    check_tensor(output, "output")
    check_tensor(input, "input")
    _same_device(output, input, "all_to_all_single")
    pg = resolve_group(group)
    if pg is None:
        return None
    out_counts = _split_counts(output, output_split_sizes, pg.size(), "output")
    in_counts = _split_counts(input, input_split_sizes, pg.size(), "input")
    engine = pg.engine_for(input.device)
    check_everyone(pg, fingerprint(pg, "all_to_all", input, shape=False))
    work = engine.all_to_all(output._data, input._data, out_counts, in_counts)
    output._bump_version()
    return _finish(work, async_op)


def all_to_all(output_tensor_list: list, input_tensor_list: list, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Send ``input_tensor_list[r]`` to rank r; what rank r sent arrives in ``output_tensor_list[r]``."""
    _check_list(output_tensor_list, "output_tensor_list")
    _check_list(input_tensor_list, "input_tensor_list")
    pg = resolve_group(group)
    if pg is None:
        return None
    if len(output_tensor_list) != pg.size() or len(input_tensor_list) != pg.size():
        raise ValueError(f"all_to_all: both lists need one tensor per rank ({pg.size()})")
    like = input_tensor_list[0]
    for t in list(output_tensor_list) + list(input_tensor_list):
        _same_device(t, like, "all_to_all")
    with no_grad():
        from .._functions import cat

        flat_in = cat([t.detach().reshape(-1) for t in input_tensor_list]).contiguous()
        flat_out = _empty((sum(t.numel() for t in output_tensor_list),), like)
    engine = pg.engine_for(like.device)
    check_everyone(pg, fingerprint(pg, "all_to_all", like, shape=False))
    out_counts = [t.numel() for t in output_tensor_list]
    work = engine.all_to_all(flat_out._data, flat_in._data, out_counts, [t.numel() for t in input_tensor_list])
    offsets = [sum(out_counts[:i]) for i in range(len(out_counts))]
    pieces = [flat_out[o:o + n] for o, n in zip(offsets, out_counts)]
    return _finish(work.then(_copy_out(pieces, output_tensor_list)), async_op)


# ---- point to point ------------------------------------------------------------------------------------
def isend(tensor: Tensor, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_dst: int | None = None) -> Work | None:
    """Start sending ``tensor`` to ``dst``; returns the Work."""
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None
    peer = peer_rank(pg, dst, group_dst, "dst")
    if peer == pg.rank():
        raise ValueError("Invalid destination rank: destination rank should not be the same as the rank of the "
                         "current process.")
    return pg.engine_for(tensor.device).send(tensor._data, peer, tag)


def irecv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_src: int | None = None) -> Work | None:
    """Start receiving into ``tensor`` from ``src`` (any rank when ``src`` is None); returns the Work."""
    return _irecv(tensor, src, group, tag, group_src)[0]


def _irecv(tensor: Tensor, src: int | None, group: Any, tag: int, group_src: int | None) -> tuple:
    check_tensor(tensor, "tensor")
    pg = resolve_group(group)
    if pg is None:
        return None, None
    peer = None if src is None and group_src is None else peer_rank(pg, src, group_src, "src")
    if peer == pg.rank():
        raise ValueError("Invalid source rank: source rank should not be the same as the rank of the current process.")
    work, source = pg.engine_for(tensor.device).recv(tensor._data, peer, tag)
    tensor._bump_version()
    return work, (lambda: pg._ranks[source()])


def send(tensor: Tensor, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_dst: int | None = None) -> None:
    """Send ``tensor`` to ``dst`` and wait until it has gone."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_src: int | None = None) -> int:
    """Receive into ``tensor`` from ``src`` (any rank when None); returns the sender's rank (-1 off the group)."""
    work, sender = _irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return sender()


class P2POp:
    """One send or receive for :func:`batch_isend_irecv`: ``P2POp(isend, tensor, peer)`` or ``P2POp(irecv, ...)``."""

    def __init__(self, op: Any, tensor: Tensor, peer: int | None = None, group: ProcessGroup | None = None,
                 tag: int = 0, group_peer: int | None = None) -> None:
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                             "``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group = op, tensor, peer, group
        self.tag, self.group_peer = tag, group_peer


def batch_isend_irecv(p2p_op_list: list) -> list:
    """Start every send and receive of the list at once (so pairs that send to each other cannot deadlock);
    returns their Works."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type ``torch.distributed.P2POp``.")
    return [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]


def barrier(group: ProcessGroup | None = None, async_op: bool = False, device_ids: Any = None,
            timeout: Any = None) -> Work | None:
    """Wait until every rank of ``group`` has reached the barrier."""
    pg = resolve_group(group)
    if pg is None:
        return None
    check_everyone(pg, fingerprint(pg, "barrier"))
    work = pg._mpi.barrier()
    if async_op:
        return work
    work.wait(timeout)
    return None


def monitored_barrier(group: ProcessGroup | None = None, timeout: Any = None, wait_all_ranks: bool = False) -> None:
    """A barrier that raises DistBackendError after ``timeout`` (the group's by default)."""
    barrier(group, timeout=timeout)
