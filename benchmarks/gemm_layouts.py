"""``python -m benchmarks.gemm_layouts [--quick]``: every operand layout a GEMM may meet, against the contiguous one.

For ``A @ B`` with each operand contiguous, transposed (a Fortran-order view, as ``x.T`` gives) or strided (every
other row of a larger array), and for the 3-D stacks convolution and attention issue, prints the time of NumPy's
``matmul``, of microtorch's ``matmul`` forward + backward and of torch's, each as a ratio to the same library's
all-contiguous case. A layout BLAS cannot take directly shows as a ratio well above 1 (NumPy then copies, or
loops over the stack without BLAS). No timing is asserted anywhere: this is a report.
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import numpy as np

LAYOUTS = ("contiguous", "transposed", "strided")


def _operand(rng: np.random.Generator, shape: tuple, layout: str) -> np.ndarray:
    """A float32 array of ``shape`` in ``layout`` (same values whatever the layout)."""
    values = rng.standard_normal(shape).astype(np.float32)
    if layout == "transposed":  # the last two axes stored swapped: x.T of a contiguous array
        return np.ascontiguousarray(values.swapaxes(-1, -2)).swapaxes(-1, -2)
    if layout == "strided":  # every other row of an array twice as tall
        wide = np.zeros(shape[:-2] + (2 * shape[-2], shape[-1]), dtype=np.float32)
        wide[..., ::2, :] = values
        return wide[..., ::2, :]
    return values


def _median_seconds(fn: Callable[[], object], min_seconds: float, rounds: int) -> float:
    fn()
    samples = []
    for _ in range(rounds):
        calls, start = 0, time.perf_counter()
        while calls < 2 or time.perf_counter() - start < min_seconds:
            fn()
            calls += 1
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def _steps(a: np.ndarray, b: np.ndarray) -> dict:
    import torch

    import microtorch

    def fwd_bwd(lib, x, y):
        def step():
            x.grad = y.grad = None
            (x @ y).sum().backward()
        return step

    def wrap(lib, array):  # the same layout in the library: transposed and strided views of a contiguous tensor
        if array.flags.c_contiguous:
            return lib.tensor(array).requires_grad_()
        if array.flags.f_contiguous or (array.ndim > 2 and array.swapaxes(-1, -2).flags.c_contiguous):
            return lib.tensor(np.ascontiguousarray(array.swapaxes(-1, -2))).requires_grad_().transpose(-1, -2)
        whole = np.zeros(array.shape[:-2] + (2 * array.shape[-2], array.shape[-1]), dtype=np.float32)
        whole[..., ::2, :] = array
        return lib.tensor(whole).requires_grad_()[..., ::2, :]

    return {
        "numpy": lambda: np.matmul(a, b),
        "microtorch": fwd_bwd(microtorch, wrap(microtorch, a), wrap(microtorch, b)),
        "torch": fwd_bwd(torch, wrap(torch, a), wrap(torch, b)),
    }


def run(quick: bool) -> list:
    rng = np.random.default_rng(0)
    cases = [("square", (256, 256, 256) if quick else (512, 512, 512), ()),
             ("conv weight grad", (16, 6400, 150) if quick else (16, 51200, 150), ()),
             ("conv forward", (16, 150, 6400) if quick else (16, 150, 25600), ()),
             ("conv input grad", (150, 16, 6400) if quick else (150, 16, 25600), ()),
             ("attention stack", (64, 32, 64), (8,) if quick else (32,))]
    min_seconds, rounds = (0.02, 1) if quick else (0.2, 5)
    rows = []
    for name, (m, k, n), batch in cases:
        base: dict = {}
        for la in LAYOUTS:
            for lb in LAYOUTS:
                a, b = _operand(rng, batch + (m, k), la), _operand(rng, batch + (k, n), lb)
                times = {lib: _median_seconds(fn, min_seconds, rounds) for lib, fn in _steps(a, b).items()}
                if not base:
                    base = times
                label = f"{name} {'x'.join(map(str, batch)) + ' x ' if batch else ''}({m}x{k} @ {k}x{n})"
                rows.append((label, la, lb, times, {lib: times[lib] / base[lib] for lib in times}))
    return rows


def markdown_table(rows: list) -> str:
    lines = ["| GEMM | A | B | numpy matmul | ratio | microtorch fwd+bwd | ratio | torch fwd+bwd | ratio |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, la, lb, t, r in rows:
        lines.append(f"| {name} | {la} | {lb} | {t['numpy'] * 1e3:.3g} ms | {r['numpy']:.2f}x | "
                     f"{t['microtorch'] * 1e3:.3g} ms | {r['microtorch']:.2f}x | {t['torch'] * 1e3:.3g} ms | {r['torch']:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gemm_layouts", description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="small sizes, one short round (a smoke test)")
    args = parser.parse_args()
    print(markdown_table(run(args.quick)))
