"""``microtorch.jit``: ``script`` and ``trace`` return the callable itself, with a one-time warning
that no compilation happens (TorchScript export is not supported)."""
from __future__ import annotations

from typing import Any, Callable

from ._warn_once import warn_once


def _warn_once(what: str) -> None:
    """Warn on the first call of script or trace (every call after ``microtorch.set_warn_always(True)``)."""
    warn_once("jit", f"microtorch.jit.{what} does not compile: the callable runs eagerly, unchanged "
              "(TorchScript is not supported)", stacklevel=3)


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
