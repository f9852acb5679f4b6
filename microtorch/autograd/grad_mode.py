"""Grad mode: whether ops record the graph. ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``.

Both flags are per thread, as torch's: a thread inside ``no_grad()`` does not stop another
thread's recording, and every new thread starts with recording on. Ops read
``state.enabled``, one attribute of a ``threading.local`` (a few tens of nanoseconds).
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar, cast

_F = TypeVar("_F", bound=Callable[..., Any])  # a decorated function keeps its type


class _GradState(threading.local):
    """This thread's modes; the class attributes are what a new thread starts with."""

    enabled = True  # grad mode
    inference = False  # inside inference_mode()


state = _GradState()


def is_grad_enabled() -> bool:
    """Whether this thread records ops for autograd, as ``torch.is_grad_enabled``."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether this thread is inside ``inference_mode()``, as ``torch.is_inference_mode_enabled``."""
    return state.inference


def __getattr__(name: str) -> Any:
    # ``grad_mode.state.enabled`` was a module global before it became per thread; code written
    # against it (on other branches) still reads the right value, if slowly
    if name == "enabled":
        return state.enabled
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    mode: bool

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        state.enabled = self._prev

    def __call__(self, fn: _F) -> _F:
        """Decorate ``fn``: it runs with this mode."""
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return cast(_F, wrapper)


class no_grad(_GradModeContext):
    """Ops inside do not record a graph: ``with no_grad(): ...`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (microtorch has no separate inference tensors); ``inference_mode(False)``
    turns recording on and inference mode off inside, as torch's."""

    def __init__(self, mode: bool = True) -> None:
        self._active = bool(mode)
        self.mode = not self._active

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inference = state.inference
        state.inference = self._active

    def __exit__(self, *exc: Any) -> None:
        super().__exit__()
        state.inference = self._prev_inference

    def __call__(self, fn: _F) -> _F:
        """Decorate ``fn``: it runs in (or, with False, out of) inference mode."""
        active = self._active

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(active):
                return fn(*args, **kwargs)

        return cast(_F, wrapper)


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` as a function call, context manager or decorator."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self.mode  # takes effect at once when called as a function, as in torch

    def __enter__(self) -> None:  # the switch already happened in __init__
        pass

    def __call__(self, fn: _F) -> _F:
        """Decorate ``fn``: it runs with grad mode ``mode``."""
        state.enabled = self._prev  # used as a decorator: undo the immediate switch
        return super().__call__(fn)
