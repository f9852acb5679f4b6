"""A fuzz of the public API with bad values, run on torch and microtorch alike (issue 15, item 4).

Every public function both libraries have (``microtorch.<name>`` and ``torch.<name>``, and the same in
``nn.functional``, ``linalg``, ``special`` and ``fft``) and every public Tensor method both have is called with
each value of a catalogue of bad ones (None, strings, ragged lists, objects, complex numbers, huge ints,
nan/inf, negative sizes, 0-size tensors, out-of-range dims, unknown and absent devices), as the first argument
and, after a valid tensor, as the second; every ``nn`` Module class both have is constructed with the bad value
as each of its first two constructor arguments (3 for the other required ones: ``nn.Linear(bad, 3)``,
``nn.Conv2d(3, bad, 3)``). Each call's outcome is classified:

* ``ok``: both raise (microtorch with a non-internal exception), or both succeed;
* ``accepted``: torch raises and microtorch does not;
* ``internal``: microtorch raises AttributeError, NameError, UnboundLocalError, or an error raised
  inside NumPy that surfaced unwrapped;
* ``refused``: torch succeeds and microtorch raises;
* ``refused-early`` (not a failure): a Module constructor microtorch refuses, whose torch module fails at its
  first forward on every input tried while the class built with good arguments runs (``torch_refuses_at_forward``);
* ``unsupported``: torch succeeds and microtorch refuses a feature it documents as unsupported (sparse layouts:
  its ``UnsupportedError``, a NotImplementedError naming the feature). Not a failure, but counted and printed, so
  the cases stay in sight. Where torch raises for a bad argument, microtorch checks the argument first.

``python tests/fuzz_bad_inputs.py`` prints the figures by class and the failing cases.
"""
from __future__ import annotations

import builtins
import inspect
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


#: the namespaces whose functions the fuzz calls
NAMESPACES = ("", "nn.functional", "linalg", "special", "fft")


def _resolve(lib: Any, dotted: str) -> Any:
    """``lib.nn.functional.relu`` from ``"nn.functional.relu"`` (None where a part is missing)."""
    for part in dotted.split("."):
        lib = getattr(lib, part, None)
    return lib


def _functions() -> list[str]:
    names = []
    for namespace in NAMESPACES:
        ours_ns, theirs_ns = (_resolve(lib, namespace) if namespace else lib for lib in (mt, torch))
        if ours_ns is None or theirs_ns is None:
            continue
        for name in sorted(dir(ours_ns)):
            if name.startswith("_") or name in SKIP or not hasattr(theirs_ns, name):
                continue
            ours, theirs = getattr(ours_ns, name), getattr(theirs_ns, name)
            if (callable(ours) and callable(theirs) and not isinstance(ours, type) and not isinstance(theirs, type)
                    and not inspect.ismodule(ours)):
                names.append(f"{namespace}.{name}" if namespace else name)
    return names


def _modules() -> dict[str, int]:
    """The ``nn`` Module classes both libraries have -> how many positional parameters torch's constructor has."""
    found = {}
    for name in sorted(dir(mt.nn)):
        ours, theirs = getattr(mt.nn, name), getattr(torch.nn, name, None)
        if (name.startswith("_") or name in SKIP or not isinstance(ours, type) or not isinstance(theirs, type)
                or not issubclass(theirs, torch.nn.Module)):
            continue
        params = list(inspect.signature(theirs.__init__).parameters.values())[1:]
        found[name] = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    return found


def _constructor_args(name: str, value: Any, position: int) -> list:
    """The bad value at ``position`` among torch's required constructor arguments, 3 for each of the others."""
    params = list(inspect.signature(getattr(torch.nn, name).__init__).parameters.values())[1:]
    required = sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    args: list = [3] * builtins.max(required, position + 1)
    args[position] = value
    return args


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
    for name, positional in _modules().items():
        for value in BAD_VALUES:
            result += [(f"module:{name}", value, position) for position in range(builtins.min(2, positional))]
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
            elif kind == "module":
                getattr(lib.nn, name)(*_constructor_args(name, value, position))
            elif position == 0:
                _resolve(lib, name)(value)
            else:
                _resolve(lib, name)(x, value)
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


def _timed(function: Callable, *args: Any) -> Any:
    """``function(*args)`` under a 2 s alarm (where the platform has one); _Timeout propagates."""
    previous = signal.signal(signal.SIGALRM, _on_alarm) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        return function(*args)
    finally:
        if previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _forward_inputs(shape: tuple) -> list[tuple]:
    """What a Module's first forward is tried on: one tensor, two (losses), a tensor and int indices (unpooling),
    CTC's four."""
    x = torch.rand(shape)
    ctc = (torch.rand(5, 2, 4).log_softmax(2), torch.ones(2, 3, dtype=torch.long), torch.full((2,), 5),
           torch.full((2,), 3))  # (log_probs, targets, input_lengths, target_lengths)
    return [(x,), (x, torch.rand(shape)), (x, torch.zeros(shape, dtype=torch.long)), ctc]


def _runs_a_forward(build: Callable[[], Any]) -> bool:
    """Whether a torch module from ``build()`` runs on any of the tried inputs (tensors of rank 2 to 5); a fresh
    one for each try, as a lazy module takes its shapes from the first input it sees, even one it fails on."""
    for shape in ((2, 3), (1, 2, 4), (1, 2, 4, 4), (1, 2, 4, 4, 4)):
        for inputs in _forward_inputs(shape):
            try:
                build()(*inputs)
                return True
            except Exception:
                pass
    return False


def torch_refuses_at_forward(target: str, value_name: str, position: int) -> bool:
    """For a Module torch builds with the bad value: whether torch's module then fails its first forward on every
    tried input, while the same class built with good arguments runs on one of them (the control). microtorch's
    refusal in the constructor is then torch's refusal, made earlier."""
    name = target.split(":")[1]
    cls = getattr(torch.nn, name)
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    required = sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad_args = _constructor_args(name, BAD_VALUES[value_name](torch), position)
        try:
            cls(*bad_args)
        except Exception:
            return False
        return _runs_a_forward(lambda: cls(*[3] * required)) and not _runs_a_forward(lambda: cls(*bad_args))


def _refuses_at_forward_in_time(target: str, value_name: str, position: int) -> bool:
    try:
        return _timed(torch_refuses_at_forward, target, value_name, position)
    except _Timeout:
        return False


def classify(target: str, value_name: str, position: int) -> str:
    """``ok``, ``accepted``, ``internal``, ``refused``, ``refused-early``, ``unsupported``, ``slow`` (more than 2 s in
    microtorch) or ``torch slow`` (more than 2 s in torch: ``nn.TransformerDecoder(3, 2**70)`` clones layers for
    ever; nothing to compare against, so not a failure)."""
    try:
        theirs = _timed(_call, torch, target, value_name, position)
    except _Timeout:
        return "torch slow"
    try:
        ours = _timed(_call, mt, target, value_name, position)
    except _Timeout:
        return "slow"
    if ours is not None and _is_internal(ours):
        return "internal"
    if theirs is not None and ours is None:
        return "accepted"
    if theirs is None and isinstance(ours, UnsupportedError):
        return "unsupported"
    if theirs is None and ours is not None:
        if target.startswith("module:") and _refuses_at_forward_in_time(target, value_name, position):
            return "refused-early"
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
