"""micrograd's (and regrad's) two-moons demo: a 2-16-16-1 MLP trained with a max-margin (SVM) loss, L2
regularisation and a decaying learning rate, then its decision boundary drawn as a PNG.

    pip install -e ".[examples]"
    python examples/moons.py [--steps 100] [--out runs/moons]
"""
from __future__ import annotations

import argparse
import os

import microtorch as torch
import microtorch.nn as nn


def make_data(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's two interleaved half circles; labels are -1 and 1, as the SVM loss wants."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y * 2 - 1, dtype=torch.float32)


def loss_and_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, alpha: float = 1e-4) -> tuple:
    """micrograd's loss: the mean hinge loss max(0, 1 - y * score) plus alpha * (sum of squared parameters)."""
    scores = model(x).squeeze(1)
    data_loss = (1 - y * scores).relu().mean()
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    accuracy = ((y > 0) == (scores > 0)).float().mean()
    return data_loss + reg_loss, accuracy.item()


def plot_decision_boundary(model: nn.Module, x: torch.Tensor, y: torch.Tensor, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap

    (x_min, y_min), (x_max, y_max) = (x.amin(0) - 1).tolist(), (x.amax(0) + 1).tolist()
    gx, gy = np.meshgrid(np.arange(x_min, x_max, 0.02), np.arange(y_min, y_max, 0.02))
    grid = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
    with torch.no_grad():
        scores = model(grid).reshape(gx.shape)
    regions, points = ListedColormap(["#FDD9B5", "#C6DBEF"]), ListedColormap(["#E6550D", "#3182BD"])
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(gx, gy, (scores > 0).numpy(), levels=[-0.5, 0.5, 1.5], cmap=regions)
    ax.contour(gx, gy, scores.numpy(), levels=[0.0], colors="k", linewidths=1)
    ax.scatter(x[:, 0].numpy(), x[:, 1].numpy(), c=y.numpy(), s=30, cmap=points, edgecolors="k")
    ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max), title="microtorch: two moons, MLP 2-16-16-1")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--out", default=os.path.join("runs", "moons"), help="folder for the picture")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    x, y = make_data()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    for layer in model[::2]:  # micrograd's Neuron: weights uniform in [-1, 1], bias 0
        nn.init.uniform_(layer.weight, -1, 1)
        nn.init.zeros_(layer.bias)
    print(model)
    print("number of parameters", sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    # micrograd's schedule: lr = 1.0 - 0.9 * step / 100
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=100)
    for step in range(args.steps):
        loss, accuracy = loss_and_accuracy(model, x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 10 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.4f}, accuracy {accuracy:.0%}")

    loss, accuracy = loss_and_accuracy(model, x, y)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "moons.png")
    plot_decision_boundary(model, x, y, path)
    print(f"final loss {loss.item():.4f}, accuracy {accuracy:.0%}; decision boundary: {path}")
    return {"loss": loss.item(), "accuracy": accuracy, "plot": path}


if __name__ == "__main__":
    main()
