"""The op table's strategies keep their promises, and its checks have teeth (tests/op_table.py)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import test_ops_property as property_suite
from microtorch.autograd.ops import elementwise as ew
from op_table import OPS_BY_NAME, apart


def test_apart_separates_every_pair_broadcasting_lines_up():
    # (3, 1) against (1, 4): every a meets every b, not only the b at the same flat position
    a = np.array([[0.0], [1.0], [2.0]])
    b = np.array([[2.0, 1.0, 0.0, 1.004]])
    x, y = apart(a, b)
    assert np.abs(x - y).min() >= 0.05 - 1e-12


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
def test_distinct_binary_inputs_have_no_ties_after_broadcasting(name, data):
    (a, b), _ = OPS_BY_NAME[name].draw(data, "float32")
    if a.size and b.size:  # in the float32 the suite casts to, too
        assert np.abs(a.astype(np.float32) - b.astype(np.float32)).min() >= 0.049


@pytest.mark.parametrize("name,wrong", [("maximum", ew.Minimum.backward), ("minimum", ew.Maximum.backward)])
def test_a_gradient_sent_to_the_wrong_input_is_caught(name, wrong, monkeypatch):
    """Kept away from ties, the entry still checks which input the gradient goes to."""
    monkeypatch.setattr(getattr(ew, name.title()), "backward", wrong)

    @settings(phases=[Phase.generate], max_examples=12)
    @given(data=st.data())
    def check(data):
        property_suite.test_op_matches_torch.hypothesis.inner_test(OPS_BY_NAME[name], "float64", "cpu", data)

    with pytest.raises(AssertionError, match="grad of input"):
        check()
