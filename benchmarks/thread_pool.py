"""``python -m benchmarks.thread_pool [--threads N] [--ops add,tanh,...] [--sizes 12:21] [--cold] [--quick]``

The intra-op pool's crossover: one NumPy call against the same call split across the pool
(``microtorch.backends._threads``, thresholds set to 0), per ufunc and size, interleaved, best of
several rounds (the best filters other jobs' load). ``tanh_grad`` is a fused kernel (``Backend.elementwise``).
Where the speed-up passes 1 is where ``_threads.threshold`` / ``threshold_costly`` belong. ``--cold`` cycles
through operand sets that together exceed the last-level cache, so each call reads memory as a training step's
ops do (the same operands every call stay in a 32 MB L3 up to 2^20 elements and favour the single call).
"""
from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from microtorch.autograd.ops.activation import _tanh_grad
from microtorch.backends import _threads


def _seconds(call, reps: int) -> float:
    start = time.perf_counter()
    for _ in range(reps):
        call()
    return (time.perf_counter() - start) / reps


#: bytes of operands the cold calls cycle through (twice a 32 MB L3)
COLD_BYTES = 64 << 20


def _calls(name: str, n: int, rng: np.random.Generator, cold: bool = False) -> tuple:
    """(one NumPy call, the pool's call) for ``name`` on ``n`` float32 elements; with ``cold``, each call takes the
    next of enough operand sets to miss the cache."""
    sets = max(1, COLD_BYTES // (12 * n)) if cold else 1
    pairs = [(rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32))
             for _ in range(sets)]
    turn = itertools.cycle(range(sets))
    if name == "tanh_grad":
        outs = [np.empty_like(a) for a, _ in pairs]

        def one_kernel() -> None:
            i = next(turn)
            _tanh_grad(np, outs[i], *pairs[i])

        def pool_kernel() -> None:
            i = next(turn)
            _threads.elementwise(_tanh_grad, outs[i], *pairs[i])

        return one_kernel, pool_kernel
    arity = 2 if name in ("add", "multiply", "subtract", "maximum") else 1
    function = getattr(np, name)
    return (lambda: function(*pairs[next(turn)][:arity])), (lambda: _threads.ufunc(name, *pairs[next(turn)][:arity]))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.thread_pool", description=__doc__.split("\n\n")[1])
    parser.add_argument("--threads", type=int, default=2, help="pool threads (default 2)")
    parser.add_argument("--ops", default="add,tanh,exp,tanh_grad", help="ufunc names, or tanh_grad")
    parser.add_argument("--sizes", default="12:21", help="log2 sizes, lo:hi (hi excluded)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cold", action="store_true", help="operands that miss the cache, as in a training step")
    parser.add_argument("--quick", action="store_true", help="two sizes, two rounds (a smoke test)")
    args = parser.parse_args(argv)
    lo, hi = (int(v) for v in args.sizes.split(":"))
    sizes, rounds = (range(12, 14), 2) if args.quick else (range(lo, hi), args.rounds)
    saved = (_threads.get_num_threads(), _threads.threshold, _threads.threshold_costly)
    rng = np.random.default_rng(0)
    print(f"| op | elements | one call (us) | pool, {args.threads} threads (us) | speed-up |\n|---|---:|---:|---:|---:|")
    try:
        for name in args.ops.split(","):
            for k in sizes:
                one, split = _calls(name, 1 << k, rng, args.cold)
                reps = max(3, (1 << 21) >> k >> 2)
                ones, splits = [], []
                for _ in range(rounds):
                    _threads.set_num_threads(1)
                    ones.append(_seconds(one, reps))
                    _threads.set_num_threads(args.threads)
                    _threads.threshold = _threads.threshold_costly = 0
                    splits.append(_seconds(split, reps))
                print(f"| {name} | 2^{k} | {min(ones) * 1e6:.1f} | {min(splits) * 1e6:.1f} | {min(ones) / min(splits):.2f} |",
                      flush=True)
    finally:
        _threads.set_num_threads(saved[0])
        _threads.threshold, _threads.threshold_costly = saved[1:]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
