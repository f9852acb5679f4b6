"""``microtorch.amp``: automatic mixed precision, as ``torch.amp`` (``autocast`` and ``GradScaler``)."""
from __future__ import annotations

from .autocast_mode import (
    autocast, custom_bwd, custom_fwd, get_autocast_dtype, is_autocast_available, is_autocast_enabled,
)
from .grad_scaler import GradScaler, OptState

__all__ = ["autocast", "GradScaler", "OptState", "is_autocast_available", "is_autocast_enabled",
           "get_autocast_dtype", "custom_fwd", "custom_bwd"]
