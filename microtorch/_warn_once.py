"""Warnings torch gives once per process (its TORCH_WARN_ONCE), and on every call after ``set_warn_always(True)``."""
from __future__ import annotations

import warnings

#: the keys of the warnings already given (tests clear it to see a first call again)
given: set = set()


def warn_once(key: str, message: str, stacklevel: int = 2) -> None:
    """Warn ``message`` (a UserWarning) the first time ``key`` is seen; ``stacklevel`` counts from the caller."""
    from . import is_warn_always_enabled

    if key not in given or is_warn_always_enabled():
        given.add(key)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)
