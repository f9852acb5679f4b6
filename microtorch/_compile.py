"""``microtorch.compile``: there is no compiler, so the module or function comes back unchanged.

Scripts call ``model = torch.compile(model, mode="max-autotune")``; every keyword torch's
``compile`` takes is accepted, and the model runs eagerly as before.
"""
from __future__ import annotations

from typing import Any, Callable


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,  # noqa: A001
            backend: Any = "inductor", mode: str | None = None, options: dict | None = None,
            disable: bool = False) -> Any:
    """Return ``model`` itself (or, called without one, a decorator that returns its function)."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError("torch.compile() expects a callable (a Module or a function)")
    return model


def is_compiling() -> bool:
    """False: nothing is ever being compiled."""
    return False
