"""Graph pictures (microtorch.viz): DOT, Mermaid and HTML structure, and a real browser rendering them.

The seeds' graphs are drawn from the same computations run in torch: values, gradients and the
number of each kind of op node must agree with torch's graph.
"""
from __future__ import annotations

import collections
import html
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch import viz
from microtorch.autograd.function import drawing
from helpers import load_example

FILL = {kind: fill for kind, (fill, _, _) in viz.COLORS.items()}


HAS_DOT = viz.dot.find_dot() is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason='no Graphviz dot nor graphviz-pure: apt install graphviz, '
                               'or pip install -e ".[viz]"')
#: every test of a picture runs with both layouts; dot's only where it is installed
LAYOUTS = ["builtin", pytest.param("dot", marks=needs_dot)]


@pytest.fixture
def no_dot(monkeypatch):
    """As on a bare install: neither Graphviz nor graphviz-pure is found."""
    monkeypatch.setattr(viz.dot, "find_dot", lambda: None)
    monkeypatch.setattr(viz.render, "find_dot", lambda: None)


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


def test_without_dot_the_builtin_layout_draws_and_dot_is_refused_clearly(no_dot, tmp_path):
    x = mt.tensor(1.0, requires_grad=True)
    page = open(viz.draw_to_html(x * 2, str(tmp_path / "g")), encoding="utf-8").read()
    assert 'data-layout="builtin"' in page and "MulBackward" in page
    with pytest.raises(RuntimeError, match=r'apt install graphviz.*graphviz-pure.*pip install -e "\.\[viz\]".*'
                                           r"layout='builtin'.*to_dot\(\)"):
        viz.to_svg(x * 2, layout="dot")
    assert "MulBackward" in viz.to_dot(x * 2) and "MulBackward" in viz.to_mermaid(x * 2)
    with pytest.raises(ValueError, match="layout must be one of 'auto', 'builtin', 'dot', got 'neato'"):
        viz.to_svg(x * 2, layout="neato")
    with pytest.raises(TypeError, match="unexpected keyword argument 'group_module'"):
        viz.draw_to_html(x * 2, str(tmp_path / "g"), group_module=True)
    with pytest.raises(ValueError, match="max_nodes must be a positive int, got 0"):
        viz.to_svg(x * 2, max_nodes=0)


@pytest.mark.skipif(shutil.which("graphviz-pure") is None, reason='graphviz-pure is not installed (pip install -e ".[viz]")')
def test_graphviz_pure_lays_out_without_system_dot(monkeypatch):
    which = shutil.which
    monkeypatch.setattr(viz.dot.shutil, "which", lambda name, **kw: None if name == "dot" else which(name, **kw))
    assert viz.layout_program().endswith("graphviz-pure")
    x = mt.tensor(1.0, requires_grad=True)
    svg = viz.to_svg(x.exp(), layout="dot")
    assert svg.startswith("<svg") and "ExpBackward" in svg and 'data-layout="builtin"' not in svg


def fake_dot(tmp_path, monkeypatch, body: str) -> None:
    """A ``dot`` on PATH that runs ``body`` (a shell script) instead of laying anything out."""
    program = tmp_path / "dot"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    monkeypatch.setattr(viz.dot, "find_dot", lambda: str(program))
    monkeypatch.setattr(viz.render, "find_dot", lambda: str(program))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX: a shell script stands for dot")
def test_a_hung_or_greedy_dot_is_stopped_and_auto_falls_back(tmp_path, monkeypatch):
    x = mt.tensor(1.0, requires_grad=True)
    fake_dot(tmp_path, monkeypatch, "sleep 30")
    monkeypatch.setattr(viz.dot, "DOT_TIMEOUT", 0.5)
    with pytest.raises(RuntimeError, match=r"did not lay out the graph \(3 nodes\) within 0.5 s: .*layout='builtin'"):
        viz.to_svg(x * 2, layout="dot")
    with pytest.warns(UserWarning, match="drawn with the built-in layout instead"):
        assert 'data-layout="builtin"' in viz.to_svg(x * 2)  # auto
    # a dot that wants more memory than its cap gets a MemoryError and exits, it does not take the machine
    fake_dot(tmp_path, monkeypatch, f'exec {sys.executable} -c "b = bytearray(3 << 30); b[-1] = 1"')
    with pytest.raises(RuntimeError, match=r"(?s)failed \(exit status 1\).*memory is capped at 2 GiB.*MemoryError"):
        viz.to_svg(x * 2, layout="dot")


# ---- both layouts: structure, colours, every node and edge, no overlaps ----------------------------------------------
def parse_svg(svg: str) -> tuple[dict, collections.Counter, int]:
    """``{node id: (fill, stroke width, (x0, y0, x1, y1))}``, the edges ``(src, dst)`` and the number of clusters
    of an SVG from either layout (both follow dot's ``<g class="node"><title>id</title>`` structure)."""
    nodes = {}
    for m in re.finditer(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>(.*?)</g>', svg, re.S):
        body = m[2]
        fill = re.search(r'fill="(#[0-9a-f]{6})"', body)[1]
        width = re.search(r'stroke-width="([\d.]+)"', body)
        numbers = []
        for shape in re.finditer(r'<(rect|path|polygon)\b([^>]*)>', body):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', shape[2]))
            if shape[1] == "rect":
                x, y, w, h = (float(attrs[k]) for k in ("x", "y", "width", "height"))
                numbers += [(x, y), (x + w, y + h)]
            else:
                values = [float(v) for v in re.findall(r"-?[\d.]+", attrs.get("d") or attrs.get("points"))]
                numbers += list(zip(values[::2], values[1::2]))
        xs, ys = [p[0] for p in numbers], [p[1] for p in numbers]
        nodes[m[1]] = (fill, float(width[1]) if width else 1.0, (min(xs), min(ys), max(xs), max(ys)))
    edges = collections.Counter(tuple(html.unescape(m[1]).split("->")) for m in re.finditer(
        r'<g id="[^"]*" class="edge">\s*<title>([^<]*)</title>', svg))
    return nodes, edges, len(re.findall(r'class="cluster"', svg))


def overlapping(boxes: list, cell: float = 100.0) -> list:
    """Pairs of boxes that overlap by more than half a unit (boxes bucketed on a grid: linear for a chain)."""
    grid: dict = {}
    for box in boxes:
        for gx in range(int(box[0] // cell), int(box[2] // cell) + 1):
            for gy in range(int(box[1] // cell), int(box[3] // cell) + 1):
                grid.setdefault((gx, gy), []).append(box)
    found = set()
    for members in grid.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if b[0] < a[2] - 0.5 and a[0] < b[2] - 0.5 and b[1] < a[3] - 0.5 and a[1] < b[3] - 0.5:
                    found.add((a, b))
    return sorted(found)


def check_picture(svg: str, root, **options) -> dict:
    """The picture holds exactly the graph's nodes (in their colours, the root thick) and edges, and no two node
    boxes overlap."""
    g = viz.graph.build(root, options.get("params"), options.get("group_modules", False), options.get("collapse", ()))
    nodes, edges, clusters = parse_svg(svg)
    assert set(nodes) == set(g.nodes)
    for node_id, node in g.nodes.items():
        fill, width, _ = nodes[node_id]
        assert fill == viz.COLORS[node.kind][0].lower(), node_id
        assert (width >= 2) == node.is_root, node_id
    assert edges == collections.Counter((s, d) for s, d, _ in g.edges)
    assert clusters == len({c for n in g.nodes.values() for c in _ancestors(g, n.cluster)})
    assert not overlapping([box for _, _, box in nodes.values()])
    assert set(re.findall(r"https?://[^\s\"'<>]+", svg)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "<!DOCTYPE" not in svg and "<?xml" not in svg
    return nodes


def _ancestors(g, key) -> list:
    out = []
    while key is not None:
        out.append(key)
        key = g.clusters[key][1]
    return out


def nn_mlp():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(2, 3), mt.nn.ReLU(), mt.nn.Linear(3, 1))
    return model(mt.stack([mt.tensor(0.5), mt.tensor(0.25)])), model


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("orientation", viz.ORIENTATIONS)
def test_both_layouts_draw_every_node_and_edge_in_its_colours_without_overlaps(layout, orientation):
    r = regrad_expression(mt)
    svg = viz.to_svg(r.g, orientation, layout=layout, params={"a": r.a, "b": r.b})
    boxes = [box for _, _, box in check_picture(svg, r.g, params={"a": r.a, "b": r.b}).values()]
    width, height = max(b[2] for b in boxes) - min(b[0] for b in boxes), max(b[3] for b in boxes) - min(b[1] for b in boxes)
    assert (height > width) == (orientation in ("TB", "BT"))  # the regrad graph is deeper than wide
    y, _ = nn_mlp()
    check_picture(viz.to_svg(y, orientation, layout=layout, group_modules=True), y, group_modules=True)
    y, _ = mlp_graph()
    check_picture(viz.to_svg(y, orientation, layout=layout, collapse=True), y, collapse=True)


def builtin_cluster_boxes(svg: str) -> list:
    return [tuple(float(v) for v in m.groups()) for m in re.finditer(
        r'class="cluster"><title>[^<]*</title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]


@pytest.mark.parametrize("orientation", viz.ORIENTATIONS)
def test_builtin_clusters_hold_their_members_and_nothing_else(orientation):
    y, _ = nn_mlp()
    svg = viz.to_svg(y, orientation, layout="builtin", group_modules=True)
    g = viz.graph.build(y, None, True, ())
    nodes = parse_svg(svg)[0]
    labels = re.findall(r'class="cluster">.*?<text[^>]*>([^<]*)</text>', svg)
    for label, (x, y0, w, h) in zip(labels, builtin_cluster_boxes(svg)):
        key = next(k for k, (text, _) in g.clusters.items() if text == label)
        for node_id, node in g.nodes.items():
            x0, b0, x1, b1 = nodes[node_id][2]
            inside = x <= x0 and x1 <= x + w and y0 <= b0 and b1 <= y0 + h
            overlaps = x0 < x + w and x < x1 and b0 < y0 + h and y0 < b1
            member = key in _ancestors(g, node.cluster)
            assert inside if member else not overlaps, (label, node.title)


# ---- big graphs ----------------------------------------------------------------------------------------------------
def rnn(lib, steps: int, width: int = 4):
    """An RNN unrolled ``steps`` times: the same three weights at every step."""
    lib.manual_seed(0)
    w_ih, w_hh = lib.randn(width, width, requires_grad=True), lib.randn(width, width, requires_grad=True)
    b = lib.zeros(width, requires_grad=True)
    h = lib.zeros(1, width)
    for _ in range(steps):
        h = (lib.randn(1, width) @ w_ih + h @ w_hh + b).tanh()
    return h.sum(), (w_ih, w_hh, b)


def fan_out(n: int):
    x = mt.tensor(1.0, requires_grad=True)
    total = x * 0
    for i in range(n):
        total = total + x * float(i)
    return total, x


def test_a_leaf_feeding_many_ops_is_drawn_at_each_use():
    total, x = fan_out(400)
    g = viz.graph.build(total)
    leaves = [n for n in g.nodes.values() if n.kind == "leaf"]
    assert len(leaves) == 401 and all(n.title == "leaf" for n in leaves)  # each use, and x * 0
    assert all(sum(s == n.id for s, _, _ in g.edges) == 1 for n in leaves)
    check_picture(viz.to_svg(total, layout="builtin"), total)
    y, (w_ih, w_hh, b) = rnn(mt, 100)
    g = viz.graph.build(y, {"w_ih": w_ih, "w_hh": w_hh, "b": b})
    assert collections.Counter(n.title for n in g.nodes.values() if n.kind == "leaf") == {"w_ih": 100, "w_hh": 100, "b": 100}
    t, _ = rnn(torch, 100)
    assert torch_op_names(t)["TanhBackward"] == titles(parse_dot(viz.to_dot(y))[0], "op")["TanhBackward"] == 100
    check_picture(viz.to_svg(y, "LR", layout="builtin"), y)
    a = mt.tensor(1.0, requires_grad=True)
    assert kinds(parse_dot(viz.to_dot(a * a + a * 3 + a.exp()))[0])["leaf"] == 1  # a few uses: one node


def test_a_20000_node_chain_draws_with_the_builtin_layout():
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(19_999):
        y = y.sin()
    with pytest.raises(ValueError, match=r"20000 nodes, more than max_nodes=5000: draw Modules as one box each "
                                         r"\(collapse=True.*larger max_nodes="):
        viz.to_svg(y)
    svg = viz.to_svg(y, layout="builtin", max_nodes=20_000)
    nodes, edges, _ = parse_svg(svg)
    assert len(nodes) == 20_000 and sum(edges.values()) == 19_999
    tops = sorted(box[1] for _, _, box in nodes.values())
    assert all(b > a for a, b in zip(tops, tops[1:]))  # one above the other, in a line
    assert len(viz.to_dot(y).splitlines()) == 20_000 + 19_999 + 5


def test_too_many_nodes_collapses_modules_first():
    layer = mt.nn.Linear(2, 2)
    x = mt.randn(1, 2)
    for _ in range(2000):  # 2000 linear ops with their weight and bias drawn at each use: 6000 nodes
        x = layer(x)
    assert len(viz.graph.build(x).nodes) == 6001
    with pytest.warns(UserWarning, match="6001 nodes, more than max_nodes=5000: drawing each Module as one box"):
        svg = viz.to_svg(x, layout="builtin")
    assert titles_in_svg(svg) == ["Linear", "const"]  # the input, then every call of the one Linear
    with pytest.raises(ValueError, match=r"6001 nodes, more than max_nodes=1, and 2 with each Module as one box "
                                         r"\(collapse=True\): pass a larger max_nodes="):
        viz.to_svg(x, max_nodes=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colapse'"):
        viz.draw(x, colapse=True)  # at once, not when a notebook shows it


def titles_in_svg(svg: str) -> list:
    return sorted(re.findall(r'font-weight="bold"[^>]*>([^<]*)<', svg))


# ---- notebooks -----------------------------------------------------------------------------------------------------
def rich_display(obj) -> dict:
    """The mime types Jupyter would show for ``obj``: IPython's formatters when installed, else its hooks."""
    try:
        from IPython.core.formatters import DisplayFormatter
    except ImportError:
        hooks = {"text/html": "_repr_html_", "image/svg+xml": "_repr_svg_"}
        shown = {"text/plain": repr(obj)}
        for mime, hook in hooks.items():
            value = getattr(obj, hook, lambda: None)()
            if value is not None:
                shown[mime] = value
        return shown
    return DisplayFormatter().format(obj)[0]


def test_a_tensor_displays_as_its_text_and_draw_opts_in(monkeypatch):
    x = mt.tensor(2.0, requires_grad=True)
    y = (x * 3).exp()
    monkeypatch.setattr(viz.render, "to_svg", lambda *a, **k: pytest.fail("a tensor's display started a layout"))
    assert rich_display(y) == {"text/plain": repr(y)}
    assert not hasattr(mt.Tensor, "_repr_svg_") and not hasattr(mt.Tensor, "_repr_html_")
    monkeypatch.undo()
    drawing = viz.draw(y)
    shown = rich_display(drawing)
    assert shown["image/svg+xml"].startswith("<svg") and "ExpBackward" in shown["image/svg+xml"]
    assert "<svg" in shown["text/html"] and "MulBackward" in shown["text/html"]
    assert "LR" in repr(y.graph("LR")) and "MulBackward" in y.graph(layout="builtin")._repr_svg_()


def test_draw_a_module_from_an_example_input():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU(), mt.nn.Linear(4, 1))
    svg = viz.draw(model, mt.randn(2, 3), layout="builtin").svg()
    assert all(name in svg for name in ("0.weight", "2.bias", "0: Linear", "Sequential"))
    with pytest.raises(TypeError, match="needs an example input"):
        viz.draw(model)
    with pytest.raises(TypeError, match="takes no example input"):
        viz.draw(mt.ones(1), mt.ones(1))


# ---- install hints -----------------------------------------------------------------------------------------------
def test_install_hints_name_packages_that_exist():
    """A bare extras hint (the package name, then brackets) fetches an unrelated package from the public index: hints name the
    extras of a checkout (``pip install -e ".[viz]"``) or real packages."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    bare = re.compile("micro" + r"torch\[")  # spelled apart so this file does not match itself
    files = [root / "README.md", root / "DEVELOPERS.md", *sorted((root / "microtorch").rglob("*.py")),
             *sorted((root / "examples").glob("*.py")), *sorted((root / "tests").glob("*.py")), *(root / "tests").glob("*.sh")]
    offenders = [f"{f.relative_to(root)}:{i}" for f in files for i, line in enumerate(f.read_text().splitlines(), 1)
                 if bare.search(line)]
    assert not offenders, f"bare extras hints (use pip install -e \".[extra]\"): {offenders}"
    section = (root / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1].split("\n[")[0]
    extras = set(re.findall(r"^([\w-]+) = \[", section, re.M))  # (tomllib is Python 3.11's; 3.10 is supported)
    named = {m for f in files for m in re.findall(r'pip install -e ["\']?\.\[([\w,]+)\]', f.read_text())}
    assert named and all(set(n.split(",")) <= set(extras) for n in named), named


# ---- HTML -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("orientation", viz.ORIENTATIONS)
def test_html_is_self_contained(tmp_path, orientation, layout):
    r = regrad_expression(mt)
    path = viz.draw_to_html(r.g, str(tmp_path / "graph"), orientation, params={"a": r.a, "b": r.b}, layout=layout)
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


@pytest.mark.skipif(_browser() is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it")
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", ["regrad", "mlp"])
def test_browser_renders_the_three_node_colours(tmp_path, which, layout):
    if which == "regrad":
        r = regrad_expression(mt)
        path = viz.draw_to_html(r.g, str(tmp_path / which), params={"a": r.a, "b": r.b}, layout=layout)
    else:
        y, _ = mlp_graph()
        path = viz.draw_to_html(y, str(tmp_path / which), "BT", group_modules=True, layout=layout)
    picture = screenshot(path, tmp_path / f"{which}.png")
    white = (picture == 255).all(axis=-1)
    assert white.mean() < 0.98 and (~white).sum() > 20_000, "the page is (nearly) blank"
    # a legend swatch is 12 x 12 pixels; node boxes are far larger, so these counts come from the graph
    for kind, fill in FILL.items():
        assert colour_pixels(picture, fill) > 1_000, f"{kind} nodes ({fill}) are missing from the picture"
    # the nodes lie below the legend, in the graph itself
    below_legend = picture[60:]
    assert all(colour_pixels(below_legend, fill) > 1_000 for fill in FILL.values())
