"""Pictures of the autograd graph: ``draw_to_html``, ``to_svg``, ``draw``, ``to_dot``, ``to_mermaid``.

The picture is read from what autograd keeps anyway: ``root.grad_fn``, each op's
``next_edges`` (a leaf tensor, another op, or ``None`` for an input without grad),
the op's call arguments (``op.params``), what it saved for backward, and the
Modules it ran in (``op.module``, ``op.root_module``). Colours follow regrad's:
leaves that require grad are dark blue, constants and tensors without grad light
blue, operations grey. Values flow along the arrows, from the inputs to the
output (drawn with a thick border). A leaf that feeds many ops (shared weights) is
drawn next to each op it feeds.

Autograd keeps only what backward needs, so by default an op node shows its
output's shape, dtype and device when that is known (the root, outputs a later op
saved, ops with several outputs), and constants appear where backward saved them
(``x * 2`` keeps its 2, ``x + 1`` does not). Ops recorded under
``microtorch.viz.record_details()`` also keep every input without grad and their
outputs' shapes and one-element values, the way regrad's pictures show them;
recording is otherwise not slowed down for pictures.

Layout: Graphviz ``dot`` when it is installed (the system program, or ``graphviz-pure``:
``pip install -e ".[viz]"`` in a checkout) for graphs of up to 1 000 nodes, else a built-in
layered layout in pure Python (``layout="builtin"`` asks for it). The modules: ``graph`` (the
model), ``labels``, ``text`` (DOT, Mermaid), ``dot`` (running dot), ``layout`` and ``svg`` (the
built-in layout), ``render`` (SVG, HTML, notebooks).
"""
from __future__ import annotations

from .dot import layout_program
from .graph import COLORS, LEGEND, ORIENTATIONS
from .render import Drawing, draw, draw_to_html, record_details, to_svg
from .text import to_dot, to_mermaid

__all__ = ["draw_to_html", "to_svg", "to_dot", "to_mermaid", "draw", "Drawing", "record_details", "layout_program"]
