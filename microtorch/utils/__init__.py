"""Utilities with ``torch.utils``'s names: ``data`` (datasets and loaders), ``checkpoint`` (recomputed activations),
``deterministic``."""
from . import checkpoint, data, deterministic

__all__ = ["checkpoint", "data", "deterministic"]
