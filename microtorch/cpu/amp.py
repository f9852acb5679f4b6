"""``microtorch.cpu.amp``: torch's older CPU spellings of ``microtorch.amp`` (device 'cpu')."""
from __future__ import annotations

from typing import Any

from .. import _dtype
from .. import amp as _amp


class autocast(_amp.autocast):
    """``autocast("cpu", ...)`` (bfloat16 by default)."""

    def __init__(self, enabled: bool = True, dtype: Any = _dtype.bfloat16, cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``GradScaler("cpu", ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
