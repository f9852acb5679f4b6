"""``microtorch.distributed``: torch.distributed's API on MPI (host tensors) and NCCL (cuda tensors).

Start the processes with ``python -m microtorch.distributed.run --nproc-per-node N script.py``
(or ``mpiexec -n N python script.py``); each calls ``init_process_group()`` and then the
collectives (``all_reduce``, ``broadcast``, ``all_gather``, ...), which work in place on the
tensors' memory. Every blocking wait has the group's timeout, a mismatched call raises the
same error on every rank, and an uncaught exception in one rank ends the whole job.
Needs ``mpi4py`` and an MPI library: ``pip install -e ".[distributed]"`` from a checkout.
"""
from ._collectives import *  # noqa: F401,F403
from ._collectives import __all__ as _collective_names
from ._object_collectives import *  # noqa: F401,F403
from ._object_collectives import __all__ as _object_names
from ._work import DistBackendError, DistError, DistNetworkError, DistStoreError, Work
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _group_names

__all__ = (["Work", "DistError", "DistBackendError", "DistNetworkError", "DistStoreError"]
           + list(_group_names) + list(_collective_names) + list(_object_names))
