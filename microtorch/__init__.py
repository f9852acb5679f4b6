"""microtorch: a deep-learning library built from first principles, with PyTorch's API.

NumPy runs it on the CPU, CuPy on the GPU, any registered backend elsewhere.
"""
import builtins as _builtins
import types as _types
import warnings as _warnings
from typing import TYPE_CHECKING as _TYPE_CHECKING

# torch computes log(0) = -inf and 0/0 = nan silently; NumPy warns from the op that called it. Silence
# those floating-point warnings when a microtorch module made them, not the user's own NumPy code's.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"microtorch\.")
from . import _dtype
from ._device import device, get_default_device, set_default_device
from ._device import device as _device_cls
from ._dtype import (
    bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8, int16, int32, int64, long,
    promote_types, set_default_dtype, short, uint8,
)
from ._dtype import dtype
from ._tensor import Size, Tensor
from ._tensor_docs import attach as _attach_docs

_skipped_docs = _attach_docs(Tensor)  # before the functions made from Tensor's methods copy their docstrings
from ._promotion import _expect
from ._creation import (
    Generator, arange, as_tensor, asarray, bernoulli, binomial, empty, empty_like, eye, from_dlpack, from_numpy, frombuffer, full, full_like, linspace,
    logspace, manual_seed, multinomial, normal, ones, poisson, ones_like, rand, rand_like, randint, randint_like, randn,
    randn_like, randperm, tensor, zeros, zeros_like,
)
from . import autograd, backends, cuda
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ._functions import *  # noqa: F401,F403  (torch.* functions: exp, cat, where, einsum, ...)
from . import nn  # noqa: E402  (needs the namespace above)

from .version import __version__  # noqa: E402


def result_type(a, b) -> dtype:
    """The dtype ``a op b`` produces under torch's promotion rules."""
    return _dtype.result_type(a, b)


def is_tensor(obj: object) -> "_builtins.bool":
    """Whether ``obj`` is a microtorch Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> "_builtins.bool":
    """Whether ``input``'s dtype is a floating-point type."""
    _expect(input, Tensor, "is_floating_point", "input")
    return input.is_floating_point()


def numel(input: Tensor) -> "_builtins.int":
    """The number of elements of ``input``."""
    _expect(input, Tensor, "numel", "input")
    return input.numel()

from . import optim, utils  # noqa: E402  (after Tensor and the factories they use)
from ._creation import empty_permuted, empty_strided, scalar_tensor, tril_indices, triu_indices  # noqa: E402
from .autograd.ops.sort import bucketize, isin, searchsorted  # noqa: E402
from .autograd.ops.histogram import histogramdd  # noqa: E402
from .serialization import load, save  # noqa: E402
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: E402
from .autograd.anomaly_mode import is_anomaly_enabled  # noqa: E402

# ---- the rest of torch's top-level surface that scripts touch --------------------------------------------------
from math import e, inf, nan, pi  # noqa: E402
from ._dtype import bfloat16  # noqa: E402
from ._memory_format import (  # noqa: E402
    channels_last, channels_last_3d, contiguous_format, layout, memory_format, preserve_format, strided,
)
from ._type_info import finfo, iinfo  # noqa: E402
from ._dtype import cdouble, cfloat, chalf, complex32, complex64, complex128  # noqa: E402
from ._complex import can_cast, complex, imag, is_complex, polar, view_as_complex, view_as_real  # noqa: E402,A004
from ._spectral import istft, stft  # noqa: E402
from ._lowrank import pca_lowrank, svd_lowrank  # noqa: E402
from ._segment import segment_reduce  # noqa: E402
from .storage import TypedStorage, UntypedStorage, is_storage  # noqa: E402
from ._format import set_printoptions  # noqa: E402
from ._legacy import CPU_TYPES as _CPU_TYPES, set_default_tensor_type  # noqa: E402
from . import accelerator, amp, cpu, jit  # noqa: E402
from . import random  # noqa: E402  (torch.random)
from ._legacy import deprecated_range as range  # noqa: E402,A001  (torch.range; below, range is torch's)
from ._determinism import (are_deterministic_algorithms_enabled, get_deterministic_debug_mode,  # noqa: E402
                           is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
                           use_deterministic_algorithms)
from .random import default_generator, get_rng_state, initial_seed, seed, set_rng_state  # noqa: E402
from . import special  # noqa: E402  (torch.special)
from .amp import autocast, get_autocast_dtype, is_autocast_enabled  # noqa: E402
from ._compile import compile, is_compiling  # noqa: E402
from ._native import *  # noqa: E402,F401,F403  (native_layer_norm, grid_sampler_2d, ...)
from ._nn_forms import *  # noqa: E402,F401,F403  (conv2d, layer_norm, dropout, embedding, lstm_cell, ...)
from .signal.windows.windows import (bartlett_window, blackman_window, hamming_window, hann_window,  # noqa: E402
                                      kaiser_window)
from .backends._threads import (get_num_interop_threads, get_num_threads, set_num_interop_threads,  # noqa: E402
                                set_num_threads)

newaxis = None
_float32_matmul_precision = "highest"


def set_float32_matmul_precision(precision: str) -> None:
    """Accepted for torch's API ('highest', 'high', 'medium'): float32 matmuls always run in float32 here."""
    global _float32_matmul_precision
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):  # torch warns and keeps the setting
        import warnings

        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _float32_matmul_precision = precision


_warn_always = False


def set_warn_always(b: _builtins.bool) -> None:
    """Make warnings that torch gives once per process (``jit.script``'s, ...) come every time (``True``)."""
    global _warn_always
    _warn_always = _builtins.bool(b)


def is_warn_always_enabled() -> _builtins.bool:
    """Whether ``set_warn_always(True)`` is in effect."""
    return _warn_always


def set_flush_denormal(mode: _builtins.bool) -> _builtins.bool:
    """torch's switch for flushing denormal floats to zero: NumPy has no such switch, so it is not supported here
    and the answer is False (what torch answers on a CPU without the feature); values are unchanged."""
    return False


def get_device_module(device: "str | _device_cls | None" = None) -> _types.ModuleType:
    """The module of a device type (``microtorch.cuda`` for ``'cuda'``, ``microtorch.cpu`` for ``'cpu'``); with no
    argument, the current accelerator's, else ``cpu``'s."""
    if device is None:
        current = accelerator.current_accelerator()
        kind = "cpu" if current is None else current.type
    elif isinstance(device, (str, _device_cls)):
        kind = _device_cls(device).type
    else:  # (an int is no device here, unlike device(0))
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or None")
    module = {"cpu": cpu, "cuda": cuda}.get(kind)
    if module is None:
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'.")
    return module


def get_float32_matmul_precision() -> str:
    """What ``set_float32_matmul_precision`` last set (default 'highest')."""
    return _float32_matmul_precision


globals().update(_CPU_TYPES)  # FloatTensor, LongTensor, ... (the legacy tensor types)


def typename(obj: object) -> str:
    """torch's type name: ``'microtorch.FloatTensor'`` for a tensor, else the object's class name."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = getattr(cls, "__module__", "builtins")
    return cls.__qualname__ if module in ("builtins", "__builtin__", None) else f"{module}.{cls.__qualname__}"


_LAZY_SUBMODULES = ("distributions", "fft", "func", "linalg", "signal")  # loaded on first use: they add a fifth to import time


def __getattr__(name: str) -> object:
    """``distributions``, ``func``, ``linalg`` and ``vmap`` load on first use; names torch has and microtorch
    cannot support raise an error saying so (see _unsupported.py)."""
    import importlib

    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "vmap":  # torch.vmap
        return importlib.import_module(".func", __name__).vmap
    from ._unsupported import missing

    raise missing(__name__, name)


# keep last: every public name above (functions, classes, dtypes, constants), submodules excluded
__all__ = sorted([name for name, value in globals().items()
                  if not name.startswith("_") and not isinstance(value, _types.ModuleType)] + ["vmap"])


# ---- for type checkers (generated by `python -m tools.typing_exports`; do not edit) ----
if _TYPE_CHECKING:
    # mypy reads a package's exports from a literal __all__: the runtime one above, spelled out
    BFloat16Tensor: type[Tensor]
    BoolTensor: type[Tensor]
    ByteTensor: type[Tensor]
    CharTensor: type[Tensor]
    DoubleTensor: type[Tensor]
    FloatTensor: type[Tensor]
    HalfTensor: type[Tensor]
    IntTensor: type[Tensor]
    LongTensor: type[Tensor]
    ShortTensor: type[Tensor]
    __all__ = [
        "BFloat16Tensor", "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "Generator",
        "HalfTensor", "IntTensor", "LongTensor", "ShortTensor", "Size", "Tensor", "TypedStorage", "UntypedStorage",
        "abs", "abs_", "absolute", "acos", "acos_", "acosh", "acosh_", "adaptive_avg_pool1d", "adaptive_max_pool1d",
        "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "addmv_", "addr", "adjoint",
        "affine_grid_generator", "alias_copy", "all", "allclose", "alpha_dropout", "alpha_dropout_", "amax", "amin",
        "aminmax", "angle", "any", "arange", "arccos", "arccos_", "arccosh", "arccosh_", "arcsin", "arcsin_",
        "arcsinh", "arcsinh_", "arctan", "arctan2", "arctan_", "arctanh", "arctanh_",
        "are_deterministic_algorithms_enabled", "argmax", "argmin", "argsort", "argwhere", "as_strided",
        "as_strided_", "as_strided_copy", "as_strided_scatter", "as_tensor", "asarray", "asin", "asin_", "asinh",
        "asinh_", "atan", "atan2", "atan_", "atanh", "atanh_", "atleast_1d", "atleast_2d", "atleast_3d", "autocast",
        "avg_pool1d", "baddbmm", "bartlett_window", "batch_norm", "bernoulli", "bfloat16", "bilinear",
        "binary_cross_entropy_with_logits", "bincount", "binomial", "bitwise_and", "bitwise_left_shift",
        "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "blackman_window", "block_diag", "bmm",
        "bool", "broadcast_shapes", "broadcast_tensors", "broadcast_to", "bucketize", "can_cast", "cartesian_prod",
        "cat", "cdist", "cdouble", "ceil", "ceil_", "celu", "celu_", "cfloat", "chain_matmul", "chalf",
        "channel_shuffle", "channels_last", "channels_last_3d", "cholesky", "cholesky_inverse", "cholesky_solve",
        "chunk", "clamp", "clamp_", "clamp_max", "clamp_max_", "clamp_min", "clamp_min_", "clip", "clip_", "clone",
        "column_stack", "combinations", "compile", "complex", "complex128", "complex32", "complex64", "concat",
        "concatenate", "conj", "conj_physical", "conj_physical_", "constant_pad_nd", "contiguous_format", "conv1d",
        "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "convolution",
        "copysign", "corrcoef", "cos", "cos_", "cosh", "cosh_", "cosine_embedding_loss", "cosine_similarity",
        "count_nonzero", "cov", "cross", "ctc_loss", "cummax", "cummin", "cumprod", "cumsum",
        "cumulative_trapezoid", "default_generator", "deg2rad", "deg2rad_", "det", "detach", "detach_",
        "detach_copy", "device", "diag", "diag_embed", "diagflat", "diagonal", "diagonal_copy", "diagonal_scatter",
        "diff", "digamma", "dist", "div", "divide", "dot", "double", "dropout", "dropout_", "dsplit", "dstack",
        "dtype", "e", "einsum", "embedding", "embedding_renorm_", "empty", "empty_like", "empty_permuted",
        "empty_strided", "enable_grad", "eq", "equal", "erf", "erf_", "erfc", "erfc_", "erfinv", "exp", "exp2",
        "exp2_", "exp_", "expand_as", "expand_copy", "expm1", "expm1_", "eye", "feature_alpha_dropout",
        "feature_alpha_dropout_", "feature_dropout", "feature_dropout_", "fill", "fill_", "finfo", "fix", "fix_",
        "flatten", "flip", "fliplr", "flipud", "float", "float16", "float32", "float64", "float_power", "floor",
        "floor_", "floor_divide", "fmax", "fmin", "fmod", "frac", "frac_", "frexp", "frobenius_norm", "from_dlpack",
        "from_numpy", "frombuffer", "full", "full_like", "gather", "gcd", "gcd_", "ge", "geqrf", "ger",
        "get_autocast_dtype", "get_default_device", "get_default_dtype", "get_deterministic_debug_mode",
        "get_device", "get_device_module", "get_float32_matmul_precision", "get_num_interop_threads",
        "get_num_threads", "get_rng_state", "gradient", "greater", "greater_equal", "grid_sampler",
        "grid_sampler_2d", "grid_sampler_3d", "group_norm", "gru_cell", "gt", "half", "hamming_window",
        "hann_window", "hardshrink", "heaviside", "hinge_embedding_loss", "histc", "histogram", "histogramdd",
        "hsplit", "hstack", "hypot", "i0", "i0_", "igamma", "igammac", "iinfo", "imag", "index_add", "index_copy",
        "index_fill", "index_put", "index_put_", "index_reduce", "index_select", "inf", "inference_mode",
        "initial_seed", "inner", "instance_norm", "int", "int16", "int32", "int64", "int8", "inverse",
        "is_anomaly_enabled", "is_autocast_enabled", "is_compiling", "is_complex", "is_conj",
        "is_deterministic_algorithms_warn_only_enabled", "is_floating_point", "is_grad_enabled",
        "is_inference_mode_enabled", "is_neg", "is_nonzero", "is_same_size", "is_signed", "is_storage", "is_tensor",
        "is_warn_always_enabled", "isclose", "isfinite", "isin", "isinf", "isnan", "isneginf", "isposinf", "isreal",
        "istft", "kaiser_window", "kl_div", "kron", "kthvalue", "layer_norm", "layout", "lcm", "lcm_", "ldexp",
        "ldexp_", "le", "lerp", "less", "less_equal", "lgamma", "linspace", "load", "log", "log10", "log10_",
        "log1p", "log1p_", "log2", "log2_", "log_", "log_softmax", "logaddexp", "logaddexp2", "logcumsumexp",
        "logdet", "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "logit_", "logspace",
        "logsumexp", "long", "lstm_cell", "lt", "lu", "lu_solve", "lu_unpack", "manual_seed", "margin_ranking_loss",
        "masked_fill", "masked_scatter", "masked_select", "matmul", "matrix_exp", "matrix_power", "max",
        "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "maximum", "mean", "median",
        "memory_format", "meshgrid", "min", "minimum", "mm", "mode", "moveaxis", "movedim", "msort", "mul",
        "multinomial", "multiply", "mv", "mvlgamma", "nan", "nan_to_num", "nan_to_num_", "nanmean", "nanmedian",
        "nanquantile", "nansum", "narrow", "narrow_copy", "native_batch_norm", "native_channel_shuffle",
        "native_dropout", "native_group_norm", "native_layer_norm", "ne", "neg", "neg_", "negative", "negative_",
        "newaxis", "nextafter", "no_grad", "nonzero", "nonzero_static", "norm", "norm_except_dim", "normal",
        "not_equal", "nuclear_norm", "numel", "ones", "ones_like", "orgqr", "ormqr", "outer", "pairwise_distance",
        "pca_lowrank", "pdist", "permute", "permute_copy", "pi", "pinverse", "pixel_shuffle", "pixel_unshuffle",
        "poisson", "poisson_nll_loss", "polar", "polygamma", "positive", "pow", "prelu", "preserve_format", "prod",
        "promote_types", "put", "qr", "quantile", "rad2deg", "rad2deg_", "rand", "rand_like", "randint",
        "randint_like", "randn", "randn_like", "randperm", "range", "ravel", "real", "reciprocal", "reciprocal_",
        "relu", "relu_", "remainder", "renorm", "repeat_interleave", "reshape", "resize_as_", "resolve_conj",
        "resolve_neg", "result_type", "rms_norm", "rnn_relu_cell", "rnn_tanh_cell", "roll", "rot90", "round",
        "round_", "row_stack", "rrelu", "rrelu_", "rsqrt", "rsqrt_", "rsub", "save", "scalar_tensor", "scatter",
        "scatter_add", "scatter_reduce", "searchsorted", "seed", "segment_reduce", "select", "select_copy",
        "select_scatter", "selu", "selu_", "set_default_device", "set_default_dtype", "set_default_tensor_type",
        "set_deterministic_debug_mode", "set_float32_matmul_precision", "set_flush_denormal", "set_grad_enabled",
        "set_num_interop_threads", "set_num_threads", "set_printoptions", "set_rng_state", "set_warn_always", "sgn",
        "short", "sigmoid", "sigmoid_", "sign", "signbit", "sin", "sin_", "sinc", "sinc_", "sinh", "sinh_",
        "slice_scatter", "slogdet", "softmax", "sort", "split", "split_copy", "split_with_sizes",
        "split_with_sizes_copy", "sqrt", "sqrt_", "square", "square_", "squeeze", "squeeze_copy", "stack", "std",
        "std_mean", "stft", "strided", "sub", "subtract", "sum", "sum_to_size", "svd", "svd_lowrank", "swapaxes",
        "swapdims", "t", "t_copy", "take", "take_along_dim", "tan", "tan_", "tanh", "tanh_", "tensor",
        "tensor_split", "tensordot", "threshold", "threshold_", "tile", "topk", "trace", "transpose",
        "transpose_copy", "trapezoid", "trapz", "triangular_solve", "tril", "tril_indices", "triplet_margin_loss",
        "triu", "triu_indices", "true_divide", "trunc", "trunc_", "typename", "uint8", "unbind", "unbind_copy",
        "unflatten", "unfold_copy", "unique", "unique_consecutive", "unravel_index", "unsafe_chunk", "unsafe_split",
        "unsqueeze", "unsqueeze_copy", "use_deterministic_algorithms", "vander", "var", "var_mean", "vdot",
        "view_as_complex", "view_as_real", "view_copy", "vmap", "vsplit", "vstack", "where", "xlog1py", "xlogy",
        "xlogy_", "zero_", "zeros", "zeros_like",
    ]
# ---- end of the generated block ----
