"""A layered (Sugiyama-style) layout in pure Python, for pictures without Graphviz.

1. Layers: longest path to the outputs (every node next to its first consumer), inputs above the
   clusters they enter.
2. Edges spanning several layers get a chain of dummy points (up to a budget linear in the graph: past
   it, an edge is drawn straight), so every remaining edge joins neighbouring layers.
3. Crossing reduction: barycentre sweeps down and up. Module clusters stay contiguous in every layer
   and keep one left-to-right order across layers: a node sorts by its clusters' mean positions first.
4. Coordinates: in each layer, the positions closest (least squares) to the mean of the neighbours'
   that keep every gap; that is isotonic regression, solved exactly by pool-adjacent-violators.
5. Edges are cubic curves through their dummy points; clusters are the boxes around their members.

Everything is computed top to bottom, then turned for BT, LR and RL. Time and memory are linear in
the nodes plus edges (times the few sweeps): a 20 000-node chain takes about two seconds.
"""
from __future__ import annotations

from typing import Any

NODE_GAP = 18.0      # between neighbouring boxes in a layer
DUMMY_GAP = 12.0     # next to an edge's bend point
RANK_GAP = 30.0      # between layers
CLUSTER_PAD = 8.0    # a cluster's border around what it holds
CLUSTER_LABEL = 14.0  # the room for a cluster's title, above what it holds
MARGIN = 6.0
SWEEPS = 4           # down-and-up pairs of crossing reduction
BALANCE_PASSES = 8   # down/up passes of coordinate assignment


class Layout:
    """Where everything goes, in SVG user units (y down).

    ``centers[i]`` is node ``i``'s centre; ``edges[k]`` the points of edge ``k`` as
    ``(start, [(control, control, end), ...])`` cubic segments with its arrow's direction;
    ``clusters[key]`` a cluster's box ``(x0, y0, x1, y1)``.
    """

    def __init__(self, width: float, height: float, centers: list, edges: list, clusters: dict) -> None:
        self.width, self.height, self.centers, self.edges, self.clusters = width, height, centers, edges, clusters


def layered_layout(sizes: list[tuple[float, float]], edges: list[tuple[int, int]], paths: list[tuple],
                   orientation: str = "TB") -> Layout:
    """Lay out nodes of ``sizes`` (width, height) joined by ``edges`` (source, target: the arrows point
    from source to target, down the page in TB) inside the nested clusters ``paths[i]`` (keys, outermost
    first)."""
    across = orientation in ("LR", "RL")
    n = len(sizes)
    g = _Vertices(n, [(h, w) if across else (w, h) for w, h in sizes], paths)
    g.layer = _layers(n, edges, g.path)
    chains = g.add_dummies(edges)
    layers = _order(g)
    x = _coordinates(g, layers, orientation)
    y = _layer_axis(g, layers, orientation)
    return _finish(g, sizes, edges, chains, x, y, orientation)


class _Vertices:
    """Nodes and dummy points: extents (across the layer, along it), cluster paths, layer, links."""

    def __init__(self, n: int, extents: list, paths: list) -> None:
        self.n = n
        self.extent = list(extents)
        self.path = [tuple(p) for p in paths]
        self.layer: list[int] = []
        self.up: list[list[int]] = [[] for _ in range(n)]
        self.down: list[list[int]] = [[] for _ in range(n)]
        self.clustered = any(self.path)
        self.thickness: list[float] = []  # of each layer, along the flow
        self.first: dict = {}  # cluster -> its first and last layer
        self.last: dict = {}

    def new(self, layer: int, path: tuple) -> int:
        self.extent.append((0.0, 0.0))
        self.path.append(path)
        self.layer.append(layer)
        self.up.append([])
        self.down.append([])
        return len(self.extent) - 1

    def link(self, u: int, v: int) -> None:
        self.down[u].append(v)
        self.up[v].append(u)

    def dummy_path(self, u: int, v: int, layer: int) -> tuple:
        """A bend point's clusters: those of both ends, and those of one end that reach its layer."""
        common = _common(self.path[u], self.path[v])
        into = [c for c in self.path[v][len(common):] if self.first[c] <= layer]
        out_of = [c for c in self.path[u][len(common):] if self.last[c] >= layer]
        k = next((i for i, c in enumerate(into) if c != self.path[v][len(common) + i]), len(into))
        j = next((i for i, c in enumerate(out_of) if c != self.path[u][len(common) + i]), len(out_of))
        return common + tuple(into[:k]) if k >= j else common + tuple(out_of[:j])

    def add_dummies(self, edges: list) -> dict:
        """Link neighbouring layers; chain long edges through dummies, the shortest first, while the
        budget lasts. Returns ``(source, target) -> [dummy, ...]`` (empty: drawn straight)."""
        budget = max(2000, 3 * self.n)
        for v, path in enumerate(self.path):
            for c in path:
                self.first[c] = min(self.first.get(c, self.layer[v]), self.layer[v])
                self.last[c] = max(self.last.get(c, self.layer[v]), self.layer[v])
        pairs = sorted({(u, v) for u, v in edges}, key=lambda e: self.layer[e[1]] - self.layer[e[0]])
        chains: dict = {}
        for u, v in pairs:
            span = self.layer[v] - self.layer[u]
            chain: list[int] = []
            if span == 1:
                self.link(u, v)
            elif span - 1 <= budget:
                budget -= span - 1
                chain = [self.new(self.layer[u] + i, self.dummy_path(u, v, self.layer[u] + i)) for i in range(1, span)]
                for a, b in zip([u] + chain, chain + [v]):
                    self.link(a, b)
            chains[u, v] = chain
        return chains


def _common(a: tuple, b: tuple) -> tuple:
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    return a[:k]


def _layers(n: int, edges: list, paths: list) -> list[int]:
    """Longest path to the outputs (each node as late as it can be: an op off the main line, such as an RNN's
    input product, sits next to its consumer); then an input that enters clusters to reach its consumer
    moves above the outermost of them, so that it is not drawn beside that cluster."""
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        succ[u].append(v)
        pred[v].append(u)
    height = [0] * n  # longest path to an output
    outdegree = [len(s) for s in succ]
    ready = [v for v in range(n) if outdegree[v] == 0]
    while ready:
        v = ready.pop()
        for u in pred[v]:
            height[u] = max(height[u], height[v] + 1)
            outdegree[u] -= 1
            if outdegree[u] == 0:
                ready.append(u)
    top = max(height, default=0)
    layer = [top - h for h in height]
    first = _cluster_firsts(layer, paths)  # inputs are in no cluster they enter, so moving them keeps these
    for u in range(n):
        if succ[u] and not pred[u]:
            entered = [min([layer[v]] + [first[c] for c in paths[v][len(_common(paths[u], paths[v])):]])
                       for v in succ[u]]
            layer[u] = min(entered) - 1
    low = min(layer, default=0)
    return [l - low for l in layer]


def _cluster_firsts(layer: list, paths: list) -> dict:
    first: dict = {}
    for v, path in enumerate(paths):
        for c in path:
            first[c] = min(first.get(c, layer[v]), layer[v])
    return first


def _order(g: _Vertices) -> list[list[int]]:
    """Vertices by layer, ordered to cross few edges (barycentre sweeps)."""
    layers: list[list[int]] = [[] for _ in range(max(g.layer, default=-1) + 1)]
    for v, l in enumerate(g.layer):
        layers[l].append(v)
    pos = [0.0] * len(g.layer)
    _positions(layers, pos)
    for _ in range(SWEEPS):
        for down in (True, False):
            score = _cluster_scores(g, layers, pos) if g.clustered else {}
            for l in (range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)):
                if len(layers[l]) == 1:  # nothing to order (a chain's layers)
                    continue
                neighbours = g.up if down else g.down
                layers[l].sort(key=lambda v: _sort_key(g, v, neighbours[v], pos, score))
                _positions([layers[l]], pos)
    return layers


def _positions(layers: list, pos: list) -> None:
    """Each vertex's place in its layer, scaled to (0, 1) so that layers of any size compare."""
    for layer in layers:
        size = len(layer)
        for i, v in enumerate(layer):
            pos[v] = (i + 0.5) / size


def _sort_key(g: _Vertices, v: int, neighbours: list, pos: list, score: dict) -> Any:
    b = sum(pos[u] for u in neighbours) / len(neighbours) if neighbours else pos[v]
    if not score:
        return b
    return tuple(score[c] for c in g.path[v]) + (b,)


def _cluster_scores(g: _Vertices, layers: list, pos: list) -> dict:
    """Each cluster's mean place over all its members and layers: one order of clusters for every layer."""
    total: dict = {}
    for v, path in enumerate(g.path):
        for c in path:
            s = total.setdefault(c, [0.0, 0])
            s[0] += pos[v]
            s[1] += 1
    return {c: s / k for c, (s, k) in total.items()}


def _gap(g: _Vertices, u: int, v: int, across: bool, x: list, spans: dict) -> float:
    """Centre-to-centre distance of neighbours u, v (u first) in a layer: their boxes apart, and the
    clusters between them apart as far as they reach in any layer (``spans``: cluster -> (left, right))."""
    k = len(_common(g.path[u], g.path[v]))
    entered = len(g.path[v]) - k  # clusters whose first (top, in LR) side lies between u and v
    left = len(g.path[u]) - k
    gap = DUMMY_GAP if u >= g.n or v >= g.n else NODE_GAP
    pad = CLUSTER_PAD * (entered + left) + (CLUSTER_LABEL * entered if across else 0.0)
    need = (g.extent[u][0] + g.extent[v][0]) / 2 + gap + pad
    if spans and (left or entered):
        reach_u = spans[g.path[u][k]][1] - x[u] if left else g.extent[u][0] / 2
        reach_v = x[v] - spans[g.path[v][k]][0] if entered else g.extent[v][0] / 2
        need = max(need, reach_u + reach_v + NODE_GAP)
    return need


def _spans(g: _Vertices, x: list, across: bool) -> dict:
    """Each cluster's reach across the layers, its border and title included: cluster -> (left, right)."""
    spans: dict = {}
    before = CLUSTER_PAD + (CLUSTER_LABEL if across else 0.0)
    for v, path in enumerate(g.path):
        half = g.extent[v][0] / 2
        for i, c in enumerate(path):
            levels = len(path) - i
            lo, hi = x[v] - half - before * levels, x[v] + half + CLUSTER_PAD * levels
            old = spans.get(c)
            spans[c] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
    return spans


def _coordinates(g: _Vertices, layers: list, orientation: str) -> list[float]:
    """Positions across the layers: start packed, then pull each vertex toward its neighbours' mean."""
    across = orientation in ("LR", "RL")
    x = [0.0] * len(g.layer)
    gaps = [[_gap(g, a, b, across, x, {}) for a, b in zip(layer, layer[1:])] for layer in layers]
    for layer, layer_gaps in zip(layers, gaps):
        at = 0.0
        for v, step in zip(layer, [0.0] + layer_gaps):
            at += step
            x[v] = at
        for v in layer:
            x[v] -= at / 2
    for p in range(BALANCE_PASSES + 2):
        down = p % 2 == 0
        spans = _spans(g, x, across) if g.clustered else {}
        for l in (range(len(layers)) if down else range(len(layers) - 1, -1, -1)):
            wanted = []
            for v in layers[l]:
                nb = (g.up[v] + g.down[v]) if p >= BALANCE_PASSES else (g.up[v] if down else g.down[v])
                wanted.append(sum(x[u] for u in nb) / len(nb) if nb else x[v])
            if len(wanted) == 1:
                x[layers[l][0]] = wanted[0]
                continue
            if spans:
                gaps[l] = [_gap(g, a, b, across, x, spans) for a, b in zip(layers[l], layers[l][1:])]
            for v, xv in zip(layers[l], _closest_with_gaps(wanted, gaps[l])):
                x[v] = xv
    return x


def _closest_with_gaps(wanted: list[float], gaps: list[float]) -> list[float]:
    """argmin sum (x_i - wanted_i)^2 subject to x_{i+1} - x_i >= gaps_i (pool adjacent violators)."""
    offsets = [0.0]
    for step in gaps:
        offsets.append(offsets[-1] + step)
    blocks: list[list[float]] = []  # [sum, count] of pooled targets, means non-decreasing
    for w, c in zip(wanted, offsets):
        blocks.append([w - c, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            s, k = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += k
    out = []
    for s, k in blocks:
        out.extend([s / k] * int(k))  # (k counts the pooled targets)
    return [y + c for y, c in zip(out, offsets)]


def _layer_axis(g: _Vertices, layers: list, orientation: str) -> list[float]:
    """Each layer's centre along the flow, with room for the clusters that start or end between layers."""
    first: dict = {}
    last: dict = {}
    for v, path in enumerate(g.path):
        for c in path:
            first[c] = min(first.get(c, g.layer[v]), g.layer[v])
            last[c] = max(last.get(c, g.layer[v]), g.layer[v])
    starts = [max((sum(first[c] == l for c in g.path[v]) for v in layer), default=0) for l, layer in enumerate(layers)]
    ends = [max((sum(last[c] == l for c in g.path[v]) for v in layer), default=0) for l, layer in enumerate(layers)]
    # a cluster's title is on its top side: before its first layer in TB, after its last in BT, across in LR/RL
    title_starts, title_ends = orientation == "TB", orientation == "BT"
    centre, at = [0.0] * len(layers), 0.0
    g.thickness = [max((g.extent[v][1] for v in layer), default=0.0) for layer in layers]
    for l, thick in enumerate(g.thickness):
        if l:
            gap = RANK_GAP + CLUSTER_PAD * (starts[l] + ends[l - 1])
            gap += CLUSTER_LABEL * (starts[l] * title_starts + ends[l - 1] * title_ends)
            at += gap + thick / 2
        else:
            at = thick / 2
        centre[l] = at
        at += thick / 2
    return [centre[l] for l in g.layer]


def _turn(orientation: str):
    """Top-to-bottom coordinates (across, along) to the orientation's (x, y)."""
    return {"TB": lambda a, b: (a, b), "BT": lambda a, b: (a, -b),
            "LR": lambda a, b: (b, a), "RL": lambda a, b: (-b, a)}[orientation]


def _finish(g: _Vertices, sizes: list, edges: list, chains: dict, x: list, y: list, orientation: str) -> Layout:
    turn = _turn(orientation)
    centers = [turn(x[v], y[v]) for v in range(g.n)]
    routes = _routes(g, edges, chains, x, y, turn)
    boxes = [(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2) for (cx, cy), (w, h) in zip(centers, sizes)]
    boxes += [turn(x[v], y[v]) * 2 for v in range(g.n, len(g.layer))]
    clusters = _cluster_boxes(g, boxes)
    everything = boxes + list(clusters.values()) + [p * 2 for _, segs, _ in routes for s in segs for p in s]
    x0 = min(b[0] for b in everything) - MARGIN
    y0 = min(b[1] for b in everything) - MARGIN
    width = max(b[2] for b in everything) - x0 + MARGIN
    height = max(b[3] for b in everything) - y0 + MARGIN

    def shift(p: tuple) -> tuple:
        return (p[0] - x0, p[1] - y0)

    centers = [shift(c) for c in centers]
    routes = [(shift(s), [tuple(shift(p) for p in seg) for seg in segs], d) for s, segs, d in routes]
    clusters = {k: (b[0] - x0, b[1] - y0, b[2] - x0, b[3] - y0) for k, b in clusters.items()}
    return Layout(width, height, centers, routes, clusters)


def _routes(g: _Vertices, edges: list, chains: dict, x: list, y: list, turn) -> list:
    """Per edge: its start, its cubic segments, and the unit direction of its arrow (all turned)."""
    repeats: dict = {}
    for e in edges:
        repeats[e] = repeats.get(e, 0) + 1
    seen: dict = {}
    out = []
    for u, v in edges:
        k, m = seen.get((u, v), 0), repeats[u, v]
        seen[u, v] = k + 1
        shift = (k - (m - 1) / 2) * 12.0  # several edges between two nodes (split's outputs) side by side
        points = [(x[u] + shift, y[u] + g.extent[u][1] / 2)]
        for d in chains[u, v]:  # straight through a layer, as tall as its tallest box: bends only between layers
            half = g.thickness[g.layer[d]] / 2
            points += [(x[d], y[d] - half), (x[d], y[d] + half)]
        points.append((x[v] + shift, y[v] - g.extent[v][1] / 2))
        segments = []
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            mid = (ay + by) / 2
            segments.append((turn(ax, mid), turn(bx, mid), turn(bx, by)))
        out.append((turn(*points[0]), segments, turn(0.0, 1.0)))
    return out


def _cluster_boxes(g: _Vertices, boxes: list) -> dict:
    """Each cluster's box: around its members and inner clusters, a title's room on top."""
    inside: dict = {}
    for v, path in enumerate(g.path):
        if path:
            inside.setdefault(path[-1], []).append(boxes[v])
    depth = {}
    for path in g.path:
        for i, c in enumerate(path):
            depth[c] = i
            if i:
                inside.setdefault(path[i - 1], [])
    parent = {path[i]: path[i - 1] for path in g.path for i in range(1, len(path))}
    out: dict = {}
    for c in sorted(depth, key=lambda c: depth[c], reverse=True):  # inner clusters first
        members = inside[c]
        box = (min(b[0] for b in members) - CLUSTER_PAD, min(b[1] for b in members) - CLUSTER_PAD - CLUSTER_LABEL,
               max(b[2] for b in members) + CLUSTER_PAD, max(b[3] for b in members) + CLUSTER_PAD)
        out[c] = box
        if c in parent:
            inside[parent[c]].append(box)
    return out
