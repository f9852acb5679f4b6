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
        return _running_in(fn, set_grad_enabled, self.mode)


def _running_in(fn: _F, switch: Any, mode: bool) -> _F:
    """``fn`` wrapped to run inside ``switch(mode)`` (a fresh context each call: decorated functions nest)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with switch(mode):
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
        return _running_in(fn, inference_mode, self._active)


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


class set_multithreading_enabled:
    """torch's switch for running backward on several threads, as a call, context manager or decorator. microtorch's
    engine runs backward on the calling thread either way: the setting is kept (and restored on exit) and changes
    nothing else."""

    enabled = True  # (the process-wide setting, torch's default)

    def __init__(self, mode: bool) -> None:
        self.mode, self._prev = bool(mode), set_multithreading_enabled.enabled
        set_multithreading_enabled.enabled = self.mode  # takes effect at once, as torch's

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        set_multithreading_enabled.enabled = self._prev

    def __call__(self, fn: _F) -> _F:
        """Decorate ``fn``: it runs with the setting ``mode``."""
        set_multithreading_enabled.enabled = self._prev  # used as a decorator: undo the immediate switch
        return _running_in(fn, set_multithreading_enabled, self.mode)

    def clone(self) -> "set_multithreading_enabled":
        """A new switch with the same mode (torch's)."""
        return set_multithreading_enabled(self.mode)

