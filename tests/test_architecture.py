"""The layering rules of DEVELOPERS.md ("The design in brief"), enforced."""
from __future__ import annotations

import ast
import functools
import inspect
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "microtorch"


@functools.cache
def _parsed() -> list[tuple[pathlib.Path, ast.AST]]:
    """Every module of the package with its syntax tree (parsed once for the three tests that walk them)."""
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(PACKAGE.rglob("*.py"))]


def test_only_backends_import_numpy_or_cupy():
    offenders = []
    for path, tree in _parsed():
        if "backends" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(tree):
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


def _function_lengths():
    for path, tree in _parsed():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1


def test_no_function_is_longer_than_60_lines():
    long = [f"{where} ({n} lines)" for where, n in _function_lengths() if n > 60]
    assert not long, "split these along their seams:\n" + "\n".join(long)


def test_op_modules_do_not_import_the_tensor_module_for_its_helpers():
    """Promotion and argument helpers come from _promotion.py; _tensor.py gives ops only the Tensor class."""
    offenders = []
    for path, tree in _parsed():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_tensor"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {private}")
    assert not offenders, "\n".join(offenders)


def test_pointwise_table_rows_save_only_inputs_and_outputs():
    """A table op's backward can read only its inputs and its output (which stay connected under
    create_graph=True), and forward saves nothing a needed gradient does not read."""
    import microtorch as mt
    from microtorch.autograd.function import _SavedOutput
    from microtorch.autograd.ops import elementwise

    x = mt.tensor([0.3, 0.6], dtype=mt.float64, requires_grad=True)
    y = mt.tensor([0.4, 0.2], dtype=mt.float64, requires_grad=True)
    for name in elementwise.UNARY:
        out = getattr(elementwise, name).apply(x)
        saved = out.grad_fn.saved
        assert all(s is x or (type(s) is _SavedOutput and s() is out) for s in saved), name
    for name in elementwise.BINARY:
        for inputs in ((x, y), (x, y.detach()), (x.detach(), y)):
            out = getattr(elementwise, name).apply(*inputs)
            saved = out.grad_fn.saved
            assert all(any(s is i for i in inputs) or (type(s) is _SavedOutput and s() is out) for s in saved), name
            reads = set()
            for need, derivative in zip(out.grad_fn.needs_input_grad, getattr(elementwise, name).derivatives):
                if need:
                    reads |= set(list(inspect.signature(derivative).parameters)[1:])
            assert len(saved) == len(reads), (name, reads, saved)
