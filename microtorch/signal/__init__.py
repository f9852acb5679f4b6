"""``torch.signal``: signal-processing helpers (the window functions of ``signal.windows``)."""
from . import windows

__all__ = ["windows"]
