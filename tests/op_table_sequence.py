"""Op-table entries for the sequence kernels: the whole-sequence LSTM op (through ``nn.LSTM`` with the drawn
tensors as its parameters, both directions) and the row-wise scatter-add of embedding's backward (enough
indices for the fast path, rows repeated few and many times)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from op_table import Const, op, values

_INPUT, _HIDDEN = 2, 2


def _lstm(lib, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_ih_r, w_hh_r, b_ih_r, b_hh_r):
    """A bidirectional one-layer LSTM run with the given parameters: its output and final cell state, flattened."""
    module = lib.nn.LSTM(_INPUT, _HIDDEN, bidirectional=True).to(x.dtype)
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    tensors = (w_ih, w_hh, b_ih, b_hh, w_ih_r, w_hh_r, b_ih_r, b_hh_r)
    params = dict(zip(names + [n + "_reverse" for n in names], tensors))
    out, (_, c) = lib.func.functional_call(module, params, (x, (h0, c0)))
    return lib.cat([out.reshape(-1), c.reshape(-1)])


def _draw_lstm(data, dtype):
    steps, batch = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    gates = 4 * _HIDDEN
    weights = [(gates, _INPUT), (gates, _HIDDEN), (gates,), (gates,)] * 2
    inputs = [values(data, (steps, batch, _INPUT)), values(data, (2, batch, _HIDDEN)),
              values(data, (2, batch, _HIDDEN))] + [values(data, shape, -1.0, 1.0) for shape in weights]
    return inputs, {}


def _draw_rows(data, dtype):
    rows = data.draw(st.sampled_from([3, 40]))  # 3: runs longer than 16 (add.reduceat); 40: rounds of unique rows
    index = data.draw(hnp.arrays(np.int64, (35, 2), elements=st.integers(0, rows - 1)))
    return [values(data, (rows, 2)), Const(index)], {}


op("nn.LSTM_bidirectional", _lstm, _draw_lstm, rtol={"float32": 1e-3}, atol={"float32": 1e-4})
op("F.embedding_many_rows", lambda lib, w, idx: lib.nn.functional.embedding(idx, w), _draw_rows)
