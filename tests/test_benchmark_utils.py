"""microtorch.utils.benchmark against torch.utils.benchmark: statistics and printed summaries on the same times."""
from __future__ import annotations

import pytest
import torch.utils.benchmark as tbench

import microtorch
import microtorch.utils.benchmark as mbench

RAW = [3.1e-3, 2.9e-3, 3.0e-3, 4.5e-3, 3.05e-3, 2.95e-3, 3.2e-3]


def _measurements(raw, **spec):
    ours = mbench.Measurement(10, list(raw), mbench.utils.common.TaskSpec(**spec))
    theirs = tbench.Measurement(10, list(raw), tbench.utils.common.TaskSpec(**spec))
    return ours, theirs


@pytest.mark.parametrize("raw", [RAW, RAW[:2], [5e-7], [1.0, 1.5, 1.2, 1.1, 30.0]])
def test_statistics_and_repr_match_torch(raw):
    ours, theirs = _measurements(raw, stmt="x + y", setup="x = 1", label="add", sub_label="ints", num_threads=2)
    assert ours.times == pytest.approx(theirs.times)
    assert ours.median == pytest.approx(theirs.median) and ours.mean == pytest.approx(theirs.mean)
    assert ours.iqr == pytest.approx(theirs.iqr)
    assert ours.meets_confidence() == theirs.meets_confidence() and ours.has_warnings == theirs.has_warnings
    assert repr(ours).splitlines()[1:] == repr(theirs).splitlines()[1:]  # (line 0 names the object's address)
    merged = mbench.Measurement.merge([ours, ours])
    assert len(merged) == 1 and len(merged[0].times) == 2 * len(raw)


def test_timer_measures_a_statement():
    timer = mbench.Timer("a * b", setup="b = a + 1", globals={"a": microtorch.ones(3)}, label="mul")
    single = timer.timeit(200)
    assert single.number_per_run == 200 and len(single.raw_times) == 1 and single.median > 0
    auto = timer.blocked_autorange(min_run_time=0.02)
    assert auto.number_per_run >= 1 and sum(auto.raw_times) >= 0.02 and "mul" in repr(auto)
    adaptive = timer.adaptive_autorange(min_run_time=0.01, max_run_time=0.2)
    assert len(adaptive.times) >= 1
    assert mbench.Timer("microtorch.zeros(2)").timeit(5).median > 0  # microtorch is in the namespace
    with pytest.raises(ValueError, match="only a `str` stmt"):
        mbench.Timer(lambda: None)
