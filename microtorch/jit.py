"""``microtorch.jit``: ``script`` and ``trace`` return the callable itself, with a one-time warning
that no compilation happens (TorchScript export is not supported)."""
from __future__ import annotations

import warnings
from typing import Any, Callable

_warned = False


def _warn_once(what: str) -> None:
    """Warn on the first call (every call after ``microtorch.set_warn_always(True)``)."""
    global _warned
    from . import is_warn_always_enabled

    if not _warned or is_warn_always_enabled():
        _warned = True
        warnings.warn(f"microtorch.jit.{what} does not compile: the callable runs eagerly, unchanged "
                      "(TorchScript is not supported)", UserWarning, stacklevel=3)


def script(obj: Callable, optimize: Any = None, _frames_up: int = 0, _rcb: Any = None,
           example_inputs: Any = None) -> Callable:
    """Return ``obj`` unchanged (warns once)."""
    _warn_once("script")
    return obj


def trace(func: Callable, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Callable:
    """Return ``func`` unchanged (warns once); ``example_inputs`` are not run."""
    _warn_once("trace")
    return func


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@torch.jit.ignore``: leaves the function as it is."""
    return drop if callable(drop) else (lambda fn: fn)


unused = export = ignore


def is_scripting() -> bool:
    """False: microtorch has no TorchScript, so code never runs scripted."""
    return False


def is_tracing() -> bool:
    """False: microtorch has no tracer, so code never runs traced."""
    return False


__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing"]
