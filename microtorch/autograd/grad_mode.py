"""Grad mode: whether ops record the graph. ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The flag is one module global read by every op, so checking it costs one
attribute load. (torch keeps it per thread; microtorch runs autograd on one.)
"""
from __future__ import annotations

import functools
from typing import Any, Callable

enabled = True


def is_grad_enabled() -> bool:
    return enabled


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    mode: bool

    def __enter__(self) -> None:
        global enabled
        self._prev = enabled
        enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        global enabled
        enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Ops inside do not record a graph: ``with no_grad(): ...`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (microtorch has no separate inference tensors); ``inference_mode(False)`` changes nothing."""

    def __init__(self, mode: bool = True) -> None:
        self._active = bool(mode)

    @property
    def mode(self) -> bool:
        return False if self._active else enabled


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` as a function call, context manager or decorator."""

    def __init__(self, mode: bool) -> None:
        global enabled
        self.mode = bool(mode)
        self._prev = enabled
        enabled = self.mode  # takes effect at once when called as a function, as in torch

    def __enter__(self) -> None:  # the switch already happened in __init__
        pass

    def __call__(self, fn: Callable) -> Callable:
        global enabled
        enabled = self._prev  # used as a decorator: undo the immediate switch
        return super().__call__(fn)
