"""Process groups: ``init_process_group``, the default group, ``new_group`` and the rank queries.

The processes are started by MPI (``mpiexec``, or ``python -m microtorch.distributed.run``),
which also does the rendezvous: ranks and world size come from MPI, and the ``RANK`` /
``WORLD_SIZE`` a launcher sets (or ``rank=`` / ``world_size=``) must agree with it. A group
holds an MPI communicator of its own (a duplicate, so user MPI traffic cannot interleave)
that serves host tensors, and, with the ``nccl`` backend, one NCCL communicator per GPU
for cuda tensors, made on first use (its unique id travels over MPI, ChainerMN's design).
"""
from __future__ import annotations

import enum
import os
import sys
import time
from traceback import format_exception as _format_exception
from datetime import timedelta
from typing import Any

from ..backends import CupyBackend
from ._mpi_engine import MpiEngine, import_mpi

default_pg_timeout = timedelta(minutes=10)

__all__ = [
    "Backend", "ReduceOp", "ProcessGroup", "GroupMember", "group", "init_process_group", "destroy_process_group",
    "is_initialized", "is_available", "is_mpi_available", "is_nccl_available", "is_gloo_available",
    "is_torchelastic_launched", "get_node_local_rank", "get_rank", "get_world_size", "get_backend", "new_group",
    "get_process_group_ranks", "get_group_rank", "get_global_rank", "default_pg_timeout", "new_subgroups",
    "new_subgroups_by_enumeration", "is_backend_available", "get_default_backend_for_device",
]


class RedOpType(enum.IntEnum):
    """The reductions, with torch's values."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """``ReduceOp.SUM``, ``.AVG``, ``.PRODUCT``, ``.MIN``, ``.MAX``, ``.BAND``, ``.BOR``, ``.BXOR`` (torch's names)."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class Backend(str):
    """A backend name: ``mpi`` (host tensors), ``nccl`` (cuda tensors) or ``gloo`` (served by MPI here),
    or a per-device spec such as ``'cpu:mpi,cuda:nccl'``."""

    UNDEFINED = "undefined"
    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"
    _KNOWN = ("mpi", "gloo", "nccl")

    def __new__(cls, name: str) -> Backend:
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, got {type(name).__name__}")
        value = name.lower()
        for part in value.split(","):
            engine = part.split(":")[-1]
            if engine not in cls._KNOWN or part.count(":") > 1:
                raise ValueError(
                    f"Invalid backend: '{name}'. microtorch.distributed has 'mpi' (cpu tensors; 'gloo' is served "
                    "by MPI too) and 'nccl' (cuda tensors); 'cpu:mpi,cuda:nccl' names one per device type"
                )
        return str.__new__(cls, value)

    def device_backends(self) -> dict:
        """Device type ('cpu' or 'cuda') -> engine name ('mpi' or 'nccl')."""
        if ":" in self:
            pairs = (part.split(":") for part in self.split(","))
            return {device: ("mpi" if engine == "gloo" else engine) for device, engine in pairs}
        if self == "nccl":
            return {"cuda": "nccl"}
        return {"cpu": "mpi"}


class ProcessGroup:
    """A set of ranks that run collectives together (``torch.distributed.ProcessGroup``)."""

    def __init__(self, engine: MpiEngine, ranks: list, backend: Backend, timeout: Any, name: str) -> None:
        self._mpi = engine
        self._ranks = list(ranks)
        self._backend = backend
        self._device_backends = backend.device_backends()
        self._timeout = timeout
        self.group_name = name
        self._nccl: dict = {}  # GPU index -> NcclEngine
        self._sequence = 0  # collectives run, for the cross-rank check

    def rank(self) -> int:
        """This process's rank in the group."""
        return self._mpi.rank

    def size(self) -> int:
        """How many ranks the group has."""
        return self._mpi.size

    def name(self) -> str:
        """The backend's name."""
        return str(self._backend)

    def engine_for(self, device: Any) -> Any:
        """The engine serving tensors of ``device``: MPI for host memory, NCCL for CuPy arrays."""
        kind = "cuda" if isinstance(device.backend, CupyBackend) else "cpu"
        engine_name = self._device_backends.get(kind)
        if engine_name is None:
            hint = "use backend='nccl' (or 'cpu:mpi,cuda:nccl')" if kind == "cuda" else "use backend='mpi'"
            raise RuntimeError(
                f"No backend type associated with device type {kind}: the process group's backend is "
                f"'{self._backend}' ({hint} in init_process_group)"
            )
        if engine_name == "mpi" and kind == "cuda":
            raise RuntimeError(f"backend 'mpi' serves cpu tensors only; {device} tensors need backend='nccl'")
        if engine_name == "mpi":
            return self._mpi
        return self._nccl_engine(device)

    def _nccl_engine(self, device: Any) -> Any:
        from ._nccl_engine import NcclEngine

        index = device.index if device.index is not None else device.backend.current_device()
        engine = self._nccl.get(index)
        if engine is None:
            engine = self._nccl[index] = NcclEngine(self._mpi, device.backend, index, self._timeout)
        return engine

    def _free(self) -> None:
        for engine in self._nccl.values():
            engine.free()
        self._nccl.clear()
        self._mpi.free()

    def __repr__(self) -> str:
        return f"<ProcessGroup {self.group_name or 'default'} ranks={self._ranks} backend={self._backend}>"


class GroupMember:
    """``GroupMember.WORLD`` (the default group, once initialised) and ``NON_GROUP_MEMBER``."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = object()


group = GroupMember  # torch.distributed.group.WORLD
_groups: list = []  # every live group, the default first


def is_available() -> bool:
    """True when mpi4py (and so an MPI library) can be imported."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


is_mpi_available = is_available


def is_nccl_available() -> bool:
    """True when CuPy with its NCCL bindings can be imported."""
    import importlib.util

    return importlib.util.find_spec("cupy") is not None and importlib.util.find_spec("cupy.cuda.nccl") is not None


def is_gloo_available() -> bool:
    """True where ``backend='gloo'`` works (it is served by MPI)."""
    return is_available()


def is_torchelastic_launched() -> bool:
    """True under ``microtorch.distributed.run`` (torchrun's check: TORCHELASTIC_RUN_ID is set)."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    """This process's rank on its machine (``LOCAL_RANK``, which the launcher sets), else ``fallback_rank``."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow "
                       "`get_node_local_rank` to work, assuming you are not running in a multi-device context "
                       "and want the code to run locally instead.")


def is_initialized() -> bool:
    """True between ``init_process_group`` and ``destroy_process_group``."""
    return GroupMember.WORLD is not None


def _default_group() -> ProcessGroup:
    if GroupMember.WORLD is None:
        raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
    return GroupMember.WORLD


def resolve_group(group: Any) -> ProcessGroup | None:
    """The group to use (None: the default), or None when this rank is not in it."""
    if group is None or group is GroupMember.WORLD:
        return _default_group()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(group, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup (from new_group) or None, got {type(group).__name__}")
    if group not in _groups:
        raise ValueError(f"{group} was destroyed (destroy_process_group) and cannot be used")
    return group


def _check_timeout(timeout: Any) -> timedelta:
    if timeout is None:
        return default_pg_timeout
    if not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout).__name__}")
    return timeout


def _check_init_method(init_method: str | None) -> None:
    """MPI does the rendezvous; env://, tcp:// and file:// are accepted, as torch scripts pass them."""
    if init_method is not None and not init_method.startswith(("env://", "tcp://", "file://")):
        raise ValueError(f"Invalid init_method {init_method!r}: expected env://, tcp://host:port or file://path")


def _abort_all_on_uncaught_exception(MPI: Any) -> None:
    """Make an uncaught exception in any rank end the whole job (MPI_Abort), as ``python -m mpi4py``
    does: the other ranks would otherwise wait in their next collective until the timeout."""
    if getattr(sys.excepthook, "_microtorch_abort", False):
        return
    previous = sys.excepthook

    def abort(kind, value, traceback) -> None:
        """Print the error as usual (in one write, so that mpiexec forwards it whole), then end every rank."""
        if previous is sys.__excepthook__:
            sys.stderr.write("".join(_format_exception(kind, value, traceback)))
        else:
            previous(kind, value, traceback)
        sys.stderr.flush()
        time.sleep(0.2)  # mpiexec forwards output asynchronously: let it pass the traceback on before the abort
        MPI.COMM_WORLD.Abort(1)

    abort._microtorch_abort = True  # type: ignore[attr-defined]  # (a marker: installed once)
    sys.excepthook = abort


def _agreed(name: str, given: int, env: str, mpi_value: int, size: int) -> int:
    value = given if given != -1 else int(os.environ.get(env, mpi_value))
    if value != mpi_value:
        how = (f"`python -m microtorch.distributed.run --nproc-per-node {value} script.py` or "
               f"`mpiexec -n {value} python script.py`")
        raise RuntimeError(
            f"{name}={value} (from {'the argument' if given != -1 else env}) but MPI gives {mpi_value} "
            f"(it started {size} process(es)); the ranks come from MPI: launch with {how}"
        )
    return value


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: timedelta | None = None,
                       world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None) -> None:
    """Join the processes MPI started into the default group (``torch.distributed.init_process_group``)."""
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    backend = Backend(backend if backend is not None else "cpu:mpi,cuda:nccl")
    timeout = _check_timeout(timeout)
    _check_init_method(init_method)
    if store is not None:
        raise ValueError("store= is not supported: MPI does the rendezvous (launch with microtorch.distributed.run)")
    MPI = import_mpi()
    world = MPI.COMM_WORLD
    size = world.Get_size()
    if size > 1:
        _abort_all_on_uncaught_exception(MPI)
    _agreed("world_size", world_size, "WORLD_SIZE", size, size)
    _agreed("rank", rank, "RANK", world.Get_rank(), size)
    engine = MpiEngine(world.Dup(), timeout)
    pg = ProcessGroup(engine, list(range(size)), backend, timeout, group_name)
    _check_everyone_agrees(engine, backend)
    GroupMember.WORLD = pg
    _groups.insert(0, pg)


def _check_everyone_agrees(engine: MpiEngine, backend: Backend) -> None:
    """Every rank asked for the same backend (the gather also waits, with the timeout, for all to arrive)."""
    code = sum(ord(c) * 31 ** i for i, c in enumerate(str(backend))) % (1 << 62)
    rows = engine.all_gather_ints([code])
    odd = [r for r, row in enumerate(rows) if row[0] != rows[0][0]]
    if odd:
        raise RuntimeError(f"init_process_group: rank {odd[0]} asked for a different backend than rank 0 "
                           f"('{backend}' here)")


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free a group's communicators; without ``group``, every group and the default one."""
    if group is None or group is GroupMember.WORLD:
        _default_group()
        for pg in list(_groups):
            pg._free()
        _groups.clear()
        GroupMember.WORLD = None
        return
    pg = resolve_group(group)
    if pg is not None:
        pg._free()
        _groups.remove(pg)


def new_group(ranks: list | None = None, timeout: timedelta | None = None, backend: str | None = None,
              pg_options: Any = None, use_local_synchronization: bool = False, group_desc: str | None = None,
              device_id: Any = None, sort_ranks: bool = True) -> Any:
    """A group of some of the ranks; every rank of the default group must call it (as torch).
    Ranks outside it get ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default_group()
    size = world.size()
    ranks = list(range(size)) if ranks is None else list(ranks)
    bad = [r for r in ranks if not isinstance(r, int) or not 0 <= r < size]
    if bad or len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks must be distinct integers in [0, {size}), got {ranks}")
    ranks = sorted(ranks) if sort_ranks else ranks
    MPI = world._mpi.MPI
    me = world.rank()
    comm = world._mpi.comm.Split(0 if me in ranks else MPI.UNDEFINED, ranks.index(me) if me in ranks else 0)
    if me not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    pg_backend = Backend(backend) if backend is not None else world._backend
    pg_timeout = world._timeout if timeout is None else _check_timeout(timeout)
    pg = ProcessGroup(MpiEngine(comm, pg_timeout), ranks, pg_backend, pg_timeout, group_desc or f"group{len(_groups)}")
    _groups.append(pg)
    return pg


def new_subgroups_by_enumeration(ranks_per_subgroup_list: list, timeout: timedelta | None = None,
                                 backend: str | None = None, pg_options: Any = None,
                                 group_desc: str | None = None) -> tuple:
    """(this rank's subgroup, every subgroup): one ``new_group`` per list of ranks; the lists must not overlap.
    Every rank calls it with the same lists (checked for overlap before any group is made, so all raise alike)."""
    if not ranks_per_subgroup_list:
        raise ValueError("The arg 'ranks_per_subgroup_list' cannot be empty")
    owner: dict = {}
    for ranks in ranks_per_subgroup_list:
        for rank in ranks:
            if rank in owner:
                raise ValueError(f"Rank {rank} has appeared in both subgroup {owner[rank]} and {ranks}")
            owner[rank] = ranks
    me, mine, subgroups = get_rank(), None, []
    for ranks in ranks_per_subgroup_list:
        subgroups.append(new_group(ranks, timeout, backend, pg_options, group_desc=group_desc))
        if me in ranks:
            mine = subgroups[-1]
    return mine, subgroups


def new_subgroups(group_size: int | None = None, group: ProcessGroup | None = None, timeout: timedelta | None = None,
                  backend: str | None = None, pg_options: Any = None, group_desc: str | None = None) -> tuple:
    """(this rank's subgroup, every subgroup): ``group``'s ranks (default: all) cut into consecutive groups of
    ``group_size`` (default: the number of GPUs, which needs CUDA)."""
    if group_size is None:
        from .. import cuda

        if not cuda.is_available():
            raise ValueError("Default group size only takes effect when CUDA is available.If your subgroup using a "
                             "backend that does not depend on CUDA,please pass in 'group_size' correctly.")
        group_size = cuda.device_count()
    if group_size <= 0:
        raise ValueError(f"The arg 'group_size' ({group_size}) must be positive")
    world_size = get_world_size(group)
    if world_size < group_size:
        raise ValueError(f"The arg 'group_size' ({group_size}) must not exceed the world size ({world_size})")
    if world_size % group_size != 0:
        raise ValueError(f"The world size ({world_size}) must be divisible by 'group_size={group_size}'")
    ranks = get_process_group_ranks(group)
    return new_subgroups_by_enumeration([ranks[i:i + group_size] for i in range(0, len(ranks), group_size)],
                                        timeout=timeout, backend=backend, pg_options=pg_options, group_desc=group_desc)


def is_backend_available(backend: str) -> bool:
    """Whether ``backend`` ('mpi', 'gloo', 'nccl', or a per-device spec such as 'cpu:gloo,cuda:nccl') can be used."""
    engines = {"mpi": is_available, "gloo": is_available, "nccl": is_nccl_available}
    names = [part.split(":")[-1] for part in str(backend).lower().split(",")]
    return all(name in engines and engines[name]() for name in names)


def get_default_backend_for_device(device: Any) -> str:
    """The backend a device type's tensors use by default: 'gloo' (served by MPI) for cpu, 'nccl' for cuda."""
    from .._device import device as as_device

    kind = device.type if hasattr(device, "type") else as_device(device).type
    backend = {"cpu": "gloo", "cuda": "nccl"}.get(kind)
    if backend is None:
        raise ValueError(f"Default backend not registered for device : {device}")
    return backend


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (the default group), -1 if it is not a member."""
    pg = resolve_group(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks in ``group`` (the default group), -1 if this rank is not a member."""
    pg = resolve_group(group)
    return -1 if pg is None else pg.size()


def get_backend(group: ProcessGroup | None = None) -> Backend:
    """The backend name of ``group`` (the default group)."""
    pg = resolve_group(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group: ProcessGroup | None) -> list:
    """The global ranks of ``group``'s members."""
    pg = resolve_group(group)
    return list(pg._ranks) if pg is not None else []


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """The rank in ``group`` of the process with ``global_rank`` in the default group."""
    pg = resolve_group(group)
    if pg is None or global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return pg._ranks.index(global_rank)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The default-group rank of the process with ``group_rank`` in ``group``."""
    pg = resolve_group(group)
    if pg is None or not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


def peer_rank(pg: ProcessGroup, global_rank: int | None, group_rank: int | None, name: str) -> int:
    """The group rank of a peer given as a global rank (``src=``/``dst=``) or a group rank (``group_src=``...)."""
    if global_rank is not None and group_rank is not None:
        raise ValueError(f"Can't specify both group_rank and global_rank (group_{name} and {name})")
    if global_rank is None and group_rank is None:
        raise ValueError(f"Must specify global_rank or group_rank ({name}= or group_{name}=)")
    if group_rank is not None:
        if not isinstance(group_rank, int) or not 0 <= group_rank < pg.size():
            raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
        return group_rank
    if not isinstance(global_rank, int) or global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return pg._ranks.index(global_rank)

