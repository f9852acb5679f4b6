"""Collectives on CuPy arrays through NCCL (``cupy.cuda.nccl``), on device pointers.

One NCCL communicator per (group, GPU), made on the first collective on that GPU: rank 0
draws NCCL's unique id and the group's MPI communicator carries it to the others. Each
operation is queued on CuPy's current stream, so it is ordered after the kernels that made
its input and before those that use its output, with no host copy; its Work polls an event
recorded after it, with the timeout (then aborts the communicator rather than hang).
Gather, scatter and all-to-all are grouped sends and receives, as NCCL has no such collective.
"""
from __future__ import annotations

import pickle
from typing import Any, Callable

from ._work import DistBackendError, Work

_DTYPES = {"float16": "NCCL_FLOAT16", "float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64", "int8": "NCCL_INT8",
           "uint8": "NCCL_UINT8", "int32": "NCCL_INT32", "int64": "NCCL_INT64", "bool": "NCCL_UINT8",
           "bfloat16": "NCCL_BFLOAT16"}
_OPS = {"SUM": "NCCL_SUM", "PRODUCT": "NCCL_PROD", "MAX": "NCCL_MAX", "MIN": "NCCL_MIN"}
_BOOL_OPS = {"SUM": "NCCL_MAX", "MAX": "NCCL_MAX", "PRODUCT": "NCCL_MIN", "MIN": "NCCL_MIN"}  # OR and AND


class NcclEngine:
    """The collectives of one NCCL communicator, bound to GPU ``index``."""

    name = "nccl"

    def __init__(self, mpi: Any, backend: Any, index: int, timeout: Any) -> None:
        self.nccl = backend.nccl()
        self.backend = backend
        self.index = index
        self.rank = mpi.rank
        self.size = mpi.size
        self.timeout = timeout
        uid = self.nccl.get_unique_id() if mpi.rank == 0 else None
        uid = pickle.loads(mpi.broadcast_bytes(pickle.dumps(uid) if mpi.rank == 0 else None, 0))
        with backend.on_device(index):
            self.comm = self.nccl.NcclCommunicator(mpi.size, uid, mpi.rank)

    def _dtype(self, arr: Any) -> int:
        name = _DTYPES.get(arr.dtype.name)
        if name is None or not hasattr(self.nccl, name):
            raise TypeError(f"the nccl backend has no {arr.dtype.name} collectives")
        return getattr(self.nccl, name)

    def _op(self, op: Any, arr: Any) -> int:
        table = _BOOL_OPS if arr.dtype.kind == "b" else _OPS
        if op.name not in table:
            raise ValueError(f"ReduceOp.{op.name} is not supported by the nccl backend")
        return getattr(self.nccl, table[op.name])

    def _ptr(self, arr: Any, offset: int = 0) -> int:
        return self.backend.pointer(arr) + offset * arr.itemsize

    def _run(self, what: str, launch: Callable[[int], None], grouped: bool = False) -> Work:
        """Queue ``launch(stream_ptr)`` on the current stream of the GPU; a Work waits on an event after it."""
        with self.backend.on_device(self.index):
            stream = self.backend.current_stream(self.index)
            try:
                if grouped:
                    self.nccl.groupStart()
                launch(stream.ptr)
                if grouped:
                    self.nccl.groupEnd()
            except self.nccl.NcclError as e:
                raise DistBackendError(f"{what} failed in NCCL: {e}") from None
            event = self.backend.event(self.index)
            event.record(stream)
        return Work(lambda: self._done(event), what, self.timeout, on_timeout=self.abort)

    def _done(self, event: Any) -> bool:
        self.comm.check_async_error()
        return bool(event.done)

    def all_reduce(self, arr: Any, op: Any) -> Work:
        """Reduce ``arr`` over the ranks, in place."""
        return self._run("all_reduce", lambda s: self.comm.allReduce(
            self._ptr(arr), self._ptr(arr), arr.size, self._dtype(arr), self._op(op, arr), s))

    def reduce(self, arr: Any, op: Any, root: int) -> Work:
        """Reduce ``arr`` over the ranks into the root's ``arr``."""
        return self._run("reduce", lambda s: self.comm.reduce(
            self._ptr(arr), self._ptr(arr), arr.size, self._dtype(arr), self._op(op, arr), root, s))

    def broadcast(self, arr: Any, root: int) -> Work:
        """The root's ``arr`` into every rank's."""
        return self._run("broadcast", lambda s: self.comm.broadcast(
            self._ptr(arr), self._ptr(arr), arr.size, self._dtype(arr), root, s))

    def all_gather(self, out: Any, inp: Any) -> Work:
        """Every rank's ``inp``, in rank order, into ``out`` (world size x its size)."""
        return self._run("all_gather", lambda s: self.comm.allGather(
            self._ptr(inp), self._ptr(out), inp.size, self._dtype(inp), s))

    def reduce_scatter(self, out: Any, inp: Any, op: Any) -> Work:
        """Reduce ``inp`` over the ranks; rank r keeps its r-th chunk in ``out``."""
        return self._run("reduce_scatter", lambda s: self.comm.reduceScatter(
            self._ptr(inp), self._ptr(out), out.size, self._dtype(inp), self._op(op, inp), s))

    def gather(self, out: Any, inp: Any, root: int) -> Work:
        """Every rank's ``inp`` into the root's ``out`` (None elsewhere)."""
        n, dtype = inp.size, self._dtype(inp)

        def launch(s: int) -> None:
            if self.rank != root:
                self.comm.send(self._ptr(inp), n, dtype, root, s)
                return
            for peer in range(self.size):
                if peer == root:
                    self.comm.send(self._ptr(inp), n, dtype, root, s)
                self.comm.recv(self._ptr(out, peer * n), n, dtype, peer, s)

        return self._run("gather", launch, grouped=True)

    def scatter(self, out: Any, inp: Any, root: int) -> Work:
        """The root's ``inp`` (world size x ``out``'s size), cut in rank order, into each rank's ``out``."""
        n, dtype = out.size, self._dtype(out)

        def launch(s: int) -> None:
            if self.rank == root:
                for peer in range(self.size):
                    self.comm.send(self._ptr(inp, peer * n), n, dtype, peer, s)
            self.comm.recv(self._ptr(out), n, dtype, root, s)

        return self._run("scatter", launch, grouped=True)

    def all_to_all(self, out: Any, inp: Any, out_counts: list, in_counts: list) -> Work:
        """Send ``in_counts[r]`` elements of ``inp`` to rank r, receive ``out_counts[r]`` from it, in order."""
        dtype = self._dtype(inp)

        def launch(s: int) -> None:
            for peer in range(self.size):
                self.comm.send(self._ptr(inp, sum(in_counts[:peer])), in_counts[peer], dtype, peer, s)
                self.comm.recv(self._ptr(out, sum(out_counts[:peer])), out_counts[peer], dtype, peer, s)

        return self._run("all_to_all", launch, grouped=True)

    def send(self, arr: Any, peer: int, tag: int) -> Work:
        """Send ``arr`` to ``peer``."""
        return self._run("send", lambda s: self.comm.send(self._ptr(arr), arr.size, self._dtype(arr), peer, s))

    def recv(self, arr: Any, peer: int | None, tag: int) -> tuple:
        """A Work receiving into ``arr`` from ``peer``, and a function giving the sender."""
        if peer is None:
            raise ValueError("the nccl backend cannot receive from any rank: give recv a src")
        work = self._run("recv", lambda s: self.comm.recv(self._ptr(arr), arr.size, self._dtype(arr), peer, s))
        return work, lambda: peer

    def abort(self) -> None:
        """Tear the communicator down without waiting for peers (after a timeout)."""
        self.comm.abort()

    def free(self) -> None:
        """Release the communicator (destroy_process_group)."""
        self.comm.destroy()
