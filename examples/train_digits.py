"""Train a small CNN on scikit-learn's bundled digits (1797 8x8 images, no download), save the weights and a
loss/accuracy plot, then reload the weights into a fresh model and check that it scores the same.

    pip install -e ".[examples]"
    python examples/train_digits.py [--epochs 15] [--device cpu|cuda|...] [--out runs/digits]
"""
from __future__ import annotations

import argparse
import os
import time

import microtorch as torch
import microtorch.nn as nn
import microtorch.nn.functional as F
from microtorch.utils.data import DataLoader, TensorDataset


def load_data(device: str, test_size: float = 0.2, seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    """(train, test) datasets of float32 images [N, 1, 8, 8] scaled to [0, 1] and int64 labels, on ``device``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[:, None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=test_size, stratify=digits.target, random_state=seed)
    return (TensorDataset(torch.tensor(x_train, device=device), torch.tensor(y_train, device=device)),
            TensorDataset(torch.tensor(x_test, device=device), torch.tensor(y_test, device=device)))


class DigitsCNN(nn.Module):
    """Two 3x3 convolutions with batch norm and a max-pool (8x8 -> 4x4), then two linear layers."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    """(mean loss, accuracy) over ``loader``."""
    model.eval()
    loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return loss / count, correct / count


def plot_history(history: dict, path: str) -> None:
    """Loss and accuracy per epoch, train and test, side by side."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3.2))
    for split in ("train", "test"):
        ax_loss.plot(epochs, history[f"{split}_loss"], marker=".", label=split)
        ax_acc.plot(epochs, [100 * a for a in history[f"{split}_acc"]], marker=".", label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="%", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("microtorch: a CNN on scikit-learn's digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, or any registered device type")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("runs", "digits"), help="folder for the weights and the plot")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads on the CPU (default 1: these matrices are small, and BLAS threads that "
                             "spin-wait for busy cores made training several times slower)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    from threadpoolctl import threadpool_limits  # comes with scikit-learn

    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        return train(args)


def train(args: argparse.Namespace) -> dict:
    from tqdm import tqdm

    start = time.perf_counter()
    torch.manual_seed(args.seed)
    train_set, test_set = load_data(args.device)  # the same split whatever the seed
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              generator=torch.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_set, batch_size=512)
    model = DigitsCNN().to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(f"{len(train_set)} training and {len(test_set)} test images on {args.device}; "
          f"{sum(p.numel() for p in model.parameters())} parameters")

    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{args.epochs}", leave=False, disable=args.quiet)
        for x, y in bar:
            optimizer.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}", refresh=False)
        scheduler.step()
        test_loss, test_acc = evaluate(model, test_loader)
        for key, value in zip(history, (total_loss / seen, correct / seen, test_loss, test_acc)):
            history[key].append(value)
        tqdm.write(f"epoch {epoch:2d}: train loss {total_loss / seen:.4f} acc {correct / seen:.2%}   "
                   f"test loss {test_loss:.4f} acc {test_acc:.2%}")

    os.makedirs(args.out, exist_ok=True)
    weights = os.path.join(args.out, "digits_cnn.pt")
    torch.save(model.state_dict(), weights)
    plot = os.path.join(args.out, "digits_training.png")
    plot_history(history, plot)

    reloaded = DigitsCNN().to(args.device)
    reloaded.load_state_dict(torch.load(weights, map_location=args.device))
    _, reloaded_acc = evaluate(reloaded, test_loader)
    if reloaded_acc != history["test_acc"][-1]:
        raise RuntimeError(f"the reloaded weights score {reloaded_acc:.2%}, the trained model "
                           f"{history['test_acc'][-1]:.2%}")
    seconds = time.perf_counter() - start
    print(f"test accuracy {reloaded_acc:.2%} after reloading {weights}; plot: {plot}; {seconds:.1f} s")
    return {"history": history, "reloaded_acc": reloaded_acc, "weights": weights, "plot": plot, "seconds": seconds}


if __name__ == "__main__":
    main()
