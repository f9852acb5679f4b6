"""The digits CNN of train_digits.py trained with DistributedDataParallel, one process per rank.

    pip install -e ".[examples,distributed]"
    python -m microtorch.distributed.run --nproc-per-node 2 examples/ddp_train.py [--epochs 5] [--device cpu|cuda]

Each rank reads its own share of every epoch (DistributedSampler), computes gradients on it,
and DDP averages them during backward, so every replica takes the same step: the run equals
one process on batches of ``--batch-size`` x world size. Rank 0 evaluates and saves the weights.
Run as a plain script it is a world of one.
"""
from __future__ import annotations

import argparse
import os
import time

import microtorch as torch
import microtorch.distributed as dist
import microtorch.nn.functional as F
from microtorch.nn.parallel import DistributedDataParallel as DDP
from microtorch.utils.data import DataLoader, TensorDataset
from microtorch.utils.data.distributed import DistributedSampler
from train_digits import DigitsCNN, evaluate, load_data


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32, help="per rank")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda (each rank takes cuda:LOCAL_RANK)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subset", type=int, default=None, help="train on the first N training images only")
    parser.add_argument("--out", default=os.path.join("runs", "ddp_digits"), help="folder for rank 0's weights")
    return parser.parse_args(argv)


def train_epoch(model: DDP, loader: DataLoader, optimizer: torch.optim.Optimizer) -> tuple[float, float]:
    """One epoch on this rank's share; (mean loss, accuracy) over every rank's samples."""
    model.train()
    totals = torch.zeros(3, dtype=torch.float64, device=loader.dataset.tensors[0].device)
    for x, y in loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()  # DDP all-reduces the gradients, bucket by bucket, while backward runs
        optimizer.step()
        with torch.no_grad():
            totals += torch.stack([loss.detach().double() * len(y), (logits.argmax(1) == y).sum().double(),
                                   totals.new_tensor(float(len(y)))])
    dist.all_reduce(totals)  # the whole world's sums
    loss_sum, correct, seen = totals.tolist()
    return loss_sum / seen, correct / seen


def replicas_agree(model: DDP) -> bool:
    """Every rank holds the same weights (DDP's promise)."""
    mine = [p.detach().cpu() for p in model.module.parameters()]
    theirs = [None] * dist.get_world_size()
    dist.all_gather_object(theirs, mine)
    return all(all(torch.equal(a, b) for a, b in zip(mine, other)) for other in theirs)


def main(argv: list[str] | None = None) -> dict:
    """Train on this rank's shares; returns the history, whether the replicas agree, and where the weights are."""
    args = parse(argv)
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    device = f"cuda:{os.environ.get('LOCAL_RANK', 0)}" if args.device == "cuda" else args.device
    start = time.perf_counter()
    torch.manual_seed(args.seed)
    train_set, test_set = load_data(device)
    if args.subset:
        train_set = TensorDataset(*(t[:args.subset] for t in train_set.tensors))
    sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler)
    model = DDP(DigitsCNN().to(device), device_ids=[device] if device.startswith("cuda") else None)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    if rank == 0:
        print(f"{world} rank(s) on {args.device}, {len(sampler)} of {len(train_set)} training images each per epoch")
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
        train_loss, train_acc = train_epoch(model, loader, optimizer)
        _, test_acc = evaluate(model.module, DataLoader(test_set, batch_size=512))
        for key, value in zip(history, (train_loss, train_acc, test_acc)):
            history[key].append(value)
        if rank == 0:
            print(f"epoch {epoch:2d}: train loss {train_loss:.4f} acc {train_acc:.2%}   test acc {test_acc:.2%}")
    agree = replicas_agree(model)
    weights = os.path.join(args.out, "digits_cnn.pt")
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        torch.save(model.module.state_dict(), weights)
        print(f"replicas identical: {agree}; weights: {weights}; {time.perf_counter() - start:.1f} s")
    dist.destroy_process_group()
    return {"history": history, "replicas_agree": agree, "weights": weights, "world_size": world}


if __name__ == "__main__":
    main()
