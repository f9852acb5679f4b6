"""Timing and reporting: interleaved rounds, medians, microtorch/torch ratios."""
from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Result:
    name: str
    unit: str
    microtorch: float
    torch: float
    note: str = ""
    samples: dict = field(default_factory=dict)
    peers: dict = field(default_factory=dict)  # a NumPy-based peer's median (HIPS autograd), by name

    @property
    def ratio(self) -> float:
        return self.microtorch / self.torch if self.torch else float("nan")


def time_per_call(step: Callable[[], None], sync: Callable[[], None], min_seconds: float) -> float:
    """Seconds per call of ``step``, over as many calls as fit in ``min_seconds`` (at least 3)."""
    calls = 0
    start = time.perf_counter()
    while True:
        step()
        calls += 1
        if calls >= 3 and time.perf_counter() - start >= min_seconds:
            break
    sync()
    return (time.perf_counter() - start) / calls


#: untimed calls of a library's step before each of its rounds, for at least this long: another library's idle
#: threads keep a core busy for a while after its last call (NumPy's OpenBLAS ~120 ms after a GEMM, measured on a
#: 2-core VM: a torch MLP step right after a NumPy GEMM took 73-88 ms against 32-34 ms), and users run one library
SETTLE_SECONDS = 0.15


def compare(name: str, steps: dict, syncs: dict, rounds: int, min_seconds: float, scale: float = 1.0,
            unit: str = "ms", note: str = "", settle_seconds: float = SETTLE_SECONDS) -> Result:
    """Run both libraries' steps interleaved for ``rounds`` rounds (each round after ``settle_seconds`` of untimed
    calls); report medians times ``scale``."""
    for lib in steps:  # warm up: first calls allocate, build caches, load BLAS
        for _ in range(2):
            steps[lib]()
        syncs[lib]()
    samples = {lib: [] for lib in steps}
    for _ in range(rounds):
        for lib in steps:
            if settle_seconds:  # (untimed)
                time_per_call(steps[lib], syncs[lib], settle_seconds)
            samples[lib].append(time_per_call(steps[lib], syncs[lib], min_seconds) * scale)
    med = {lib: statistics.median(v) for lib, v in samples.items()}
    peers = {lib: m for lib, m in med.items() if lib not in ("microtorch", "torch")}
    return Result(name, unit, med["microtorch"], med["torch"], note, samples, peers)


def machine_description(device: str) -> str:
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import os

    blas = _blas_description()
    desc = (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {numpy.__version__} "
            f"({blas}), torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if device == "cuda":
        desc += f"; GPU {torch.cuda.get_device_name(0)}"
        try:
            import cupy

            desc += f", cupy {cupy.__version__}"
        except ImportError:
            pass
    return desc


def _blas_description() -> str:
    """NumPy's BLAS: library, kernel and threads as threadpoolctl reads them (the variable's value without it)."""
    import os

    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas" and "numpy" in p.get("filepath", "")] or \
        [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "BLAS: unknown"
    p = pools[0]
    return f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture')}, {p.get('num_threads')} BLAS threads"


def markdown_table(results: list, device: str) -> str:
    peers = sorted({p for r in results for p in r.peers})
    lines = [
        f"| workload ({device}) | microtorch | torch | ratio (microtorch/torch) |"
        + "".join(f" {p} | ratio ({p}/microtorch) |" for p in peers),
        "|---|---:|---:|---:|" + "---:|---:|" * len(peers),
    ]
    for r in results:
        name = r.name + (f" ({r.note})" if r.note else "")
        row = f"| {name} | {r.microtorch:.3g} {r.unit} | {r.torch:.3g} {r.unit} | {r.ratio:.2f}x |"
        for p in peers:
            value = r.peers.get(p)
            row += f" {value:.3g} {r.unit} | {value / r.microtorch:.2f}x |" if value is not None else " | |"
        lines.append(row)
    return "\n".join(lines)


def write_json(path: str, results: list, device: str, machine: str, drawing: list | None = None) -> None:
    payload = {
        "device": device,
        "machine": machine,
        "results": [
            {"name": r.name, "unit": r.unit, "microtorch": r.microtorch, "torch": r.torch, "ratio": r.ratio,
             "note": r.note, "samples": r.samples, "peers": r.peers}
            for r in results
        ],
    }
    if drawing:  # draw-time workloads (benchmarks/drawing.py): microtorch's two layouts, no torch counterpart
        payload["drawing"] = drawing
    with open(path, "w") as f:
        json.dump(payload, f, indent=2)


class Progress:
    """tqdm when it is installed, else a line per workload on stderr."""

    def __init__(self, total: int) -> None:
        try:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc="benchmarks", unit="workload", file=sys.stderr)
        except ImportError:
            self._bar = None
        self._done, self._total = 0, total

    def update(self, name: str) -> None:
        self._done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(name)
            self._bar.update(1)
        else:
            print(f"[{self._done}/{self._total}] {name}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
