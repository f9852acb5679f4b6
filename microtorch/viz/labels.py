"""The text inside the nodes: shapes, values, op arguments, wrapped to lines of about 40 characters."""
from __future__ import annotations

from typing import Any

from .._dtype import as_dtype
from .._tensor import Tensor

_ARG_WIDTH = 40  # characters of one argument before it is cut, and of one label line before it wraps


def shape_text(shape: tuple) -> str:
    """A shape as Python prints a tuple: ``(3, 2)``, ``()``."""
    return _format_arg(tuple(shape))


def format_value(v: Any) -> str:
    """A number as regrad prints values: floats with 4 decimals; a one-element array as its number."""
    if hasattr(v, "item") and getattr(v, "size", 1) == 1:
        v = v.item()
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def meta_lines(shape: tuple, array_dtype: Any, device: Any, value: Any = None) -> list[str]:
    """``(3, 2) float32 cpu``, then the value of a one-element tensor."""
    lines = [f"{shape_text(shape)} {as_dtype(array_dtype).name} {device}"]
    if value is not None:
        lines.append(format_value(value))
    return lines


def tensor_lines(t: Tensor) -> list[str]:
    """A leaf's lines: its meta, its value if it has one element, its one-element gradient."""
    lines = meta_lines(t._data.shape, t._data.dtype, t._device, t._data if t.numel() == 1 else None)
    if t._grad is not None and t._grad.numel() == 1:
        lines.append(f"grad {format_value(t._grad._data)}")
    return lines


def _format_arg(v: Any) -> str:
    if isinstance(v, Tensor):
        return f"tensor{shape_text(v.shape)}"
    if hasattr(v, "shape") and hasattr(v, "dtype"):  # a backend array
        return f"array{shape_text(v.shape)}"
    if isinstance(v, slice):
        parts = ["" if p is None else _format_arg(p) for p in (v.start, v.stop, v.step)]
        return ":".join(parts[:2] if v.step is None else parts)
    if v is Ellipsis:
        return "..."
    if isinstance(v, list):
        return "[" + ", ".join(map(_format_arg, v)) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(map(_format_arg, v)) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def op_lines(op: Any, outputs: dict) -> list[str]:
    """An op's arguments (wrapped), then what is known of its outputs."""
    args = []
    for k, v in (getattr(op, "params", None) or {}).items():
        text = f"{k}={_format_arg(v)}"
        args.append(text if len(text) <= _ARG_WIDTH else text[: _ARG_WIDTH - 1] + "…")
    lines, line = [], ""
    for a in args:  # wrap the arguments into lines of about _ARG_WIDTH characters
        if line and len(line) + 2 + len(a) > _ARG_WIDTH:
            lines.append(line + ",")
            line = a
        else:
            line = f"{line}, {a}" if line else a
    if line:
        lines.append(line)
    for nr in range(op.n_outputs):
        m = outputs.get((id(op), nr))
        if m is not None:
            out = meta_lines(*m)
            lines.extend(out if op.n_outputs == 1 else [f"[{nr}] {x}" for x in out])
    return lines

