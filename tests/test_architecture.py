"""The layering rules of DEVELOPERS.md ("The design in brief"), enforced."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "microtorch"


def test_only_backends_import_numpy_or_cupy():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "backends" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                if name.split(".")[0] in ("numpy", "cupy", "cupyx"):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}")
    assert not offenders, "array libraries are reached through the backend (ctx.xp):\n" + "\n".join(offenders)


def test_import_needs_only_numpy():
    """``import microtorch`` (and a small training step) works with torch, cupy and scipy unavailable."""
    code = (
        "import sys\n"
        "for name in ('torch', 'cupy', 'cupyx', 'scipy', 'hypothesis', 'pytest'): sys.modules[name] = None\n"
        "import microtorch as mt\n"
        "x = mt.randn(4, 3, requires_grad=True)\n"
        "(x @ x.T).relu().sum().backward()\n"
        "assert x.grad.shape == (4, 3)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
