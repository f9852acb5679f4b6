"""The regrad seed's examples with microtorch tensors: its scalar expression (forward 24.7041, gradients
222.1341 and 978.7784; tests/test_viz.py checks the same lines against torch) and pictures of its graphs:
a + a**2, a sigmoid written out, and a small MLP.

    python examples/regrad_graphs.py [--out runs/graphs]

Open the HTML files in a browser (they work offline). With nothing but NumPy installed the built-in layout
draws them; with Graphviz's dot (apt install graphviz, or pip install -e ".[viz]"), dot does.
"""
from __future__ import annotations

import argparse
import os
import types

import microtorch as torch
import microtorch.nn as nn
from microtorch.viz import draw_to_html, record_details


def expression(lib=torch) -> types.SimpleNamespace:
    """regrad's README expression; ``lib`` is microtorch, or torch to check it. ``c += ...`` is an in-place add."""
    a = lib.tensor(-4.0, requires_grad=True)
    b = lib.tensor(2.0, requires_grad=True)
    c_5 = lib.tensor(5.0)  # const
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
    return types.SimpleNamespace(a=a, b=b, e=e, f=f, g=g)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    return 1 / (1 + (-x).exp())


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join("runs", "graphs"), help="folder for the HTML pictures")
    out = parser.parse_args(argv).out
    os.makedirs(out, exist_ok=True)

    r = expression()
    print(f"{r.g.item():.4f}")  # prints 24.7041, the outcome of this forward pass
    r.g.backward()
    print(f"{r.a.grad.item():.4f}")  # prints 222.1341, i.e. the numerical value of dg/da
    print(f"{r.b.grad.item():.4f}")  # prints 978.7784, i.e. the numerical value of dg/db

    # regrad's pictures show every constant and value: record_details keeps them for the drawing
    with record_details():
        a = r.a
        y = a + a ** 2
        pages = {"pow": draw_to_html(y, os.path.join(out, "computed_graph_pow"), params={"a": a})}

        x = torch.tensor(0.5, requires_grad=True)
        s = sigmoid(x)
        pages["sigmoid"] = draw_to_html(s, os.path.join(out, "computed_graph_sigmoid"), params={"x": x})

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))  # regrad's MLP(2, [3, 1])
        print("number of parameters", sum(p.numel() for p in model.parameters()))
        x = torch.tensor(0.5)
        y = model(torch.stack([x, x ** 2]))
        pages["mlp"] = draw_to_html(y, os.path.join(out, "computed_graph_mlp"), "BT", group_modules=True)

    for name, path in pages.items():
        print(f"{name} graph: {path}")
    return {"g": r.g.item(), "a_grad": r.a.grad.item(), "b_grad": r.b.grad.item(), "pages": pages}


if __name__ == "__main__":
    main()
