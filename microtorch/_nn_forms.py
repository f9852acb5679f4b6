"""torch's top-level forms of the neural-network functions (``torch.conv2d``, ``torch.layer_norm``,
``torch.dropout``, ``torch.embedding``, ``torch.lstm_cell``, ...): aten's signatures, which scripts, traced code
and older models call. Each is a call into ``nn.functional`` (or the RNN cells' steps).

Where they differ from nn.functional's they follow aten: the dropouts' ``train`` is positional and required, and
a ``p`` outside [0, 1] is a RuntimeError; the losses take an integer ``reduction`` (0 none, 1 mean, 2 sum; aten
leaves any other value unreduced; left out, none: torch's stubs say 1, but its parser reads aten's default as 0); ``embedding`` takes the weight first, and a ``padding_idx`` outside the rows
(-1 by default) means none; the norms take a trailing ``cudnn_enabled`` (ignored: there is no cuDNN here).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from . import _dtype
from ._creation import ones
from ._absent import ABSENT
from ._promotion import _expect, _int_arg, _int_tuple
from ._signatures import write_out
from ._tensor import Tensor
from ._warn_once import warn_once
from .nn import _dropout_extra
from .nn import functional as F
from .nn._activation_extra import _rrelu
from .nn.functional import (  # noqa: F401  (the same signatures at the top level)
    adaptive_avg_pool1d, bilinear, channel_shuffle, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
    conv_transpose3d, cosine_similarity, pairwise_distance, pixel_shuffle, pixel_unshuffle, prelu, rms_norm,
)
from .nn.modules import rnn as _rnn

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(code: Any, fn: str, position: int) -> str:
    """aten's integer ``reduction`` as nn.functional's word (aten leaves an unknown code unreduced)."""
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"{fn}(): argument 'reduction' (position {position}) must be int, not {type(code).__name__}")
    return _REDUCTIONS.get(code, "none")


# ---- dropout ------------------------------------------------------------------------------------------------
def _check_p(p: Any) -> None:
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input: Tensor, p: float, train: bool, inplace: bool) -> Tensor:
    _dropout_extra._check("feature_dropout", input, p, train)
    return _dropout_extra._feature_dropout(input, p, train, inplace)


_DROPOUTS: dict[str, Callable[..., Tensor]] = {
    "dropout": F.dropout, "alpha_dropout": F.alpha_dropout, "feature_dropout": _feature_dropout,
    "feature_alpha_dropout": F.feature_alpha_dropout,
}


def _dropout(kind: str, input: Tensor, p: float, train: bool, inplace: bool) -> Tensor:
    """aten's checks (p in [0, 1]; the feature forms' at least 2 dims, unless there is nothing to drop), then
    nn.functional's dropout of that kind."""
    _check_p(p)
    if kind.startswith("feature") and train and p != 0 and input.numel() and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _DROPOUTS[kind](input, p, train, inplace)


def _dropout_form(kind: str, inplace: bool, doc: str) -> Callable[[Tensor, float, bool], Tensor]:
    """The top-level function ``kind`` (``kind_`` in place) with aten's (input, p, train)."""
    def form(input: Tensor, p: float, train: bool) -> Tensor:
        return _dropout(kind, input, p, train, inplace)

    form.__name__ = form.__qualname__ = kind + "_" * inplace
    form.__doc__ = doc
    return form


dropout = _dropout_form("dropout", False, "``nn.functional.dropout(input, p, train)``: zero elements with "
                        "probability p, scale the rest by 1/(1-p).")
dropout_ = _dropout_form("dropout", True, "``dropout`` in place.")
alpha_dropout = _dropout_form("alpha_dropout", False, "``nn.functional.alpha_dropout(input, p, train)`` (dropout "
                              "for SELU networks).")
alpha_dropout_ = _dropout_form("alpha_dropout", True, "``alpha_dropout`` in place.")
feature_dropout = _dropout_form("feature_dropout", False, "Dropout of whole features: one draw per (sample, "
                                "channel) of an input of at least 2 dims.")
feature_dropout_ = _dropout_form("feature_dropout", True, "``feature_dropout`` in place.")
feature_alpha_dropout = _dropout_form("feature_alpha_dropout", False, "``nn.functional.feature_alpha_dropout(input, "
                                      "p, train)``, for inputs of at least 2 dims.")
feature_alpha_dropout_ = _dropout_form("feature_alpha_dropout", True, "``feature_alpha_dropout`` in place.")


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple:
    """``(output, mask)``: dropout's output and the boolean mask of the kept elements (all True unless training;
    ``train=None`` trains). grad: of the output, g mask / (1 - p)."""
    _expect(input, Tensor, "native_dropout", "input")
    if not 0.0 <= 1.0 - p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1.0 - p}")
    if train is False:
        return input.clone(), ones(input.shape, dtype=_dtype.bool, device=input.device)
    keep = _dropout_extra._keep_mask(input, p, per_channel=False)
    return input * (keep * (1.0 / (1.0 - p) if p < 1.0 else 0.0)), keep.bool()


# ---- normalization and embedding ----------------------------------------------------------------------------
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
               running_var: Tensor | None, training: bool, momentum: float, eps: float,
               cudnn_enabled: bool) -> Tensor:
    """``nn.functional.batch_norm`` with aten's argument order (weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                  running_var: Tensor | None, use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """``nn.functional.instance_norm`` with aten's argument order (weight and bias first)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-05, cudnn_enable: bool = True) -> Tensor:
    """``nn.functional.layer_norm`` (``cudnn_enable`` is ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-05, cudnn_enabled: bool = True) -> Tensor:
    """``nn.functional.group_norm`` (``cudnn_enabled`` is ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``nn.functional.embedding(indices, weight)``: the rows of ``weight`` at ``indices``; row ``padding_idx``
    (none when outside the rows, as -1) gets no gradient."""
    _expect(weight, Tensor, "embedding", "weight")
    rows = weight.shape[0] if weight.ndim else 0
    padding = padding_idx if 0 <= padding_idx < rows else None
    return F.embedding(indices, weight, padding, None, 2.0, scale_grad_by_freq, sparse)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Rescale in place the rows of ``input`` that ``indices`` names whose ``norm_type``-norm exceeds
    ``max_norm`` (to that norm); returns ``input``."""
    _expect(input, Tensor, "embedding_renorm_", "input")
    _expect(indices, Tensor, "embedding_renorm_", "indices", 2)
    F._embedding_renorm_(input, indices, max_norm, norm_type)
    return input


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False, *, out: Any = None) -> Tensor:
    """The 2-norm over at most two dims (deprecated in torch, with its warning: ``linalg.vector_norm``)."""
    from .linalg import vector_norm

    warn_once("frobenius_norm", "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It "
              "will be removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` "
              "instead")
    dims = _int_tuple(dim, "frobenius_norm", "dim", 2)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    return write_out(out, vector_norm(input, 2, dims or None, keepdim), "frobenius_norm")


def nuclear_norm(input: Tensor, dim: Any = ABSENT, keepdim: bool = False, *, out: Any = None) -> Tensor:
    """The nuclear norm over ``dim`` (the last two by default); ``nuclear_norm(x, True)`` keeps the dims
    (deprecated in torch, with its warning: ``linalg.matrix_norm(A, 'nuc')``)."""
    from .linalg import matrix_norm

    warn_once("nuclear_norm", "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will "
              "be removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` "
              "instead")
    if isinstance(dim, bool):  # the (input, keepdim) overload
        dim, keepdim = ABSENT, dim
    dims = (-2, -1) if dim is ABSENT else _int_tuple(dim, "nuclear_norm", "dim", 2)
    return write_out(out, matrix_norm(input, "nuc", dims, keepdim), "nuclear_norm")


def norm_except_dim(v: Tensor, pow: int = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of each slice along ``dim`` (``dim=-1``: of the whole tensor), the other dims kept as
    size 1 (weight normalisation's norm)."""
    _expect(v, Tensor, "norm_except_dim", "v")
    pow, dim = _int_arg(pow, "norm_except_dim", "pow", 2), _int_arg(dim, "norm_except_dim", "dim", 3)
    if dim == -1:
        return v.norm(pow)
    size = v.size(dim)  # (checks dim)
    dim %= v.ndim
    shape = [1] * v.ndim
    shape[dim] = size
    return v.movedim(dim, 0).reshape(size, -1).norm(pow, 1).reshape(shape)


# ---- losses (aten's integer reduction) ------------------------------------------------------------------------
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: int = 0) -> Tensor:
    """``nn.functional.binary_cross_entropy_with_logits`` with an integer ``reduction``."""
    how = _reduction(reduction, "binary_cross_entropy_with_logits", 5)
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=how, pos_weight=pos_weight)


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *, log_target: bool = False) -> Tensor:
    """``nn.functional.kl_div`` with an integer ``reduction`` (1: the mean over every element, without
    nn.functional's warning about it)."""
    how = _reduction(reduction, "kl_div", 3)
    if how == "mean":  # (F warns that 'mean' is not the batch mean; aten's mean is what was asked)
        return F.kl_div(input, target, reduction="sum", log_target=log_target) / max(input.numel(), 1)
    return F.kl_div(input, target, reduction=how, log_target=log_target)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    """``nn.functional.cosine_embedding_loss`` with an integer ``reduction``."""
    how = _reduction(reduction, "cosine_embedding_loss", 5)
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=how)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 0) -> Tensor:
    """``nn.functional.hinge_embedding_loss`` with an integer ``reduction``."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction, "hinge_embedding_loss", 4))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """``nn.functional.margin_ranking_loss`` with an integer ``reduction``."""
    how = _reduction(reduction, "margin_ranking_loss", 5)
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=how)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-06, swap: bool = False, reduction: int = 0) -> Tensor:
    """``nn.functional.triplet_margin_loss`` with an integer ``reduction``."""
    how = _reduction(reduction, "triplet_margin_loss", 8)
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=how)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """``nn.functional.poisson_nll_loss`` with every argument given and an integer ``reduction``."""
    how = _reduction(reduction, "poisson_nll_loss", 6)
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=how)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``nn.functional.ctc_loss`` with an integer ``reduction``."""
    how = _reduction(reduction, "ctc_loss", 6)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, how, zero_infinity)


# ---- pooling and convolution --------------------------------------------------------------------------------
def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """``nn.functional.avg_pool1d`` (``stride=()``: the kernel size)."""
    return F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool1d`` (``stride=()``: the kernel size)."""
    return F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False) -> tuple:
    """``nn.functional.max_pool1d(..., return_indices=True)``: (values, indices)."""
    return F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool2d`` (``stride=()``: the kernel size)."""
    return F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool3d`` (``stride=()``: the kernel size)."""
    return F.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple:
    """``nn.functional.adaptive_max_pool1d(..., return_indices=True)``: (values, indices)."""
    return F.adaptive_max_pool1d(input, output_size, True)


def affine_grid_generator(theta: Tensor, size: Sequence[int], align_corners: bool) -> Tensor:
    """``nn.functional.affine_grid`` with ``align_corners`` given."""
    return F.affine_grid(theta, list(size), align_corners)


_CONVOLUTIONS: dict[tuple, Callable[..., Tensor]] = {(False, 1): conv1d, (False, 2): conv2d, (False, 3): conv3d,
                 (True, 1): conv_transpose1d, (True, 2): conv_transpose2d, (True, 3): conv_transpose3d}


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Sequence[int], padding: Sequence[int],
                dilation: Sequence[int], transposed: bool, output_padding: Sequence[int], groups: int) -> Tensor:
    """aten's one convolution: ``conv{1,2,3}d`` or, ``transposed``, ``conv_transpose{1,2,3}d``, by the
    input's dims."""
    _expect(input, Tensor, "convolution", "input")
    _expect(weight, Tensor, "convolution", "weight", 2)
    stride, padding, dilation, output_padding = (
        _int_tuple(value, "convolution", name, position, single=False)
        for position, name, value in ((4, "stride", stride), (5, "padding", padding), (6, "dilation", dilation),
                                      (8, "output_padding", output_padding)))
    if input.ndim != weight.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.ndim}-dimensional input of size "
                           f"{list(input.shape)} instead")
    conv = _CONVOLUTIONS.get((bool(transposed), input.ndim - 2))
    if conv is None:
        raise RuntimeError("unsupported ConvNd parameters")
    if transposed:
        return conv(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return conv(input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """A 1-D convolution in (time, batch, channels) layout: weight (kernel width, in, out), bias (out,), ``pad``
    zeros at both ends of time; the result is (time, batch, out)."""
    _expect(input, Tensor, "conv_tbc", "input")
    _expect(weight, Tensor, "conv_tbc", "weight", 2)
    _expect(bias, Tensor, "conv_tbc", "bias", 3)
    if input.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    out = F.conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


# ---- activations --------------------------------------------------------------------------------------------
def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``nn.functional.celu``: max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    return F.celu(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` in place."""
    return F.celu(input, alpha, inplace=True)


def selu(input: Tensor) -> Tensor:
    """``nn.functional.selu``: scale (max(0, x) + min(0, alpha (exp(x) - 1)))."""
    return F.selu(input)


def selu_(input: Tensor) -> Tensor:
    """``selu`` in place."""
    return F.selu(input, inplace=True)


def rrelu(input: Tensor, lower: float = 0.125, upper: float = 0.3333333333333333, training: bool = False,
          generator: Any = None) -> Tensor:
    """``nn.functional.rrelu``, the training slopes drawn from ``generator`` when given."""
    return _rrelu(input, lower, upper, training, False, generator)


def rrelu_(input: Tensor, lower: float = 0.125, upper: float = 0.3333333333333333, training: bool = False,
           generator: Any = None) -> Tensor:
    """``rrelu`` in place."""
    return _rrelu(input, lower, upper, training, True, generator)


def threshold(input: Tensor, threshold: float, value: float, *, out: Any = None) -> Tensor:
    """x where x > threshold, else value."""
    return write_out(out, F.threshold(input, threshold, value), "threshold")


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` in place."""
    return F.threshold_(input, threshold, value)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``channel_shuffle``: the channels regrouped as (groups, C / groups), transposed and flattened back."""
    return F.channel_shuffle(input, groups)


def hardshrink(input: Tensor, lambd: float = 0.5, *, out: Any = None) -> Tensor:
    """x where |x| > lambd, else 0."""
    return write_out(out, F.hardshrink(input, lambd), "hardshrink")


# ---- recurrent cells ----------------------------------------------------------------------------------------
def _cell(fn: str, step: Any, gates: int, input: Tensor, hx: tuple, w_ih: Tensor, w_hh: Tensor,
          b_ih: Tensor | None, b_hh: Tensor | None) -> tuple:
    """One step of a cell after aten's checks: the weights' rows, the input's features, the states' sizes."""
    for position, name, value in ((1, "input", input), (3, "w_ih", w_ih), (4, "w_hh", w_hh)):
        _expect(value, Tensor, fn, name, position)
    hidden = w_hh.shape[1] if w_hh.ndim == 2 else -1
    if w_ih.ndim != 2 or w_ih.shape[0] != gates * hidden:
        raise RuntimeError(f"weight_ih first dim must be {gates} * hidden_size = {gates * hidden}, but got "
                           f"{w_ih.shape[0] if w_ih.ndim else None}")
    _rnn.check_cell_sizes(input, hx, w_ih.shape[1], hidden)
    return step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh, None)


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple:
    """One LSTM step on 2-D (batch, features) tensors: ``(h', c')`` from ``hx = (h, c)``."""
    if isinstance(hx, Tensor) or not isinstance(hx, (tuple, list)):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    return _cell("lstm_cell", _rnn._lstm_step, 4, input, tuple(hx), w_ih, w_hh, b_ih, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step on 2-D (batch, features) tensors: h'."""
    _expect(hx, Tensor, "gru_cell", "hx", 2)
    return _cell("gru_cell", _rnn._gru_step, 3, input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    _expect(hx, Tensor, "rnn_tanh_cell", "hx", 2)
    return _cell("rnn_tanh_cell", _rnn._rnn_step, 1, input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step: h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    _expect(hx, Tensor, "rnn_relu_cell", "hx", 2)
    return _cell("rnn_relu_cell", _rnn._relu_step, 1, input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


__all__ = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "affine_grid_generator", "alpha_dropout", "alpha_dropout_",
    "avg_pool1d", "batch_norm", "bilinear", "binary_cross_entropy_with_logits", "celu", "celu_", "channel_shuffle",
    "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "cosine_embedding_loss", "cosine_similarity", "ctc_loss", "dropout", "dropout_", "embedding",
    "embedding_renorm_", "feature_alpha_dropout", "feature_alpha_dropout_", "feature_dropout", "feature_dropout_",
    "frobenius_norm", "group_norm", "gru_cell", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div",
    "layer_norm", "lstm_cell", "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d",
    "max_pool3d", "native_channel_shuffle", "native_dropout", "norm_except_dim", "nuclear_norm", "pairwise_distance", "pixel_shuffle",
    "pixel_unshuffle", "poisson_nll_loss", "prelu", "rms_norm", "rnn_relu_cell", "rnn_tanh_cell", "rrelu", "rrelu_",
    "selu", "selu_", "threshold", "threshold_", "triplet_margin_loss",
]
