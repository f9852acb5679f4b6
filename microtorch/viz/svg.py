"""The built-in layout's SVG: node boxes sized from Arial's metrics, laid out by ``layout.py``, drawn in
dot's colours, structure and units (``<g class="node">`` with a ``<title>`` of the node's id, sizes in pt)."""
from __future__ import annotations

import functools
import html

from .graph import COLORS, Graph
from .layout import layered_layout
from .text import FONT

TITLE_SIZE, LINE_SIZE, EDGE_LABEL_SIZE = 11.0, 9.0, 9.0
PAD_X, PAD_Y = 10.0, 5.0
CLUSTER_STROKE, CLUSTER_TEXT = "#90A4AE", "#455A64"
# Arial's advance widths in 1/1000 em for the characters whose width is far from the average
_NARROW = dict.fromkeys("ijl.,:;'!|", 222) | dict.fromkeys("ft()[] -/", 300) | {"r": 333, "I": 278}
_WIDE = dict.fromkeys("mwMW", 850) | dict.fromkeys("ABCDEGHKNOQRUVXY", 700) | {"…": 1000}


@functools.lru_cache(maxsize=4096)  # labels repeat: every AddBackward, every (1, 4) float32 cpu
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Arial's width of ``text`` at ``size`` (bold is about 8 % wider), close enough to size a box."""
    em = sum(_NARROW.get(ch) or _WIDE.get(ch) or 556 for ch in text)
    return em * size / 1000 * (1.08 if bold else 1.0)


def node_size(title: str, lines: list[str]) -> tuple[float, float]:
    """Width and height of a node's box: its bold title over its small lines, with a margin."""
    width = max([text_width(title, TITLE_SIZE, True)] + [text_width(line, LINE_SIZE) for line in lines])
    return width + 2 * PAD_X, 2 * PAD_Y + TITLE_SIZE * 1.25 + LINE_SIZE * 1.25 * len(lines)


def _f(v: float) -> str:
    return f"{v:.1f}"


def graph_to_svg(g: Graph, orientation: str = "TB") -> str:
    """The graph laid out by the built-in layered layout, as an SVG document (no DOCTYPE, no URL but
    the SVG namespace)."""
    nodes = list(g.nodes.values())
    index = {node.id: i for i, node in enumerate(nodes)}
    sizes = [node_size(node.title, node.lines) for node in nodes]
    paths = [_cluster_path(g, node.cluster) for node in nodes]
    edges = [(index[s], index[d]) for s, d, _ in g.edges]
    lay = layered_layout(sizes, edges, paths, orientation)
    out = [f'<svg width="{_f(lay.width)}pt" height="{_f(lay.height)}pt" viewBox="0 0 {_f(lay.width)} '
           f'{_f(lay.height)}" xmlns="http://www.w3.org/2000/svg" font-family="{FONT}, Liberation Sans, Arimo, '
           f'Helvetica, sans-serif" data-layout="builtin">',
           '<g id="graph0" class="graph">', f'<rect width="{_f(lay.width)}" height="{_f(lay.height)}" fill="#ffffff"/>']
    for n, key in enumerate(sorted(lay.clusters, key=lambda k: len(_cluster_path(g, k)))):  # outer ones first
        x0, y0, x1, y1 = lay.clusters[key]
        out.append(f'<g id="clust{n + 1}" class="cluster"><title>cluster_{n}</title>'
                   f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" rx="6" '
                   f'fill="none" stroke="{CLUSTER_STROKE}" stroke-dasharray="5,2"/>'
                   f'<text x="{_f((x0 + x1) / 2)}" y="{_f(y0 + 13)}" text-anchor="middle" font-size="{TITLE_SIZE:g}" '
                   f'fill="{CLUSTER_TEXT}">{html.escape(g.clusters[key][0])}</text></g>')
    for k, ((src, dst, label), route) in enumerate(zip(g.edges, lay.edges)):
        out.append(_edge_svg(k, src, dst, label, route))
    for node, (cx, cy), (w, h) in zip(nodes, lay.centers, sizes):
        out.append(_node_svg(node, cx, cy, w, h))
    out.append("</g>\n</svg>\n")
    return "\n".join(out)


def _cluster_path(g: Graph, key: object) -> tuple:
    path = []
    while key is not None:
        path.append(key)
        key = g.clusters[key][1]
    return tuple(reversed(path))


def _edge_svg(k: int, src: str, dst: str, label: str, route: tuple) -> str:
    start, segments, (dx, dy) = route
    (ex, ey) = segments[-1][2]
    bx, by = ex - 7 * dx, ey - 7 * dy  # the arrow's base: the curve stops there
    c1, c2, _ = segments[-1]
    d = f"M{_f(start[0])},{_f(start[1])}" + "".join(
        f"C{_f(a[0])},{_f(a[1])} {_f(b[0])},{_f(b[1])} {_f(c[0])},{_f(c[1])}" for a, b, c in segments[:-1])
    d += f"C{_f(c1[0])},{_f(c1[1])} {_f(c2[0] - 7 * dx)},{_f(c2[1] - 7 * dy)} {_f(bx)},{_f(by)}"
    arrow = f"{_f(ex)},{_f(ey)} {_f(bx - 3.5 * dy)},{_f(by + 3.5 * dx)} {_f(bx + 3.5 * dy)},{_f(by - 3.5 * dx)}"
    colour = COLORS["op"][1].lower()
    text = ""
    if label:
        text = (f'<text x="{_f(start[0] + 4 + 6 * dy)}" y="{_f(start[1] + 10 * dy + 4 * dx + 3)}" '
                f'font-size="{EDGE_LABEL_SIZE:g}" fill="#212121">{html.escape(label)}</text>')
    return (f'<g id="edge{k + 1}" class="edge"><title>{src}&#45;&gt;{dst}</title>'
            f'<path fill="none" stroke="{colour}" d="{d}"/>'
            f'<polygon fill="{colour}" stroke="{colour}" points="{arrow}"/>{text}</g>')


def _node_svg(node, cx: float, cy: float, w: float, h: float) -> str:
    fill, border, colour = (c.lower() for c in COLORS[node.kind])
    x0, y0 = cx - w / 2, cy - h / 2
    stroke = 2.5 if node.is_root else 1.0
    shadow = ""
    if node.collapsed:  # a Module drawn as one box: a second box behind it, as dot's box3d
        shadow = (f'<rect x="{_f(x0 + 4)}" y="{_f(y0 - 4)}" width="{_f(w)}" height="{_f(h)}" fill="{fill}" '
                  f'stroke="{border}"/>')
    parts = [f'<g id="{node.id}" class="node"><title>{node.id}</title>{shadow}'
             f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(w)}" height="{_f(h)}" rx="{0 if node.collapsed else 5}" '
             f'fill="{fill}" stroke="{border}" stroke-width="{stroke:g}"/>']
    y = y0 + PAD_Y + TITLE_SIZE
    parts.append(f'<text x="{_f(cx)}" y="{_f(y)}" text-anchor="middle" font-size="{TITLE_SIZE:g}" '
                 f'font-weight="bold" fill="{colour}">{html.escape(node.title)}</text>')
    for line in node.lines:
        y += LINE_SIZE * 1.25
        parts.append(f'<text x="{_f(cx)}" y="{_f(y)}" text-anchor="middle" font-size="{LINE_SIZE:g}" '
                     f'fill="{colour}">{html.escape(line)}</text>')
    return "".join(parts) + "</g>"
