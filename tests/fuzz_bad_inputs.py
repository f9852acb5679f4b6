"""A fuzz of the public API with bad values, run on torch and microtorch alike (issue 15, item 4).

Every public function both libraries have (``microtorch.<name>`` and ``torch.<name>``) and every public
Tensor method both have is called with each value of a catalogue of bad ones (None, strings, ragged
lists, objects, complex numbers, huge ints, nan/inf, negative sizes, 0-size tensors, out-of-range dims,
unknown and absent devices), as the first argument and, after a valid tensor, as the second. Each
call's outcome is classified:

* ``ok``: both raise (microtorch with a non-internal exception), or both succeed;
* ``accepted``: torch raises and microtorch does not;
* ``internal``: microtorch raises AttributeError, NameError, UnboundLocalError, or an error raised
  inside NumPy that surfaced unwrapped;
* ``refused``: torch succeeds and microtorch raises;
* ``unsupported``: torch succeeds and microtorch refuses a feature it documents as unsupported (sparse layouts:
  its ``UnsupportedError``, a NotImplementedError naming the feature). Not a failure, but counted and printed, so
  the cases stay in sight. Where torch raises for a bad argument, microtorch checks the argument first.

``python tests/fuzz_bad_inputs.py`` prints the figures by class and the failing cases.
"""
from __future__ import annotations

import math
import signal
import traceback
import warnings
from collections import Counter
from typing import Any, Callable

import torch

import microtorch as mt
from microtorch._unsupported import UnsupportedError

# names whose calls change global state, touch files or the network, or take long on any argument
SKIP = {
    "save", "load", "manual_seed", "seed", "set_default_dtype", "set_default_device", "set_printoptions",
    "set_num_threads", "set_num_interop_threads", "set_grad_enabled", "use_deterministic_algorithms",
    "set_rng_state", "compile", "from_dlpack", "set_anomaly_enabled", "autocast", "backward", "register_hook",
    "share_memory_", "pin_memory", "set_flush_denormal", "set_warn_always", "inference_mode", "no_grad",
    "enable_grad", "Generator", "device", "dtype", "Size", "tensor_split", "storage", "untyped_storage",
    "apply_", "map_", "register_post_accumulate_grad_hook", "retain_grad", "requires_grad_", "detach_",
    "resize_", "resize_as_", "set_", "uniform_", "normal_", "random_", "exponential_", "geometric_",
    "cauchy_", "log_normal_", "bernoulli_",
}

BAD_VALUES: dict[str, Callable[[Any], Any]] = {
    "None": lambda lib: None,
    "str": lambda lib: "abc",
    "ragged list": lambda lib: [[1, 2], [3]],
    "object": lambda lib: object(),
    "complex": lambda lib: 1 + 2j,
    "huge int": lambda lib: 2**70,
    "nan": lambda lib: math.nan,
    "inf": lambda lib: math.inf,
    "negative size": lambda lib: -3,
    "0-size tensor": lambda lib: lib.zeros(0, 3),
    "out-of-range dim": lambda lib: 99,
    "unknown device": lambda lib: "nosuchdevice",
    "absent device": lambda lib: "cuda:7",
    "bool tensor": lambda lib: lib.tensor([True, False]),
    "list of tensors and None": lambda lib: [lib.ones(2), None],
}


def _functions() -> list[str]:
    names = []
    for name in sorted(dir(mt)):
        if name.startswith("_") or name in SKIP or not hasattr(torch, name):
            continue
        ours, theirs = getattr(mt, name), getattr(torch, name)
        if callable(ours) and callable(theirs) and not isinstance(ours, type) and not isinstance(theirs, type):
            names.append(name)
    return names


def _methods() -> list[str]:
    return [name for name in sorted(dir(mt.Tensor))
            if not name.startswith("_") and name not in SKIP and callable(getattr(mt.Tensor, name, None))
            and callable(getattr(torch.Tensor, name, None))]


def cases() -> list[tuple[str, str, int]]:
    """``(kind:name, bad value, position)`` for every call of the fuzz."""
    result = []
    for name in _functions():
        for value in BAD_VALUES:
            result += [(f"function:{name}", value, 0), (f"function:{name}", value, 1)]
    for name in _methods():
        for value in BAD_VALUES:
            result.append((f"method:{name}", value, 0))
    return result


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _call(lib, target: str, value_name: str, position: int) -> BaseException | None:
    kind, name = target.split(":")
    x = lib.arange(6.0).reshape(2, 3)
    value = BAD_VALUES[value_name](lib)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "method":
                getattr(x, name)(value)
            elif position == 0:
                getattr(lib, name)(value)
            else:
                getattr(lib, name)(x, value)
    except _Timeout:
        raise
    except Exception as e:  # classified by the caller
        return e
    return None


def _is_internal(error: BaseException) -> bool:
    if isinstance(error, (AttributeError, NameError, UnboundLocalError)):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    innermost = frames[-1].filename.replace("\\", "/") if frames else ""
    return "/numpy/" in innermost and not any("/microtorch/" in f.filename.replace("\\", "/") and
                                              f.line and "raise" in f.line for f in frames)


def classify(target: str, value_name: str, position: int) -> str:
    """``ok``, ``accepted``, ``internal``, ``refused``, ``unsupported`` or ``slow`` (more than 2 s in microtorch)."""
    theirs = _call(torch, target, value_name, position)
    previous = signal.signal(signal.SIGALRM, _on_alarm) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        ours = _call(mt, target, value_name, position)
    except _Timeout:
        return "slow"
    finally:
        if previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if ours is not None and _is_internal(ours):
        return "internal"
    if theirs is not None and ours is None:
        return "accepted"
    if theirs is None and isinstance(ours, UnsupportedError):
        return "unsupported"
    if theirs is None and ours is not None:
        return "refused"
    return "ok"


def main() -> None:
    results = {case: classify(*case) for case in cases()}
    figures = Counter(results.values())
    print(f"{len(results)} calls: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.items())))
    for case, outcome in sorted(results.items()):
        if outcome != "ok":
            print(outcome, *case)


if __name__ == "__main__":
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, resource.RLIM_INFINITY))  # a bad size fails, not swaps
    main()
