"""``detect_anomaly()``: stop at the first op whose backward produces nan or inf, and say
where that op was created in the forward pass.

The flag is process-wide, as torch's (its AnomalyMode is one static flag, unlike grad mode)."""
from __future__ import annotations

import functools
import traceback
from typing import Any, Callable

enabled = False


def creation_trace() -> str:
    """The user's call stack when an op is recorded (kept only while anomaly mode is on)."""
    frames = [f for f in traceback.extract_stack()[:-2] if "/microtorch/" not in f.filename.replace("\\", "/")]
    return "".join(traceback.format_list(frames[-8:]))


def check(node: Any, input_grads: tuple) -> None:
    for i, g in enumerate(input_grads):
        if g is None:
            continue
        if not bool(g.device.backend.xp.isfinite(g._data).all()):
            where = getattr(node, "creation_trace", None)
            hint = f"\nThe op was created here (forward pass):\n{where}" if where else ""
            raise RuntimeError(f"Function '{node.name()}' returned nan or inf values in its {i}th output.{hint}")


class detect_anomaly:
    """Context manager (and decorator) that checks every gradient backward produces."""

    def __init__(self, check_nan: bool = True) -> None:
        self.mode = check_nan

    def __enter__(self) -> None:
        global enabled
        self._prev, enabled = enabled, self.mode

    def __exit__(self, *exc: Any) -> None:
        global enabled
        enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.mode):
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off (as a function, a context manager or a decorator)."""
    global enabled
    enabled = bool(mode)


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (backward then checks for nan gradients and names the op)."""
    return enabled
