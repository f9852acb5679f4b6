"""torch's operator database as an external test suite (see ``opinfo_harness.py``): every covered op_db entry's
samples and error inputs, in float64 and float32, against ``opinfo_expected_failures.txt``.

The ``ci`` profile runs the first 3 samples and error inputs of each entry and fails on any failure the file does
not list; ``nightly`` runs them all and also fails on a listed failure that now passes (the list only shrinks).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

opinfo = pytest.importorskip("opinfo_harness", reason="torch's op_db needs torch.testing's internals")

NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"
CAP = None if NIGHTLY else 3
EXPECTED = opinfo.read_expected()
COVERED = {opinfo.entry_id(op): op for op in opinfo.covered()}


def _from_a_fresh_thread(check: Callable[..., dict], *args: Any) -> dict:
    """``check(*args)`` run on a new thread: torch's sample iterators walk the whole calling stack at every sample
    (``inspect.stack()`` with source lines, and ``traceback.format_stack()`` in ``torch.manual_seed`` on a build
    without CUDA), which under pytest is ~60 frames deep; a fresh thread's stack is a few frames. (Grad mode is per
    thread in both libraries: the thread starts with the defaults, as a test does.)"""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(check, *args).result()


def _judge(entry: str, where: str, failures: dict) -> None:
    expected = EXPECTED.get((entry, where), set())
    new = {kind: message for kind, message in failures.items() if kind not in expected}
    assert not new, f"{entry} {where}: new failures {new} (fix them; a known limitation goes in the expected list)"
    if NIGHTLY:
        fixed = expected - set(failures)
        assert not fixed, f"{entry} {where}: {sorted(fixed)} now pass: remove them from opinfo_expected_failures.txt"


@pytest.mark.parametrize("dtype", list(opinfo.DTYPES))
@pytest.mark.parametrize("entry", sorted(COVERED))
def test_samples_match_torch(entry: str, dtype: str) -> None:
    _judge(entry, dtype, _from_a_fresh_thread(opinfo.check, COVERED[entry], dtype, CAP))


@pytest.mark.parametrize("entry", sorted(COVERED))
def test_error_inputs_raise(entry: str) -> None:
    _judge(entry, "errors", _from_a_fresh_thread(opinfo.check_errors, COVERED[entry], CAP))


def test_coverage_figure_is_what_the_readme_says() -> None:
    considered, covered = len(opinfo.considered()), len(COVERED)
    assert covered > 200 and considered > 500, (covered, considered)
