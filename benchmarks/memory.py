"""Peak memory of MLP training steps, measured in a fresh process per library.

``python -m benchmarks.memory microtorch|torch [--quick]`` prints the peak resident memory of three
training steps (gradients, Adam state, activations, allocator caches) above what the process held once
the model and batch existed (Linux: the high-water mark is reset through /proc/self/clear_refs).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

SIZES, BATCH = (784, 1024, 1024, 10), 512


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure(lib_name: str, quick: bool) -> float:
    """MiB above the pre-step resident set that one training step needs at its peak."""
    import importlib

    lib = importlib.import_module(lib_name)
    from .workloads import mlp_workload

    step = mlp_workload(SIZES, 64 if quick else BATCH)(lib, "cpu", quick)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident set: model, batch and libraries are loaded
    before = _status_kib("VmRSS")
    for _ in range(3):  # the first step also creates the optimizer state
        step()
    return (_status_kib("VmHWM") - before) / 1024


def peak_memory_mib(lib_name: str, quick: bool) -> float:
    """Run ``measure`` in a child process, so each library starts from a clean heap."""
    args = [sys.executable, "-m", "benchmarks.memory", lib_name] + (["--quick"] if quick else [])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(args, capture_output=True, text=True, cwd=root, env=os.environ.copy())
    if out.returncode != 0:
        raise RuntimeError(f"memory measurement for {lib_name} failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("lib", choices=["microtorch", "torch"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.lib == "torch":
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    print(f"{measure(args.lib, args.quick):.3f}")
