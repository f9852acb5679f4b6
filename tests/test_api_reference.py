"""docs/api.md is current: regenerated in memory, it equals the committed page (``python -m tools.api_reference``
rewrites it)."""
from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_api_reference_is_current() -> None:
    pytest.importorskip("torch", reason="the reference lists torch's names: it needs torch (the test extra)")
    sys.path.insert(0, ROOT)
    from tools import api_reference

    with open(api_reference.PAGE, encoding="utf-8") as f:
        committed = f.read()
    assert api_reference.render() == committed, "docs/api.md is stale: run python -m tools.api_reference"


def test_api_reference_lists_provided_and_missing_names() -> None:
    """The page's figures hold: a provided name is there with its summary, a missing one under Not provided."""
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        page = f.read()
    assert "| `zeros` | " in page and "| `Linear` | " in page and "| `SGD` | " in page
    assert "### Creation ops" in page and "### Loss functions" in page and "### Other" in page
    assert "Not provided: " in page
