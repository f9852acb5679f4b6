"""DataLoader worker processes on a slow dataset, microtorch and PyTorch side by side.

``python -m benchmarks.dataloader [--quick] [--workers 4] [--samples 32] [--delay 0.05]`` times whole epochs
over a dataset whose ``__getitem__`` sleeps ``delay`` seconds (as reading and decoding a file does), loaded
with 0 workers, with ``--workers`` fresh worker processes per epoch (their start-up included), and with
persistent workers (started once, before timing). Sleeping needs no CPU, so the speed-up measures the
loader's parallelism, not the machine's cores: 4 workers should be about 4x faster than 0.
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
import warnings


class SleepyDataset:
    """``n`` samples of a 16-float tensor and a label, each taking ``delay`` seconds to "read"."""

    def __init__(self, lib_name: str, n: int, delay: float) -> None:
        self.lib_name, self.n, self.delay = lib_name, n, delay

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        lib = importlib.import_module(self.lib_name)
        time.sleep(self.delay)
        return lib.full((16,), float(i)), i % 10


def epoch_seconds(lib_name: str, workers: int, persistent: bool, samples: int, delay: float, rounds: int) -> float:
    """Median seconds per epoch (batch size 4) over ``rounds`` epochs."""
    lib = importlib.import_module(lib_name)
    kwargs = dict(num_workers=workers, persistent_workers=persistent) if workers else {}
    loader = lib.utils.data.DataLoader(SleepyDataset(lib_name, samples, delay), batch_size=4, **kwargs)
    if persistent:
        for _ in loader:  # start the workers before timing
            pass
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        batches = sum(1 for _ in loader)
        times.append(time.perf_counter() - start)
        assert batches == (samples + 3) // 4
    return statistics.median(times)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dataloader", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: 16 samples of 5 ms, one epoch")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--samples", type=int, default=None, help="samples per epoch (default 32, quick 16)")
    parser.add_argument("--delay", type=float, default=None, help="seconds per sample (default 0.05, quick 0.005)")
    parser.add_argument("--rounds", type=int, default=None, help="epochs per setting (default 3, quick 1)")
    args = parser.parse_args(argv)
    samples = args.samples or (16 if args.quick else 32)
    delay = args.delay if args.delay is not None else (0.005 if args.quick else 0.05)
    rounds = args.rounds or (1 if args.quick else 3)
    warnings.filterwarnings("ignore", message="This DataLoader will create")  # more workers than cores is the point
    settings = [("0 workers", 0, False), (f"{args.workers} workers", args.workers, False),
                (f"{args.workers} persistent workers", args.workers, True)]
    seconds = {(lib, label): epoch_seconds(lib, workers, persistent, samples, delay, rounds)
               for label, workers, persistent in settings for lib in ("microtorch", "torch")}
    print(f"\nDataLoader epoch: {samples} samples of {delay * 1e3:g} ms, batch size 4, median of {rounds}\n")
    print("| loader | microtorch | torch | microtorch speed-up | torch speed-up |")
    print("|---|---:|---:|---:|---:|")
    for label, _, _ in settings:
        cells = [f"{seconds[(lib, label)] * 1e3:.0f} ms" for lib in ("microtorch", "torch")]
        ups = [f"{seconds[(lib, '0 workers')] / seconds[(lib, label)]:.2f}x" for lib in ("microtorch", "torch")]
        print(f"| {label} | {' | '.join(cells)} | {' | '.join(ups)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
