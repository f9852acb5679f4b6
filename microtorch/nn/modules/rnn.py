"""Recurrent layers: ``RNN`` (tanh/relu), ``LSTM`` (with ``proj_size``), ``GRU`` and their cells, as torch's.

Built from microtorch ops (so gradients, double backward and every backend come free): each
direction of a layer projects all its time steps at once (one GEMM, ``x W_ih^T + b_ih``), then
runs the recurrence step by step (one GEMM per step, ``h W_hh^T + b_hh``, and a few elementwise
ops). Padded and packed inputs take the same path: a padded batch is a packed one whose batch
size never shrinks. Gate order and parameter names are torch's (LSTM: i, f, g, o; GRU: r, z, n),
so a torch ``state_dict`` loads with ``strict=True``."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..._creation import empty, zeros
from ..._functions import cat, stack
from ..._tensor import Tensor
from ...autograd.ops.rnn import LSTMSequence
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one time step of each kind of cell (x_gates = x W_ih^T + b_ih, computed beforehand) -------------
def _rnn_step(x_gates: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None,
              relu: bool = False) -> tuple:
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    pre = x_gates + F.linear(state[0], w_hh, b_hh)
    return (pre.relu() if relu else pre.tanh(),)


def _lstm_step(x_gates: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None) -> tuple:
    """i, f, g, o gates; c' = f c + i g; h' = o tanh(c') (then h' W_hr^T with a projection)."""
    h, c = state
    i, f, g, o = (x_gates + F.linear(h, w_hh, b_hh)).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr), c)


def _gru_step(x_gates: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None) -> tuple:
    """r, z from both projections; n = tanh(x_n + r (h W_hn^T + b_hn)); h' = (h - n) z + n (torch's order)."""
    h = state[0]
    x_r, x_z, x_n = x_gates.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return ((h - n) * z + n,)


def _relu_step(x_gates: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None) -> tuple:
    return _rnn_step(x_gates, state, w_hh, b_hh, w_hr, relu=True)


_STEPS = {"RNN_TANH": _rnn_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}


def _run_direction(step: Any, data: Tensor, batch_sizes: list, state: tuple, weights: tuple, reverse: bool) -> tuple:
    """One direction of one layer over packed ``data`` (step t holds ``batch_sizes[t]`` rows):
    (packed outputs, final state per sequence). Going forward, sequences that end drop off the
    bottom of the batch and keep their last state; going backward they join it at their last step."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    if b_hh is not None and step is not _gru_step:
        # b_hh adds once to all steps, inside the input projection's bias (GRU needs it inside r * (.))
        b_ih, b_hh = (b_hh if b_ih is None else b_ih + b_hh), None
    x_gates = F.linear(data, w_ih, b_ih)
    if step is _lstm_step and w_hr is None and batch_sizes.count(batch_sizes[0]) == len(batch_sizes):
        # every step the same batch (padded input): the whole recurrence is one op, as torch's mkldnn/cuDNN layer
        batch = batch_sizes[0]
        x_gates = x_gates.reshape(len(batch_sizes), batch, x_gates.shape[-1])
        out, c = LSTMSequence.apply(x_gates, state[0], state[1], w_hh, reverse=reverse)
        return out.reshape(len(batch_sizes) * batch, out.shape[-1]), (out[0 if reverse else -1], c)
    x_steps = x_gates.split(batch_sizes)
    outputs: list = [None] * len(batch_sizes)
    if not reverse:
        active, finished = state, []
        for t, size in enumerate(batch_sizes):
            if size < active[0].shape[0]:
                finished.append(tuple(s[size:] for s in active))
                active = tuple(s[:size] for s in active)
            active = step(x_steps[t], active, w_hh, b_hh, w_hr)
            outputs[t] = active[0]
        if finished:
            pieces = [active] + finished[::-1]
            active = tuple(cat([p[k] for p in pieces]) for k in range(len(active)))
    else:
        last = batch_sizes[-1]
        active = state if last == state[0].shape[0] else tuple(s[:last] for s in state)
        for t in reversed(range(len(batch_sizes))):
            have, size = active[0].shape[0], batch_sizes[t]
            if size > have:
                active = tuple(cat([a, s[have:size]]) for a, s in zip(active, state))
            active = step(x_steps[t], active, w_hh, b_hh, w_hr)
            outputs[t] = active[0]
    return cat(outputs), active


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters (``weight_ih_l{k}{_reverse}``, ...),
    their initialisation (uniform in +-1/sqrt(hidden_size)), the checks and the layer loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_rnn_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        self._flat_weights_names, self._all_weights = [], []
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        gates = _GATES[mode] * hidden_size
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes: list[tuple[str, tuple[int, ...]]] = [("weight_ih", (gates, layer_input)),
                                                             ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                suffix = "_reverse" if direction == 1 else ""
                names = [f"{kind}_l{layer}{suffix}" for kind, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters, one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing (torch packs the weights for cuDNN here; microtorch has no such layout)."""

    def reset_parameters(self) -> None:
        """Every parameter uniform in [-1/sqrt(hidden_size), 1/sqrt(hidden_size)], as torch's."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---- checks -------------------------------------------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes: Any) -> None:
        """The input's dtype (the weights'), dimensions and feature size, with torch's messages."""
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                             f"input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.ndim != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Any) -> tuple:
        """(num_layers * num_directions, batch, proj_size or hidden_size)."""
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, real_hidden)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        """Raise torch's RuntimeError unless ``hx`` has the expected shape."""
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes: Any) -> None:
        """The input, then the hidden state's shape."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    # ---- the forward pass ---------------------------------------------------------------------------
    def _state_sizes(self) -> tuple:
        return (self.proj_size or self.hidden_size,)

    def _check_hx_dims(self, hx: tuple, batched: bool) -> None:
        """RNN and GRU: a 3-D hx for a batched input, a 2-D one for an unbatched one."""
        if batched and hx[0].ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx[0].ndim}-D tensor")
        if not batched and hx[0].ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx[0].ndim}-D tensor")

    def _check_states(self, input: Tensor, hx: tuple, batch_sizes: Any) -> None:
        self.check_forward_args(input, hx[0], batch_sizes)

    def _input_dims_message(self, ndim: int) -> str:
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        return f"{name}: Expected input to be 2D or 3D, got {ndim}D" + (" tensor" if name == "RNN" else "") + " instead"

    def _forward(self, input: Any, hx: tuple | None) -> tuple:
        """The shared forward: (output, final states as a tuple) for padded or packed input."""
        if isinstance(input, PackedSequence):
            data, batch_sizes_tensor, sorted_indices, unsorted_indices = input
            batch_sizes = [int(n) for n in batch_sizes_tensor.tolist()]
            if hx is not None and sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)
            hx = self._initial_states(data, hx, batch_sizes[0])
            self._check_states(data, hx, batch_sizes)
            out, states = self._layers(data, batch_sizes, hx)
            if unsorted_indices is not None:
                states = tuple(s.index_select(1, unsorted_indices) for s in states)
            return PackedSequence(out, batch_sizes_tensor, sorted_indices, unsorted_indices), states
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor or a PackedSequence as input, got "
                            f"{type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(self._input_dims_message(input.ndim))
        batched, batch_dim = input.ndim == 3, 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        if hx is not None:
            self._check_hx_dims(hx, batched)
            hx = hx if batched else tuple(h.unsqueeze(1) for h in hx)
        hx = self._initial_states(input, hx, input.shape[batch_dim])
        self._check_states(input, hx, None)
        sequence_first = input.transpose(0, 1) if self.batch_first else input
        steps, batch = sequence_first.shape[:2]
        if steps == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        out, states = self._layers(sequence_first.reshape(steps * batch, self.input_size), [batch] * steps, hx)
        out = out.reshape(steps, batch, out.shape[-1])
        out = out.transpose(0, 1) if self.batch_first else out
        if not batched:
            return out.squeeze(batch_dim), tuple(s.squeeze(1) for s in states)
        return out, states

    def _initial_states(self, input: Tensor, hx: tuple | None, batch: int) -> tuple:
        if hx is not None:
            return hx
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return tuple(zeros((layers, batch, size), dtype=input.dtype, device=input.device) for size in self._state_sizes())

    def _layers(self, data: Tensor, batch_sizes: list, hx: tuple) -> tuple:
        """Every layer and direction over packed ``data``; dropout between layers while training."""
        step = _STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                weights = self._layer_weights(index)
                state = tuple(h[index] for h in hx)
                out, final = _run_direction(step, data, batch_sizes, state, weights, reverse=direction == 1)
                outputs.append(out)
                finals.append(final)
            data = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                data = F.dropout(data, self.dropout, True)
        return data, tuple(stack([f[k] for f in finals]) for k in range(len(hx)))

    def _layer_weights(self, index: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer and direction, None where absent."""
        params = dict(zip([name.split("_l")[0] for name in self._all_weights[index]],
                          [getattr(self, name) for name in self._all_weights[index]]))
        return (params["weight_ih"], params["weight_hh"], params.get("bias_ih"), params.get("bias_hh"),
                params.get("weight_hr"))


def _check_rnn_arguments(mode: str, input_size: Any, hidden_size: Any, num_layers: int, bias: Any, batch_first: Any,
                         dropout: Any, proj_size: int) -> None:
    """torch's constructor checks, in torch's order and with its messages."""
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):  # type: ignore[operator]  # (torch's check)
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                         "being zeroed")
    if dropout > 0 and num_layers == 1:  # type: ignore[operator]  # (a real number here: checked above)
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                      f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool), ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _GATES:
        raise ValueError("Unrecognized RNN mode: " + mode)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (``nonlinearity='relu'``: relu),
    over ``num_layers`` layers, optionally bidirectional. Returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple:
        out, states = self._forward(input, None if hx is None else (hx,))
        return out, states[0]


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n, in torch's order and formulas). Returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple:
        out, states = self._forward(input, None if hx is None else (hx,))
        return out, states[0]


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o), with an optional projection of h (``proj_size``).
    Returns (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    def _state_sizes(self) -> tuple:
        return (self.proj_size or self.hidden_size, self.hidden_size)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Any) -> tuple:
        """(num_layers * num_directions, batch, hidden_size)."""
        return self.get_expected_hidden_size(input, batch_sizes)[:2] + (self.hidden_size,)

    def check_forward_args(self, input: Tensor, hidden: tuple, batch_sizes: Any) -> None:  # type: ignore[override]  # (LSTM's state is a pair, as torch's)
        """The input, then h_0's and c_0's shapes."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def _check_states(self, input: Tensor, hx: tuple, batch_sizes: Any) -> None:
        self.check_forward_args(input, hx, batch_sizes)

    def _check_hx_dims(self, hx: tuple, batched: bool) -> None:
        want = 3 if batched else 2
        if hx[0].ndim != want or hx[1].ndim != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got ({hx[0].ndim}-D, "
                               f"{hx[1].ndim}-D) tensors")

    def forward(self, input: Any, hx: tuple | None = None) -> tuple:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0) of two tensors")
        return self._forward(input, None if hx is None else tuple(hx))


# ---- cells --------------------------------------------------------------------------------------------
def check_cell_sizes(input: Tensor, hx: tuple, input_size: int, hidden_size: int) -> None:
    """torch's cell checks: the input's features, then each state's batch and features."""
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {input_size}")
    for i, h in enumerate(hx):
        if h.size(0) != input.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size {h.size(0)}")
        if h.ndim < 2 or h.shape[1] != hidden_size:
            got = h.shape[1] if h.ndim >= 2 else None
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {got}, expected {hidden_size}")


class RNNCellBase(Module):
    """What the cells share: ``weight_ih``, ``weight_hh`` (and ``bias_ih``, ``bias_hh``), initialised
    uniform in +-1/sqrt(hidden_size), and torch's input checks."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        """Every parameter uniform in [-1/sqrt(hidden_size), 1/sqrt(hidden_size)], as torch's."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input: Tensor, hx: Any, name: str) -> tuple:
        """(input as 2-D, hx tuple as 2-D or None, whether the input was batched), after torch's checks."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor as input, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for i, h in enumerate(hx or ()):
            if h.ndim not in (1, 2):
                label = f"hx[{i}]" if name == "LSTMCell" else "hidden"
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.ndim}D instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else tuple(h.unsqueeze(0) for h in hx)
        if hx is None:
            state = zeros((input.shape[0], self.hidden_size), dtype=input.dtype, device=input.device)
            hx = (state,) * (2 if name == "LSTMCell" else 1)
        check_cell_sizes(input, hx, self.input_size, self.hidden_size)
        return input, hx, batched

    def _step(self, step: Any, input: Tensor, hx: tuple) -> tuple:
        return step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh, self.bias_hh, None)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, state, batched = self._batched(input, None if hx is None else (hx,), "RNNCell")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        (h,) = self._step(_rnn_step if self.nonlinearity == "tanh" else _relu_step, input, state)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        input, hx, batched = self._batched(input, None if hx is None else tuple(hx), "LSTMCell")
        h, c = self._step(_lstm_step, input, hx)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, state, batched = self._batched(input, None if hx is None else (hx,), "GRUCell")
        (h,) = self._step(_gru_step, input, state)
        return h if batched else h.squeeze(0)


__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
