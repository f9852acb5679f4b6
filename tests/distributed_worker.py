"""Checks of microtorch.distributed and DistributedDataParallel, run on every rank of an ``mpiexec``
job that tests/test_distributed.py starts (``python tests/distributed_worker.py CHECK ...``).

Every rank's inputs are functions of its rank, so each rank computes the exact expected
result with NumPy from all of them. A failed check raises, which ends the whole job (an
uncaught exception aborts every rank); at the end rank 0 prints ``PASSED <check> ...``.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

import numpy as np

import microtorch as mt
import microtorch.distributed as dist
from microtorch.nn.parallel import DistributedDataParallel as DDP

CHECKS: dict = {}
OPS = {"SUM": np.sum, "PRODUCT": np.prod, "MIN": np.min, "MAX": np.max, "AVG": np.mean}


def check(fn):
    CHECKS[fn.__name__] = fn
    return fn


def data(rank: int, shape=(2, 3), dtype="float64") -> np.ndarray:
    values = np.random.default_rng(100 + rank).standard_normal(shape) * 3
    if dtype == "bool":
        return values > 0
    return values.astype(dtype) if dtype.startswith("float") else np.round(values).astype(dtype) + 1


def everyone(shape=(2, 3), dtype="float64") -> list:
    return [data(r, shape, dtype) for r in range(dist.get_world_size())]


def tensor(array: np.ndarray, device="cpu") -> mt.Tensor:
    return mt.tensor(array, device=device)


def same(t: mt.Tensor, expected, rtol=1e-12) -> None:
    got = t.cpu().numpy()
    expected = np.asarray(expected)
    assert (got.shape, got.dtype) == (expected.shape, expected.dtype), (got.shape, got.dtype, expected.shape,
                                                                        expected.dtype)
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, expected)


def raises(kind, match, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except kind as e:
        assert match in str(e), f"{match!r} not in {e}"
        return e
    raise AssertionError(f"{fn.__name__} did not raise {kind.__name__}")


# ---- collectives against NumPy -----------------------------------------------------------------------------
def reduce_checks(device: str) -> None:
    rank, n = dist.get_rank(), dist.get_world_size()
    for dtype, ops in (("float64", OPS), ("float32", OPS), ("int64", ("SUM", "PRODUCT", "MIN", "MAX")),
                       ("bool", ("SUM", "MIN", "MAX"))):
        for op in ops:
            t = tensor(data(rank, dtype=dtype), device)
            dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
            stacked = np.stack(everyone(dtype=dtype))
            expected = stacked.any(0) if dtype == "bool" and op in ("SUM", "MAX") else (
                stacked.all(0) if dtype == "bool" else OPS[op](stacked, axis=0).astype(dtype))
            same(t, expected, rtol=1e-6 if dtype == "float32" else 1e-12)
    for src in range(n):
        t = tensor(data(rank), device)
        dist.broadcast(t, src=src)
        same(t, data(src))
    t = tensor(data(rank), device)
    dist.reduce(t, dst=n - 1, op=dist.ReduceOp.MAX)
    same(t, np.max(everyone(), axis=0) if rank == n - 1 else data(rank))


@check
def all_reduce_broadcast_reduce():
    reduce_checks("cpu")


def gather_checks(device: str) -> None:
    rank, n = dist.get_rank(), dist.get_world_size()
    mine = tensor(data(rank), device)
    out = [mt.zeros(2, 3, dtype=mt.float64, device=device) for _ in range(n)]
    dist.all_gather(out, mine)
    for o, expected in zip(out, everyone()):
        same(o, expected)
    flat = mt.zeros(2 * n, 3, dtype=mt.float64, device=device)
    dist.all_gather_into_tensor(flat, mine)
    same(flat, np.concatenate(everyone()))
    stacked = mt.zeros(n, 2, 3, dtype=mt.float64, device=device)
    dist.all_gather_into_tensor(stacked, mine)
    same(stacked, np.stack(everyone()))
    dst = n - 1
    targets = [mt.zeros(2, 3, dtype=mt.float64, device=device) for _ in range(n)] if rank == dst else None
    dist.gather(mine, targets, dst=dst)
    if rank == dst:
        for o, expected in zip(targets, everyone()):
            same(o, expected)
    src = 1 % n
    received = mt.zeros(4, dtype=mt.int64, device=device)
    pieces = [tensor(np.arange(4) + 10 * r, device) for r in range(n)] if rank == src else None
    dist.scatter(received, pieces, src=src)
    same(received, np.arange(4) + 10 * rank)


@check
def gather_scatter():
    gather_checks("cpu")


def reduce_scatter_checks(device: str) -> None:
    rank, n = dist.get_rank(), dist.get_world_size()
    for op in ("SUM", "AVG", "MAX"):
        out = mt.zeros(2, 3, dtype=mt.float64, device=device)
        dist.reduce_scatter_tensor(out, tensor(data(rank, (2 * n, 3)), device), op=getattr(dist.ReduceOp, op))
        same(out, OPS[op](np.stack(everyone((2 * n, 3))), axis=0)[2 * rank:2 * rank + 2])
    out = mt.zeros(3, dtype=mt.float64, device=device)
    dist.reduce_scatter(out, [tensor(data(rank, (n, 3))[r], device) for r in range(n)])
    same(out, np.sum(everyone((n, 3)), axis=0)[rank])


@check
def reduce_scatter():
    reduce_scatter_checks("cpu")


def all_to_all_checks(device: str) -> None:
    rank, n = dist.get_rank(), dist.get_world_size()
    sent = [data(r, (n * 2, 3)) for r in range(n)]
    out = mt.zeros(n * 2, 3, dtype=mt.float64, device=device)
    dist.all_to_all_single(out, tensor(sent[rank], device))
    same(out, np.concatenate([sent[r][2 * rank:2 * rank + 2] for r in range(n)]))
    # uneven: rank r sends (r + d + 1) rows to rank d
    splits = {r: [r + d + 1 for d in range(n)] for r in range(n)}
    rows = {r: np.arange(sum(splits[r]) * 2, dtype="float64").reshape(-1, 2) + 100 * r for r in range(n)}
    incoming = [splits[r][rank] for r in range(n)]
    out = mt.zeros(sum(incoming), 2, dtype=mt.float64, device=device)
    dist.all_to_all_single(out, tensor(rows[rank], device), incoming, splits[rank])
    starts = {r: np.cumsum([0] + splits[r]) for r in range(n)}
    same(out, np.concatenate([rows[r][starts[r][rank]:starts[r][rank + 1]] for r in range(n)]))
    outs = [mt.zeros(r + 1, dtype=mt.float64, device=device) for r in range(n)]
    dist.all_to_all(outs, [tensor(np.full(rank + 1, 10.0 * rank + d), device) for d in range(n)])
    for r, o in enumerate(outs):
        same(o, np.full(r + 1, 10.0 * r + rank))


@check
def all_to_all():
    all_to_all_checks("cpu")


def point_to_point_checks(device: str) -> None:
    rank, n = dist.get_rank(), dist.get_world_size()
    right, left = (rank + 1) % n, (rank - 1) % n
    box = mt.zeros(2, 3, dtype=mt.float64, device=device)
    if rank % 2 == 0:
        dist.send(tensor(data(rank), device), dst=right)
        dist.recv(box, src=left)
    else:
        dist.recv(box, src=left)
        dist.send(tensor(data(rank), device), dst=right)
    same(box, data(left))
    works = [dist.isend(tensor(data(rank), device), dst=right), dist.irecv(box, src=left)]
    for w in works:
        w.wait()
    same(box, data(left))
    from_right = mt.zeros(2, 3, dtype=mt.float64, device=device)
    ops = [dist.P2POp(dist.isend, tensor(data(rank), device), left), dist.P2POp(dist.irecv, from_right, right)]
    for w in dist.batch_isend_irecv(ops):
        w.wait()
    same(from_right, data(right))


@check
def point_to_point():
    point_to_point_checks("cpu")
    rank, n = dist.get_rank(), dist.get_world_size()
    if rank == 0:
        senders = set()
        for _ in range(n - 1):
            box = mt.zeros(1, dtype=mt.int64)
            senders.add(dist.recv(box))  # from any rank: returns who sent it
            assert box.item() == 7
        assert senders == set(range(1, n)), senders
    else:
        dist.send(mt.tensor([7]), dst=0)


@check
def async_work():
    rank, n = dist.get_rank(), dist.get_world_size()
    t = tensor(data(rank))
    work = dist.all_reduce(t, async_op=True)
    assert isinstance(work, dist.Work)
    work.wait()
    assert work.is_completed() and work.is_success()
    same(t, np.sum(everyone(), axis=0))
    out = mt.zeros(2 * n, 3, dtype=mt.float64)
    work = dist.all_gather_into_tensor(out, tensor(data(rank)), async_op=True)
    assert work.result()[0:0] == [] and work.wait()
    same(out, np.concatenate(everyone()))
    dist.barrier()
    dist.barrier(async_op=True).wait()
    dist.monitored_barrier(timeout=timedelta(seconds=30))


@check
def objects():
    rank, n = dist.get_rank(), dist.get_world_size()
    items = [{"rank": rank}, "x" * rank, None]
    dist.broadcast_object_list(items, src=n - 1)
    assert items == [{"rank": n - 1}, "x" * (n - 1), None]
    gathered = [None] * n
    dist.all_gather_object(gathered, ("hello", rank, list(range(rank))))
    assert gathered == [("hello", r, list(range(r))) for r in range(n)]
    slots = [None] * n if rank == 0 else None
    dist.gather_object({rank}, slots, dst=0)
    assert rank != 0 or slots == [{r} for r in range(n)]
    out = [None]
    dist.scatter_object_list(out, [f"for {r}" for r in range(n)] if rank == 1 % n else None, src=1 % n)
    assert out == [f"for {rank}"]


@check
def object_point_to_point():
    """send_object_list / recv_object_list around a ring (from a named rank and from any rank), with the sender's
    rank returned; a list of the wrong length raises on the receiver after draining the messages."""
    rank, n = dist.get_rank(), dist.get_world_size()
    after, before = (rank + 1) % n, (rank - 1) % n
    sent = [{"from": rank}, "x" * (rank + 1), list(range(rank)), None]
    inbox = [None] * 4
    if rank % 2 == 0:  # (evens send first: blocking sends and receives around the ring cannot all wait)
        dist.send_object_list(sent, dst=after)
        source = dist.recv_object_list(inbox, src=before)
    else:
        source = dist.recv_object_list(inbox)
        dist.send_object_list(sent, dst=after)
    assert source == before and inbox == [{"from": before}, "x" * (before + 1), list(range(before)), None], inbox
    if rank == 0:
        dist.send_object_list([1, 2, 3], dst=1)
        dist.send_object_list([], dst=1)
        raises(ValueError, "destination rank should not be the same", dist.send_object_list, [1], dst=0)
    elif rank == 1:
        raises(ValueError, "object_list has 2 slots but rank 0 sent 3 objects", dist.recv_object_list, [None, None], 0)
        empty_list: list = []
        assert dist.recv_object_list(empty_list, src=0) == 0 and empty_list == []


@check
def subgroups():
    """new_subgroups cuts the world into consecutive groups; new_subgroups_by_enumeration takes the lists; both
    refuse bad sizes and overlaps on every rank alike."""
    rank, n = dist.get_rank(), dist.get_world_size()
    size = 1 if n % 2 else 2
    mine, every = dist.new_subgroups(group_size=size)
    assert len(every) == n // size and dist.get_process_group_ranks(mine) == [r for r in range(n) if r // size == rank // size]
    total = tensor(np.array([float(rank)]))
    dist.all_reduce(total, group=mine)
    same(total, [float(sum(r for r in range(n) if r // size == rank // size))])
    lists = [[r] for r in range(n)][::-1]
    mine, every = dist.new_subgroups_by_enumeration(lists)
    assert dist.get_process_group_ranks(mine) == [rank] and len(every) == n
    assert sum(g is dist.GroupMember.NON_GROUP_MEMBER for g in every) == n - 1
    raises(ValueError, "must be positive", dist.new_subgroups, group_size=0)
    raises(ValueError, f"must not exceed the world size ({n})", dist.new_subgroups, group_size=n + 1)
    if n % 2:
        raises(ValueError, f"The world size ({n}) must be divisible by 'group_size=2'", dist.new_subgroups, group_size=2)
    raises(ValueError, "Rank 0 has appeared in both subgroup [0] and [0, 1]", dist.new_subgroups_by_enumeration,
           [[0], [0, 1]])
    raises(ValueError, "cannot be empty", dist.new_subgroups_by_enumeration, [])
    assert dist.is_backend_available("gloo") and dist.get_default_backend_for_device("cpu") == "gloo"


@check
def groups():
    rank, n = dist.get_rank(), dist.get_world_size()
    members = [0, n - 1]
    group = dist.new_group(members)
    t = tensor(data(rank))
    result = dist.all_reduce(t, group=group)
    if rank in members:
        same(t, data(0) + data(n - 1))
        assert dist.get_world_size(group) == 2 and dist.get_rank(group) == members.index(rank)
        assert dist.get_process_group_ranks(group) == members and dist.get_global_rank(group, 1) == n - 1
        box = tensor(data(rank))
        dist.broadcast(box, src=n - 1, group=group)
        same(box, data(n - 1))
        raises(ValueError, "is not part of group", dist.broadcast, box, src=1, group=group) if n > 2 else None
    else:
        assert group is dist.GroupMember.NON_GROUP_MEMBER and result is None
        assert dist.get_rank(group) == -1 and dist.get_world_size(group) == -1
        same(t, data(rank))  # untouched
    assert dist.get_rank() == rank and dist.get_world_size() == n and dist.is_initialized()
    assert dist.get_backend() == "cpu:mpi,cuda:nccl"


@check
def mismatches_raise_on_every_rank():
    rank, n = dist.get_rank(), dist.get_world_size()
    last = n - 1
    cases = [
        (lambda: dist.all_reduce(mt.zeros(3 if rank == last else 2)), "TensorShape=[3]"),
        (lambda: dist.all_reduce(mt.zeros(2, dtype=mt.float32 if rank == last else mt.float64)), "float32"),
        (lambda: dist.all_reduce(mt.zeros(2), op=dist.ReduceOp.MAX if rank == last else dist.ReduceOp.SUM), "op=MAX"),
        (lambda: dist.broadcast(mt.zeros(2), src=0) if rank == last else dist.all_reduce(mt.zeros(2)), "broadcast"),
        (lambda: dist.broadcast(mt.zeros(2), src=rank), "root="),
    ]
    for call, words in cases:
        e = raises(RuntimeError, "Detected mismatch between collectives on ranks", call)
        assert words in str(e), e
    # the group is still usable afterwards
    t = mt.ones(2)
    dist.all_reduce(t)
    same(t, np.full(2, float(n), dtype="float32"))


@check
def bad_arguments():
    rank, n = dist.get_rank(), dist.get_world_size()
    raises(ValueError, "Tensors must be contiguous", dist.all_reduce, mt.zeros(3, 4).T)
    raises(TypeError, "Expected parameter `tensor` of type Tensor", dist.all_reduce, [1.0, 2.0])
    raises(ValueError, "ReduceOp.AVG needs a floating point tensor", dist.all_reduce, mt.zeros(2, dtype=mt.int64),
           op=dist.ReduceOp.AVG)
    raises(ValueError, "PREMUL_SUM", dist.all_reduce, mt.zeros(2), op=dist.ReduceOp.PREMUL_SUM)
    raises(TypeError, "op must be a ReduceOp", dist.all_reduce, mt.zeros(2), op="sum")
    raises(ValueError, "Invalid destination rank", dist.send, mt.zeros(2), dst=rank)
    raises(ValueError, f"Global rank {n} is not part of group", dist.broadcast, mt.zeros(2), src=n)
    raises(ValueError, "one per rank", dist.all_gather, [mt.zeros(2)] * (n + 1), mt.zeros(2))
    raises(ValueError, "world_size times input tensor size", dist.all_gather_into_tensor, mt.zeros(3), mt.zeros(2))
    raises(ValueError, "must divide by the world size", dist.all_to_all_single, mt.zeros(n + 1), mt.zeros(n + 1))
    raises(ValueError, "trying to initialize the default process group twice", dist.init_process_group)
    raises(ValueError, "Invalid backend: 'tpu'", dist.Backend, "tpu")
    raises(RuntimeError, "No backend type associated with device type cpu", dist.all_reduce, mt.zeros(2),
           group=dist.new_group(backend="nccl"))


# ---- DistributedDataParallel ------------------------------------------------------------------------------
def mlp():
    return mt.nn.Sequential(mt.nn.Linear(5, 16), mt.nn.Tanh(), mt.nn.Linear(16, 8), mt.nn.ReLU(), mt.nn.Linear(8, 3))


def cnn():
    return mt.nn.Sequential(mt.nn.Conv2d(1, 4, 3, padding=1), mt.nn.ReLU(), mt.nn.MaxPool2d(2),
                            mt.nn.Conv2d(4, 6, 3), mt.nn.ReLU(), mt.nn.Flatten(), mt.nn.Linear(6 * 2 * 2, 3))


def train_both(make, x, y, steps=4, device="cpu", make_whole=None, **ddp_kwargs):
    """DDP on this rank's slice of the batch, and one model (``make_whole``'s, default ``make``'s) on the whole
    batch, from the same weights."""
    rank, n = dist.get_rank(), dist.get_world_size()
    mt.manual_seed(1000 + rank)  # different initial weights on each rank: DDP must broadcast rank 0's
    local = make().double().to(device)
    ddp = DDP(local, device_ids=[local.parameters()[0].device] if device != "cpu" else None, **ddp_kwargs)
    whole = (make_whole or make)().double().to(device)
    whole.load_state_dict(local.state_dict())
    opt = mt.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    opt_whole = mt.optim.SGD(whole.parameters(), lr=0.05, momentum=0.9)
    share = slice(rank * len(x) // n, (rank + 1) * len(x) // n)
    for _ in range(steps):
        opt.zero_grad()
        mt.nn.functional.cross_entropy(ddp(x[share].to(device)), y[share].to(device)).backward()
        opt.step()
        opt_whole.zero_grad()
        mt.nn.functional.cross_entropy(whole(x.to(device)), y.to(device)).backward()
        opt_whole.step()
    for (name, a), b in zip(local.named_parameters(), whole.parameters()):
        np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=0, atol=1e-12, err_msg=name)
    return ddp, whole


def batch(shape, rows):
    gen = np.random.default_rng(7)
    return mt.tensor(gen.standard_normal((rows, *shape))), mt.tensor(gen.integers(0, 3, rows))


@check
def ddp_matches_one_process():
    n = dist.get_world_size()
    x, y = batch((5,), 4 * n)
    ddp, _ = train_both(mlp, x, y, bucket_cap_mb=0.001)  # 1 kB buckets: several, each reduced on its own
    assert len(ddp.reducer.buckets) > 2
    train_both(mlp, x, y, gradient_as_bucket_view=True)
    x, y = batch((1, 8, 8), 2 * n)
    train_both(cnn, x, y, bucket_cap_mb=0.0005)
    assert list(ddp.state_dict())[0] == "module.0.weight"


def bn_cnn(norm):
    return mt.nn.Sequential(mt.nn.Conv2d(1, 4, 3, padding=1), norm(4), mt.nn.ReLU(), mt.nn.MaxPool2d(2),
                            mt.nn.Conv2d(4, 6, 3), norm(6), mt.nn.ReLU(), mt.nn.Flatten(), mt.nn.Linear(6 * 2 * 2, 3))


def sync_bn_step(norm, x, weight, bias, out_grad):
    """One training forward and backward of ``norm`` (float64, given affine parameters) on ``x``; returns the
    output, the input, weight and bias gradients, and the running statistics."""
    x = x.clone().requires_grad_()
    norm = norm.double()
    with mt.no_grad():
        norm.weight.copy_(weight)
        norm.bias.copy_(bias)
    out = norm(x)
    (out * out_grad).sum().backward()
    return out, x.grad, norm.weight.grad, norm.bias.grad, norm.running_mean, norm.running_var


@check
def sync_batchnorm():
    """SyncBatchNorm over uneven slices (one rank's empty) equals BatchNorm over the whole batch: outputs, input
    gradients, summed weight and bias gradients, running statistics, in the world and in a group given; eval
    mode stays local; DDP with converted batch norms trains as one process with BatchNorm2d."""
    rank, n = dist.get_rank(), dist.get_world_size()
    gen = np.random.default_rng(11)
    counts = [3 + 2 * r for r in range(n)]
    counts[1] = 0  # an empty batch on rank 1 still joins every collective
    x = mt.tensor(gen.standard_normal((sum(counts), 5, 3, 2)) * 2 + 1)
    out_grad = mt.tensor(gen.standard_normal(x.shape))
    weight, bias = mt.tensor(gen.standard_normal(5)), mt.tensor(gen.standard_normal(5))
    mine = slice(sum(counts[:rank]), sum(counts[:rank + 1]))
    for group in (None, dist.new_group(list(range(n)))):
        got = sync_bn_step(mt.nn.SyncBatchNorm(5, process_group=group), x[mine], weight, bias, out_grad[mine])
        want = sync_bn_step(mt.nn.BatchNorm2d(5), x, weight, bias, out_grad)
        same(got[0].detach(), want[0].detach().numpy()[mine])
        same(got[1], want[1].numpy()[mine])
        for local, whole in zip(got[2:4], want[2:4]):
            total = local.clone()
            dist.all_reduce(total)
            same(total, whole.numpy())
        same(got[4], want[4].numpy())
        same(got[5], want[5].numpy())
    norm = mt.nn.SyncBatchNorm(5).double().eval()  # eval: the running statistics, no collective
    same(norm(x[mine]).detach(), mt.nn.BatchNorm2d(5).double().eval()(x[mine]).detach().numpy())
    x, y = batch((1, 8, 8), 2 * n)
    ddp, whole = train_both(lambda: mt.nn.SyncBatchNorm.convert_sync_batchnorm(bn_cnn(mt.nn.BatchNorm2d)), x, y,
                            make_whole=lambda: bn_cnn(mt.nn.BatchNorm2d))
    assert type(ddp.module[1]).__name__ == "SyncBatchNorm"
    for (name, a), b in zip(ddp.module.named_buffers(), whole.buffers()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=1e-12, err_msg=name)


@check
def ddp_overlaps_backward():
    """The first bucket's all-reduce starts while gradients of other buckets are still being computed."""
    from microtorch.distributed import _collectives

    rank = dist.get_rank()
    ddp = DDP(mlp().double(), bucket_cap_mb=0.001)
    started_with_pending = []
    original = _collectives.all_reduce_unchecked

    def spy(t, pg):
        started_with_pending.append(sum(b.pending for b in ddp.reducer.buckets))
        return original(t, pg)

    _collectives.all_reduce_unchecked = spy
    try:
        x, y = batch((5,), 4)
        mt.nn.functional.cross_entropy(ddp(x), y).backward()
    finally:
        _collectives.all_reduce_unchecked = original
    assert len(started_with_pending) == len(ddp.reducer.buckets) and started_with_pending[0] > 0, started_with_pending


@check
def ddp_no_sync_accumulates():
    rank, n = dist.get_rank(), dist.get_world_size()
    mt.manual_seed(5)
    local = mlp().double()
    whole = mlp().double()
    whole.load_state_dict(local.state_dict())
    ddp = DDP(local)
    (xa, ya), (xb, yb) = batch((5,), 2 * n), batch((5,), 4 * n)
    share = lambda t: t[rank * len(t) // n:(rank + 1) * len(t) // n]  # noqa: E731
    with ddp.no_sync():
        mt.nn.functional.cross_entropy(ddp(share(xa)), share(ya)).backward()
    local_only = [p.grad.clone() for p in local.parameters()]
    mt.nn.functional.cross_entropy(ddp(share(xb)), share(yb)).backward()
    (mt.nn.functional.cross_entropy(whole(xa), ya) + mt.nn.functional.cross_entropy(whole(xb), yb)).backward()
    for a, b in zip(local.parameters(), whole.parameters()):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=0, atol=1e-12)
    # inside no_sync the gradients were this rank's own
    mt.manual_seed(5)
    alone = mlp().double()
    mt.nn.functional.cross_entropy(alone(share(xa)), share(ya)).backward()
    for a, b in zip(local_only, alone.parameters()):
        np.testing.assert_allclose(a.numpy(), b.grad.numpy(), rtol=0, atol=1e-12)


class TwoHeads(mt.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = mt.nn.Linear(4, 4)
        self.head_a = mt.nn.Linear(4, 2)
        self.head_b = mt.nn.Linear(4, 2)  # used by rank 0 only
        self.never = mt.nn.Linear(4, 2)  # used by no rank

    def forward(self, x, use_b):
        h = self.body(x).tanh()
        return self.head_a(h).sum() + (self.head_b(h).sum() if use_b else 0)


@check
def ddp_find_unused_parameters():
    rank, n = dist.get_rank(), dist.get_world_size()
    mt.manual_seed(3)
    model = TwoHeads().double()
    ref = TwoHeads().double()
    ref.load_state_dict(model.state_dict())
    ddp = DDP(model, find_unused_parameters=True, bucket_cap_mb=0.0001)
    x = mt.tensor(data(rank, (3, 4)))
    ddp(x, rank == 0).backward()
    assert model.never.weight.grad is None  # unused everywhere: untouched
    ref_grads = {}
    for r in range(n):
        ref.zero_grad()
        ref(mt.tensor(data(r, (3, 4))), r == 0).backward()
        for name, p in ref.named_parameters():
            if p.grad is not None:
                ref_grads[name] = ref_grads.get(name, 0) + p.grad.numpy() / n
    for name, p in model.named_parameters():
        if name.startswith("never"):
            continue
        np.testing.assert_allclose(p.grad.numpy(), ref_grads[name], rtol=0, atol=1e-12, err_msg=name)


@check
def ddp_buffers_and_errors():
    rank, n = dist.get_rank(), dist.get_world_size()
    model = mt.nn.Sequential(mt.nn.Linear(3, 3), mt.nn.BatchNorm1d(3)).double()
    ddp = DDP(model)
    with mt.no_grad():
        model[1].running_mean.fill_(float(rank))
    ddp.eval()
    ddp(mt.zeros(2, 3, dtype=mt.float64))
    same(model[1].running_mean, np.zeros(3))  # rank 0's buffers, broadcast before the forward
    raises(RuntimeError, "DDP expects same model across all ranks", DDP, mt.nn.Linear(3, 2 + (rank == n - 1)))
    raises(RuntimeError, "doesn't have any parameter that requires a gradient", DDP, mt.nn.ReLU())
    raises(ValueError, "device_ids and output_device arguments only work", DDP, mt.nn.Linear(2, 2), device_ids=[0])
    # a parameter that gets no gradient, without find_unused_parameters: the next forward says so
    heads = DDP(TwoHeads().double())
    heads(mt.ones(1, 4, dtype=mt.float64), False).backward()
    e = raises(RuntimeError, "Expected to have finished reduction in the prior iteration", heads,
               mt.ones(1, 4, dtype=mt.float64), False)
    assert "head_b.weight, head_b.bias, never.weight, never.bias" in str(e), e


@check
def distributed_sampler():
    rank, n = dist.get_rank(), dist.get_world_size()
    sampler = mt.utils.data.DistributedSampler(list(range(10)), shuffle=True, seed=3)
    sampler.set_epoch(2)
    mine = list(sampler)
    shares = [None] * n
    dist.all_gather_object(shares, mine)
    assert len(mine) == len(sampler) == -(-10 // n)
    flat = [i for share in zip(*shares) for i in share]
    assert sorted(set(flat)) == list(range(10)) and len(flat) == len(sampler) * n


# ---- the nccl engine on fake GPUs (tests/fake_cupy.py, tests/fake_nccl.py) ----------------------------------------
def fake_gpus() -> str:
    """This rank's GPU: a fake one, or with DISTRIBUTED_WORKER_GPUS=cuda a real one (cuda:rank)."""
    if os.environ.get("DISTRIBUTED_WORKER_GPUS") == "cuda":
        return f"cuda:{dist.get_rank()}"
    import fake_cupy
    import fake_nccl
    from microtorch.backends import CupyBackend, register_backend, registered_device_types

    if "fakecuda" not in registered_device_types():
        cupy = fake_cupy.make()
        fake_nccl.install(cupy)
        saved = sys.modules.get("cupy")
        sys.modules["cupy"] = cupy
        try:
            register_backend("fakecuda", CupyBackend())
        finally:
            if saved is None:
                del sys.modules["cupy"]
            else:
                sys.modules["cupy"] = saved
    return f"fakecuda:{dist.get_rank() % fake_cupy.DEVICE_COUNT}"


@check
def nccl_collectives():
    import fake_nccl

    device = fake_gpus()
    n = dist.get_world_size()
    reduce_checks(device)
    gather_checks(device)
    reduce_scatter_checks(device)
    all_to_all_checks(device)
    point_to_point_checks(device)
    if device.startswith("fake"):  # the engine went through NCCL's calls, not MPI's
        names = {call[0] for call in fake_nccl.calls}
        assert {"allReduce", "broadcast", "reduce", "allGather", "reduceScatter", "send", "recv"} <= names, names
    raises(ValueError, "one collective, one device", dist.all_gather_into_tensor, mt.zeros(2 * n, device=device),
           mt.zeros(2))
    raises(ValueError, "one collective, one device", dist.all_gather,
           [mt.zeros(2, device=device)] + [mt.zeros(2)] * (n - 1), mt.zeros(2))
    raises(ValueError, "not supported by the nccl backend", dist.all_reduce, mt.zeros(2, dtype=mt.int64, device=device),
           op=dist.ReduceOp.BAND)
    raises(RuntimeError, "No backend type associated with device type cuda", dist.all_reduce,
           mt.zeros(2, device=device), group=dist.new_group(backend="mpi"))


@check
def nccl_ddp():
    import fake_nccl

    device = fake_gpus()
    before = len(fake_nccl.calls)
    n = dist.get_world_size()
    x, y = batch((5,), 4 * n)
    train_both(mlp, x, y, device=device, bucket_cap_mb=0.001)
    assert not device.startswith("fake") or sum(1 for c in fake_nccl.calls[before:] if c[0] == "allReduce") > 2


# ---- failures that must not hang ------------------------------------------------------------------------------
@check
def a_rank_raises():
    """The last rank raises before a collective the others wait in (with the default 10-minute timeout)."""
    if dist.get_rank() == dist.get_world_size() - 1:
        raise ValueError("boom on purpose")
    dist.all_reduce(mt.ones(2))


@check
def a_rank_never_comes():
    """The last rank skips the collective and sleeps: the others' wait ends at the 1 s timeout."""
    if dist.get_rank() == dist.get_world_size() - 1:
        time.sleep(60)
    dist.all_reduce(mt.ones(2), group=SHORT)


SHORT = None

if __name__ == "__main__":
    names = sys.argv[1:]
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    dist.init_process_group(timeout=timedelta(seconds=60))  # cpu:mpi,cuda:nccl
    SHORT = dist.new_group(timeout=timedelta(seconds=1))
    for name in names:
        CHECKS[name]()
    dist.barrier()
    if dist.get_rank() == 0:
        print("PASSED", " ".join(names), flush=True)
    dist.destroy_process_group()
