"""Pictures of the autograd graph: ``draw_to_html``, ``to_svg``, ``to_dot``, ``to_mermaid``.

The picture is read from what autograd keeps anyway: ``root.grad_fn``, each op's
``next_edges`` (a leaf tensor, another op, or ``None`` for an input without grad),
the op's call arguments (``op.params``), what it saved for backward, and the
Modules it ran in (``op.module``, ``op.root_module``). Colours follow regrad's:
leaves that require grad are dark blue, constants and tensors without grad light
blue, operations grey. Values flow along the arrows, from the inputs to the
output (drawn with a thick border).

Autograd keeps only what backward needs, so by default an op node shows its
output's shape, dtype and device when that is known (the root, outputs a later op
saved, ops with several outputs), and constants appear where backward saved them
(``x * 2`` keeps its 2, ``x + 1`` does not). Ops recorded under
``microtorch.viz.record_details()`` also keep every input without grad and their
outputs' shapes and one-element values, the way regrad's pictures show them;
recording is otherwise not slowed down for pictures.

Layout is Graphviz ``dot``: the system program when there is one, else
``graphviz-pure`` (``pip install microtorch[viz]``), a self-contained port.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess
import sysconfig
from collections.abc import Iterable, Mapping
from typing import Any

from ._dtype import as_dtype
from ._tensor import Tensor
from .autograd import function
from .autograd.function import _SavedOutput

#: kind -> (fill, border, text colour)
COLORS = {
    "leaf": ("#1565C0", "#0D47A1", "#FFFFFF"),    # requires grad: dark blue
    "const": ("#BBDEFB", "#64B5F6", "#0D47A1"),   # constant / no grad: light blue
    "op": ("#E0E0E0", "#757575", "#212121"),      # operation: grey
}
LEGEND = (("leaf", "leaf that requires grad"), ("const", "constant / no grad"), ("op", "operation"))
ORIENTATIONS = ("TB", "BT", "LR", "RL")
# Arial's metrics are the ones every dot knows (Liberation Sans and Arimo share them), so the text dot
# measured fits the boxes in a browser; the HTML names the same fonts
_FONT = "Arial"
_ARG_WIDTH = 40  # characters of one argument before it is cut, and of one label line before it wraps


# ---- the graph ---------------------------------------------------------------------------------------
class _Node:
    __slots__ = ("id", "kind", "title", "lines", "cluster", "is_root", "collapsed")

    def __init__(self, id: str, kind: str, title: str, lines: list[str], cluster: Any = None) -> None:
        self.id, self.kind, self.title, self.lines, self.cluster = id, kind, title, lines, cluster
        self.is_root = False
        self.collapsed = False  # a Module drawn as one box


class _Graph:
    """Nodes, edges ``(src, dst, label)`` and Module clusters ``key -> (label, parent key)``."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.edges: list[tuple[str, str, str]] = []
        self.clusters: dict[Any, tuple[str, Any]] = {}
        self._count: dict[str, int] = {}

    def add(self, kind: str, title: str, lines: list[str], cluster: Any = None, prefix: str | None = None) -> _Node:
        prefix = prefix or kind
        n = self._count.get(prefix, 0)
        self._count[prefix] = n + 1
        node = _Node(f"{prefix}{n}", kind, title, lines, cluster)
        self.nodes[node.id] = node
        return node


def _roots(root: Any) -> list:
    roots = list(root) if isinstance(root, (tuple, list)) else [root]
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"expected a Tensor (or a tuple of Tensors) to draw, got {type(r).__name__}")
    if not roots:
        raise ValueError("nothing to draw: got an empty sequence of tensors")
    return roots


def _walk(roots: list, limit: float = float("inf")) -> list:
    """Every op that produced ``roots`` (up to ``limit`` + 1 of them), each once, roots first.

    Iterative, since graphs can be deep.
    """
    ops, seen = [], set()
    stack = [r.grad_fn for r in reversed(roots) if r.grad_fn is not None]
    while stack and len(ops) <= limit:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        ops.append(op)
        for edge in reversed(op.next_edges):
            if edge is not None and not isinstance(edge[0], Tensor) and id(edge[0]) not in seen:
                stack.append(edge[0])
    return ops


def _build(root: Any, params: Mapping[str, Tensor] | None, group_modules: bool, collapse: Any) -> _Graph:
    roots = _roots(root)
    ops = _walk(roots)
    outputs = _output_meta(roots, ops)
    modules = _Modules(ops)
    names = {**modules.param_names, **{id(t): name for name, t in (params or {}).items()}}
    collapsed = modules.collapsed(collapse)
    g = _Graph()
    if group_modules:
        g.clusters = modules.clusters

    def cluster_of(key: Any) -> Any:
        return key if group_modules else None

    boxes: dict[Any, _Node] = {}  # collapsed Module key -> its node

    def box_of(key: Any) -> _Node | None:
        key = modules.collapsed_ancestor(key, collapsed)
        if key is None:
            return None
        if key not in boxes:
            boxes[key] = node = g.add("op", modules.label(key), modules.summary(key), cluster_of(modules.parent(key)), "module")
            node.collapsed = True
        return boxes[key]

    op_nodes: dict[int, _Node] = {}
    for op in ops:
        key = modules.key(op)
        node = box_of(key)
        if node is None:
            node = g.add("op", op.name(), _op_lines(op, outputs), cluster_of(key))
        op_nodes[id(op)] = node

    leaf_nodes: dict[int, _Node] = {}

    def leaf_node(t: Tensor) -> _Node:
        if id(t) not in leaf_nodes:
            name = names.get(id(t))
            key = modules.param_owner(id(t))
            leaf_nodes[id(t)] = box_of(key) or g.add(
                "leaf" if t._requires_grad else "const", name or ("leaf" if t._requires_grad else "tensor"),
                _tensor_lines(t), cluster_of(key))
        return leaf_nodes[id(t)]

    edges, seen_edges = g.edges, set()

    def connect(src: _Node, dst: _Node, label: str = "") -> None:
        if src is not dst and (src.id, dst.id, label) not in seen_edges:
            seen_edges.add((src.id, dst.id, label))
            edges.append((src.id, dst.id, label))

    for op in ops:
        dst = op_nodes[id(op)]
        for edge in op.next_edges:
            if edge is None:
                continue
            if isinstance(edge[0], Tensor):
                connect(leaf_node(edge[0]), dst)
            else:
                producer, nr = edge
                connect(op_nodes[id(producer)], dst, f"[{nr}]" if producer.n_outputs > 1 else "")
        for c in _constants(op):
            if isinstance(c, tuple):  # a tensor without grad: drawn outside the Module it enters
                connect(g.add("const", "const", _meta_lines(*c)), dst)
            elif not dst.collapsed:  # a Module's own numbers stay inside its box
                connect(g.add("const", _format_value(c), [], dst.cluster), dst)

    for r in roots:
        (op_nodes[id(r.grad_fn)] if r.grad_fn is not None else leaf_node(r)).is_root = True
    return g


def _constants(op: Any) -> list:
    """The op's inputs without grad: all of them under record_details, else those backward saved.

    A tensor comes as ``(shape, array dtype, device, array or None)``, a Python number as itself.
    """
    recorded = op.__dict__.get("constants")
    if recorded is not None:
        return [c for c in recorded.values() if c is not None]
    found = []
    for item in op.saved or ():  # saved Tensors are inputs; other saved arrays are internal
        if isinstance(item, Tensor):
            if not item._requires_grad:
                found.append((item._data.shape, item._data.dtype, item._device, item._data if item.numel() == 1 else None))
        elif isinstance(item, (int, float, complex)):
            found.append(item)
    return found


def _output_meta(roots: list, ops: list) -> dict:
    """``(id(op), output_nr) -> (shape, array dtype, device, array or None)`` for the outputs known."""
    meta: dict = {}
    for r in roots:
        if r.grad_fn is not None:
            meta[id(r.grad_fn), r._output_nr] = (r._data.shape, r._data.dtype, r._device, r._data if r.numel() == 1 else None)
    for op in ops:
        for nr, m in enumerate(getattr(op, "outputs_meta", None) or getattr(op, "_output_meta", None) or ()):
            meta.setdefault((id(op), nr), (m[0], m[1], op.device, m[2] if len(m) > 2 else None))
    for op in ops:
        for item in op.saved or ():  # what backward keeps tells the shape of what produced it
            if isinstance(item, Tensor) and item.grad_fn is not None:
                meta.setdefault((id(item.grad_fn), item._output_nr), (item._data.shape, item._data.dtype, item._device, None))
            elif isinstance(item, _SavedOutput):
                meta.setdefault((id(op), item.index), (item.array.shape, item.array.dtype, op.device, None))
    return meta


# ---- Modules: names of parameters, clusters, collapsed boxes ------------------------------------------
class _Modules:
    """Where each op and parameter sits in the Modules it was recorded in.

    A Module is keyed ``(id(root module), path)``, its path as ``root.named_modules()`` gives it
    (``""`` for the root itself). Works with anything that has torch's ``named_modules`` and
    ``named_parameters``.
    """

    def __init__(self, ops: list) -> None:
        self.path: dict[int, Any] = {}             # id(module) -> key
        self.clusters: dict[Any, tuple[str, Any]] = {}  # key -> (label, parent key)
        self.params: dict[Any, list] = {}          # key -> [(name, tensor)] of its own parameters
        self.owner: dict[int, Any] = {}            # id(parameter) -> key of the Module holding it
        self.param_names: dict[int, str] = {}      # id(parameter) -> its path (``fc.weight``)
        roots = {}
        for op in ops:
            root = getattr(op, "root_module", None)
            if root is not None:
                roots.setdefault(id(root), root)
        for rid, root in roots.items():
            for path, m in root.named_modules():
                key = (rid, path)
                self.path.setdefault(id(m), key)
                label = f"{path}: {type(m).__name__}" if path else type(m).__name__
                parent = (rid, path.rpartition(".")[0]) if path else None
                self.clusters.setdefault(key, (label, parent))
            for name, p in root.named_parameters():
                key = (rid, name.rpartition(".")[0])
                if id(p) not in self.owner:
                    self.owner[id(p)] = key
                    self.params.setdefault(key, []).append((name, p))
                    self.param_names[id(p)] = name

    def key(self, op: Any) -> Any:
        module = getattr(op, "module", None)
        return None if module is None else self.path.get(id(module))

    def param_owner(self, tensor_id: int) -> Any:
        return self.owner.get(tensor_id)

    def parent(self, key: Any) -> Any:
        return None if key is None else self.clusters[key][1]

    def label(self, key: Any) -> str:
        return self.clusters[key][0]

    def collapsed(self, collapse: Any) -> set:
        """The keys to draw as one box: ``True`` means every Module without child Modules."""
        if collapse is True:
            has_child = {parent for _, parent in self.clusters.values()}
            return {key for key in self.clusters if key not in has_child}
        if not collapse:
            return set()
        if isinstance(collapse, str):
            collapse = [collapse]
        wanted = set(collapse)
        found = {key for key in self.clusters if key[1] in wanted}
        missing = wanted - {key[1] for key in found}
        if missing:
            known = ", ".join(repr(p) for p in sorted({k[1] for k in self.clusters})) or "none (no Module ran)"
            raise ValueError(f"collapse: no Module at path {', '.join(map(repr, sorted(missing)))} in this graph; "
                             f"paths: {known}")
        return found

    def collapsed_ancestor(self, key: Any, collapsed: set) -> Any:
        """The outermost collapsed Module that contains ``key`` (itself included), or None."""
        found = None
        while key is not None:
            if key in collapsed:
                found = key
            key = self.parent(key)
        return found

    def summary(self, key: Any) -> list[str]:
        rid, path = key
        inside = [(name, p) for k, ps in self.params.items() if k[0] == rid and _within(k[1], path) for name, p in ps]
        lines = [f"{name[len(path) + 1:] if path else name} {_shape(p._data.shape)}" for name, p in inside[:6]]
        if len(inside) > 6:
            lines.append(f"+ {len(inside) - 6} more parameters")
        return lines


def _within(path: str, ancestor: str) -> bool:
    return not ancestor or path == ancestor or path.startswith(ancestor + ".")


# ---- labels --------------------------------------------------------------------------------------------
def _shape(shape: tuple) -> str:
    return _format_arg(tuple(shape))


def _format_value(v: Any) -> str:
    """A number as regrad prints values: floats with 4 decimals; a one-element array as its number."""
    if hasattr(v, "item") and getattr(v, "size", 1) == 1:
        v = v.item()
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def _meta_lines(shape: tuple, array_dtype: Any, device: Any, value: Any = None) -> list[str]:
    lines = [f"{_shape(shape)} {as_dtype(array_dtype).name} {device}"]
    if value is not None:
        lines.append(_format_value(value))
    return lines


def _tensor_lines(t: Tensor) -> list[str]:
    lines = _meta_lines(t._data.shape, t._data.dtype, t._device, t._data if t.numel() == 1 else None)
    if t._grad is not None and t._grad.numel() == 1:
        lines.append(f"grad {_format_value(t._grad._data)}")
    return lines


def _format_arg(v: Any) -> str:
    if isinstance(v, Tensor):
        return f"tensor{_shape(v.shape)}"
    if hasattr(v, "shape") and hasattr(v, "dtype"):  # a backend array
        return f"array{_shape(v.shape)}"
    if isinstance(v, slice):
        parts = ["" if p is None else _format_arg(p) for p in (v.start, v.stop, v.step)]
        return ":".join(parts[:2] if v.step is None else parts)
    if v is Ellipsis:
        return "..."
    if isinstance(v, list):
        return "[" + ", ".join(map(_format_arg, v)) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(map(_format_arg, v)) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _op_lines(op: Any, outputs: dict) -> list[str]:
    args = []
    for k, v in (getattr(op, "params", None) or {}).items():
        text = f"{k}={_format_arg(v)}"
        args.append(text if len(text) <= _ARG_WIDTH else text[: _ARG_WIDTH - 1] + "…")
    lines, line = [], ""
    for a in args:  # wrap the arguments into lines of about _ARG_WIDTH characters
        if line and len(line) + 2 + len(a) > _ARG_WIDTH:
            lines.append(line + ",")
            line = a
        else:
            line = f"{line}, {a}" if line else a
    if line:
        lines.append(line)
    for nr in range(op.n_outputs):
        m = outputs.get((id(op), nr))
        if m is not None:
            out = _meta_lines(*m)
            lines.extend(out if op.n_outputs == 1 else [f"[{nr}] {x}" for x in out])
    return lines


# ---- text formats ----------------------------------------------------------------------------------------
def _check_orientation(orientation: str) -> None:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {', '.join(ORIENTATIONS)}, got {orientation!r}")


def _cluster_tree(g: _Graph) -> tuple[dict, dict]:
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
    _check_orientation(orientation)
    g = _build(root, params, group_modules, collapse)
    out = [
        "digraph microtorch {",
        f'  graph [rankdir={orientation}, fontname="{_FONT}", fontsize=11, nodesep=0.25, ranksep=0.3];',
        f'  node [shape=box, style="rounded,filled", fontname="{_FONT}", fontsize=11, margin="0.14,0.07"];',
        f'  edge [color="{COLORS["op"][1]}", fontname="{_FONT}", fontsize=9, arrowsize=0.7];',
    ]
    members, children = _cluster_tree(g)
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


def _dot_node_attrs(node: _Node) -> str:
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
    _check_orientation(orientation)
    g = _build(root, params, group_modules, collapse)
    out = [f"flowchart {orientation}"]
    members, children = _cluster_tree(g)
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


# ---- layout and HTML ------------------------------------------------------------------------------------
def layout_program() -> str:
    """The ``dot`` program used for layout: the system Graphviz, else ``graphviz-pure``."""
    found = shutil.which("dot") or shutil.which("graphviz-pure") or shutil.which(
        "graphviz-pure", path=sysconfig.get_path("scripts"))  # a venv's script, even when not on PATH
    if found is None:
        raise RuntimeError(
            "drawing the graph needs Graphviz's `dot` program for the layout, and none was found. Install one: "
            "`apt install graphviz` (or your system's package manager), or `pip install microtorch[viz]` "
            "(graphviz-pure, a self-contained dot). microtorch.viz.to_dot() and to_mermaid() give the graph as "
            "text without it."
        )
    return found


def to_svg(root: Any, orientation: str = "TB", **options: Any) -> str:
    """The picture as an SVG document (laid out by ``dot``); the options are :func:`to_dot`'s."""
    return _layout(to_dot(root, orientation, **options))


def _layout(dot_text: str) -> str:
    program = layout_program()
    run = subprocess.run([program, "-Tsvg"], input=dot_text.encode(), capture_output=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"{program} failed (exit status {run.returncode}): {run.stderr.decode(errors='replace')}")
    svg = run.stdout.decode()
    return svg[svg.index("<svg"):]  # drop the XML prolog and the DOCTYPE (it names a URL)


def draw_to_html(root: Any, name: str, orientation: str = "TB", **options: Any) -> str:
    """Write ``name.html``: the picture of the graph that produced ``root``, self-contained and offline.

    ``orientation`` is ``"TB"``, ``"BT"``, ``"LR"`` or ``"RL"``; the options are :func:`to_dot`'s.
    Returns the path written.
    """
    svg = to_svg(root, orientation, **options)
    path = name if name.endswith(".html") else name + ".html"
    title = html.escape(os.path.basename(path)[:-5])
    swatches = "".join(
        f'<span class="swatch" style="background:{COLORS[kind][0]};border-color:{COLORS[kind][1]}"></span>{text}'
        for kind, text in LEGEND
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Arial, "Liberation Sans", Arimo, Helvetica, sans-serif; margin: 16px; color: #212121;
       background: #FFFFFF; }}
.graph svg text {{ font-family: Arial, "Liberation Sans", Arimo, Helvetica, sans-serif; }}
.legend {{ font-size: 13px; margin-bottom: 12px; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border: 1px solid; border-radius: 3px;
          vertical-align: middle; margin: 0 5px 0 14px; }}
</style>
</head>
<body>
<div class="legend"><b>{title}</b>{swatches}</div>
<div class="graph">
{svg}</div>
</body>
</html>
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


# ---- recording more, and Jupyter -------------------------------------------------------------------------
class record_details:
    """Ops recorded from now on keep, for pictures, every input without grad (numbers, and tensors'
    shape, dtype, device and one-element value) and their outputs' shapes, dtypes and one-element values.

    Like ``torch.set_grad_enabled``: ``record_details()`` switches it on, ``record_details(False)`` off,
    and ``with record_details():`` switches it on for a block. Off by default, so that ordinary recording
    pays nothing for pictures.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.previous = function.drawing.details
        function.drawing.details = bool(enabled)  # this thread's, as grad mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        function.drawing.details = self.previous


_JUPYTER_MAX_OPS = 300  # a bigger graph is not drawn on display (the layout would take long)


def _repr_svg(t: Tensor) -> str | None:
    """``Tensor._repr_svg_``: the graph behind a non-leaf tensor, when it is small and ``dot`` exists."""
    if t.grad_fn is None or len(_walk([t], _JUPYTER_MAX_OPS)) > _JUPYTER_MAX_OPS:
        return None
    try:
        return to_svg(t)
    except RuntimeError:  # no layout program: Jupyter shows the text repr instead
        return None


__all__ = ["draw_to_html", "to_svg", "to_dot", "to_mermaid", "record_details", "layout_program"]
