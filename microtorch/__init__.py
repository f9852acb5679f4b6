"""microtorch: a deep-learning library built from first principles, with PyTorch's API.

NumPy runs it on the CPU, CuPy on the GPU, any registered backend elsewhere.
"""
from __future__ import annotations

import builtins
import warnings

# torch computes log(0) = -inf and 0/0 = nan silently; NumPy warns from the op that called it. Silence
# those floating-point warnings when a microtorch module made them, not the user's own NumPy code's.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"microtorch\.")
from . import _dtype
from ._device import device, get_default_device, set_default_device
from ._dtype import (
    bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8, int16, int32, int64, long,
    promote_types, set_default_dtype, short, uint8,
)
from ._dtype import dtype
from ._tensor import Size, Tensor
from ._creation import (
    Generator, arange, as_tensor, asarray, bernoulli, empty, empty_like, eye, from_dlpack, from_numpy, full, full_like, linspace,
    logspace, manual_seed, multinomial, normal, ones, ones_like, rand, rand_like, randint, randint_like, randn,
    randn_like, randperm, tensor, zeros, zeros_like,
)
from . import autograd, backends, cuda
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ._functions import *  # noqa: F401,F403  (torch.* functions: exp, cat, where, einsum, ...)
from . import nn  # noqa: E402  (needs the namespace above)

__version__ = "0.1.0"


def result_type(a, b) -> dtype:
    """The dtype ``a op b`` produces under torch's promotion rules."""
    return _dtype.result_type(a, b)


def is_tensor(obj: object) -> "builtins.bool":
    return isinstance(obj, Tensor)


def is_floating_point(t: Tensor) -> "builtins.bool":
    return t.is_floating_point()


def numel(t: Tensor) -> "builtins.int":
    return t.numel()

from . import optim, utils  # noqa: E402  (after Tensor and the factories they use)
from .serialization import load, save  # noqa: E402

_LAZY_SUBMODULES = ("distributions", "func", "linalg")  # loaded on first use: they add a fifth to import time


def __getattr__(name: str) -> object:
    """``microtorch.distributions``, ``.func``, ``.linalg`` and ``microtorch.vmap`` (torch.vmap), imported lazily."""
    import importlib

    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "vmap":
        return importlib.import_module(".func", __name__).vmap
    raise AttributeError(f"module 'microtorch' has no attribute '{name}'")
