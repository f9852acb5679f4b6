"""Draw-time workloads: seconds and peak memory to turn a big graph into SVG (``microtorch.viz.to_svg``),
with the built-in layout and with Graphviz's ``dot`` (or graphviz-pure), each in a fresh process.

    python -m benchmarks.drawing CASE LAYOUT SIZE    # one measurement: prints "seconds peak_bytes"

The forward pass that records the graph is not timed; building the picture's graph, the layout and the
SVG text are. Memory is the peak resident size of the process that lays out: this one for the built-in
layout, the ``dot`` child for dot (the Python process's own, import included, is about 60 MiB).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time


def chain(mt, n: int):
    """n ops one after another: ``sin`` of ``sin`` of ... a leaf (n nodes with the leaf)."""
    y = mt.tensor(1.0, requires_grad=True)
    for _ in range(n - 1):
        y = y.sin()
    return y


def rnn(mt, steps: int, width: int = 8):
    """An RNN unrolled ``steps`` times: the same input and hidden weights and bias at every step."""
    mt.manual_seed(0)
    w_ih, w_hh = mt.randn(width, width, requires_grad=True), mt.randn(width, width, requires_grad=True)
    b = mt.zeros(width, requires_grad=True)
    h = mt.zeros(1, width)
    for _ in range(steps):
        h = (mt.randn(1, width) @ w_ih + h @ w_hh + b).tanh()
    return h.sum()


def fan_out(mt, n: int):
    """One leaf feeding n products, summed one after another."""
    x = mt.tensor(1.0, requires_grad=True)
    total = x * 0
    for i in range(n):
        total = total + x * float(i)
    return total


#: name, builder, full size, quick size
CASES = {
    "chain": ("chain of {n} ops", chain, 20_000, 2_000),
    "rnn": ("RNN unrolled {n} steps, shared weights", rnn, 100, 20),
    "fanout": ("one leaf feeding {n} ops", fan_out, 400, 50),
}


def measure(case: str, layout: str, size: int) -> tuple[float, int]:
    """Seconds and peak bytes of one drawing, in this process."""
    import microtorch as mt
    from microtorch import viz

    root = CASES[case][1](mt, size)
    start = time.perf_counter()
    viz.to_svg(root, layout=layout, max_nodes=10 * size + 10)
    seconds = time.perf_counter() - start
    if layout == "dot":
        return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, _peak_resident()


def _peak_resident() -> int:
    """This process's peak resident bytes: VmHWM (ru_maxrss can carry the parent's peak over a fork)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(quick: bool, timeout: float) -> list[dict]:
    """Every case with both layouts, each in its own process; a layout that fails or runs out of time says so."""
    from microtorch.viz.dot import find_dot

    rows = []
    for case, (title, _, full, small) in CASES.items():
        size = small if quick else full
        row = {"name": title.format(n=f"{size:,}".replace(",", " ")), "case": case, "size": size}
        for layout in ("builtin", "dot"):
            row[layout] = _child(case, layout, size, timeout) if layout == "builtin" or find_dot() else "no dot"
        rows.append(row)
    return rows


def _child(case: str, layout: str, size: int, timeout: float) -> dict | str:
    env = {**os.environ, "MICROTORCH_DOT_TIMEOUT": str(timeout)}
    try:
        out = subprocess.run([sys.executable, "-m", "benchmarks.drawing", case, layout, str(size)], env=env,
                             capture_output=True, text=True, timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        return f"> {timeout + 60:g} s"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return "timed out" if "did not lay out" in last else last[:80]
    seconds, peak = out.stdout.split()
    return {"seconds": float(seconds), "peak_mib": int(peak) / 2**20}


def markdown_table(rows: list[dict], program: str) -> str:
    """The drawing results as a table: time and peak memory per layout."""
    def cell(v: dict | str) -> str:
        return v if isinstance(v, str) else f"{v['seconds']:.2f} s, {v['peak_mib']:.0f} MiB"

    lines = [f"| drawing (to_svg) | built-in layout | dot ({program}) |", "|---|---:|---:|"]
    lines += [f"| {r['name']} | {cell(r['builtin'])} | {cell(r['dot'])} |" for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    from microtorch.viz import dot

    dot.DOT_TIMEOUT = float(os.environ.get("MICROTORCH_DOT_TIMEOUT", dot.DOT_TIMEOUT))
    seconds, peak = measure(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(seconds, peak)
