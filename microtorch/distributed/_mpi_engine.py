"""Collectives on host arrays through MPI (mpi4py), with non-blocking requests.

Arrays are handed to MPI through the buffer protocol, so a collective reads and writes a
tensor's memory in place; each call returns a :class:`Work` that polls its requests with
the group's timeout. mpi4py is imported here, on the first ``init_process_group``.
"""
from __future__ import annotations

from array import array
from typing import Any, Callable

from ._work import DistBackendError, Work

INSTALL_HINT = 'pip install -e ".[distributed]" from a microtorch checkout (it installs mpi4py and the mpich wheel)'


def import_mpi() -> Any:
    """mpi4py's MPI module, or an ImportError saying what to install."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(f"microtorch.distributed needs mpi4py and an MPI library ({e}); {INSTALL_HINT}") from None
    return MPI


def _mpi_op(MPI: Any, op: Any, is_bool: bool) -> Any:
    """The MPI reduction for a ReduceOp (AVG arrives as SUM; bools reduce logically: SUM and MAX are OR,
    MIN and PRODUCT AND, as torch's)."""
    name = op.name
    if is_bool:
        name = {"SUM": "LOR", "MAX": "LOR", "MIN": "LAND", "PRODUCT": "LAND"}.get(name, name)
        return {"LOR": MPI.LOR, "LAND": MPI.LAND, "BAND": MPI.LAND, "BOR": MPI.LOR, "BXOR": MPI.LXOR}[name]
    return {"SUM": MPI.SUM, "MAX": MPI.MAX, "MIN": MPI.MIN, "PRODUCT": MPI.PROD,
            "BAND": MPI.BAND, "BOR": MPI.BOR, "BXOR": MPI.BXOR}[name]


class MpiEngine:
    """The collectives of one MPI communicator, on contiguous host arrays."""

    name = "mpi"

    def __init__(self, comm: Any, timeout: Any) -> None:
        self.MPI = import_mpi()
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.timeout = timeout

    def _start(self, what: str, start: Callable[[], Any], finish: Callable[[], None] | None = None) -> Work:
        try:
            requests = start()
        except self.MPI.Exception as e:
            raise DistBackendError(f"{what} failed in MPI: {e.Get_error_string()}") from None
        requests = requests if isinstance(requests, list) else [requests]
        return Work(lambda: self.MPI.Request.Testall(requests), what, self.timeout, finish)

    def all_reduce(self, arr: Any, op: Any) -> Work:
        """Reduce ``arr`` over the ranks, in place."""
        mpi_op = _mpi_op(self.MPI, op, arr.dtype.kind == "b")
        return self._start("all_reduce", lambda: self.comm.Iallreduce(self.MPI.IN_PLACE, arr, mpi_op))

    def reduce(self, arr: Any, op: Any, root: int) -> Work:
        """Reduce ``arr`` over the ranks into the root's ``arr``."""
        mpi_op = _mpi_op(self.MPI, op, arr.dtype.kind == "b")
        if self.rank == root:
            return self._start("reduce", lambda: self.comm.Ireduce(self.MPI.IN_PLACE, arr, mpi_op, root))
        return self._start("reduce", lambda: self.comm.Ireduce(arr, None, mpi_op, root))

    def broadcast(self, arr: Any, root: int) -> Work:
        """The root's ``arr`` into every rank's."""
        return self._start("broadcast", lambda: self.comm.Ibcast(arr, root))

    def all_gather(self, out: Any, inp: Any) -> Work:
        """Every rank's ``inp``, in rank order, into ``out`` (world size x its size)."""
        return self._start("all_gather", lambda: self.comm.Iallgather(inp, out))

    def gather(self, out: Any, inp: Any, root: int) -> Work:
        """Every rank's ``inp`` into the root's ``out`` (None elsewhere)."""
        return self._start("gather", lambda: self.comm.Igather(inp, out if self.rank == root else None, root))

    def scatter(self, out: Any, inp: Any, root: int) -> Work:
        """The root's ``inp`` (world size x ``out``'s size), cut in rank order, into each rank's ``out``."""
        return self._start("scatter", lambda: self.comm.Iscatter(inp if self.rank == root else None, out, root))

    def reduce_scatter(self, out: Any, inp: Any, op: Any) -> Work:
        """Reduce ``inp`` over the ranks; rank r keeps its r-th chunk in ``out``."""
        mpi_op = _mpi_op(self.MPI, op, inp.dtype.kind == "b")
        return self._start("reduce_scatter", lambda: self.comm.Ireduce_scatter_block(inp, out, mpi_op))

    def all_to_all(self, out: Any, inp: Any, out_counts: list, in_counts: list) -> Work:
        """Send ``in_counts[r]`` elements of ``inp`` to rank r, receive ``out_counts[r]`` from it, in order."""
        def displacements(counts: list) -> list:
            return [sum(counts[:i]) for i in range(len(counts))]

        send = [inp, (in_counts, displacements(in_counts))]
        recv = [out, (out_counts, displacements(out_counts))]
        return self._start("all_to_all", lambda: self.comm.Ialltoallv(send, recv))

    def send(self, arr: Any, peer: int, tag: int) -> Work:
        """Send ``arr`` to ``peer``."""
        return self._start("send", lambda: self.comm.Isend(arr, peer, tag))

    def recv(self, arr: Any, peer: int | None, tag: int) -> tuple:
        """A Work and a function giving the rank it came from (``peer=None`` takes any sender)."""
        status = self.MPI.Status()
        source = self.MPI.ANY_SOURCE if peer is None else peer
        request = self.comm.Irecv(arr, source, tag)
        work = Work(lambda: request.Test(status), "recv", self.timeout)
        return work, status.Get_source

    def barrier(self) -> Work:
        """Wait for every rank."""
        return self._start("barrier", self.comm.Ibarrier)

    # ---- host-side helpers (fingerprints, pickled objects) ------------------------------
    def all_gather_ints(self, values: list, what: str = "all_gather") -> list:
        """Every rank's ``values`` (equal lengths), blocking with the timeout: a list per rank."""
        mine = array("q", values)
        gathered = array("q", [0] * (len(values) * self.size))
        self._start(what, lambda: self.comm.Iallgather(mine, gathered)).wait()
        n = len(values)
        return [list(gathered[i * n:(i + 1) * n]) for i in range(self.size)]

    def broadcast_bytes(self, payload: bytes | None, root: int) -> bytes:
        """``payload`` of the root on every rank."""
        if self.rank == root and payload is None:
            raise ValueError("broadcast_bytes: the root has no payload")
        length = array("q", [len(payload) if payload is not None and self.rank == root else 0])
        self._start("broadcast", lambda: self.comm.Ibcast(length, root)).wait()
        buffer = bytearray(payload) if payload is not None and self.rank == root else bytearray(length[0])
        self._start("broadcast", lambda: self.comm.Ibcast(buffer, root)).wait()
        return bytes(buffer)

    def all_gather_bytes(self, payload: bytes) -> list:
        """Every rank's ``payload`` (any lengths), in rank order."""
        lengths = [row[0] for row in self.all_gather_ints([len(payload)])]
        out = bytearray(sum(lengths))
        displs = [sum(lengths[:i]) for i in range(self.size)]
        self._start("all_gather", lambda: self.comm.Iallgatherv(bytearray(payload), [out, (lengths, displs)])).wait()
        return [bytes(out[d:d + n]) for d, n in zip(displs, lengths)]

    def free(self) -> None:
        """Release the communicator (destroy_process_group)."""
        if self.comm != self.MPI.COMM_WORLD and self.comm != self.MPI.COMM_NULL:
            self.comm.Free()
