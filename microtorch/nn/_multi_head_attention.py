"""``F.multi_head_attention_forward`` and its mask helpers, torch's math and checks, from microtorch ops.

Kept out of ``functional.py`` (which re-exports it) because it is one family of its own: the
projections, the bias_k/bias_v and zero-attention columns, the masks and the two attention paths
(explicit softmax when the weights are wanted, ``scaled_dot_product_attention`` otherwise)."""
from __future__ import annotations

import math
import warnings
from typing import Any

from .._creation import zeros
from .._functions import cat
from .._tensor import Tensor
from . import functional as F


def _none_or_dtype(input: Tensor | None) -> Any:
    """The mask's dtype, or None."""
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str, target_type: Any,
                    check_other: bool = True) -> Tensor | None:
    """A bool mask (True = masked out) becomes an additive float one (-inf there); a float one is kept.
    Any other dtype raises torch's AssertionError; mixing a bool and a float mask warns, as torch."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{mask_name} must be a Tensor or None, got {type(mask).__name__}")
    is_float = mask.is_floating_point()
    if mask.dtype.name != "bool" and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if not is_float:
        mask = zeros(tuple(mask.shape), dtype=target_type, device=mask.device).masked_fill(mask, -math.inf)
    return mask


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """Whether the call is batched (3-D query), after torch's checks of every operand's dimensions."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor")
    batched = query.ndim == 3
    kind, want = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.ndim != want or value.ndim != want:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {want}-D but found {key.ndim}-D "
                             f"and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != want - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {want - 1}-D but found "
                             f"{key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.ndim}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {_size(attn_mask)}")
    return batched


def _size(t: Tensor) -> str:
    return f"microtorch.Size({list(t.shape)})"


def _in_projection(query: Tensor, key: Tensor, value: Tensor, weights: tuple, biases: tuple) -> tuple:
    """q, k, v by three projections, after torch's checks of the separate weights' and biases' shapes."""
    eq, ek, ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for name, w, shape in (("query", weights[0], (eq, eq)), ("key", weights[1], (eq, ek)), ("value", weights[2], (eq, ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {_size(w)}")
    for name, b in zip(("query", "key", "value"), biases):
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {name} bias shape of {(eq,)}, but got {_size(b)}")
    return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _project(query, key, value, in_proj_weight, in_proj_bias, separate: bool, separate_weights: tuple) -> tuple:
    biases = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
    if separate:
        for name, w in zip(("q", "k", "v"), separate_weights):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        return _in_projection(query, key, value, separate_weights, biases)
    if in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if query is key and key is value:  # self-attention: one packed GEMM
        return F.linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), in_proj_weight.chunk(3), biases))


def _check_attn_mask(mask: Tensor, batch_heads: int, tgt_len: int, src_len: int) -> Tensor:
    """A 2-D (L, S) mask gets a leading 1; a 3-D one must be (N * heads, L, S)."""
    if mask.ndim == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {_size(mask)}, but should be {(tgt_len, src_len)}.")
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        if tuple(mask.shape) != (batch_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {_size(mask)}, but should be "
                               f"{(batch_heads, tgt_len, src_len)}.")
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")


def _static(given: Tensor | None, projected: Tensor, batch_heads: int, head_dim: int, name: str) -> Tensor:
    """(N * heads, S, head_dim) keys or values: the projected ones, or ``static_k``/``static_v`` checked."""
    if given is None:
        return projected.reshape(projected.shape[0], batch_heads, head_dim).transpose(0, 1)
    if given.shape[0] != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {given.shape[0]}")
    if given.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {given.shape[2]}")
    return given


def _extra_key_columns(k, v, attn_mask, key_padding_mask, bias_k, bias_v, static_k, static_v, bsz) -> tuple:
    """``add_bias_kv``: one more key and value (bias_k, bias_v) per batch element, masks padded by a column."""
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = F.pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = F.pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    return k, v, attn_mask, key_padding_mask


def _zero_attention(k, v, attn_mask, key_padding_mask) -> tuple:
    """``add_zero_attn``: a zero key and value appended to every batch-head, masks padded by a column."""
    shape = (k.shape[0], 1, k.shape[2])
    k = cat([k, zeros(shape, dtype=k.dtype, device=k.device)], 1)
    v = cat([v, zeros(shape, dtype=v.dtype, device=v.device)], 1)
    attn_mask = F.pad(attn_mask, (0, 1)) if attn_mask is not None else None
    key_padding_mask = F.pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    return k, v, attn_mask, key_padding_mask


def _merge_padding(attn_mask: Tensor | None, key_padding_mask: Tensor | None, bsz: int, heads: int,
                   src_len: int) -> Tensor | None:
    """The key-padding mask (N, S) broadcast over heads and added to the attention mask."""
    if key_padding_mask is None:
        return attn_mask
    if key_padding_mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
    if key_padding_mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got {key_padding_mask.shape[1]}")
    padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, heads, 1, src_len).reshape(bsz * heads, 1, src_len)
    return padding if attn_mask is None else attn_mask + padding


def _attend(q, k, v, attn_mask, dropout_p, need_weights, is_causal, bsz, heads) -> tuple:
    """(output (N * heads, L, head_dim) -> (L * N, E) order, weights (N, heads, L, S) or None)."""
    tgt_len, src_len, head_dim = q.shape[1], k.shape[1], q.shape[2]
    if need_weights:  # torch's explicit path: a plain softmax (a fully masked row gives nan, as torch)
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = (q * math.sqrt(1.0 / float(head_dim))) @ k.transpose(-2, -1)
        weights = (scores if attn_mask is None else scores + attn_mask).softmax(-1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, p=dropout_p)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, heads * head_dim)
        return out, weights.reshape(bsz, heads, tgt_len, src_len)
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else attn_mask.reshape(bsz, heads, -1, src_len)
    q, k, v = (t.reshape(bsz, heads, t.shape[1], head_dim) for t in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    return out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, heads * head_dim), None


def _causal_and_masks(attn_mask, key_padding_mask, is_causal: bool, need_weights: bool, dtype: Any) -> tuple:
    """torch's handling of the ``is_causal`` hint: trusted (mask dropped) only on the fused path."""
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        return None, None, True
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dtype, check_other=False)
    return attn_mask, key_padding_mask, is_causal and key_padding_mask is None


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
                                 key_padding_mask: Tensor | None = None, need_weights: bool = True,
                                 attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple:
    """Multi-head attention on (L, N, E) query and (S, N, E_k/E_v) key/value (or unbatched (L, E)):
    project, split into heads, softmax(Q K^T / sqrt(d) + masks) V, merge, project out.
    Returns (output, weights averaged over heads or per head, or None without ``need_weights``)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        key_padding_mask = key_padding_mask.unsqueeze(0) if key_padding_mask is not None else None
    tgt_len, bsz, embed_dim = query.shape
    attn_mask, key_padding_mask, is_causal = _causal_and_masks(attn_mask, key_padding_mask, is_causal, need_weights,
                                                               query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and tuple(key.shape[:2]) != tuple(value.shape[:2]):
        raise AssertionError(f"key's sequence and batch dims microtorch.Size({list(key.shape[:2])}) do not match "
                             f"value's microtorch.Size({list(value.shape[:2])})")
    if not use_separate_proj_weight and tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {_size(key)} does not match value shape {_size(value)}")
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                       (q_proj_weight, k_proj_weight, v_proj_weight))
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, bsz * num_heads, tgt_len, key.shape[0])
    k, v, attn_mask, key_padding_mask = _extra_key_columns(k, v, attn_mask, key_padding_mask, bias_k, bias_v,
                                                           static_k, static_v, bsz)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _static(static_k, k, bsz * num_heads, head_dim, "static_k")
    v = _static(static_v, v, bsz * num_heads, head_dim, "static_v")
    if add_zero_attn:
        k, v, attn_mask, key_padding_mask = _zero_attention(k, v, attn_mask, key_padding_mask)
    attn_mask = _merge_padding(attn_mask, key_padding_mask, bsz, num_heads, k.shape[1])
    out, weights = _attend(q, k, v, attn_mask, dropout_p if training else 0.0, need_weights, is_causal, bsz, num_heads)
    out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if not batched:
        return out.squeeze(1), (weights.squeeze(0) if weights is not None else None)
    return out, weights
