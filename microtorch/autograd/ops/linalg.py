"""Matrix products: ``matmul`` (1-D, 2-D and batched with broadcasting), ``outer``, ``addmm`` and ``einsum``."""
from __future__ import annotations

import math
import string
from typing import Any, Sequence

from ..._device import on_device
from ..function import Op
from .index import GetItem
from ..._dtype import result_type
from ..._tensor import Tensor
from ..._promotion import _as_tensor_like


class MatMul(Op):
    """d(A @ B) = dA @ B + A @ dB, so grad_A = G @ B^T and grad_B = A^T @ G"""

    broadcasting = True  # batch dims broadcast; the engine sums them back

    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad  # grad_A needs B, grad_B needs A
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.folds_batch = b.ndim == 2 and a.ndim > 2
        if ctx.folds_batch:  # (..., m, k) @ (k, n) is one GEMM, not a loop of them
            rows = math.prod(a.shape[:-1])  # (not -1: an empty inner dim leaves it undetermined)
            out = ctx.xp.matmul(a.reshape(rows, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[-1],))
        else:
            out = ctx.xp.matmul(a, b)
        return out if out.dtype == a.dtype else out.astype(a.dtype)  # (ml_dtypes' bfloat16 matmul gives float32)

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = grad @ b.mT if need_a else None
        gb = None
        if need_b:
            if ctx.folds_batch:  # sum the batch inside one GEMM
                rows = math.prod(a.shape[:-1])
                gb = a.reshape(rows, a.shape[-1]).mT @ grad.reshape(rows, grad.shape[-1])
            else:
                gb = a.mT @ grad
        return ga, gb


def matmul(a: Any, b: Any):

    if not isinstance(b, Tensor):
        b = _as_tensor_like(b, a)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a._data.dtype != b._data.dtype:
        target = result_type(a, b)
        a, b = a.to(target), b.to(target)
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        if a.ndim <= 2 and b.ndim <= 2:
            sa = "x".join(map(str, a.shape if a.ndim == 2 else (1,) + tuple(a.shape)))
            sb = "x".join(map(str, b.shape if b.ndim == 2 else tuple(b.shape) + (1,)))
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {k_a} but got: {k_b} "
            f"(matmul of {list(a.shape)} and {list(b.shape)})"
        )
    a1, b1 = a.ndim == 1, b.ndim == 1
    if a1:
        a = a.unsqueeze(0)
    if b1:
        b = b.unsqueeze(-1)
    try:
        out = MatMul.apply(a, b)
    except ValueError as e:  # batch dims that do not broadcast
        raise RuntimeError(f"matmul: batch dimensions of {list(a.shape)} and {list(b.shape)} do not broadcast ({e})") from None
    if a1 and b1:
        return out.reshape(())
    if a1:
        return out.squeeze(-2)
    if b1:
        return out.squeeze(-1)
    return out


def outer(a, b):
    """a[i] * b[j]: a broadcast product, so the gradient (and dtype promotion) is Mul's."""
    for name, v in (("input", a), ("vec2", b)):
        if not isinstance(v, Tensor) or v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {getattr(v, 'ndim', '?')}-D")
    return a.unsqueeze(1) * b.unsqueeze(0)


def addmm(input, mat1, mat2, beta: Any = 1, alpha: Any = 1):
    """beta * input + alpha * (mat1 @ mat2); with beta == 0 ``input`` is ignored (nan and inf too, as torch)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"addmm: expected 2-D matrices, got {mat1.ndim}-D and {mat2.ndim}-D")
    dtypes = {t._data.dtype for t in (input, mat1, mat2)}
    if len(dtypes) > 1:
        raise RuntimeError(f"addmm: expected all tensors to have the same dtype, but got {input.dtype}, {mat1.dtype} "
                           f"and {mat2.dtype}")
    product = matmul(mat1, mat2)
    if not (input.ndim <= 2 and all(s in (1, n) for s, n in zip(input.shape[::-1], product.shape[::-1]))):
        raise RuntimeError(f"addmm: input of shape {list(input.shape)} does not broadcast to {list(product.shape)}")
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return (input if beta == 1 else input * beta) + product


# ---- einsum -----------------------------------------------------------------------------------------
class Einsum(Op):
    """d einsum(s_1,...,s_n -> o) / d operand_i = einsum(o, s_j (j != i) -> s_i), broadcast over
    letters only operand i has."""

    def forward(ctx, *operands, inputs, output):
        ctx.save_for_backward(*operands)
        ctx.inputs, ctx.output = inputs, output
        return ctx.xp.einsum(",".join(inputs) + "->" + output, *operands, optimize=len(operands) > 2)

    def backward(ctx, grad):
        operands = ctx.saved_tensors
        grads: list = []
        for i, (sub, x) in enumerate(zip(ctx.inputs, operands)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            other_subs = [s for j, s in enumerate(ctx.inputs) if j != i]
            others = [t for j, t in enumerate(operands) if j != i]
            reachable = ctx.output + "".join(other_subs)
            kept = "".join(c for c in sub if c in reachable)
            g = _einsum(",".join([ctx.output] + other_subs) + "->" + kept, [grad] + others)
            if kept != sub:  # letters summed only inside this operand: their gradient is broadcast
                g = g.reshape(tuple(x.shape[k] if c in kept else 1 for k, c in enumerate(sub))).expand(x.shape)
            grads.append(g)
        return tuple(grads)


def _einsum(spec: str, operands: list):
    lhs, output = spec.split("->")
    return Einsum.apply(*operands, inputs=tuple(lhs.split(",")), output=output)


def einsum(equation: str, *operands: Any):
    """``einsum('ij,jk->ik', a, b)``: sums of products over named axes, as ``torch.einsum`` (also its sublist
    format, ``einsum(a, [0, 1], b, [1, 2], [0, 2])``)."""
    if isinstance(equation, Tensor):
        equation, operands = _sublist_equation((equation,) + operands)
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {i} is {type(t).__name__}, expected a Tensor")
    inputs, output = _parse_equation(equation, [t.ndim for t in operands])
    sizes: dict = {}
    for sub, t in zip(inputs, operands):
        for c, n in zip(sub, t.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {inputs.index(sub)} which does not "
                    f"broadcast with previously seen size {sizes[c]}"
                )
            sizes[c] = max(sizes[c], n)
    tensors = list(operands)
    for i, (sub, t) in enumerate(zip(inputs, tensors)):
        inputs[i], tensors[i] = _take_diagonals(sub, t)
        if any(t.shape[k] == 1 and sizes[c] != 1 for k, c in enumerate(inputs[i])):
            tensors[i] = tensors[i].expand(tuple(sizes[c] for c in inputs[i]))
    if len({t._data.dtype for t in tensors}) > 1:

        target = result_type(*tensors)
        tensors = [t.to(target) for t in tensors]
    return Einsum.apply(*tensors, inputs=tuple(inputs), output=output)


def _sublist_equation(args: tuple) -> tuple:
    """The equation and operands of torch's sublist format: operands each followed by its list of subscripts
    (ints in [0, 52), or ``...``), then optionally the output's list."""
    output = args[-1] if len(args) % 2 else None
    pairs = args[:-1] if len(args) % 2 else args

    def letters(sublist: Any) -> str:
        out = ""
        for n in sublist:
            if n is Ellipsis:
                out += "..."
                continue
            n = int(n)
            if not 0 <= n < 52:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
            out += chr(ord("A") + n) if n < 26 else chr(ord("a") + n - 26)
        return out

    equation = ",".join(letters(sub) for sub in pairs[1::2])
    return equation + ("" if output is None else "->" + letters(output)), tuple(pairs[0::2])


def _take_diagonals(sub: str, t):
    """Rewrite an operand with a repeated letter ('ii') as its diagonal ('i')."""
    while len(set(sub)) != len(sub):
        c = next(ch for ch in sub if sub.count(ch) > 1)
        p, q = sub.index(c), sub.index(c, sub.index(c) + 1)
        if t.shape[p] != t.shape[q]:
            raise RuntimeError(f"einsum(): subscript {c} is repeated for operand but the sizes don't match, {t.shape[p]} != {t.shape[q]}")
        rest = [k for k in range(len(sub)) if k not in (p, q)]
        t = t.permute([p, q] + rest)
        n = t.shape[0]
        with on_device(t.device):
            idx = t.device.backend.xp.arange(n)
        t = GetItem.apply(t, key=(idx, idx))
        sub = c + "".join(sub[k] for k in rest)
    return sub, t


def _parse_equation(equation: str, ndims: Sequence[int]) -> tuple:
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise ValueError(f"einsum(): {len(inputs)} operands in the equation but {len(ndims)} were given")
    free = [c for c in string.ascii_letters if c not in eq]
    n_ell = 0
    for sub, nd in zip(inputs, ndims):
        if "..." in sub:
            n_ell = max(n_ell, nd - (len(sub) - 3))
    ell = "".join(free[:n_ell])
    expanded = []
    for sub, nd in zip(inputs, ndims):
        if "..." in sub:
            k = nd - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - k:] if k else "")
        if len(sub) != nd or not all(c in string.ascii_letters for c in sub):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({sub!r}) does not match the number of dimensions ({nd})")
        expanded.append(sub)
    if arrow:
        output = rhs.replace("...", ell)
        for c in output:
            if not any(c in s for s in expanded):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
    else:
        letters = "".join(expanded)
        output = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return expanded, output
