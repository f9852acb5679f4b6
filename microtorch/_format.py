"""Printing tensors the way torch does: ``tensor([[0.1000, 2.0000]], requires_grad=True)``."""
from __future__ import annotations

import math
import sys
from typing import Any

from ._dtype import default_complex_dtype, get_default_dtype
from .autograd.function import stale_no_grad_view
from .backends import get_backend



class _PrintOptions:
    """What ``set_printoptions`` sets (torch's ``PRINT_OPTS``)."""

    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()
_PROFILES: dict[str, dict[str, Any]] = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as ``torch.set_printoptions``: a ``profile`` ('default', 'short', 'full') first,
    then any option given; ``sci_mode`` True/False forces or forbids scientific notation (None: automatic)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {', '.join(_PROFILES)}, got {profile!r}")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def _float_formatter(values: Any) -> Any:
    """torch's choice: integral values print as '1.', wide ranges in scientific notation, else fixed."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    nonzero = [v for v in finite if v != 0]
    wide = bool(nonzero) and (max(nonzero) / min(nonzero) > 1000.0 or max(nonzero) > 1e8)
    int_mode = all(v == int(v) for v in finite)
    sci = wide if int_mode else wide or bool(nonzero) and min(nonzero) < 1e-4
    if PRINT_OPTS.sci_mode is not None:  # set_printoptions(sci_mode=...) overrides the automatic choice
        sci = PRINT_OPTS.sci_mode
    precision = PRINT_OPTS.precision
    fmt = "{:.%de}" % precision if sci else "{:.0f}." if int_mode else "{:.%df}" % precision

    def one(v: float) -> str:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return fmt.format(v)

    # torch sizes the columns by the nonzero finite values only: nan, inf and 0 never widen them
    width = max((len(one(v)) for v in values if math.isfinite(v) and v != 0), default=1)
    return lambda v: one(float(v)).rjust(width)


def _complex_formatter(values: Any) -> Any:
    """torch's complex elements: the real parts formatted as one float column, the imaginary parts as another
    (unpadded, with their sign), then ``j``: ``1.5000+2.j``."""
    real = _float_formatter([float(v) for v in values.real])
    imag = _float_formatter([float(v) for v in values.imag])

    def one(v: Any) -> str:
        imag_str = imag(v.imag).lstrip()
        return real(v.real) + ("" if imag_str[0] in "+-" else "+") + imag_str + "j"

    return one


def format_tensor(t: Any) -> str:
    numpy = get_backend("cpu").xp
    data = t._device.backend.to_numpy(t._data)
    name = data.dtype.name
    if data.dtype.kind == "V":  # bfloat16 (ml_dtypes): printed from its exact float32 values
        data = data.astype("float32")
    kind = data.dtype.kind
    flat = data.reshape(-1)
    threshold = PRINT_OPTS.threshold if PRINT_OPTS.threshold != math.inf else sys.maxsize
    if flat.size > threshold:  # only the printed corners decide the format
        k = PRINT_OPTS.edgeitems
        sample = numpy.concatenate([flat[:k], flat[-k:]])
    else:
        sample = flat
    if kind == "f":
        formatter = {"float_kind": _float_formatter([float(v) for v in sample])}
    elif kind == "c":
        formatter = {"complex_kind": _complex_formatter(sample)}
    elif kind == "b":
        width = 5 if not sample.all() else 4
        formatter = {"bool": lambda v: str(bool(v)).rjust(width)}
    else:
        width = max((len(str(int(v))) for v in sample), default=0)
        formatter = {"int": lambda v: str(int(v)).rjust(width)}
    prefix = "tensor("
    if data.size == 0:
        body = "[]"
    else:
        body = numpy.array2string(
            data, separator=", ", prefix=prefix, formatter=formatter, threshold=threshold, edgeitems=PRINT_OPTS.edgeitems,
            max_line_width=PRINT_OPTS.linewidth,
        ).replace(", ..., ", ",  ..., ")  # torch pads the ellipsis like an element
    suffix = []
    if t._device.type != "cpu":
        suffix.append(f"device='{t._device}'")
    if data.size == 0 and data.ndim != 1:  # `[]` alone does not say the shape
        suffix.append(f"size={tuple(data.shape)}")
    default = default_complex_dtype().name if kind == "c" else get_default_dtype().name
    if not (name in ("int64", "bool") or name == default) or data.size == 0 and name != get_default_dtype().name:
        suffix.append(f"dtype=microtorch.{name}")
    if stale_no_grad_view(t):  # (its grad_fn raises)
        suffix.append("grad_fn=<Invalid>")
    elif t._grad_fn is not None:
        suffix.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffix.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffix) + ")"
