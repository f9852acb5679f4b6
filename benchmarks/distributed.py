"""``python -m benchmarks.distributed [--quick] [--ranks 2] [--no-torch] [--json PATH]``

All-reduce time and bandwidth, and the step time of a DistributedDataParallel MLP, on 1 rank and on
``--ranks`` ranks (one machine, through mpiexec), for microtorch (MPI) and, on the same ranks, torch
(gloo, over TCP). Ratios: time on N ranks / time on 1 rank (DDP: each rank has the same batch, so
1.0 is perfect weak scaling) and microtorch / torch. Bus bandwidth is NCCL-tests' measure,
2 (N - 1) / N x bytes / time, what each link carries in a ring all-reduce.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

SIZES = [4 << 10, 256 << 10, 4 << 20, 64 << 20]
QUICK_SIZES = [4 << 10, 256 << 10]


def _median_seconds(step, barrier, reps: int) -> float:
    """Median over ``reps`` of the time of one synchronised call (every rank starts together)."""
    for _ in range(2):
        step()
    times = []
    for _ in range(reps):
        barrier()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def _ddp_step_seconds(lib, dist, ddp_class, reps: int, no_sync: bool) -> float:
    lib.manual_seed(0)
    model = ddp_class(_mlp(lib))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = lib.randn(64, 784), lib.randint(0, 10, (64,))

    def step() -> None:
        opt.zero_grad()
        if no_sync:
            with model.no_sync():
                lib.nn.functional.cross_entropy(model(x), y).backward()
        else:
            lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return _median_seconds(step, dist.barrier, reps)


def _measure(lib, dist, ddp_class, quick: bool) -> dict:
    sizes = QUICK_SIZES if quick else SIZES
    reps = 5 if quick else 20
    out = {}
    for nbytes in sizes:
        t = lib.ones(nbytes // 4)  # float32
        out[f"all_reduce {nbytes}"] = _median_seconds(lambda: dist.all_reduce(t), dist.barrier, reps)
    out["ddp step"] = _ddp_step_seconds(lib, dist, ddp_class, reps, no_sync=False)
    out["ddp step, no_sync"] = _ddp_step_seconds(lib, dist, ddp_class, reps, no_sync=True)
    return out


def worker(quick: bool, with_torch: bool) -> None:
    """One rank: measure microtorch, then torch; rank 0 prints the results as JSON."""
    import microtorch
    import microtorch.distributed as mdist
    from microtorch.nn.parallel import DistributedDataParallel

    mdist.init_process_group("mpi")
    results = {"microtorch": _measure(microtorch, mdist, DistributedDataParallel, quick)}
    rank, size = mdist.get_rank(), mdist.get_world_size()
    if with_torch:
        import torch
        import torch.distributed as tdist

        torch.set_num_threads(1)
        tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{os.environ['BENCH_PORT']}", rank=rank,
                                 world_size=size)
        results["torch"] = _measure(torch, tdist, torch.nn.parallel.DistributedDataParallel, quick)
        tdist.destroy_process_group()
    if rank == 0:
        print("RESULTS " + json.dumps(results), flush=True)
    mdist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(ranks: int, quick: bool, with_torch: bool) -> dict:
    from microtorch.distributed.run import find_mpiexec

    command = [find_mpiexec(), "-n", str(ranks), sys.executable, "-m", "benchmarks.distributed", "--worker"]
    command += ["--quick"] * quick + ["--no-torch"] * (not with_torch)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", BENCH_PORT=str(_free_port()))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, stdin=subprocess.DEVNULL)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULTS ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"the {ranks}-rank run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(line[len("RESULTS "):])


def report(one: dict, many: dict, ranks: int) -> list:
    """Rows of (library, measure, 1-rank ms, N-rank ms, N/1 ratio, bus GB/s on N ranks)."""
    rows = []
    for lib in one:
        for name, seconds in one[lib].items():
            n_seconds = many[lib][name]
            busbw = ""
            if name.startswith("all_reduce"):
                nbytes = int(name.split()[1])
                busbw = f"{2 * (ranks - 1) / ranks * nbytes / n_seconds / 1e9:.2f}"
            rows.append((lib, name, f"{seconds * 1e3:.3f}", f"{n_seconds * 1e3:.3f}", f"{n_seconds / seconds:.2f}",
                         busbw))
    return rows


def main(argv: list | None = None) -> int:
    """Run the 1-rank and N-rank jobs and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed", description=__doc__.split("\n\n")[1])
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="two sizes, few repetitions (a smoke test)")
    parser.add_argument("--no-torch", action="store_true", help="microtorch only")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.quick, not args.no_torch)
        return 0
    one, many = _run(1, args.quick, not args.no_torch), _run(args.ranks, args.quick, not args.no_torch)
    rows = report(one, many, args.ranks)
    header = ("library", "measure (bytes)", "1 rank ms", f"{args.ranks} ranks ms", f"{args.ranks}/1", "bus GB/s")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    if "torch" in many:
        for name in many["microtorch"]:
            ratio = many["microtorch"][name] / many["torch"][name]
            print(f"microtorch/torch on {args.ranks} ranks, {name}: {ratio:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ranks": args.ranks, "one_rank": one, "n_ranks": many}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
