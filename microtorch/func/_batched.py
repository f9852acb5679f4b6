"""Batched tensors and batching rules: how ``vmap`` runs a per-example function once over a whole batch.

Inside ``vmap``, a mapped input is a ``BatchedTensor``: a Tensor whose shape is the per-example (logical)
shape, holding the whole batch as a physical tensor with the batch in dim 0. Every op reaches
``Op.apply``; while a vmap runs, ``Op.apply`` first hands ops with batched inputs to ``dispatch`` here,
which finds the op's batching rule: elementwise ops broadcast over the batch dim once ranks are aligned,
reductions/softmax/shape ops shift their dims by one, matmul and linear become batched GEMMs, conv
folds the batch into N (or into groups, for per-example weights), the fused cross-entropy folds it
into N. Ops without a rule run once per example and are stacked (always correct, slower).

Nested vmaps nest BatchedTensors (each level wraps the one outside it); an op is batched level by
level, innermost first, since a rule's own ops re-enter ``dispatch`` for the outer levels.
"""
from __future__ import annotations

import math
from typing import Any, Callable, TypeGuard

import microtorch
from microtorch import Size, Tensor
from microtorch.autograd import function
from microtorch.autograd.ops import activation, conv, elementwise, index, linalg, loss, nn as nn_ops, norm, pool, reduce, shape
from microtorch.autograd.ops import special

_new = object.__new__


class BatchedTensor(Tensor):
    """A batch of per-example tensors seen as one example (``shape`` is the per-example shape)."""

    __slots__ = ("_phys", "_level")
    _phys: Tensor  # the physical tensor, batch dimension first
    _level: int

    @property
    def shape(self) -> Size:
        return Size(self._phys.shape[1:])

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]

    @property
    def ndim(self) -> int:
        return self._phys.ndim - 1

    def dim(self) -> int:
        return self._phys.ndim - 1

    def numel(self) -> int:
        return math.prod(self.shape)

    def __len__(self) -> int:
        if not self.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def detach(self) -> "BatchedTensor":
        return wrap(self._phys.detach(), self._level)

    def requires_grad_(self, requires_grad: bool = True) -> "BatchedTensor":
        self._phys.requires_grad_(requires_grad)
        self._requires_grad = requires_grad
        return self

    def gather(self, dim: int, index: Tensor, *, sparse_grad: bool = False) -> "BatchedTensor":
        """Per example: gather's index checks and keys read the index's values, which differ per example."""
        size = active_levels[self._level]
        rows = [self._phys[b].gather(dim, index._phys[b] if is_batched_at(index, self._level) else index)
                for b in range(size)]
        return wrap(microtorch.stack(rows), self._level)

    def item(self) -> Any:
        raise RuntimeError("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over calling "
                           ".item() on a Tensor, please try to rewrite what you're doing with other operations.")

    def __bool__(self) -> bool:
        raise RuntimeError("vmap: It looks like you're attempting to use a Tensor in some data-dependent control flow. "
                           "We don't support that yet, please shout over at https://github.com/pytorch/functorch/issues/257 .")

    def tolist(self) -> Any:
        raise RuntimeError("vmap: tolist() on a Tensor being vmapped over is not supported (it is data-dependent).")

    def numpy(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("vmap: numpy() on a Tensor being vmapped over is not supported (it is data-dependent).")

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("vmap: backward() inside vmap is not supported: use microtorch.func.grad or vjp instead.")

    def __repr__(self) -> str:
        return f"BatchedTensor(lvl={self._level}, bdim=0, value=\n{self._phys!r}\n)"


def wrap(phys: Tensor, level: int) -> BatchedTensor:
    """A BatchedTensor at ``level`` over ``phys`` (its dim 0 is the batch)."""
    t = _new(BatchedTensor)
    t._phys, t._level = phys, level
    t._data, t._device = phys._data, phys._device
    t._requires_grad = phys._requires_grad
    t._grad, t._grad_fn, t._output_nr, t._version = None, phys._grad_fn, 0, 0
    t._base, t._hooks, t._retains_grad = None, None, False
    return t


def is_batched_at(x: Any, level: int) -> TypeGuard[BatchedTensor]:
    return type(x) is BatchedTensor and x._level == level


#: the active vmap levels, outermost first: level -> batch size
active_levels: dict = {}


def dispatch(cls: type[function.Op], inputs: tuple, params: dict) -> Any:
    """The batching rule of ``cls`` applied at the innermost level among ``inputs`` (NotImplemented: none batched)."""
    level = -1
    for x in inputs:
        if type(x) is BatchedTensor and x._level > level:
            level = x._level
    if level < 0:
        return NotImplemented
    rule = RULES.get(cls)
    if rule is None:
        rule = _elementwise if cls in ELEMENTWISE else per_example
    return rule(cls, level, inputs, params)


def _wrap_out(out: Any, level: int) -> Any:
    if type(out) is tuple:
        return tuple(wrap(o, level) for o in out)
    return wrap(out, level)


def _phys(x: Any, level: int) -> Any:
    return x._phys if is_batched_at(x, level) else x


def _with_rank(x: BatchedTensor, rank: int) -> Tensor:
    """x's physical tensor with size-1 dims after the batch dim, so its per-example rank is ``rank``."""
    p = x._phys
    missing = rank - x.ndim
    return p if missing <= 0 else p.reshape((p.shape[0],) + (1,) * missing + tuple(p.shape[1:]))


def _batched_copy(x: Any, level: int) -> Tensor:
    """x as a physical tensor batched at ``level`` (an unbatched one expanded over the batch)."""
    if is_batched_at(x, level):
        return x._phys
    return x.unsqueeze(0).expand((active_levels[level],) + tuple(x.shape))


def _shift(dim: Any, ndim: int) -> Any:
    """Per-example dims as physical ones: None (every dim) -> all but the batch dim; d >= 0 -> d + 1."""
    if dim is None:
        return tuple(range(1, ndim + 1))
    if isinstance(dim, tuple):
        return tuple(d + 1 if d >= 0 else d for d in dim)
    return dim + 1 if dim >= 0 else dim


def getitem_with_vmapped_index(x: Tensor, key: Any) -> Any:
    """``x[key]`` per example when ``key`` holds index tensors being vmapped over (their values differ per
    example); NotImplemented otherwise (the GetItem rule handles a batched ``x`` with shared indices)."""
    parts = key if isinstance(key, tuple) else (key,)
    levels = [k._level for k in parts if type(k) is BatchedTensor]
    if not levels:
        return NotImplemented
    level = max(levels + ([x._level] if type(x) is BatchedTensor else []))
    rows = []
    for b in range(active_levels[level]):
        row_key = tuple(k._phys[b] if is_batched_at(k, level) else k for k in parts)
        rows.append((x._phys[b] if is_batched_at(x, level) else x)[row_key if isinstance(key, tuple) else row_key[0]])
    return wrap(microtorch.stack(rows), level)


# ---- the rules ----------------------------------------------------------------------------------------------
def per_example(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """The fallback: run the op on each example and stack the results (correct for every op, one call each)."""
    outs = [cls.apply(*[x._phys[b] if is_batched_at(x, level) else x for x in inputs], **params)
            for b in range(active_levels[level])]
    if type(outs[0]) is tuple:
        return tuple(wrap(microtorch.stack(list(parts)), level) for parts in zip(*outs))
    return wrap(microtorch.stack(outs), level)


def _elementwise(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """Broadcasting ops: batched inputs get size-1 dims up to the largest per-example rank, then one call."""
    rank = max(x.ndim for x in inputs if isinstance(x, Tensor))
    args = [_with_rank(x, rank) if is_batched_at(x, level) else x for x in inputs]
    return _wrap_out(cls.apply(*args, **params), level)


def _dim_param(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """Reductions, scans and softmax: the ``dim`` parameter moves past the batch dim."""
    x = inputs[0]
    if params.get("dim", 0) is None and cls is reduce.ArgMax:  # argmax over everything: a flat index
        return per_example(cls, level, inputs, params)
    return _wrap_out(cls.apply(x._phys, *inputs[1:], **dict(params, dim=_shift(params["dim"], x.ndim))), level)


def _dims_param(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    x = inputs[0]
    return wrap(cls.apply(x._phys, **dict(params, dims=_shift(tuple(d % max(x.ndim, 1) for d in params["dims"]), x.ndim))),
                level)


def _reshape(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    x = inputs[0]
    return wrap(cls.apply(x._phys, shape=(x._phys.shape[0],) + tuple(params["shape"])), level)


def _permute(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    x = inputs[0]
    dims = (0,) + tuple(d % x.ndim + 1 for d in params["dims"])
    return wrap(cls.apply(x._phys, dims=dims), level)


def _expand(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    x, target = inputs[0], tuple(params["shape"])
    p = _with_rank(x, len(target))
    target = tuple(p.shape[i + 1] if s == -1 else s for i, s in enumerate(target))
    return wrap(cls.apply(p, shape=(p.shape[0],) + target), level)


def _repeat(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    x, repeats = inputs[0], tuple(params["repeats"])
    return wrap(cls.apply(_with_rank(x, len(repeats)), repeats=(1,) + repeats), level)


def _cat(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    dim = params["dim"]
    return wrap(cls.apply(*[_batched_copy(x, level) for x in inputs], dim=dim + 1 if dim >= 0 else dim), level)


def _split(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    dim = params["dim"]
    return _wrap_out(cls.apply(inputs[0]._phys, **dict(params, dim=dim + 1 if dim >= 0 else dim)), level)


def _getitem(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """Indexing with a leading full slice for the batch; advanced indices apart from each other would move
    their dims to the front (NumPy's rule), so those run per example."""
    key = params["key"]
    advanced = [i for i, k in enumerate(key) if not (k is None or k is Ellipsis or isinstance(k, (int, slice)))]
    if advanced and advanced != list(range(advanced[0], advanced[-1] + 1)):
        return per_example(cls, level, inputs, params)
    return wrap(cls.apply(inputs[0]._phys, key=(slice(None),) + tuple(key)), level)


def _matmul(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    return _elementwise(cls, level, inputs, params)  # the batch dims broadcast like elementwise dims


def _shared(t: Tensor) -> bool:
    """Whether a batched physical tensor is one tensor expanded over the batch (stride 0): the same weights
    for every example, as per-sample gradients make them."""
    return t._data.ndim > 0 and t._data.strides[0] == 0


class PerExampleLinear(function.Op):
    """y_b = x_b W_b^T (x: (B, N, in), W: (B, out, in)); grad_x_b = G_b W_b, grad_W_b = G_b^T x_b.
    Weights expanded over the batch (stride 0) take one GEMM forward and for grad_x, while grad_W is still
    per example: the per-sample gradients come out of one batched product."""

    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        if w.strides[0] == 0:
            return (x.reshape(-1, x.shape[-1]) @ w[0].T).reshape(x.shape[:-1] + (w.shape[1],))
        return ctx.xp.matmul(x[0] if x.strides[0] == 0 else x, ctx.xp.swapaxes(w, -1, -2))

    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad
        gx = gw = None
        if need_x:
            gx = (grad.reshape(-1, grad.shape[-1]) @ w[0]).reshape(grad.shape[:-1] + (w.shape[-1],)) if _shared(w) \
                else grad @ w
        if need_w:  # one row per example (the per-sample case): outer products, which stacked GEMMs do slowly
            gw = grad.mT * x if x.shape[-2] == 1 else grad.mT @ x
        return gx, gw


def _linear(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """x W^T + b; per-example weights (ensembles, per-sample gradients) make it one batched product."""
    x, weight, bias = inputs
    if not is_batched_at(weight, level) and not is_batched_at(bias, level):
        return wrap(cls.apply(x._phys, weight, bias), level)
    size = active_levels[level]
    px = _batched_copy(x, level)
    lead = tuple(px.shape[1:-1])
    out = PerExampleLinear.apply(px.reshape(size, -1, px.shape[-1]), _batched_copy(weight, level))
    if bias is not None:
        out = out + _batched_copy(bias, level).unsqueeze(1)
    return wrap(out.reshape((size,) + lead + (out.shape[-1],)), level)


def _conv2d(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """The batch folded into N; with per-example weights, into the groups (one grouped convolution)."""
    x, weight, bias = inputs
    size = active_levels[level]
    px = _batched_copy(x, level)  # (B, N, C, H, W)
    n, c = px.shape[1], px.shape[2]
    if not is_batched_at(weight, level) and not is_batched_at(bias, level):
        out = cls.apply(px.reshape((size * n,) + tuple(px.shape[2:])), weight, bias, **params)
        return wrap(out.reshape((size, n) + tuple(out.shape[1:])), level)
    pw = _batched_copy(weight, level)  # (B, O, C/g, kh, kw)
    o = pw.shape[1]
    grouped_x = px.movedim(0, 1).reshape((n, size * c) + tuple(px.shape[3:]))
    grouped_w = pw.reshape((size * o,) + tuple(pw.shape[2:]))
    grouped_b = None if bias is None else _batched_copy(bias, level).reshape(size * o)
    out = cls.apply(grouped_x, grouped_w, grouped_b, **dict(params, groups=params["groups"] * size))
    return wrap(out.reshape((n, size, o) + tuple(out.shape[2:])).movedim(1, 0), level)


def _fold_into_n(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """Pooling: the batch folded into N."""
    if params.get("argmax") is not None or len(inputs) != 1:
        return per_example(cls, level, inputs, params)
    p = inputs[0]._phys
    out = cls.apply(p.reshape((-1,) + tuple(p.shape[2:])), **params)
    unfold = lambda t: wrap(t.reshape(tuple(p.shape[:2]) + tuple(t.shape[1:])), level)  # noqa: E731
    return tuple(unfold(t) for t in out) if type(out) is tuple else unfold(out)


def _cross_entropy(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """The fused (N, C) cross-entropy with the batch folded into N, then reduced per example."""
    x, target = inputs
    size = active_levels[level]
    px, pt = _batched_copy(x, level), _batched_copy(target, level)
    losses = cls.apply(px.reshape(-1, px.shape[-1]), pt.reshape(-1), reduction="none").reshape(size, -1)
    reduction = params["reduction"]
    out = losses if reduction == "none" else losses.mean(1) if reduction == "mean" else losses.sum(1)
    return wrap(out, level)


def _normalize(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    """batch/layer/group norm statistics over per-example dims; running statistics would be shared state."""
    if params.get("running_mean") is not None:
        return per_example(cls, level, inputs, params)
    x = inputs[0]
    return _wrap_out(cls.apply(x._phys, **dict(params, dims=_shift(tuple(params["dims"]), x.ndim))), level)


def _embedding(cls: type[function.Op], level: int, inputs: tuple, params: dict) -> Any:
    weight, indices = inputs
    if is_batched_at(weight, level):
        return per_example(cls, level, inputs, params)
    return wrap(cls.apply(weight, indices._phys, **params), level)


ELEMENTWISE = frozenset(
    obj for module in (elementwise, special, activation) for obj in vars(module).values()
    if isinstance(obj, type) and issubclass(obj, function.Op) and obj.__module__ == module.__name__
) | {nn_ops.ConstantPad, loss.BinaryCrossEntropy}

RULES: dict[type, Callable] = {
    **{op: _dim_param for op in (reduce.Sum, reduce.Mean, reduce.Var, reduce.Std, reduce.Prod, reduce.Amax,
                                 reduce.MaxDim, reduce.ArgMax, reduce.AnyAll, reduce.LogSumExp, reduce.Norm2,
                                 reduce.CumSum, reduce.CumProd, nn_ops.Softmax, nn_ops.LogSoftmax)},
    reduce.SumToSize: per_example,
    shape.Reshape: _reshape, shape.Permute: _permute, shape.Expand: _expand, shape.Repeat: _repeat,
    shape.Flip: _dims_param, shape.Cat: _cat, shape.Split: _split, shape.Unbind: _split,
    index.GetItem: _getitem,
    linalg.MatMul: _matmul, nn_ops.Linear: _linear, nn_ops.Embedding: _embedding,
    conv.Conv2d: _conv2d, pool.MaxPool2d: _fold_into_n, pool.WindowSum: _fold_into_n,
    loss.CrossEntropy: _cross_entropy, norm.Normalize: _normalize,
}
