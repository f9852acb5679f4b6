"""``MultiheadAttention``: torch's layer, its parameters (names, shapes, initialisation) and its
forward (``F.multi_head_attention_forward``'s math), built from Linear, matmul and softmax."""
from __future__ import annotations

import math
from typing import Any

from ..._creation import empty, zeros
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of size embed_dim / num_heads:
    ``out_proj(concat_h softmax(Q_h K_h^T / sqrt(d) + mask) V_h)``, with Q, K, V from one packed
    projection ``in_proj_weight`` (3 * embed_dim, embed_dim). Inputs are (L, N, E), or (N, L, E)
    with ``batch_first``, or unbatched (L, E)."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if kdim not in (None, embed_dim) or vdim not in (None, embed_dim):
            raise NotImplementedError("MultiheadAttention: kdim/vdim different from embed_dim are not supported by microtorch")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not supported by microtorch")
        self.embed_dim, self.kdim, self.vdim = embed_dim, embed_dim, embed_dim
        self._qkv_same_embed_dim = True
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), device=device, dtype=dtype))
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, device=device, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple:
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"query, key and value should all be 2-D (unbatched) or 3-D (batched), got "
                                 f"{query.ndim}-D, {key.ndim}-D and {value.ndim}-D")
        if not batched:  # one sequence: a batch of one
            query, key, value = _each_once(lambda t: t.unsqueeze(1), query, key, value)
            key_padding_mask = key_padding_mask.unsqueeze(0) if key_padding_mask is not None else None
        elif self.batch_first:  # the math below is sequence-first, as torch's
            query, key, value = _each_once(lambda t: t.transpose(0, 1), query, key, value)
        out, weights = self._attention(query, key, value, key_padding_mask, need_weights, attn_mask,
                                       average_attn_weights, is_causal)
        if not batched:
            return out.squeeze(1), (weights.squeeze(0) if weights is not None else None)
        return (out.transpose(0, 1) if self.batch_first else out), weights

    def _attention(self, query, key, value, key_padding_mask, need_weights, attn_mask, average, is_causal) -> tuple:
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
        heads, head_dim = self.num_heads, self.head_dim
        if embed_dim != self.embed_dim or key.shape[-1] != embed_dim or value.shape[-1] != embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got query {embed_dim}, "
                                 f"key {key.shape[-1]} and value {value.shape[-1]}")
        if key.shape[:2] != value.shape[:2] or key.shape[1] != bsz:
            raise AssertionError(f"key shape {list(key.shape)} does not match value shape {list(value.shape)} or the batch")
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                               "method `generate_square_subsequent_mask` to create this mask.")
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None  # torch trusts the hint: plain causal attention
        else:
            attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
            is_causal = False
        q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, -1) if key is query and value is query \
            else _project_separately(query, key, value, self.in_proj_weight, self.in_proj_bias)
        if attn_mask is not None:
            attn_mask = _check_attn_mask(attn_mask, bsz * heads, tgt_len, src_len)
        # (L, N, E) -> (N * heads, L, head_dim)
        q = q.reshape(tgt_len, bsz * heads, head_dim).transpose(0, 1)
        k = k.reshape(src_len, bsz * heads, head_dim).transpose(0, 1)
        v = v.reshape(src_len, bsz * heads, head_dim).transpose(0, 1)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (bsz, src_len):
                raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                     f"{tuple(key_padding_mask.shape)}")
            padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, heads, 1, src_len)
            padding = padding.reshape(bsz * heads, 1, src_len)
            attn_mask = padding if attn_mask is None else attn_mask + padding
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:  # torch's explicit path: a plain softmax (a fully masked row gives nan, as torch)
            scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
            weights = (scores if attn_mask is None else scores + attn_mask).softmax(-1)
            if dropout_p > 0.0:
                weights = F.dropout(weights, dropout_p)
            out = weights @ v
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
            weights = None
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = self.out_proj(out).reshape(tgt_len, bsz, embed_dim)
        if weights is not None:
            weights = weights.reshape(bsz, heads, tgt_len, src_len)
            if average:
                weights = weights.mean(1)
        return out, weights


def _each_once(fn: Any, *tensors: Tensor) -> tuple:
    """``fn`` of each tensor, computed once per distinct tensor, so that self-attention's
    ``query is key is value`` still holds afterwards (it then takes one packed projection)."""
    done: dict = {}
    for t in tensors:
        if id(t) not in done:
            done[id(t)] = fn(t)
    return tuple(done[id(t)] for t in tensors)


def _project_separately(query: Tensor, key: Tensor, value: Tensor, weight: Tensor, bias: Tensor | None) -> tuple:
    """q, k, v from the three row blocks of the packed projection (cross-attention)."""
    w_q, w_k, w_v = weight.chunk(3)
    b_q, b_k, b_v = bias.chunk(3) if bias is not None else (None, None, None)
    return F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)


def _canonical_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A bool mask (True = masked out) becomes an additive float one (-inf there); a float one is kept."""
    if mask is None:
        return None
    if mask.dtype.name == "bool":
        return zeros(tuple(mask.shape), dtype=dtype, device=mask.device).masked_fill(mask, -math.inf)
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _check_attn_mask(mask: Tensor, batch_heads: int, tgt_len: int, src_len: int) -> Tensor:
    """A 2-D (L, S) mask gets a leading 1; a 3-D one must be (N * heads, L, S)."""
    if mask.ndim == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but should be {(tgt_len, src_len)}.")
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        if tuple(mask.shape) != (batch_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but should be "
                               f"{(batch_heads, tgt_len, src_len)}.")
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")
