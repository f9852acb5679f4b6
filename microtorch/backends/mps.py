"""``microtorch.backends.mps``: there is no Metal backend, so both answers are False."""
from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
