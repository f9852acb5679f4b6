"""The regrad seed's examples with microtorch tensors: the scalar expression (forward 24.7041,
gradients 222.1341 and 978.7784), and pictures of three graphs.

    python examples/regrad_graphs.py [--out DIR]
"""
from __future__ import annotations

import argparse
import os

import microtorch as torch
import microtorch.nn as nn
from microtorch.viz import draw_to_html


def expression():
    """regrad's README expression; a and b require grad, c_5 is a constant."""
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    c_5 = torch.tensor(5.0, dtype=torch.float64)  # const
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += c_5 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def sigmoid(x):
    return 1 / (1 + (-x).exp())


def main(out: str = ".") -> dict:
    os.makedirs(out, exist_ok=True)
    a, b, g = expression()
    print(f"{g.item():.4f}")  # prints 24.7041, the outcome of this forward pass
    g.backward()
    print(f"{a.grad.item():.4f}")  # prints 222.1341, i.e. the numerical value of dg/da
    print(f"{b.grad.item():.4f}")  # prints 978.7784, i.e. the numerical value of dg/db

    y = a + a ** 2
    pages = {"pow": draw_to_html(y, os.path.join(out, "computed_graph_pow"))}

    s = sigmoid(torch.tensor(0.5, requires_grad=True))
    pages["sigmoid"] = draw_to_html(s, os.path.join(out, "computed_graph_sigmoid"))

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))  # regrad's MLP(2, [3, 1])
    print("number of parameters", sum(p.numel() for p in model.parameters()))
    x = torch.tensor(0.5)
    out_mlp = model(torch.stack([x, x ** 2]))
    pages["mlp"] = draw_to_html(out_mlp, os.path.join(out, "computed_graph_mlp"), "BT")
    for name, path in pages.items():
        print(f"{name} graph: {path}")
    return {"g": g.item(), "a_grad": a.grad.item(), "b_grad": b.grad.item(), "pages": pages}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=".", help="folder for the HTML pictures")
    main(parser.parse_args().out)
