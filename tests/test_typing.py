"""Typing: a typed user script passes ``mypy --strict`` and its ``reveal_type`` lines show the types user code
gets (Tensor from factories, operators and annotated Modules, Size, numbers from ``item()``, ``step()``'s
result); the script also runs; the generated blocks for type checkers are current."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tests", "typed_user_script.py")


def _expected_reveals() -> dict[int, str]:
    """Line number -> the type its ``# expect:`` comment names."""
    with open(SCRIPT, encoding="utf-8") as f:
        return {i: m.group(1).strip() for i, line in enumerate(f, 1) if (m := re.search(r"# expect: (.*)$", line))}


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e \".[test]\")")
    cache = tmp_path_factory.mktemp("mypy-cache")
    # --follow-imports=silent: microtorch is checked as an installed typed package is, its own errors not shown
    # (CI runs mypy on the package itself, see .ci/run)
    stdout, stderr, _status = api.run(["--strict", "--follow-imports=silent", "--cache-dir", str(cache),
                                       "--python-executable", sys.executable, SCRIPT])
    return stdout + stderr


def test_user_script_passes_mypy_strict(mypy_report: str) -> None:
    errors = [line for line in mypy_report.splitlines() if ": error:" in line]
    assert not errors, "\n".join(errors)


def test_revealed_types(mypy_report: str) -> None:
    expected = _expected_reveals()
    assert len(expected) >= 15
    revealed = {int(m.group(1)): m.group(2) for m in re.finditer(r'typed_user_script\.py:(\d+): note: Revealed type is "(.*)"',
                                                                 mypy_report)}
    assert revealed == expected


def test_user_script_runs() -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "accuracy" in result.stdout


def test_generated_type_blocks_are_current() -> None:
    sys.path.insert(0, ROOT)
    from tools import typing_exports

    stale = [path for path, (now, wanted) in typing_exports.expected_sources().items() if now != wanted]
    assert not stale, f"{stale} are stale: run python -m tools.typing_exports"
