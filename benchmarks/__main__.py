"""``python -m benchmarks [--device cpu|cuda] [--quick] [--only NAME] [--json PATH] [--threads N]``

Runs every workload with microtorch and PyTorch on identical inputs in this process,
interleaved over several rounds, and prints medians and the microtorch/torch ratio: first at
each library's default threads (what users get), then single-threaded (a second process).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

from . import harness


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--quick", action="store_true", help="small sizes, one short round (a smoke test)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run workloads whose name contains NAME (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per workload (default 5, quick 1)")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/OpenMP threads for both libraries (default: each library's default threads, then "
                             "a single-threaded second table from a second process; 0: the defaults only)")
    args = parser.parse_args(argv)
    if args.threads:  # before numpy and torch load their thread pools
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    import torch

    import microtorch

    from .workloads import WORKLOADS

    if args.threads:
        torch.set_num_threads(args.threads)

    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda needs a GPU visible to torch")
    selected = [w for w in WORKLOADS if not args.only or any(s.lower() in w.name.lower() for s in args.only)]
    if not selected and not any(s.lower() in "drawing" for s in args.only):
        parser.error(f"no workload matches {args.only}; workloads: {[w.name for w in WORKLOADS]}")
    rounds = args.rounds or (1 if args.quick else 5)
    min_seconds = 0.05 if args.quick else 0.4
    settle_seconds = 0.0 if args.quick else harness.SETTLE_SECONDS

    def syncer(lib):
        if args.device == "cuda":
            return lib.cuda.synchronize
        return lambda: None

    measure_memory = args.device == "cpu" and os.path.exists("/proc/self/clear_refs") and (
        not args.only or any(s.lower() in "peak memory" for s in args.only))
    results = []
    want_drawing = args.device == "cpu" and (not args.only or any(s.lower() in "drawing" for s in args.only))
    progress = harness.Progress(len(selected) + measure_memory + want_drawing)
    for w in selected:
        steps = {"microtorch": w.build(microtorch, args.device, args.quick), "torch": w.build(torch, args.device, args.quick)}
        syncs = {"microtorch": syncer(microtorch), "torch": syncer(torch)}
        if args.device == "cpu":  # the NumPy-based peers (HIPS autograd), where installed
            for peer, build in w.peers.items():
                step = build(args.quick)
                if step is not None:
                    steps[peer], syncs[peer] = step, (lambda: None)
        results.append(harness.compare(w.name, steps, syncs, rounds, min_seconds, w.scale, w.unit, w.note,
                                       settle_seconds))
        progress.update(w.name)
    if measure_memory:
        from .memory import BATCH, SIZES, peak_memory_mib

        batch = 64 if args.quick else BATCH
        name = f"peak memory, MLP {'-'.join(map(str, SIZES))} batch {batch} step"
        results.append(harness.Result(name, "MiB", peak_memory_mib("microtorch", args.quick),
                                      peak_memory_mib("torch", args.quick)))
        progress.update(name)
    drawing = []
    if want_drawing:
        from . import drawing as draw_bench

        drawing = draw_bench.run(args.quick, timeout=10.0 if args.quick else 60.0)
        progress.update("drawing")
    progress.close()

    machine = harness.machine_description(args.device)
    print(f"\nMachine: {machine}\n")
    print(harness.markdown_table(results, args.device))
    if drawing:
        from microtorch.viz.dot import find_dot

        print("\n" + draw_bench.markdown_table(drawing, os.path.basename(find_dot() or "none")))
    if args.json:
        harness.write_json(args.json, results, args.device, machine, drawing)
    if args.threads is None and not args.quick:  # the second view: both libraries on one thread
        print("\nSingle-threaded (--threads 1):", flush=True)
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--json"]
        if args.json:
            forwarded = [a for a in forwarded if a != args.json] + ["--json", args.json.replace(".json", "-1thread.json")]
        return subprocess.run([sys.executable, "-m", "benchmarks", *forwarded, "--threads", "1"]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
