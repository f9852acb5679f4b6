"""What each rank of ``microtorch.distributed.run`` runs: torchrun's variables from MPI's, then the script.

MPICH's mpiexec gives each process ``PMI_RANK``, ``PMI_SIZE`` and ``MPI_LOCALRANKID``; Open MPI's
``OMPI_COMM_WORLD_RANK``, ``..._SIZE``, ``..._LOCAL_RANK`` and ``..._LOCAL_SIZE``. The script then
runs as ``__main__`` (``-m name`` as a module; ``--exec program`` replaces this process), with its
own ``sys.argv``. If it fails (an uncaught exception or a non-zero exit), even before
``init_process_group``, the rank calls MPI_Abort, so the whole job ends instead of leaving the other
ranks waiting (``python -m mpi4py``'s rule).
"""
from __future__ import annotations

import os
import runpy
import sys
import time
import traceback
from collections.abc import MutableMapping

_MPI_VARIABLES = {  # torchrun's name: (MPICH's, Open MPI's)
    "RANK": ("PMI_RANK", "OMPI_COMM_WORLD_RANK"),
    "WORLD_SIZE": ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE"),
    "LOCAL_RANK": ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK"),
    "LOCAL_WORLD_SIZE": ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"),
}


def export_rank_variables(environ: MutableMapping[str, str]) -> None:
    """Set RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK and ROLE_RANK from MPI's variables."""
    for name, sources in _MPI_VARIABLES.items():
        for source in sources:
            if source in environ:
                environ[name] = environ[source]
                break
    environ.setdefault("RANK", "0")
    environ.setdefault("WORLD_SIZE", "1")
    environ.setdefault("LOCAL_RANK", "0")
    environ.setdefault("LOCAL_WORLD_SIZE", environ["WORLD_SIZE"])
    environ["GROUP_RANK"] = str(int(environ["RANK"]) // max(1, int(environ["LOCAL_WORLD_SIZE"])))
    environ["ROLE_RANK"] = environ["RANK"]
    environ["ROLE_WORLD_SIZE"] = environ["WORLD_SIZE"]


def main() -> None:
    """Run the script (or ``-m`` module) named in ``sys.argv`` as this rank."""
    export_rank_variables(os.environ)
    args = sys.argv[1:]
    if args[:1] == ["--exec"]:  # --no-python: a program of its own, with the variables set
        os.execvp(args[1], args[1:])
    as_module = args[:1] == ["-m"]
    if as_module:
        args = args[1:]
    sys.argv = args
    try:
        if as_module:
            runpy.run_module(args[0], run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            _abort_job(e)
        raise
    except BaseException as e:  # noqa: BLE001 (KeyboardInterrupt too: the other ranks must not wait)
        _abort_job(e)


def _abort_job(error: BaseException) -> None:
    """Report ``error`` and end every rank of the job."""
    if isinstance(error, SystemExit):
        print(error.code if isinstance(error.code, str) else f"exit status {error.code}", file=sys.stderr)
    else:  # one write, so that mpiexec forwards the traceback whole
        sys.stderr.write("".join(traceback.format_exception(error)))
    sys.stderr.flush()
    sys.stdout.flush()
    time.sleep(0.2)  # mpiexec forwards output asynchronously: let it pass the traceback on before the abort
    from ._mpi_engine import import_mpi

    import_mpi().COMM_WORLD.Abort(1)


if __name__ == "__main__":
    main()
