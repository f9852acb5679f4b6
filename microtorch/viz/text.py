"""The graph as text: Graphviz's DOT language and Mermaid flowcharts (linear in the graph's size)."""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from .._tensor import Tensor
from .graph import COLORS, ORIENTATIONS, Graph, Node, build

# Arial's metrics are the ones every dot knows (Liberation Sans and Arimo share them), so the text dot
# measured fits the boxes in a browser; the HTML names the same fonts
FONT = "Arial"


def check_orientation(orientation: str) -> None:
    """Raise ValueError unless ``orientation`` is one of TB, BT, LR, RL."""
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {', '.join(ORIENTATIONS)}, got {orientation!r}")


def cluster_tree(g: Graph) -> tuple[dict, dict]:
    """Nodes by cluster and child clusters by cluster, keeping only clusters that hold something."""
    members: dict[Any, list] = {}
    for node in g.nodes.values():
        members.setdefault(node.cluster, []).append(node)
    used = set()
    for key in list(members):
        while key is not None and key not in used:
            used.add(key)
            key = g.clusters[key][1]
    children: dict[Any, list] = {}
    for key in g.clusters:
        if key in used:
            children.setdefault(g.clusters[key][1], []).append(key)
    return members, children


def to_dot(root: Any, orientation: str = "TB", *, params: Mapping[str, Tensor] | None = None,
           group_modules: bool = False, collapse: bool | str | Iterable[str] = ()) -> str:
    """The graph that produced ``root`` in Graphviz's DOT language.

    ``params`` names leaves (``dict(model.named_parameters())``, ``{"a": a}``); parameters of the
    Modules the graph ran in are named by their path (``fc.weight``) anyway. ``group_modules`` draws
    each Module as a cluster; ``collapse`` draws Modules as one box each: a path or paths
    (``"encoder"``), or ``True`` for every Module without child Modules (the layers).
    """
    check_orientation(orientation)
    return graph_to_dot(build(root, params, group_modules, collapse), orientation)


def graph_to_dot(g: Graph, orientation: str = "TB") -> str:
    """``to_dot``'s text of a graph already built."""
    out = [
        "digraph microtorch {",
        f'  graph [rankdir={orientation}, fontname="{FONT}", fontsize=11, nodesep=0.25, ranksep=0.3];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, margin="0.14,0.07"];',
        f'  edge [color="{COLORS["op"][1]}", fontname="{FONT}", fontsize=9, arrowsize=0.7];',
    ]
    members, children = cluster_tree(g)
    n_cluster = iter(range(len(g.clusters) + 1))

    def emit(key: Any, indent: str) -> None:
        for node in members.get(key, ()):
            out.append(f"{indent}{node.id} [{_dot_node_attrs(node)}];")
        for child in children.get(key, ()):
            out.append(f"{indent}subgraph cluster_{next(n_cluster)} {{")
            out.append(f'{indent}  label="{_dot_string(g.clusters[child][0])}"; style="rounded,dashed"; '
                       f'color="#90A4AE"; fontcolor="#455A64";')
            emit(child, indent + "  ")
            out.append(f"{indent}}}")

    emit(None, "  ")
    for src, dst, label in g.edges:
        out.append(f'  {src} -> {dst} [label="{label}"];' if label else f"  {src} -> {dst};")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_string(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _dot_node_attrs(node: Node) -> str:
    fill, border, text = COLORS[node.kind]
    label = f"<B>{html.escape(node.title)}</B>"
    if node.lines:
        label += '<BR/><FONT POINT-SIZE="9">' + "<BR/>".join(html.escape(x) for x in node.lines) + "</FONT>"
    attrs = f'label=<{label}>, fillcolor="{fill}", color="{border}", fontcolor="{text}"'
    if node.collapsed:
        attrs += ", shape=box3d, style=filled"
    if node.is_root:
        attrs += ", penwidth=2.5"
    return attrs


def to_mermaid(root: Any, orientation: str = "TB", *, params: Mapping[str, Tensor] | None = None,
               group_modules: bool = False, collapse: bool | str | Iterable[str] = ()) -> str:
    """The graph that produced ``root`` as a Mermaid flowchart (GitHub and many editors render it).

    The options are :func:`to_dot`'s.
    """
    check_orientation(orientation)
    return graph_to_mermaid(build(root, params, group_modules, collapse), orientation)


def graph_to_mermaid(g: Graph, orientation: str = "TB") -> str:
    """``to_mermaid``'s text of a graph already built."""
    out = [f"flowchart {orientation}"]
    members, children = cluster_tree(g)
    n_cluster = iter(range(len(g.clusters) + 1))

    def emit(key: Any, indent: str) -> None:
        for node in members.get(key, ()):
            label = f"<b>{_mermaid_text(node.title)}</b>"
            if node.lines:
                label += "<br/><small>" + "<br/>".join(_mermaid_text(x) for x in node.lines) + "</small>"
            shape = ('[["', '"]]') if node.collapsed else ('["', '"]')
            out.append(f"{indent}{node.id}{shape[0]}{label}{shape[1]}:::{node.kind}")
        for child in children.get(key, ()):
            out.append(f'{indent}subgraph m{next(n_cluster)}["{_mermaid_text(g.clusters[child][0])}"]')
            emit(child, indent + "    ")
            out.append(f"{indent}end")

    emit(None, "    ")
    for src, dst, label in g.edges:
        out.append(f'    {src} -->|"{label}"| {dst}' if label else f"    {src} --> {dst}")
    for kind, (fill, border, text) in COLORS.items():
        out.append(f"    classDef {kind} fill:{fill},stroke:{border},color:{text}")
    for node in g.nodes.values():
        if node.is_root:
            out.append(f"    style {node.id} stroke-width:3px")
    return "\n".join(out) + "\n"


def _mermaid_text(s: str) -> str:
    """Mermaid's entity codes for the characters its labels treat specially."""
    return s.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")

