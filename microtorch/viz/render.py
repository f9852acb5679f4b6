"""Pictures: ``to_svg`` and ``draw_to_html`` with either layout, the node limit, and ``draw`` (a picture
object for notebooks: a tensor's own display stays its text)."""
from __future__ import annotations

import html
import os
import warnings
from typing import Any

from .._tensor import Tensor
from ..autograd import function
from .dot import find_dot, run_dot
from .graph import COLORS, LEGEND, Graph, build
from .svg import graph_to_svg
from .text import check_orientation, graph_to_dot

LAYOUTS = ("auto", "builtin", "dot")
#: a graph with more nodes is not laid out unless asked for (``max_nodes=``): Modules are collapsed first
MAX_NODES = 5000
#: ``layout="auto"`` hands graphs up to this size to ``dot`` when there is one, bigger ones to the built-in
AUTO_DOT_NODES = 1000


_GRAPH_OPTIONS = ("params", "group_modules", "collapse")


def _check_options(options: dict) -> None:
    unknown = [k for k in options if k not in _GRAPH_OPTIONS + ("layout", "max_nodes")]
    if unknown:
        raise TypeError(f"got an unexpected keyword argument {unknown[0]!r} (the options are layout, max_nodes, "
                        f"{', '.join(_GRAPH_OPTIONS)})")
    max_nodes = options.get("max_nodes")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if options.get("layout", "auto") not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}, got {options['layout']!r}")


def _graph(root: Any, max_nodes: int | None, options: dict) -> Graph:
    """The graph to draw, Modules collapsed when it has more than ``max_nodes`` nodes; ValueError if still."""
    _check_options({**options, "max_nodes": max_nodes})
    g = build(root, options.get("params"), options.get("group_modules", False), options.get("collapse", ()))
    limit = MAX_NODES if max_nodes is None else max_nodes
    if len(g.nodes) > limit and not options.get("collapse"):
        collapsed = build(root, options.get("params"), options.get("group_modules", False), True)
        if len(collapsed.nodes) <= limit:
            warnings.warn(f"the graph has {len(g.nodes)} nodes, more than max_nodes={limit}: drawing each Module "
                          f"as one box (collapse=True); pass max_nodes= to draw every op", stacklevel=4)
            return collapsed
        if len(collapsed.nodes) < len(g.nodes):
            raise ValueError(
                f"the graph has {len(g.nodes)} nodes, more than max_nodes={limit}, and {len(collapsed.nodes)} with "
                f"each Module as one box (collapse=True): pass a larger max_nodes= (the built-in layout takes about "
                f"a second per 10 000 nodes), or take the text of microtorch.viz.to_dot() / to_mermaid()")
    if len(g.nodes) > limit:
        raise ValueError(
            f"the graph has {len(g.nodes)} nodes, more than max_nodes={limit}: draw Modules as one box each "
            f"(collapse=True, or collapse='path.to.module'), pass a larger max_nodes= (the built-in layout takes "
            f"about a second per 10 000 nodes), or take the text of microtorch.viz.to_dot() / to_mermaid()")
    return g


def to_svg(root: Any, orientation: str = "TB", *, layout: str = "auto", max_nodes: int | None = None,
           **options: Any) -> str:
    """The picture as an SVG document; the options are :func:`to_dot`'s.

    ``layout`` is ``"dot"`` (Graphviz, run with a time limit and a memory cap), ``"builtin"`` (pure Python,
    fast on big graphs) or ``"auto"``: dot when it is installed and the graph has at most 1 000 nodes, else
    the built-in one. A graph of more than ``max_nodes`` nodes (5 000 by default) has its Modules collapsed,
    or raises ValueError when that is not enough.
    """
    check_orientation(orientation)
    _check_options({**options, "layout": layout})
    g = _graph(root, max_nodes, options)
    if layout == "builtin" or (layout == "auto" and (len(g.nodes) > AUTO_DOT_NODES or find_dot() is None)):
        return graph_to_svg(g, orientation)
    try:
        return run_dot(graph_to_dot(g, orientation), len(g.nodes))
    except RuntimeError as e:
        if layout == "dot":
            raise
        warnings.warn(f"{e}; drawn with the built-in layout instead", stacklevel=2)
        return graph_to_svg(g, orientation)


def legend_html(title: str) -> str:
    """The line above a picture: its title and the three node colours."""
    swatches = "".join(
        f'<span class="swatch" style="background:{COLORS[kind][0]};border-color:{COLORS[kind][1]}"></span>{text}'
        for kind, text in LEGEND)
    return f'<div class="legend"><b>{html.escape(title)}</b>{swatches}</div>'


_STYLE = """body { font-family: Arial, "Liberation Sans", Arimo, Helvetica, sans-serif; margin: 16px; color: #212121;
       background: #FFFFFF; }
.graph svg text { font-family: Arial, "Liberation Sans", Arimo, Helvetica, sans-serif; }
.legend { font-size: 13px; margin-bottom: 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid; border-radius: 3px;
          vertical-align: middle; margin: 0 5px 0 14px; }"""


def draw_to_html(root: Any, name: str, orientation: str = "TB", **options: Any) -> str:
    """Write ``name.html``: the picture of the graph that produced ``root``, self-contained and offline.

    ``orientation`` is ``"TB"``, ``"BT"``, ``"LR"`` or ``"RL"``; the options are :func:`to_svg`'s
    (``layout``, ``max_nodes``) and :func:`to_dot`'s. Returns the path written.
    """
    svg = to_svg(root, orientation, **options)
    path = name if name.endswith(".html") else name + ".html"
    title = os.path.basename(path)[:-5]
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n{legend_html(title)}\n<div class=\"graph\">\n{svg}</div>\n"
            "</body>\n</html>\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


class Drawing:
    """A picture of a graph, drawn when first shown: Jupyter calls ``_repr_html_`` (or ``_repr_svg_``).

    Made by :func:`draw` or ``tensor.graph()``; ``svg()`` is the SVG text, ``save(name)`` writes
    ``name.html``. The options are :func:`to_svg`'s.
    """

    def __init__(self, root: Any, orientation: str = "TB", **options: Any) -> None:
        check_orientation(orientation)
        _check_options(options)
        self.root, self.orientation, self.options = root, orientation, options
        self._svg: str | None = None

    def svg(self) -> str:
        """The SVG document (laid out once, then kept)."""
        if self._svg is None:
            self._svg = to_svg(self.root, self.orientation, **self.options)
        return self._svg

    def save(self, name: str) -> str:
        """Write ``name.html`` (see :func:`draw_to_html`); returns the path written."""
        return draw_to_html(self.root, name, self.orientation, **self.options)

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return f'<div class="microtorch-graph">{self.svg()}</div>'

    def __repr__(self) -> str:
        return f"<microtorch.viz.Drawing of a graph, orientation {self.orientation!r}>"


def draw(root: Any, example_input: Any = None, orientation: str = "TB", **options: Any) -> Drawing:
    """A picture of the graph that produced ``root`` (a Tensor or tuple of Tensors), shown when displayed.

    ``draw(model, example_input)`` runs the Module on the example (a tuple is several arguments) and draws
    its output with each Module as a cluster (``group_modules=True`` unless told otherwise).
    """
    if not isinstance(root, (Tensor, tuple, list)) and callable(root) and hasattr(root, "named_modules"):
        if example_input is None:
            raise TypeError(f"draw({type(root).__name__}) needs an example input to run it on: "
                            f"draw(model, example_input)")
        args = example_input if isinstance(example_input, tuple) else (example_input,)
        options.setdefault("group_modules", True)
        root = root(*args)
    elif example_input is not None:
        raise TypeError("draw(tensor) takes no example input; draw(model, example_input) runs a Module")
    return Drawing(root, orientation, **options)


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
        if enabled:
            function.details_switched_on = True

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        function.drawing.details = self.previous
