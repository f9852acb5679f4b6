"""The bad-input fuzz of ``fuzz_bad_inputs.py`` (torch and microtorch side by side) in the suite: no case
outside ``fuzz_known_failures.txt`` may fail. The ``ci`` profile runs every 6th case; ``nightly`` all."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import fuzz_bad_inputs as fuzz

KNOWN = Path(__file__).with_name("fuzz_known_failures.txt")


def _known_failures() -> set:
    lines = KNOWN.read_text().splitlines()
    return {line.split(" ", 1)[1] for line in lines if line and not line.startswith("#")}


def test_bad_inputs_raise_as_torch_does():
    step = 1 if os.environ.get("HYPOTHESIS_PROFILE") == "nightly" else 6
    cases = fuzz.cases()[::step]
    known = _known_failures()
    outcomes = {case: fuzz.classify(*case) for case in cases}
    figures = Counter(outcomes.values())
    new = [f"{outcome} {target} {value} {position}" for (target, value, position), outcome in outcomes.items()
           if outcome not in ("ok", "unsupported", "torch slow", "refused-early") and f"{target} {value} {position}" not in known]
    print(f"{len(cases)} calls: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.items())))
    assert len(cases) > 1000 and figures["ok"] > len(cases) // 2  # the fuzz really calls the API
    assert not new, "new failures (fix them, or explain and add to fuzz_known_failures.txt):\n" + "\n".join(new)
