"""``microtorch.nn.utils.rnn``: variable-length sequences for the recurrent layers, as torch's.

A ``PackedSequence`` holds the time steps of a batch sorted by decreasing length, one after the
other: step t holds ``batch_sizes[t]`` rows (the sequences still running at t). Packing, padding
and unpacking are each one ``index_select`` (a gather) of the rows, so they are differentiable
(their backward is a scatter-add) on every backend."""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from ..._creation import arange, empty_like, full, tensor
from ..._dtype import int64
from ..._functions import cat
from ..._tensor import Tensor


class PackedSequence_(NamedTuple):
    """The four fields of a ``PackedSequence``."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """The packed time steps of a batch of sequences (``data``), the number of sequences at each
    step (``batch_sizes``, int64 on the CPU) and the permutation that sorted the batch by length
    (``sorted_indices``; ``unsorted_indices`` is its inverse). Build it with ``pack_padded_sequence``
    or ``pack_sequence``."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # torch's legacy form PackedSequence((data, batch_sizes))
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` converted as ``Tensor.to``; the indices follow it to its device (``self`` when unchanged)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t: Tensor | None) -> Tensor | None:
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """A copy on the GPU."""
        return self.to(*(args or ("cuda",)), **kwargs)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """A copy on the CPU."""
        return self.to("cpu")

    def double(self) -> PackedSequence:
        """``data`` as float64."""
        return self.to(dtype=_dtype("float64"))

    def float(self) -> PackedSequence:
        """``data`` as float32."""
        return self.to(dtype=_dtype("float32"))

    def half(self) -> PackedSequence:
        """``data`` as float16."""
        return self.to(dtype=_dtype("float16"))

    def long(self) -> PackedSequence:
        """``data`` as int64."""
        return self.to(dtype=_dtype("int64"))

    def int(self) -> PackedSequence:
        """``data`` as int32."""
        return self.to(dtype=_dtype("int32"))

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a GPU."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        """Always False: microtorch has no pinned memory."""
        return False


def _dtype(name: str) -> Any:
    from ... import _dtype as dtypes

    return getattr(dtypes, name)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a 1-D permutation of indices (None stays None)."""
    if permutation is None:
        return None
    output = empty_like(permutation)
    return output.scatter_(0, permutation, arange(0, permutation.numel(), device=permutation.device))


_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
               "float64": "Double", "float32": "Float", "float16": "Half"}  # torch's legacy names in this message


def _lengths_list(lengths: Any) -> list:
    """``lengths`` (a list or a 1-D tensor) as a list of Python ints."""
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D "
                               f"{lengths.device.type} {_TYPE_NAMES.get(lengths.dtype.name, lengths.dtype.name)} tensor")
        return [int(n) for n in lengths.tolist()]
    return [int(n) for n in lengths]


def _index(rows: list, device: Any) -> Tensor:
    """Row numbers for ``index_select`` (int64 even when empty)."""
    return tensor(rows, dtype=int64, device=device)


def _batch_sizes(lengths: list) -> list:
    """How many of the (decreasingly sorted) sequences still run at each time step."""
    return [sum(1 for n in lengths if n > t) for t in range(lengths[0])] if lengths else []


def pack_padded_sequence(input: Tensor, lengths: Tensor | list, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of the given
    ``lengths``. With ``enforce_sorted`` the lengths must decrease; otherwise the batch is sorted
    first and the permutation kept in the result."""
    lengths = _lengths_list(lengths)
    batch_dim = 0 if batch_first else 1
    if input.ndim < 2:
        raise RuntimeError(f"pack_padded_sequence: expected a padded batch of at least 2 dimensions, got {input.ndim}")
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={batch})")
    if lengths and min(lengths) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if lengths and max(lengths) > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {max(lengths)} exceeds the {steps} time steps of "
                           "the padded input")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                "if you do not need ONNX exportability.")
        order = list(range(batch))
    else:
        order = sorted(range(batch), key=lambda i: -lengths[i])  # stable, as torch's sort on the CPU
        sorted_indices = _index(order, input.device)
        lengths = [lengths[i] for i in order]
    batch_sizes = _batch_sizes(lengths)
    # row b of step t sits at t * B + b (sequence first) or b * T + t (batch first) of the flattened batch
    rows = [order[b] * steps + t if batch_first else t * batch + order[b]
            for t, size in enumerate(batch_sizes) for b in range(size)]
    flat = input.reshape((batch * steps,) + tuple(input.shape[2:]))
    data = flat.index_select(0, _index(rows, input.device))
    return PackedSequence(data, tensor(batch_sizes, dtype=int64), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple:
    """The inverse of ``pack_padded_sequence``: (padded batch, lengths), in the original batch order."""
    batch_sizes = [int(n) for n in sequence.batch_sizes.tolist()]
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    data = sequence.data
    batch = batch_sizes[0] if batch_sizes else 0
    lengths = [sum(1 for size in batch_sizes if size > b) for b in range(batch)]
    order = sequence.unsorted_indices.tolist() if sequence.unsorted_indices is not None else list(range(batch))
    starts = [sum(batch_sizes[:t]) for t in range(len(batch_sizes))]
    pad_row = data.shape[0]  # the padding row appended below
    position = [[starts[t] + b if t < lengths[b] else pad_row for b in order] for t in range(steps)]
    if batch_first:
        position = [list(col) for col in zip(*position)] if steps else [[] for _ in order]
    rows = [r for line in position for r in line]
    padding = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, padding]).index_select(0, _index(rows, data.device))
    shape = (batch, steps) if batch_first else (steps, batch)
    return padded.reshape(shape + tuple(data.shape[1:])), tensor([lengths[b] for b in order], dtype=int64)


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *)), T the longest L_i,
    filling with ``padding_value`` on the ``padding_side`` ('right' or 'left')."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if s.ndim == 0 or tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence needs the trailing shape {list(trailing)} of the first, "
                               f"got {list(s.shape)}")
    lengths = [s.shape[0] for s in sequences]
    steps, batch = max(lengths), len(sequences)
    first = sequences[0]
    padding = full((1,) + trailing, padding_value, dtype=first.dtype, device=first.device)
    pad_row = sum(lengths)
    starts = [sum(lengths[:b]) for b in range(batch)]

    def row(t: int, b: int) -> int:
        shift = steps - lengths[b] if padding_side == "left" else 0
        return starts[b] + t - shift if 0 <= t - shift < lengths[b] else pad_row

    rows = [row(t, b) for b in range(batch) for t in range(steps)] if batch_first else \
        [row(t, b) for t in range(steps) for b in range(batch)]
    padded = cat(list(sequences) + [padding]).index_select(0, _index(rows, first.device))
    return padded.reshape(((batch, steps) if batch_first else (steps, batch)) + trailing)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """The inverse of ``pad_sequence``: the list of sequences, each cut to its length."""
    batch_major = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(batch_major.unbind(0), _lengths_list(lengths), strict=True)]


def pack_sequence(sequences: list, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes (L_i, *) (decreasing lengths unless ``enforce_sorted=False``)."""
    lengths = [v.shape[0] for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The inverse of ``pack_sequence``: the list of sequences."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]
