"""A stand-in for ``cupy.cuda.nccl`` over MPI, for tests/fake_cupy.py's fake GPUs (host memory).

The communicator takes device pointers, as NCCL's does: it reads and writes the memory
behind them (fake GPU arrays are host arrays) and moves it with mpi4py between the ranks
of an ``mpiexec`` run. It checks what NCCL needs: the communicator's GPU is the current
device, counts and dtypes fit the buffers' sizes, and grouped point-to-point calls are
matched within groupStart/groupEnd. So the nccl engine's pointer arithmetic, counts,
dtype and op codes are checked without a GPU; NCCL itself is not.
"""
from __future__ import annotations

import ctypes
import types

import numpy as np
from mpi4py import MPI

import fake_cupy

_DTYPES = {0: np.int8, 1: np.uint8, 2: np.int32, 4: np.int64, 6: np.float16, 7: np.float32, 8: np.float64}
_OPS = {0: MPI.SUM, 1: MPI.PROD, 2: MPI.MAX, 3: MPI.MIN}
calls: list = []  # (name, count, dtype code) of every call, for the tests to inspect
_group: list | None = None


class NcclError(RuntimeError):
    pass


def _view(ptr: int, count: int, datatype: int) -> np.ndarray:
    dtype = np.dtype(_DTYPES[datatype])
    raw = (ctypes.c_char * (count * dtype.itemsize)).from_address(ptr)
    return np.frombuffer(raw, dtype=dtype, count=count)


def get_unique_id() -> tuple:
    return tuple(range(128))


def groupStart() -> None:
    global _group
    _group = []


def groupEnd() -> None:
    global _group
    requests, _group = _group, None
    MPI.Request.Waitall(requests)


class NcclCommunicator:
    def __init__(self, ndev: int, commId: tuple, rank: int):
        assert len(commId) == 128
        self.comm = MPI.COMM_WORLD.Dup()
        assert self.comm.Get_size() == ndev and self.comm.Get_rank() == rank
        self.device = fake_cupy.current_device()

    def _enter(self, name: str, count: int, datatype: int) -> None:
        if fake_cupy.current_device() != self.device:
            raise NcclError(f"{name} on device {fake_cupy.current_device()}, the communicator's is {self.device}")
        calls.append((name, count, datatype))

    def allReduce(self, sendbuf, recvbuf, count, datatype, op, stream):
        self._enter("allReduce", count, datatype)
        send = _view(sendbuf, count, datatype).copy()
        self.comm.Allreduce(send, _view(recvbuf, count, datatype), op=_OPS[op])

    def reduce(self, sendbuf, recvbuf, count, datatype, op, root, stream):
        self._enter("reduce", count, datatype)
        send = _view(sendbuf, count, datatype).copy()
        self.comm.Reduce(send, _view(recvbuf, count, datatype) if self.comm.rank == root else None, _OPS[op], root)

    def broadcast(self, sendbuff, recvbuff, count, datatype, root, stream):
        self._enter("broadcast", count, datatype)
        self.comm.Bcast(_view(recvbuff, count, datatype), root)

    def allGather(self, sendbuf, recvbuf, count, datatype, stream):
        self._enter("allGather", count, datatype)
        self.comm.Allgather(_view(sendbuf, count, datatype).copy(), _view(recvbuf, count * self.comm.size, datatype))

    def reduceScatter(self, sendbuf, recvbuf, recvcount, datatype, op, stream):
        self._enter("reduceScatter", recvcount, datatype)
        send = _view(sendbuf, recvcount * self.comm.size, datatype).copy()
        self.comm.Reduce_scatter_block(send, _view(recvbuf, recvcount, datatype), _OPS[op])

    def send(self, sendbuf, count, datatype, peer, stream):
        self._enter("send", count, datatype)
        request = self.comm.Isend(_view(sendbuf, count, datatype).copy(), peer)
        _group.append(request) if _group is not None else request.Wait()

    def recv(self, recvbuf, count, datatype, peer, stream):
        self._enter("recv", count, datatype)
        request = self.comm.Irecv(_view(recvbuf, count, datatype), peer)
        _group.append(request) if _group is not None else request.Wait()

    def check_async_error(self):
        pass

    def abort(self):
        pass

    def destroy(self):
        self.comm.Free()


def install(cupy: types.ModuleType) -> None:
    """Give a fake cupy module this ``cuda.nccl``."""
    module = types.ModuleType("cupy.cuda.nccl")
    for name, code in (("NCCL_INT8", 0), ("NCCL_UINT8", 1), ("NCCL_INT32", 2), ("NCCL_INT64", 4),
                       ("NCCL_FLOAT16", 6), ("NCCL_FLOAT32", 7), ("NCCL_FLOAT64", 8),
                       ("NCCL_SUM", 0), ("NCCL_PROD", 1), ("NCCL_MAX", 2), ("NCCL_MIN", 3)):
        setattr(module, name, code)
    for obj in (NcclError, NcclCommunicator, get_unique_id, groupStart, groupEnd):
        setattr(module, obj.__name__, obj)
    cupy.cuda.nccl = module
