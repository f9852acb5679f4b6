"""End-to-end: the seed README's example (only its imports changed) and a small CNN trained on
scikit-learn's bundled digits to >= 95 % test accuracy."""
from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

import microtorch
import microtorch.nn as nn
import microtorch.nn.functional as F
import microtorch.optim as optim


# The seed README's example, verbatim except for its import lines (its picture, drawn by microtorch.viz, is
# tested there).
SEED_EXAMPLE = '''
from microtorch import tensor
from microtorch.nn.functional import mse_loss
import microtorch.nn as nn
import microtorch.optim as optim

class SimpleNN(nn.Module):
    def __init__(self, input_dim, output_dim):
        self.fc = nn.Linear(input_dim, output_dim)

    def forward(self, x):
        return self.fc(x)

x = tensor([[-1.0, 0.0, 2.0]])

# Initialize the simple neural network.
# This layer has a weight matrix W of shape (3, 1) and a bias of shape (1,).
model = SimpleNN(input_dim=3, output_dim=1)

# Use SGD with a learning rate of 0.03
optimizer = optim.SGD(model.parameters(), lr=0.03)

# We want the output to get close to 1.0 over time.
y_true = 1.0

for epoch in range(30):
    # Reset (zero out) all accumulated gradients before each update.
    optimizer.zero_grad()

    # --- Forward pass ---
    # prediction = xW^T + b
    y_pred = model(x)
    print(f"Epoch {epoch}: {y_pred.item()}")

    # Define a simple mean squared error function
    loss = mse_loss(y_pred, tensor(y_true))

    # --- Backward pass ---
    loss.backward()

    # --- Update weights ---
    optimizer.step()

weights = model.fc.parameters()[0]
bias = model.fc.parameters()[1]
gradient = model.fc.parameters()[0].grad

print("[After Training] Gradients for fc weights:", gradient)
print("[After Training] layer weights:", weights)
print("[After Training] layer bias:", bias)
print("y_pred: ", (x @ weights.T + bias).item())
'''


def test_seed_readme_example_runs_and_converges():
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.warns(UserWarning, match="target size"):  # (1, 1) vs (): as torch
        exec(compile(SEED_EXAMPLE, "seed_readme_example", "exec"), namespace)
    printed = out.getvalue()
    predictions = [float(v) for v in re.findall(r"Epoch \d+: (\S+)", printed)]
    assert len(predictions) == 30
    # gradient descent on (w.x + b - 1)^2 with |x|^2 + 1 = 6 and lr 0.03: the error shrinks by 1 - 2*0.03*6 = 0.64
    errors = np.abs(np.array(predictions) - 1.0)
    np.testing.assert_allclose(errors[1:], errors[:-1] * 0.64, rtol=1e-3, atol=1e-6)
    final = float(printed.strip().splitlines()[-1].split()[-1])
    assert abs(final - 1.0) < 1e-4
    assert "requires_grad=True" in printed  # the printed parameters
    model = namespace["model"]
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]


def test_small_cnn_learns_sklearn_digits():
    datasets = pytest.importorskip("sklearn.datasets", reason="the digits test needs scikit-learn (pip install microtorch[test])")
    digits = datasets.load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(labels))
    train, test = order[:1500], order[1500:]

    microtorch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10),
    )
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x_train, y_train = microtorch.tensor(images[train]), microtorch.tensor(labels[train])
    batches = np.random.default_rng(1)
    model.train()
    for epoch in range(8):
        perm = batches.permutation(len(train))
        for start in range(0, len(train), 50):
            idx = microtorch.tensor(perm[start:start + 50])
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    with microtorch.no_grad():
        predicted = model(microtorch.tensor(images[test])).argmax(1)
    accuracy = float((predicted == microtorch.tensor(labels[test])).float().mean())
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"
