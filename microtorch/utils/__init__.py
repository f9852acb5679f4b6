"""Utilities with ``torch.utils``'s names: ``microtorch.utils.data`` (datasets and loaders)."""
from . import data, deterministic

__all__ = ["data", "deterministic"]
