"""``microtorch.backends.cudnn``: torch's cuDNN flags, settable and harmless (microtorch does not call cuDNN;
its convolutions are im2col + GEMM, deterministic on every backend)."""
from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    """False: microtorch has no cuDNN kernels."""
    return False


def version() -> None:
    """None, as torch's without cuDNN."""
    return None


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, deterministic: bool = False, allow_tf32: bool = True,
          **kwargs: Any) -> Iterator[None]:
    """Set the flags inside a ``with`` block, as ``torch.backends.cudnn.flags``."""
    module = sys.modules[__name__]
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    old = {n: getattr(module, n) for n in names}
    for n, v in zip(names, (enabled, benchmark, deterministic, allow_tf32)):
        setattr(module, n, v)
    try:
        yield
    finally:
        for n, v in old.items():
            setattr(module, n, v)
