"""The graph model behind every picture: nodes (ops, leaves, constants, collapsed Modules), edges and
Module clusters, read from what autograd keeps anyway (``grad_fn``, ``next_edges``, ``op.params``, what
backward saved, ``op.module``/``op.root_module``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._tensor import Tensor
from ..autograd.function import _SavedOutput
from .labels import format_value, meta_lines, op_lines, shape_text, tensor_lines

#: kind -> (fill, border, text colour)
COLORS = {
    "leaf": ("#1565C0", "#0D47A1", "#FFFFFF"),    # requires grad: dark blue
    "const": ("#BBDEFB", "#64B5F6", "#0D47A1"),   # constant / no grad: light blue
    "op": ("#E0E0E0", "#757575", "#212121"),      # operation: grey
}
LEGEND = (("leaf", "leaf that requires grad"), ("const", "constant / no grad"), ("op", "operation"))
ORIENTATIONS = ("TB", "BT", "LR", "RL")
#: a leaf feeding more ops than this is drawn once per use, next to each op: one node with hundreds of
#: edges into every layer of the drawing is what makes layouts slow (and the picture unreadable)
SHARED_LEAF_USES = 8


class Node:
    __slots__ = ("id", "kind", "title", "lines", "cluster", "is_root", "collapsed")

    def __init__(self, id: str, kind: str, title: str, lines: list[str], cluster: Any = None) -> None:
        self.id, self.kind, self.title, self.lines, self.cluster = id, kind, title, lines, cluster
        self.is_root = False
        self.collapsed = False  # a Module drawn as one box


class Graph:
    """Nodes, edges ``(src, dst, label)`` and Module clusters ``key -> (label, parent key)``."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[tuple[str, str, str]] = []
        self.clusters: dict[Any, tuple[str, Any]] = {}
        self._count: dict[str, int] = {}

    def add(self, kind: str, title: str, lines: list[str], cluster: Any = None, prefix: str | None = None) -> Node:
        prefix = prefix or kind
        n = self._count.get(prefix, 0)
        self._count[prefix] = n + 1
        node = Node(f"{prefix}{n}", kind, title, lines, cluster)
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
    ops: list = []
    seen: set[int] = set()
    stack = [r._grad_fn for r in reversed(roots) if r._grad_fn is not None]
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


def build(root: Any, params: Mapping[str, Tensor] | None = None, group_modules: bool = False,
          collapse: Any = ()) -> Graph:
    """The graph that produced ``root`` (a Tensor or a sequence of them); the options are ``to_dot``'s."""
    roots = _roots(root)
    ops = _walk(roots)
    builder = _Builder(ops, _output_meta(roots, ops), params, group_modules, collapse)
    builder.add_ops()
    builder.add_edges()
    for r in roots:
        (builder.op_nodes[id(r._grad_fn)] if r._grad_fn is not None else builder.leaf_node(r)).is_root = True
    return builder.graph


class _Builder:
    """Turns ops into nodes and edges; collapsed Modules become one node each."""

    def __init__(self, ops: list, outputs: dict, params: Mapping[str, Tensor] | None, group_modules: bool,
                 collapse: Any) -> None:
        self.ops, self.outputs, self.group_modules = ops, outputs, group_modules
        self.modules = _Modules(ops)
        self.names = {**self.modules.param_names, **{id(t): name for name, t in (params or {}).items()}}
        self.collapsed = self.modules.collapsed(collapse)
        self.graph = Graph()
        if group_modules:
            self.graph.clusters = self.modules.clusters
        self.boxes: dict[Any, Node] = {}  # collapsed Module key -> its node
        self.op_nodes: dict[int, Node] = {}
        self.leaf_nodes: dict[int, Node] = {}
        self.seen_edges: set = set()
        self.uses: dict[int, int] = {}  # id(leaf) -> how many ops take it
        for op in ops:
            for edge in op.next_edges:
                if edge is not None and isinstance(edge[0], Tensor):
                    self.uses[id(edge[0])] = self.uses.get(id(edge[0]), 0) + 1

    def cluster_of(self, key: Any) -> Any:
        return key if self.group_modules else None

    def box_of(self, key: Any) -> Node | None:
        key = self.modules.collapsed_ancestor(key, self.collapsed)
        if key is None:
            return None
        if key not in self.boxes:
            self.boxes[key] = node = self.graph.add(
                "op", self.modules.label(key), self.modules.summary(key), self.cluster_of(self.modules.parent(key)),
                "module")
            node.collapsed = True
        return self.boxes[key]

    def add_ops(self) -> None:
        for op in self.ops:
            key = self.modules.key(op)
            node = self.box_of(key)
            if node is None:
                node = self.graph.add("op", op.name(), op_lines(op, self.outputs), self.cluster_of(key))
            self.op_nodes[id(op)] = node

    def leaf_node(self, t: Tensor) -> Node:
        """The leaf's node; a new one per use when the leaf feeds many ops."""
        node = self.leaf_nodes.get(id(t))
        if node is None or self.uses.get(id(t), 0) > SHARED_LEAF_USES:
            key = self.modules.param_owner(id(t))
            kind = "leaf" if t._requires_grad else "const"
            node = self.box_of(key) or self.graph.add(
                kind, self.names.get(id(t)) or ("leaf" if t._requires_grad else "tensor"), tensor_lines(t),
                self.cluster_of(key))
            self.leaf_nodes[id(t)] = node
        return node

    def connect(self, src: Node, dst: Node, label: str = "") -> None:
        if src is not dst and (src.id, dst.id, label) not in self.seen_edges:
            self.seen_edges.add((src.id, dst.id, label))
            self.graph.edges.append((src.id, dst.id, label))

    def add_edges(self) -> None:
        for op in self.ops:
            dst = self.op_nodes[id(op)]
            for edge in op.next_edges:
                if edge is None:
                    continue
                if isinstance(edge[0], Tensor):
                    self.connect(self.leaf_node(edge[0]), dst)
                else:
                    producer, nr = edge
                    self.connect(self.op_nodes[id(producer)], dst, f"[{nr}]" if producer.n_outputs > 1 else "")
            for c in _constants(op):
                if isinstance(c, tuple):  # a tensor without grad: drawn outside the Module it enters
                    self.connect(self.graph.add("const", "const", meta_lines(*c)), dst)
                elif not dst.collapsed:  # a Module's own numbers stay inside its box
                    self.connect(self.graph.add("const", format_value(c), [], dst.cluster), dst)



def _constants(op: Any) -> list:
    """The op's inputs without grad: all of them under record_details, else those backward saved.

    A tensor comes as ``(shape, array dtype, device, array or None)``, a Python number as itself.
    """
    recorded = op.__dict__.get("constants")
    if recorded is not None:
        return [c for c in recorded.values() if c is not None]
    found: list = []
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
        if r._grad_fn is not None:
            meta[id(r._grad_fn), r._output_nr] = (r._data.shape, r._data.dtype, r._device, r._data if r.numel() == 1 else None)
    for op in ops:
        for nr, m in enumerate(getattr(op, "outputs_meta", None) or getattr(op, "_output_meta", None) or ()):
            meta.setdefault((id(op), nr), (m[0], m[1], op.device, m[2] if len(m) > 2 else None))
    for op in ops:
        for item in op.saved or ():  # what backward keeps tells the shape of what produced it
            if isinstance(item, Tensor) and item._grad_fn is not None:
                meta.setdefault((id(item._grad_fn), item._output_nr), (item._data.shape, item._data.dtype, item._device, None))
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
        roots: dict = {}
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
        lines = [f"{name[len(path) + 1:] if path else name} {shape_text(p._data.shape)}" for name, p in inside[:6]]
        if len(inside) > 6:
            lines.append(f"+ {len(inside) - 6} more parameters")
        return lines


def _within(path: str, ancestor: str) -> bool:
    return not ancestor or path == ancestor or path.startswith(ancestor + ".")

