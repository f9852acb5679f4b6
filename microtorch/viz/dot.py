"""Graphviz ``dot`` as a layout program: found on PATH (or graphviz-pure in this environment), run with a
time limit and a memory cap so that a graph too big for it never hangs the caller."""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig

#: seconds ``dot`` may take before the drawing gives up on it
DOT_TIMEOUT = 20.0
#: bytes of address space the ``dot`` process may use (POSIX only)
DOT_MEMORY = 2 << 30


def find_dot() -> str | None:
    """The ``dot`` program: the system Graphviz, else ``graphviz-pure`` (the ``viz`` extra); None if neither."""
    return shutil.which("dot") or shutil.which("graphviz-pure") or shutil.which(
        "graphviz-pure", path=sysconfig.get_path("scripts"))  # a venv's script, even when not on PATH


def layout_program() -> str:
    """The ``dot`` program ``layout="dot"`` runs; RuntimeError naming what to install when there is none."""
    found = find_dot()
    if found is None:
        raise RuntimeError(
            "layout='dot' needs Graphviz's `dot` program, and none was found. Install one: `apt install graphviz` "
            "(or your system's package manager), `pip install graphviz-pure` (a self-contained dot), or "
            "`pip install -e \".[viz]\"` in a checkout of microtorch. layout='builtin' (the default without dot) "
            "needs nothing; microtorch.viz.to_dot() and to_mermaid() give the graph as text."
        )
    return found


def _cap_memory() -> None:  # runs in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (DOT_MEMORY, DOT_MEMORY))


def run_dot(dot_text: str, n_nodes: int, timeout: float | None = None) -> str:
    """The SVG ``dot`` makes of ``dot_text``, without its XML prolog and DOCTYPE (which names a URL).

    RuntimeError when dot fails, runs out of its memory cap or takes longer than ``timeout`` seconds.
    """
    program = layout_program()
    timeout = DOT_TIMEOUT if timeout is None else timeout
    advice = ("draw it with layout='builtin', collapse Modules (collapse=True), or take the text of "
              "microtorch.viz.to_dot() / to_mermaid()")
    try:
        run = subprocess.run([program, "-Tsvg"], input=dot_text.encode(), capture_output=True, check=False,
                             timeout=timeout, preexec_fn=_cap_memory if sys.platform != "win32" else None)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{program} did not lay out the graph ({n_nodes} nodes) within {timeout:g} s: "
                           f"{advice}") from None
    if run.returncode != 0:
        raise RuntimeError(f"{program} failed (exit status {run.returncode}) on the graph ({n_nodes} nodes; "
                           f"its memory is capped at {DOT_MEMORY >> 30} GiB): "
                           f"{run.stderr.decode(errors='replace')[-2000:]}\n{advice}")
    svg = run.stdout.decode()
    return svg[svg.index("<svg"):]
