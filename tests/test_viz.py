"""Graph pictures (microtorch.viz): DOT, Mermaid and HTML structure, and a real browser rendering them.

The seeds' graphs are drawn from the same computations run in torch: values, gradients and the
number of each kind of op node must agree with torch's graph.
"""
from __future__ import annotations

import collections
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch import viz
from microtorch.autograd.function import drawing
from helpers import load_example

FILL = {kind: fill for kind, (fill, _, _) in viz.COLORS.items()}


def _has_layout() -> bool:
    try:
        viz.layout_program()
        return True
    except RuntimeError:
        return False


needs_layout = pytest.mark.skipif(not _has_layout(), reason="no Graphviz dot nor graphviz-pure: "
                                  "apt install graphviz, or pip install microtorch[viz]")


# ---- the seeds' computations, in torch and in microtorch ---------------------------------------------------
# examples/regrad_graphs.py is the single source of regrad's expression; it runs with lib=torch as well
regrad_expression = load_example("regrad_graphs").expression


def torch_op_names(root: torch.Tensor) -> collections.Counter:
    """Op nodes of torch's graph by name, without torch's numeric suffix; leaves are not ops."""
    names, seen, stack = collections.Counter(), set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if not hasattr(node, "variable"):  # AccumulateGrad stands for a leaf
            names[re.sub(r"\d+$", "", node.name())] += 1
        stack.extend(n for n, _ in node.next_functions)
    return names


def parse_dot(text: str) -> tuple[dict, list]:
    """``{node id: (fill colour, label text)}`` and ``[(src, dst, label)]`` of to_dot's output."""
    nodes = {}
    for m in re.finditer(r'^\s*(\w+) \[label=<(.*)>, fillcolor="(#\w+)"', text, re.M):
        nodes[m[1]] = (m[3], re.sub(r"(<[^>]+>)+", "\n", m[2]).strip())
    edges = [(m[1], m[2], m[4] or "") for m in re.finditer(r'^\s*(\w+) -> (\w+)( \[label="(.*)"\])?;', text, re.M)]
    return nodes, edges


def kinds(nodes: dict) -> collections.Counter:
    by_fill = {fill: kind for kind, fill in FILL.items()}
    return collections.Counter(by_fill[fill] for fill, _ in nodes.values())


def titles(nodes: dict, kind: str) -> collections.Counter:
    return collections.Counter(label.split("\n")[0] for fill, label in nodes.values() if fill == FILL[kind])


# ---- a stand-in for nn.Module (issue 5): pushes itself on module_stack, torch's named_* API ------------------
class Module:
    def __call__(self, *args):
        drawing.module_stack.append(self)
        try:
            return self.forward(*args)
        finally:
            drawing.module_stack.pop()

    def named_modules(self, prefix: str = ""):
        yield prefix, self
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield from value.named_modules(f"{prefix}.{name}" if prefix else name)

    def named_parameters(self):
        for path, m in self.named_modules():
            for name, value in vars(m).items():
                if isinstance(value, mt.Tensor) and value.requires_grad:
                    yield (f"{path}.{name}" if path else name), value


class Linear(Module):
    def __init__(self, n_in: int, n_out: int) -> None:
        self.weight = mt.randn(n_out, n_in, requires_grad=True)
        self.bias = mt.randn(n_out, requires_grad=True)

    def forward(self, x):
        return x @ self.weight.T + self.bias


class MLP(Module):
    """regrad's MLP(2, [3, 1]): a ReLU layer of 3 neurons, then a linear one."""

    def __init__(self) -> None:
        self.hidden = Linear(2, 3)
        self.out = Linear(3, 1)

    def forward(self, x):
        return self.out(self.hidden(x).relu())


def mlp_graph():
    mt.manual_seed(0)
    model = MLP()
    x = mt.tensor(0.5)
    return model(mt.stack([x, x ** 2])[None]), model


# ---- values, gradients and graph structure against torch ---------------------------------------------------------
def test_regrad_expression_matches_torch_values_gradients_and_graph():
    r, t = regrad_expression(mt), regrad_expression(torch)
    g, a, b = r.g, r.a, r.b
    g.backward(retain_graph=True)
    t.g.backward()
    np.testing.assert_allclose(g.item(), t.g.item(), rtol=1e-5)
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [t.a.grad.item(), t.b.grad.item()], rtol=1e-5)

    nodes, edges = parse_dot(viz.to_dot(g, params={"a": a, "b": b}))
    # torch records 10.0 / f as a reciprocal times 10; microtorch as one division
    torch_ops = torch_op_names(regrad_expression(torch).g)
    assert torch_ops["ReciprocalBackward"] == 1
    torch_ops.update({"ReciprocalBackward": -1, "MulBackward": -1, "DivBackward": 1})
    assert titles(nodes, "op") == +torch_ops
    assert titles(nodes, "leaf") == {"a": 1, "b": 1}
    # the constants backward saved: * 2, ** 3, ** 2, / 2.0, 10.0 / and the tensor c_5 (not + 1, 1 +)
    assert titles(nodes, "const") == {"2": 2, "3": 1, "2.0000": 1, "10.0000": 1, "const": 1}
    leaf_ids = {i for i, (fill, _) in nodes.items() if fill == FILL["leaf"]}
    # a feeds a+b, a*b, -a, b+a, b-a; b feeds a+b, a*b, b**3, b+a, b-a
    assert sorted(collections.Counter(s for s, _, _ in edges if s in leaf_ids).values()) == [5, 5]
    root = next(i for i, (_, label) in nodes.items() if "24.7041" in label)  # regrad prints 24.7041
    assert all(src != root for src, _, _ in edges) and re.search(rf"{root} \[.*penwidth", viz.to_dot(g))
    leaves = {label.split("\n")[0]: label for fill, label in nodes.values() if fill == FILL["leaf"]}
    assert "grad 222.1341" in leaves["a"] and "grad 978.7784" in leaves["b"]  # regrad's printed gradients


def test_record_details_draws_every_constant_and_value():
    with viz.record_details():
        r = regrad_expression(mt)
    assert mt.autograd.function.drawing.details is False
    nodes, _ = parse_dot(viz.to_dot(r.g, params={"a": r.a, "b": r.b}))
    # every number in the source: + 1, 1 +, * 2, ** 3, ** 2, / 2.0, 10.0 /, and the tensor c_5
    assert titles(nodes, "const") == {"1": 2, "2": 2, "3": 1, "2.0000": 1, "10.0000": 1, "const": 1}
    # every op shows its value; e = c - d and f = e ** 2 as torch computes them
    t = regrad_expression(torch)
    e, f = t.e.item(), t.f.item()
    assert all(re.search(r"\n-?\d+\.\d{4}$", label) for fill, label in nodes.values() if fill == FILL["op"])
    labels = [label for fill, label in nodes.values() if fill == FILL["op"]]
    assert any(label.startswith("SubBackward") and label.endswith(f"\n{e:.4f}") for label in labels)
    assert any(label.startswith("PowBackward") and label.endswith(f"\n{f:.4f}") for label in labels)
    viz.record_details()  # a plain call switches it on, like torch.set_grad_enabled
    try:
        assert mt.autograd.function.drawing.details is True
    finally:
        viz.record_details(False)
    assert mt.autograd.function.drawing.details is False


def test_sigmoid_graph():
    x = mt.tensor(0.5, requires_grad=True)
    y = 1 / (1 + (-x).exp())
    tx = torch.tensor(0.5, requires_grad=True)
    np.testing.assert_allclose(y.item(), torch.sigmoid(tx).item(), rtol=1e-6)
    nodes, edges = parse_dot(viz.to_dot(y, params={"x": x}))
    assert titles(nodes, "op") == {"NegBackward": 1, "ExpBackward": 1, "AddBackward": 1, "DivBackward": 1}
    assert titles(nodes, "const") == {"1": 1} and titles(nodes, "leaf") == {"x": 1}  # the divisor's 1 is saved
    assert len(edges) == 5  # x -> neg -> exp -> add -> div <- 1
    with viz.record_details():
        y = 1 / (1 + (-x).exp())
    nodes, edges = parse_dot(viz.to_dot(y, params={"x": x}))
    assert titles(nodes, "const") == {"1": 2} and len(edges) == 6  # and 1 + ...


def test_mlp_graph_names_parameters_by_module_path():
    y, model = mlp_graph()
    nodes, edges = parse_dot(viz.to_dot(y))
    assert titles(nodes, "leaf") == {"hidden.weight": 1, "hidden.bias": 1, "out.weight": 1, "out.bias": 1}
    # per Linear: weight.T, MatMul, Add; then ReLU; the input is stack(x, x**2) of a constant x
    assert titles(nodes, "op") == {"PermuteBackward": 2, "MatMulBackward": 2, "AddBackward": 2, "ReluBackward": 1}
    w = next(i for i, (_, label) in nodes.items() if label.startswith("hidden.weight"))
    assert "(3, 2) float32 cpu" in nodes[w][1]
    assert kinds(nodes)["const"] == 1  # the input: stack([x, x**2]) does not require grad
    root_label = next(label for i, (_, label) in nodes.items() if re.search(rf"^\s*{i} \[.*penwidth", viz.to_dot(y), re.M))
    assert "(1, 1) float32 cpu" in root_label and f"{y.item():.4f}" in root_label


def test_group_modules_draws_clusters():
    y, _ = mlp_graph()
    text = viz.to_dot(y, group_modules=True)
    labels = re.findall(r'subgraph cluster_\d+ \{\n\s*label="([^"]*)"', text)
    assert labels == ["MLP", "hidden: Linear", "out: Linear"]
    hidden = text[text.index('label="hidden: Linear"'):]
    hidden = hidden[: hidden.index("}")]
    assert "hidden.weight" in hidden and "MatMulBackward" in hidden and "out.weight" not in hidden
    mermaid = viz.to_mermaid(y, group_modules=True)
    assert re.search(r'subgraph m\d+\["hidden: Linear"\]', mermaid) and mermaid.count("end") >= 3


def test_collapse_draws_a_module_as_one_box():
    y, _ = mlp_graph()
    nodes, edges = parse_dot(viz.to_dot(y, collapse=True))  # every module without children: both Linears
    assert titles(nodes, "op") == {"hidden: Linear": 1, "out: Linear": 1, "ReluBackward": 1}
    assert kinds(nodes) == {"op": 3, "const": 1}  # the parameters are listed inside their box
    box = next(label for _, label in nodes.values() if label.startswith("hidden"))
    assert "weight (3, 2)" in box and "bias (3,)" in box
    ids = {label.split("\n")[0]: i for i, (_, label) in nodes.items()}
    assert {(ids["hidden: Linear"], ids["ReluBackward"]), (ids["ReluBackward"], ids["out: Linear"])} <= {
        (s, d) for s, d, _ in edges}
    assert "shape=box3d" in viz.to_dot(y, collapse=True)
    nodes, _ = parse_dot(viz.to_dot(y, collapse="out"))
    assert titles(nodes, "op")["MatMulBackward"] == 1 and titles(nodes, "op")["out: Linear"] == 1
    nodes, _ = parse_dot(viz.to_dot(y, collapse=[""]))  # the whole model
    assert titles(nodes, "op") == {"MLP": 1}
    with pytest.raises(ValueError, match="no Module at path 'fc'.*'hidden'"):
        viz.to_dot(y, collapse="fc")


def test_real_nn_module_names_and_groups():
    nn = pytest.importorskip("microtorch.nn", reason="microtorch.nn (issue 5) is not in this branch yet")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    y = model(mt.randn(2, 3))
    nodes, _ = parse_dot(viz.to_dot(y, group_modules=True))
    assert titles(nodes, "leaf") == {"0.weight": 1, "0.bias": 1, "2.weight": 1, "2.bias": 1}
    assert 'label="0: Linear"' in viz.to_dot(y, group_modules=True)
    nodes, _ = parse_dot(viz.to_dot(y, collapse=True))
    assert {"0: Linear", "2: Linear"} <= set(titles(nodes, "op"))


def test_op_labels_show_arguments_and_multiple_outputs():
    x = mt.randn(2, 3, requires_grad=True)
    y = x.sum(dim=1, keepdim=True).reshape(1, 2)
    top, bottom = x.split(1)
    z = y + (top * bottom).sum()
    nodes, edges = parse_dot(viz.to_dot(z))
    labels = sorted(label for fill, label in nodes.values() if fill == FILL["op"])
    assert "SumBackward\ndim=(1,), keepdim=True" in labels
    assert "SumBackward\ndim=None, keepdim=False" in labels
    assert any(label.startswith("ReshapeBackward\nshape=(1, 2)") for label in labels)
    assert sorted(label for _, _, label in edges if label) == ["[0]", "[1]"]  # the two pieces of split


def test_record_details_labels_every_op():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    s = mt.tensor(3.0, requires_grad=True)
    plain = parse_dot(viz.to_dot(((x + 1) + 2).sum() + (s + 1) * 2))[0]
    with viz.record_details():
        y = ((x + 1) + 2).sum() + (s + 1) * 2
    recorded = sorted(label for fill, label in parse_dot(viz.to_dot(y))[0].values() if fill == FILL["op"])
    assert sorted(label for fill, label in plain.values() if fill == FILL["op"]) == [
        "AddBackward",  # (x + 1): nothing saved it, so its shape is unknown
        "AddBackward",  # (... + 2)
        "AddBackward",  # s + 1: the product by a constant saves only the constant
        "AddBackward\n() float32 cpu\n17.0000",  # the root: (1+1+2) + (2+1+2) + (3+1)*2
        "MulBackward",
        "SumBackward\ndim=None, keepdim=False"]
    assert recorded == [
        "AddBackward\n() float32 cpu\n17.0000",
        "AddBackward\n() float32 cpu\n4.0000",  # one-element outputs keep their value
        "AddBackward\n(2,) float32 cpu",
        "AddBackward\n(2,) float32 cpu",
        "MulBackward\n() float32 cpu\n8.0000",
        "SumBackward\ndim=None, keepdim=False\n() float32 cpu\n9.0000"]


def test_mermaid_structure():
    r = regrad_expression(mt)
    text = viz.to_mermaid(r.g, "BT", params={"a": r.a, "b": r.b})
    assert text.startswith("flowchart BT\n")
    for kind, (fill, border, color) in viz.COLORS.items():
        assert f"classDef {kind} fill:{fill},stroke:{border},color:{color}" in text
    nodes = dict(re.findall(r"^\s*(\w+)\[\".*\"\]:::(\w+)$", text, re.M))
    dot_nodes, dot_edges = parse_dot(viz.to_dot(r.g, params={"a": r.a, "b": r.b}))
    assert collections.Counter(nodes.values()) == kinds(dot_nodes)
    edges = re.findall(r"^\s*(\w+) --> (\w+)$", text, re.M)
    assert len(edges) == len(dot_edges) and all(s in nodes and d in nodes for s, d in edges)
    assert re.search(r'leaf\d+\["<b>a</b><br/><small>\(\) float32 cpu', text)


def test_bad_arguments():
    x = mt.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="orientation must be one of TB, BT, LR, RL, got 'XY'"):
        viz.to_dot(x * 2, "XY")
    with pytest.raises(TypeError, match="expected a Tensor.*got list"):
        viz.to_mermaid([[x]])
    nodes, edges = parse_dot(viz.to_dot(x))  # a leaf alone, and a constant alone
    assert kinds(nodes) == {"leaf": 1} and not edges
    assert kinds(parse_dot(viz.to_dot(mt.ones(2)))[0]) == {"const": 1}


def test_missing_layout_program_raises_clearly_and_text_still_works(monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda *args, **kwargs: None)
    x = mt.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"apt install graphviz.*pip install microtorch\[viz\].*to_dot\(\)"):
        viz.draw_to_html(x * 2, str(tempfile.mkdtemp()) + "/g")
    assert (x * 2)._repr_svg_() is None  # Jupyter falls back to the text repr
    assert "MulBackward" in viz.to_dot(x * 2) and "MulBackward" in viz.to_mermaid(x * 2)


@pytest.mark.skipif(shutil.which("graphviz-pure") is None, reason="graphviz-pure is not installed (pip install microtorch[viz])")
def test_graphviz_pure_lays_out_without_system_dot(monkeypatch):
    which = shutil.which
    monkeypatch.setattr(viz.shutil, "which", lambda name, **kw: None if name == "dot" else which(name, **kw))
    assert viz.layout_program().endswith("graphviz-pure")
    x = mt.tensor(1.0, requires_grad=True)
    assert viz.to_svg(x.exp()).startswith("<svg") and "ExpBackward" in viz.to_svg(x.exp())


# ---- HTML -----------------------------------------------------------------------------------------------------------
@needs_layout
@pytest.mark.parametrize("orientation", viz.ORIENTATIONS)
def test_html_is_self_contained(tmp_path, orientation):
    r = regrad_expression(mt)
    path = viz.draw_to_html(r.g, str(tmp_path / "graph"), orientation, params={"a": r.a, "b": r.b})
    assert path == str(tmp_path / "graph.html")
    page = open(path, encoding="utf-8").read()
    assert page.count("<svg") == 1 and "<!DOCTYPE svg" not in page and "<?xml" not in page
    # nothing is fetched: no scripts, no external src/href/url(); only the SVG namespace names a URL
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    for kind, text in viz.LEGEND:
        assert f"background:{FILL[kind]}" in page and text in page
    for fill in FILL.values():  # the nodes themselves carry the three colours
        assert f'fill="{fill.lower()}"' in page
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', page).groups())
    assert (height > width) == (orientation in ("TB", "BT"))  # the regrad graph is deeper than wide


@needs_layout
def test_repr_svg_for_jupyter():
    x = mt.tensor(2.0, requires_grad=True)
    svg = (x * 3).exp()._repr_svg_()
    assert svg.startswith("<svg") and "ExpBackward" in svg and "MulBackward" in svg
    assert x._repr_svg_() is None  # a leaf has no graph: Jupyter shows its text repr


# ---- a real browser --------------------------------------------------------------------------------------------------
def _browser() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def screenshot(html_path, png_path, size=(1200, 1400)) -> np.ndarray:
    """Render the page in headless Chromium, return the picture as an (H, W, 3) uint8 array."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
             f"--user-data-dir={profile}", f"--screenshot={png_path}", f"--window-size={size[0]},{size[1]}",
             "--hide-scrollbars", f"file://{html_path}"],
            capture_output=True, text=True, timeout=300,  # a guard against a hung browser, not a speed check
        )
    assert run.returncode == 0, run.stderr
    return np.asarray(Image.open(png_path).convert("RGB"))


def colour_pixels(picture: np.ndarray, hex_colour: str) -> int:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return int((picture == rgb).all(axis=-1).sum())


@needs_layout
@pytest.mark.skipif(_browser() is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it")
@pytest.mark.parametrize("which", ["regrad", "mlp"])
def test_browser_renders_the_three_node_colours(tmp_path, which):
    if which == "regrad":
        r = regrad_expression(mt)
        path = viz.draw_to_html(r.g, str(tmp_path / which), params={"a": r.a, "b": r.b})
    else:
        y, _ = mlp_graph()
        path = viz.draw_to_html(y, str(tmp_path / which), "BT", group_modules=True)
    picture = screenshot(path, tmp_path / f"{which}.png")
    white = (picture == 255).all(axis=-1)
    assert white.mean() < 0.98 and (~white).sum() > 20_000, "the page is (nearly) blank"
    # a legend swatch is 12 x 12 pixels; node boxes are far larger, so these counts come from the graph
    for kind, fill in FILL.items():
        assert colour_pixels(picture, fill) > 1_000, f"{kind} nodes ({fill}) are missing from the picture"
    # the nodes lie below the legend, in the graph itself
    below_legend = picture[60:]
    assert all(colour_pixels(below_legend, fill) > 1_000 for fill in FILL.values())
