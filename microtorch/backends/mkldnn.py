"""``microtorch.backends.mkldnn``: torch's oneDNN flag, settable and harmless (NumPy's BLAS does the CPU work)."""
from __future__ import annotations

enabled = True


def is_available() -> bool:
    """False: microtorch does not use oneDNN."""
    return False
