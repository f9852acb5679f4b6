"""Collectives on picklable Python objects (``broadcast_object_list``, ``all_gather_object``, ...).

Objects are pickled to bytes and travel through the group's MPI communicator, whatever the
backend (torch moves them through tensors on the backend's device; the result is the same).
Unpickling runs what the peers sent: use these only among processes you trust, as in torch.
"""
from __future__ import annotations

import pickle
from typing import Any

from .._creation import empty, frombuffer, tensor
from .._dtype import int64, uint8
from ._collectives import check_everyone, fingerprint, recv, send
from .distributed_c10d import ProcessGroup, peer_rank, resolve_group

__all__ = ["broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list", "send_object_list",
           "recv_object_list"]


def broadcast_object_list(object_list: list, src: int | None = None, group: ProcessGroup | None = None,
                          device: Any = None, group_src: int | None = None) -> None:
    """Replace ``object_list``'s items on every rank by ``src``'s (the lists must have equal lengths)."""
    pg = resolve_group(group)
    if pg is None:
        return
    root = peer_rank(pg, 0 if src is None and group_src is None else src, group_src, "src")
    check_everyone(pg, fingerprint(pg, "broadcast_object_list", root=root, extra=len(object_list)))
    payload = pickle.dumps(list(object_list)) if pg.rank() == root else None
    received = pickle.loads(pg._mpi.broadcast_bytes(payload, root))
    object_list[:] = received


def all_gather_object(object_list: list, obj: Any, group: ProcessGroup | None = None) -> None:
    """``object_list[r]`` becomes rank r's ``obj``, on every rank (the list has one slot per rank)."""
    pg = resolve_group(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} slots; it needs one per rank "
                         f"({pg.size()})")
    check_everyone(pg, fingerprint(pg, "all_gather_object"))
    for i, payload in enumerate(pg._mpi.all_gather_bytes(pickle.dumps(obj))):
        object_list[i] = pickle.loads(payload)


def gather_object(obj: Any, object_gather_list: list | None = None, dst: int | None = None,
                  group: ProcessGroup | None = None, group_dst: int | None = None) -> None:
    """``object_gather_list[r]`` on ``dst`` becomes rank r's ``obj``."""
    pg = resolve_group(group)
    if pg is None:
        return
    root = peer_rank(pg, 0 if dst is None and group_dst is None else dst, group_dst, "dst")
    if pg.rank() == root and (object_gather_list is None or len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list on the destination needs one slot per rank ({pg.size()})")
    if pg.rank() != root and object_gather_list is not None:
        raise ValueError("Argument ``object_gather_list`` must NOT be specified on non-destination ranks.")
    check_everyone(pg, fingerprint(pg, "gather_object", root=root))
    payloads = pg._mpi.all_gather_bytes(pickle.dumps(obj))
    if pg.rank() == root and object_gather_list is not None:  # (checked above: the destination has one)
        for i, payload in enumerate(payloads):
            object_gather_list[i] = pickle.loads(payload)


def scatter_object_list(scatter_object_output_list: list, scatter_object_input_list: list | None = None,
                        src: int | None = None, group: ProcessGroup | None = None,
                        group_src: int | None = None) -> None:
    """``scatter_object_output_list[0]`` on rank r becomes ``src``'s ``scatter_object_input_list[r]``."""
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    pg = resolve_group(group)
    if pg is None:
        return
    root = peer_rank(pg, 0 if src is None and group_src is None else src, group_src, "src")
    if pg.rank() == root and (scatter_object_input_list is None or len(scatter_object_input_list) != pg.size()):
        raise ValueError(f"scatter_object_list: the source's input list needs one object per rank ({pg.size()})")
    check_everyone(pg, fingerprint(pg, "scatter_object_list", root=root))
    payload = pickle.dumps(list(scatter_object_input_list)) if pg.rank() == root and scatter_object_input_list is not None else None
    scatter_object_output_list[0] = pickle.loads(pg._mpi.broadcast_bytes(payload, root))[pg.rank()]


def send_object_list(object_list: list, dst: int | None = None, group: ProcessGroup | None = None, device: Any = None,
                     group_dst: int | None = None, use_batch: bool = False) -> None:
    """Send the objects of ``object_list`` to ``dst``, whose ``recv_object_list`` fills a list of the same length
    (their count, their pickled sizes, then their bytes, by ``send``; ``device`` and ``use_batch`` change nothing:
    objects travel through host memory)."""
    payloads = [pickle.dumps(obj) for obj in object_list]
    send(tensor([len(payloads)], dtype=int64), dst, group, group_dst=group_dst)
    send(tensor([len(p) for p in payloads], dtype=int64), dst, group, group_dst=group_dst)
    data = b"".join(payloads)
    send(frombuffer(bytearray(data), dtype=uint8) if data else empty(0, dtype=uint8), dst, group, group_dst=group_dst)


def recv_object_list(object_list: list, src: int | None = None, group: ProcessGroup | None = None, device: Any = None,
                     group_src: int | None = None, use_batch: bool = False) -> int:
    """Fill ``object_list`` with the objects ``src`` (any rank when None) sent by ``send_object_list``; returns the
    sender's rank (-1 off the group). A list of another length than the sender's raises ValueError (after the
    messages are received, so none is left pending)."""
    count = empty(1, dtype=int64)
    sender = recv(count, src, group, group_src=group_src)
    if sender == -1:
        return -1
    sizes = empty(int(count.item()), dtype=int64)
    recv(sizes, sender, group)
    data = empty(int(sizes.sum()), dtype=uint8)
    recv(data, sender, group)
    if len(sizes) != len(object_list):
        raise ValueError(f"recv_object_list: object_list has {len(object_list)} slots but rank {sender} sent "
                         f"{len(sizes)} objects")
    raw, start = data.numpy().tobytes(), 0
    for i, size in enumerate(sizes.tolist()):
        object_list[i] = pickle.loads(raw[start:start + size])
        start += size
    return sender
