"""``LinearCrossEntropyOptions``: the chunking options of ``F.linear_cross_entropy`` (torch's fields and checks)."""
from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["LinearCrossEntropyOptions"]

_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """Chunking options of ``linear_cross_entropy`` (torch's fields and checks; microtorch computes the reference
    path whatever they say)."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not (name == "aspect_ratio" and (factor if sep else "1").isdigit() and int(factor or "1") > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        chunk = self.batch_chunk_size
        if not (chunk is None or isinstance(chunk, int) and not isinstance(chunk, bool) and chunk > 0):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {chunk!r}")
        if self.acc_dtype is not None and str(self.acc_dtype).split(".")[-1] not in (
                "float16", "bfloat16", "float32", "float64"):
            raise ValueError(f"acc_dtype must be one of {{None, float16, bfloat16, float32, float64}}, "
                             f"got {self.acc_dtype!r}. Pass acc_dtype=None to let the op pick automatically.")
