"""bfloat16 through the optional ``ml_dtypes`` package (the NumPy dtype extension JAX uses).

Importing ``ml_dtypes`` registers the ``'bfloat16'`` dtype name with NumPy, after which arrays of
that dtype are made and cast like any other.
"""
from __future__ import annotations

_loaded: bool | None = None


def available() -> bool:
    """Whether ``ml_dtypes`` can be imported (imports it on the first call)."""
    global _loaded
    if _loaded is None:
        try:
            import ml_dtypes  # noqa: F401
        except ImportError:
            _loaded = False
        else:
            _loaded = True
    return _loaded


def require() -> None:
    """Raise a clear error naming the package when bfloat16 cannot be used."""
    if not available():
        raise RuntimeError(
            "bfloat16 tensors need the ml_dtypes package: install it with `pip install ml_dtypes` "
            "(or `pip install -e \".[bf16]\"` from a microtorch checkout)"
        )
