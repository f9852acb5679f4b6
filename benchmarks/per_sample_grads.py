"""Per-sample gradients: ``vmap(grad(loss))`` against one batched backward pass, in microtorch and in PyTorch.

    python -m benchmarks.per_sample_grads [--quick] [--batch 64]

Times each with ``microtorch.utils.benchmark.Timer.blocked_autorange`` (median of replicates) for an MLP and a
small CNN on the same weights and data, and prints the ratio per-sample / batched for both libraries: the
target is at most 2x (the per-sample path computes a gradient per example, the batched one a single sum).
"""
from __future__ import annotations

import argparse
import os


def _models(lib, kind: str):
    nn = lib.nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(),
                         nn.Flatten(), nn.Linear(16 * 3 * 3, 10))


def _steps(lib, model, x, y) -> tuple:
    """(per-sample gradients, one batched backward) as zero-argument callables."""
    func, F = lib.func, lib.nn.functional
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi, yi):
        return F.cross_entropy(func.functional_call(model, p, (xi.unsqueeze(0),)), yi.unsqueeze(0))

    per_sample = func.vmap(func.grad(loss), in_dims=(None, 0, 0))

    def batched():
        model.zero_grad()
        F.cross_entropy(model(x), y).backward()

    return (lambda: per_sample(params, x, y)), batched


def main(argv: list | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both libraries")
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    import numpy as np
    import torch

    import microtorch
    from microtorch.utils.benchmark import Timer

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    min_run_time = 0.02 if args.quick else 0.5
    results = {}
    for kind, shape in (("mlp", (64,)), ("cnn", (1, 12, 12))):
        x = rng.normal(size=(args.batch,) + shape).astype("float32")
        y = rng.integers(0, 10, args.batch)
        mm = _models(microtorch, kind)
        tm = _models(torch, kind)
        tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in mm.state_dict().items()})
        for name, lib, model in (("microtorch", microtorch, mm), ("torch", torch, tm)):
            per_sample, batched = _steps(lib, model, lib.tensor(x), lib.tensor(y))
            times = [Timer("step()", globals={"step": step}).blocked_autorange(min_run_time=min_run_time).median
                     for step in (per_sample, batched)]
            results[(kind, name)] = times
            print(f"{kind} batch {args.batch:4d} {name:10s}  per-sample {times[0] * 1e3:8.2f} ms  batched backward "
                  f"{times[1] * 1e3:8.2f} ms  ratio {times[0] / times[1]:5.2f}")
    return results


if __name__ == "__main__":
    main()
