"""A small typed training script, as a user would write it: ``tests/test_typing.py`` checks it with
``mypy --strict`` (no error, and the ``reveal_type`` lines below give the types listed there) and runs it.

It trains a two-layer classifier on a synthetic two-class problem with a DataLoader, saves the model's and
the optimizer's state_dicts and loads them into fresh objects.
"""
from __future__ import annotations

import os
import sys
import tempfile
from typing import TYPE_CHECKING

import microtorch
from microtorch import Tensor, nn
from microtorch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    """Two linear layers with a ReLU between them."""

    def __init__(self, features: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(features, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(microtorch.relu(self.hidden(x)))


def make_data(n: int) -> TensorDataset:
    """Two Gaussian blobs, labels 0 and 1."""
    microtorch.manual_seed(0)
    x = microtorch.randn(n, 2)
    labels = (x[:, 0] + x[:, 1] > 0).long()
    return TensorDataset(x, labels)


def train(epochs: int) -> tuple[Classifier, microtorch.optim.SGD, float]:
    model = Classifier(2, 16, 2)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = microtorch.optim.SGD(model.parameters(), lr=0.5)
    loader = DataLoader(make_data(256), batch_size=32, shuffle=True)
    last = 0.0
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            last = float(loss.item())
    return model, optimizer, last


def accuracy(model: Classifier, data: TensorDataset) -> float:
    x, y = data.tensors
    with microtorch.no_grad():
        predicted = model(x).argmax(dim=1)
    return (predicted == y).float().mean().item()


def save_and_reload(model: Classifier, optimizer: microtorch.optim.SGD, folder: str) -> Classifier:
    path = os.path.join(folder, "checkpoint.mt")
    microtorch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    checkpoint = microtorch.load(path)
    fresh = Classifier(2, 16, 2)
    fresh.load_state_dict(checkpoint["model"])
    fresh_optimizer = microtorch.optim.SGD(fresh.parameters(), lr=0.5)
    fresh_optimizer.load_state_dict(checkpoint["optimizer"])
    return fresh


def main() -> int:
    model, optimizer, last_loss = train(epochs=5)
    data = make_data(256)
    trained = accuracy(model, data)
    with tempfile.TemporaryDirectory() as folder:
        reloaded = accuracy(save_and_reload(model, optimizer, folder), data)
    print(f"loss {last_loss:.4f} accuracy {trained:.3f} reloaded {reloaded:.3f}")
    return 0 if trained > 0.9 and reloaded == trained else 1


if TYPE_CHECKING:
    # the types user code gets (tests/test_typing.py reads mypy's notes for these lines)
    _x = microtorch.tensor([1.0, 2.0])
    reveal_type(_x)  # expect: microtorch._tensor.Tensor
    reveal_type(microtorch.zeros(2, 3))  # expect: microtorch._tensor.Tensor
    reveal_type(microtorch.ones(2))  # expect: microtorch._tensor.Tensor
    reveal_type(microtorch.randn(2))  # expect: microtorch._tensor.Tensor
    reveal_type(_x + _x)  # expect: microtorch._tensor.Tensor
    reveal_type(_x * 2.0)  # expect: microtorch._tensor.Tensor
    reveal_type(2.0 - _x)  # expect: microtorch._tensor.Tensor
    reveal_type(_x @ _x)  # expect: microtorch._tensor.Tensor
    reveal_type(_x.shape)  # expect: microtorch._tensor.Size
    reveal_type(_x.sum().item())  # expect: int | float
    reveal_type(nn.Linear(2, 3)(_x))  # expect: microtorch._tensor.Tensor
    reveal_type(Classifier(2, 4, 2)(_x))  # expect: microtorch._tensor.Tensor
    reveal_type(nn.MSELoss()(_x, _x))  # expect: microtorch._tensor.Tensor
    _sgd = microtorch.optim.SGD(nn.Linear(2, 3).parameters(), lr=0.1)
    reveal_type(_sgd.step())  # expect: None
    reveal_type(_sgd.step(lambda: 1.0))  # expect: float | None


if __name__ == "__main__":
    sys.exit(main())
