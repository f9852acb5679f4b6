"""The launcher: ``python -m microtorch.distributed.run --nproc-per-node N script.py args`` (torchrun's options).

It starts the ranks through ``mpiexec`` of the installed MPI (the ``mpich`` wheel of the
``distributed`` extra, or any MPICH or Open MPI), with torchrun's environment in every
rank: ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``GROUP_RANK``,
``MASTER_ADDR``, ``MASTER_PORT`` and ``TORCHELASTIC_RUN_ID`` (and ``OMP_NUM_THREADS=1`` unless set).
Several machines: run it once, on the first, with ``--nnodes M --hostfile FILE`` (one host name per
line, as MPI's host files); MPI starts ``--nproc-per-node`` ranks on each host (over ssh, as usual).
The exit status is mpiexec's: non-zero if any rank failed (which ends the others).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import uuid
from typing import Sequence


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m microtorch.distributed.run", description=__doc__.split("\n")[0],
                                allow_abbrev=False)
    p.add_argument("--nproc-per-node", "--nproc_per_node", default="1",
                   help="ranks per machine: a number, 'cpu' (one per core), 'gpu' (one per GPU) or 'auto'")
    p.add_argument("--nnodes", default="1", help="number of machines (a range 'M:M' is accepted)")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0, help="must be 0: run the launcher once")
    p.add_argument("--hostfile", help="MPI host file naming the machines (needed with --nnodes > 1)")
    p.add_argument("--master-addr", "--master_addr", default="127.0.0.1", help="exported as MASTER_ADDR")
    p.add_argument("--master-port", "--master_port", type=int, default=29500, help="exported as MASTER_PORT")
    p.add_argument("--standalone", action="store_true", help="one machine (the default here)")
    p.add_argument("--max-restarts", "--max_restarts", type=int, default=0, help="must be 0 (no elastic restarts)")
    for name in ("--rdzv-backend", "--rdzv-endpoint", "--rdzv-id", "--rdzv-conf", "--monitor-interval"):
        p.add_argument(name, name.replace("-", "_").replace("__", "--"), help="accepted; MPI does the rendezvous")
    p.add_argument("--mpiexec", default=os.environ.get("MICROTORCH_MPIEXEC"), help="the mpiexec to use")
    p.add_argument("-m", "--module", action="store_true", help="run the script as a module (python -m)")
    p.add_argument("--no-python", "--no_python", action="store_true", help="run the script as an executable")
    p.add_argument("script", help="the training script (or module, or program)")
    p.add_argument("script_args", nargs=argparse.REMAINDER, help="its arguments")
    return p


def _count(spec: str) -> int:
    if spec.isdigit() and int(spec) > 0:
        return int(spec)
    if spec in ("cpu", "auto", "gpu"):
        gpus = 0
        if spec != "cpu":
            from .. import cuda

            gpus = cuda.device_count()  # (0 without CuPy or a GPU)
        if spec == "gpu" and not gpus:
            raise SystemExit("--nproc-per-node gpu: no GPU is available")
        return gpus or os.cpu_count() or 1
    raise SystemExit(f"--nproc-per-node must be a positive number, 'cpu', 'gpu' or 'auto', got {spec!r}")


def find_mpiexec(given: str | None = None) -> str:
    """The mpiexec to start ranks with: ``given``, the one beside this Python (a venv's), or on PATH."""
    if given:
        return given
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    found = beside if os.access(beside, os.X_OK) else shutil.which("mpiexec")
    if found is None:
        raise SystemExit('mpiexec not found: pip install -e ".[distributed]" from a microtorch checkout '
                         "(the mpich wheel brings it), or pass --mpiexec PATH")
    return found


def _flavour(mpiexec: str) -> str:
    out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True).stdout
    return "openmpi" if "Open MPI" in out or "OpenRTE" in out else "mpich"


def mpiexec_command(args: argparse.Namespace) -> list:
    """The mpiexec command line for ``args``."""
    nproc = _count(args.nproc_per_node)
    nnodes = int(str(args.nnodes).split(":")[-1])
    if args.node_rank != 0:
        raise SystemExit("--node-rank: with MPI, run the launcher once, on the first machine, with --hostfile")
    if args.max_restarts:
        raise SystemExit("--max-restarts: elastic restarts are not supported")
    if nnodes > 1 and not args.hostfile:
        raise SystemExit(f"--nnodes {nnodes} needs --hostfile naming the machines")
    mpiexec = find_mpiexec(args.mpiexec)
    command = [mpiexec, "-n", str(nproc * nnodes)]
    if _flavour(mpiexec) == "openmpi":
        command += ["--allow-run-as-root"] if os.geteuid() == 0 else []  # Open MPI refuses root otherwise
        command += ["--map-by", f"ppr:{nproc}:node"] if args.hostfile else ["--oversubscribe"]
        command += ["--hostfile", args.hostfile] if args.hostfile else []
        command += [flag for name in ("MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID",
                                      "PYTHONPATH") for flag in ("-x", name)]
    elif args.hostfile:
        command += ["-f", args.hostfile, "-ppn", str(nproc)]
    program = [sys.executable, "-m", "microtorch.distributed._rank_main"]
    if args.no_python:
        program.append("--exec")
    elif args.module:
        program.append("-m")
    return command + program + [args.script] + list(args.script_args)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse torchrun's options, start the ranks, and return mpiexec's exit status."""
    args = _parser().parse_args(argv)
    command = mpiexec_command(args)
    env = dict(os.environ, MASTER_ADDR=args.master_addr, MASTER_PORT=str(args.master_port),
               TORCHELASTIC_RUN_ID=args.rdzv_id or uuid.uuid4().hex)
    if _count(args.nproc_per_node) > 1 and "OMP_NUM_THREADS" not in env:
        # as torchrun: ranks sharing a machine would each start a BLAS thread per core and fight for them
        env["OMP_NUM_THREADS"] = "1"
        print("microtorch.distributed.run: OMP_NUM_THREADS=1 in every rank (set it to choose another)", file=sys.stderr)
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
