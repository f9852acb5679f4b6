"""Attention: ``softmax(Q K^T * scale + mask) V`` as one op (``F.scaled_dot_product_attention`` without
dropout), instead of the matmul, scale, mask, softmax and matmul ops and their five backward nodes.

The forward keeps the attention weights W (the softmax) for the backward. A causal mask is a cached additive
(L, S) array of 0 and -inf per geometry and dtype, not a bool one made on every call. Rows that no key may
attend get weights 0 (torch's SDPA), not nan.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from .. import grad_mode
from ..function import Op
from ..._tensor import Tensor


@lru_cache(maxsize=16)
def _causal_bias(device: Any, xp: Any, rows: int, cols: int, dtype: Any) -> Any:
    """(rows, cols): 0 on and below the diagonal, -inf above (torch's is_causal: top-left aligned)."""
    return xp.where(xp.tri(rows, cols, dtype=bool), 0.0, -math.inf).astype(dtype)


def _softmax_(xp: Any, scores: Any, masked: bool) -> Any:
    """softmax over the last dim in place; rows that are all -inf (only a mask makes them) give 0, not nan."""
    if not scores.size:  # (no keys or no queries: nothing to normalise)
        return scores
    top = scores.max(axis=-1, keepdims=True)
    if masked:
        top[top == -math.inf] = 0.0
    scores -= top
    weights = xp.exp(scores, out=scores)
    total = weights.sum(axis=-1, keepdims=True)
    total[total == 0] = 1.0
    weights /= total
    return weights


class Attention(Op):
    """out = W V, W = softmax(S), S = Q K^T scale + bias (masked: -inf); grad_V = W^T G,
    dS = W (G V^T - sum(G V^T * W, -1)), grad_Q = dS K scale, grad_K = dS^T Q scale, grad_bias = dS"""

    broadcasting = True  # the bias (a float mask) broadcasts over batch, heads and rows: summed back

    def forward(ctx, q, k, v, bias, allowed, causal, scale):
        xp = ctx.xp
        scores = xp.matmul(q, xp.swapaxes(k, -1, -2))
        scores *= scale
        if bias is not None:
            scores = scores + bias  # (not in place: the bias may broadcast the scores to more dims)
        if causal:
            scores += _causal_bias(ctx.device, xp, scores.shape[-2], scores.shape[-1], scores.dtype)
        if allowed is not None:
            scores = xp.where(allowed, scores, -math.inf)
        weights = _softmax_(xp, scores, masked=bias is not None or allowed is not None)
        ctx.scale, ctx.causal = scale, causal
        ctx.save_for_backward(q, k, v, bias, allowed, weights)
        out = xp.matmul(weights, v)
        return out if out.dtype == q.dtype else out.astype(q.dtype)

    def backward(ctx, grad):
        q, k, v, bias, allowed, weights = ctx.saved_tensors
        need_q, need_k, need_v, need_bias = ctx.needs_input_grad[:4]
        scale = ctx.scale
        if grad_mode.state.enabled:  # create_graph: W recomputed from Q, K (and the bias) so that it stays connected
            weights = _weights(ctx, q, k, bias, allowed)
        gv = weights.mT @ grad if need_v else None
        if not (need_q or need_k or need_bias):
            return None, None, gv, None, None
        gw = grad @ v.mT
        ds = weights * (gw - (gw * weights).sum(-1, keepdim=True))
        gq = (ds @ k) * scale if need_q else None
        gk = (ds.mT @ q) * scale if need_k else None
        return gq, gk, gv, ds if need_bias else None, None


def _weights(ctx: Any, q: Any, k: Any, bias: Any, allowed: Any) -> Any:
    """softmax(Q K^T scale + bias, masked) with Tensor ops (rows with no allowed key: 0)."""
    scores = (q @ k.mT) * ctx.scale
    if bias is not None:
        scores = scores + bias
    if ctx.causal:
        rows, cols = scores.shape[-2], scores.shape[-1]
        scores = scores + Tensor._make(_causal_bias(ctx.device, ctx.xp, rows, cols, scores._data.dtype), ctx.device)
    if allowed is not None:
        scores = scores.masked_fill(allowed.logical_not(), -math.inf)
    blocked = (scores == -math.inf).all(-1, keepdim=True)
    return scores.masked_fill(blocked, 0.0).softmax(-1).masked_fill(blocked, 0.0)
