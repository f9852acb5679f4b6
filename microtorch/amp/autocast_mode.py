"""``autocast``: mixed precision regions, following torch's autocast op lists per device.

Inside ``with microtorch.autocast("cuda"):`` (or ``"cpu"``) an op on the lower-precision list casts
its floating inputs to the region's dtype (float16 on cuda, bfloat16 on cpu by default), an op on
the float32 list casts them to float32, and a "promote" op casts them to the widest among them.
float64 tensors are never cast, as torch's. Casts are recorded ops, so gradients reach the original
parameters in their own dtype.

The lists are torch's (``aten/src/ATen/autocast_mode.cpp``), restricted to the ops microtorch has,
keyed by where microtorch implements each: an ``Op`` class (its ``apply`` is wrapped) or a function
in a module. The wrappers are installed while at least one region is enabled and removed after the
last one ends, so code outside autocast pays nothing; inside, each thread sees its own state.
"""
from __future__ import annotations

import functools
import importlib
import threading
import warnings
from typing import Any, Callable

from .. import _dtype
from .._tensor import Tensor

# torch op name -> (microtorch module, attribute): an Op class or a function
_SITES = {
    "matmul": ("microtorch.autograd.ops.linalg", "MatMul"),  # also mm, bmm, addmm, dot, __matmul__
    "addmm": ("microtorch.autograd.ops.linalg", "addmm"),
    "einsum": ("microtorch.autograd.ops.linalg", "Einsum"),
    "linear": ("microtorch.nn.functional", "linear"),  # (functions that check dtypes: wrapped before the check)
    "conv1d": ("microtorch.nn.functional", "conv1d"),
    "conv2d": ("microtorch.nn.functional", "conv2d"),
    "conv_transpose1d": ("microtorch.nn.functional", "conv_transpose1d"),
    "conv_transpose2d": ("microtorch.nn.functional", "conv_transpose2d"),
    "exp": ("microtorch.autograd.ops.elementwise", "Exp"),
    "log": ("microtorch.autograd.ops.elementwise", "Log"),  # also log2, log10
    "log1p": ("microtorch.autograd.ops.elementwise", "Log1p"),
    "expm1": ("microtorch.autograd.ops.elementwise", "Expm1"),
    "reciprocal": ("microtorch.autograd.ops.elementwise", "Reciprocal"),
    "rsqrt": ("microtorch.autograd.ops.elementwise", "Rsqrt"),
    "pow": ("microtorch.autograd.ops.elementwise", "Pow"),
    "softplus": ("microtorch.autograd.ops.activation", "Softplus"),
    "softmax": ("microtorch.autograd.ops.nn", "Softmax"),
    "log_softmax": ("microtorch.autograd.ops.nn", "LogSoftmax"),
    "layer_norm": ("microtorch.nn.functional", "layer_norm"),
    "group_norm": ("microtorch.nn.functional", "group_norm"),
    "sum": ("microtorch.autograd.ops.reduce", "Sum"),
    "prod": ("microtorch.autograd.ops.reduce", "Prod"),
    "cumsum": ("microtorch.autograd.ops.reduce", "CumSum"),
    "cumprod": ("microtorch.autograd.ops.reduce", "CumProd"),
    "logsumexp": ("microtorch.autograd.ops.reduce", "LogSumExp"),
    "nll_loss": ("microtorch.autograd.ops.loss", "NLLLoss"),
    "cross_entropy_loss": ("microtorch.autograd.ops.loss", "CrossEntropy"),
    "binary_cross_entropy": ("microtorch.nn.functional", "binary_cross_entropy"),
    "binary_cross_entropy_with_logits": ("microtorch.nn.functional", "binary_cross_entropy_with_logits"),
    "mse_loss": ("microtorch.nn.functional", "mse_loss"),
    "l1_loss": ("microtorch.nn.functional", "l1_loss"),
    "smooth_l1_loss": ("microtorch.nn.functional", "smooth_l1_loss"),
    "huber_loss": ("microtorch.nn.functional", "huber_loss"),
    "kl_div": ("microtorch.nn.functional", "kl_div"),
    "cat": ("microtorch.autograd.ops.shape", "cat"),
    "stack": ("microtorch.autograd.ops.shape", "stack"),
}

#: device -> policy -> torch op names (those of torch's lists that microtorch has)
POLICIES = {
    "cuda": {
        "lower": ["matmul", "addmm", "einsum", "linear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"],
        "fp32": ["exp", "log", "log1p", "expm1", "reciprocal", "rsqrt", "pow", "softplus", "softmax", "log_softmax",
                 "layer_norm", "group_norm", "sum", "prod", "cumsum", "cumprod", "logsumexp", "nll_loss",
                 "cross_entropy_loss", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss",
                 "huber_loss", "kl_div"],
        "banned": ["binary_cross_entropy"],
        "promote": ["cat", "stack"],
    },
    "cpu": {
        "lower": ["matmul", "addmm", "linear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"],
        "fp32": ["prod", "nll_loss", "cross_entropy_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                 "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div"],
        "promote": ["cat", "stack"],
    },
}
_DEFAULT_DTYPE = {"cuda": "float16", "cpu": "bfloat16"}
_BANNED_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast."
)

_local = threading.local()  # .state: device type -> (enabled, dtype)
_lock = threading.Lock()
_active = 0  # enabled regions in all threads; the wrappers are installed while it is above 0
_installed: list = []  # (owner, attribute, what the owner's own __dict__ held, or None)


def _states() -> dict:
    states = getattr(_local, "state", None)
    if states is None:
        states = _local.state = {}
    return states


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` in this thread."""
    _check_device_type(device_type, "is_autocast_enabled")
    return _states().get(device_type, (False, None))[0]


def get_autocast_dtype(device_type: str) -> Any:
    """The lower-precision dtype autocast uses on ``device_type`` (the region's, or the default)."""
    _check_device_type(device_type, "get_autocast_dtype")
    state = _states().get(device_type)
    return state[1] if state else getattr(_dtype, _DEFAULT_DTYPE.get(device_type, "bfloat16"))


def _check_device_type(device_type: Any, fn: str) -> None:
    """torch's errors for a device type that is no string, or no device's name."""
    from .._device import device

    if not isinstance(device_type, str):
        raise TypeError(f"{fn}(): argument 'device_type' (position 1) must be str, not {type(device_type).__name__}")
    device(device_type)  # an unknown name raises torch's RuntimeError


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` (any registered device type)."""
    from ..backends import registered_device_types

    return device_type in registered_device_types()


def _policy_of(device_type: str, op_name: str) -> str | None:
    lists = POLICIES["cuda" if device_type == "cuda" else "cpu"]
    for policy, names in lists.items():
        if op_name in names:
            return policy
    return None


def _first_tensor(values: Any) -> Tensor | None:
    for v in values:
        if isinstance(v, Tensor):
            return v
        if isinstance(v, (list, tuple)):
            t = _first_tensor(v)
            if t is not None:
                return t
    return None


def _eligible(t: Any) -> bool:
    return isinstance(t, Tensor) and t._data.dtype.name in ("float16", "bfloat16", "float32")


def _cast(value: Any, target: Any) -> Any:
    if _eligible(value):
        return value if value.dtype is target else value.to(target)
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        return type(value)(_cast(v, target) for v in value)
    return value


def _widest(values: Any) -> Any:
    found = [v.dtype for v in values if _eligible(v)]
    for v in values:
        if isinstance(v, (list, tuple)):
            found += [x.dtype for x in v if _eligible(x)]
    if not found:
        return None
    widest = found[0]
    for d in found[1:]:
        widest = _dtype.promote_types(widest, d)
    return widest


def _cast_arguments(op_name: str, args: tuple, kwargs: dict) -> tuple | None:
    """The arguments cast as this thread's autocast state says, or None when nothing applies."""
    first = _first_tensor(args)
    if first is None:
        first = _first_tensor(kwargs.values())
    if first is None:
        return None
    device_type = first._device.type
    enabled, lower = _states().get(device_type, (False, None))
    if not enabled:
        return None
    policy = _policy_of(device_type, op_name)
    if policy is None:
        return None
    if policy == "banned":
        raise RuntimeError(_BANNED_MESSAGE)
    target = lower if policy == "lower" else _dtype.float32 if policy == "fp32" else _widest(args)
    if target is None:
        return None
    return tuple(_cast(a, target) for a in args), {k: _cast(v, target) for k, v in kwargs.items()}


def _wrapped_op(op: Any, op_name: str) -> Any:
    """``op.apply`` with autocast's casts first (subclasses inheriting it are left alone)."""
    original = op.apply.__func__

    def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
        cast = _cast_arguments(op_name, args, kwargs) if cls is op else None
        return original(cls, *args, **kwargs) if cast is None else original(cls, *cast[0], **cast[1])

    return classmethod(apply)


def _wrapped_function(function: Callable, op_name: str) -> Callable:
    @functools.wraps(function)
    def autocast_function(*args: Any, **kwargs: Any) -> Any:
        cast = _cast_arguments(op_name, args, kwargs)
        return function(*args, **kwargs) if cast is None else function(*cast[0], **cast[1])

    return autocast_function


def _install() -> None:
    for op_name, (module_name, attribute) in _SITES.items():
        owner: Any = importlib.import_module(module_name)
        target = getattr(owner, attribute)
        replacement: Any
        if isinstance(target, type):  # an Op: wrap its apply
            owner, attribute = target, "apply"
            replacement = _wrapped_op(target, op_name)
        else:
            replacement = _wrapped_function(target, op_name)
        _installed.append((owner, attribute, owner.__dict__.get(attribute)))
        setattr(owner, attribute, replacement)


def _uninstall() -> None:
    while _installed:
        owner, attribute, own = _installed.pop()
        if own is None:
            delattr(owner, attribute)  # it was inherited (Op.apply)
        else:
            setattr(owner, attribute, own)


class autocast:
    """``with autocast(device_type, dtype=None, enabled=True, cache_enabled=None):`` a mixed precision
    region (also a decorator). Regions nest: the innermost decides, and ``enabled=False`` turns autocast
    off inside an enabled one. ``cache_enabled`` is accepted (microtorch does not cache the casts)."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True, cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self.fast_dtype = _dtype.as_dtype(dtype if dtype is not None else _DEFAULT_DTYPE.get(device_type, "bfloat16"))
        if self.fast_dtype not in (_dtype.float16, _dtype.bfloat16):
            raise RuntimeError(
                f"In {device_type} autocast, the target dtype {self.fast_dtype} is not supported: autocast supports "
                "microtorch.float16 and microtorch.bfloat16"
            )
        self._enabled = bool(enabled)
        if self._enabled and device_type == "cuda":
            from .. import cuda

            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
                self._enabled = False
        self._previous: Any = None

    def __enter__(self) -> "autocast":
        global _active
        states = _states()
        self._previous = states.get(self.device)
        states[self.device] = (self._enabled, self.fast_dtype)
        if self._enabled:
            with _lock:
                if _active == 0:
                    _install()
                _active += 1
        return self

    def __exit__(self, *exc_info: Any) -> None:
        global _active
        states = _states()
        if self._previous is None:
            states.pop(self.device, None)
        else:
            states[self.device] = self._previous
        if self._enabled:
            with _lock:
                _active -= 1
                if _active == 0:
                    _uninstall()

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def in_autocast(*args: Any, **kwargs: Any) -> Any:
            with autocast(self.device, self.fast_dtype, self._enabled):
                return function(*args, **kwargs)

        return in_autocast


def custom_fwd(fwd: Callable | None = None, *, device_type: str, cast_inputs: Any = None) -> Callable:
    """Decorator for a custom ``autograd.Function``'s ``forward``: with ``cast_inputs``, inside an enabled
    region the floating tensor arguments are cast to it and forward runs with autocast off; without,
    forward runs in the caller's state, which ``custom_bwd`` then restores for backward (torch's rules)."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_on = is_autocast_enabled(device_type)
        ctx._fwd_used_autocast = False
        if not autocast_on:
            return fwd(*args, **kwargs)
        target = _dtype.as_dtype(cast_inputs)
        with autocast(device_type, enabled=False):
            return fwd(*_cast(args, target), **{k: _cast(v, target) for k, v in kwargs.items()})

    return decorate_fwd


def custom_bwd(bwd: Callable | None = None, *, device_type: str) -> Callable:
    """Decorator for a custom ``autograd.Function``'s ``backward``: it runs in the autocast state its forward had."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type, dtype=ctx._dtype, enabled=ctx._fwd_used_autocast):
            return bwd(*args, **kwargs)

    return decorate_bwd
