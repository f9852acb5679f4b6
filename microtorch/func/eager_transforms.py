"""``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd`` and ``hessian`` (torch.func's transforms).

Built on microtorch's reverse-mode autograd. Each transform makes its differentiated inputs fresh leaves
(or uses them as they are when an enclosing transform already differentiates them, so transforms nest:
``grad(grad(f))``, ``jacrev(jacrev(f))``), and always records the graph of the gradient, so the results
can be differentiated again. Inside ``vmap``, a differentiated input that is not batched at an active
level is expanded over that level first, so ``vmap(grad(f))`` gives per-example gradients.
``jvp`` uses the double-vjp construction (no forward mode); ``jacfwd`` is built on ``jacrev``.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import microtorch
from microtorch import Tensor

from . import _batched
from ._batched import BatchedTensor, wrap
from ._pytree import tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp"]


# ---- leaves under vmap levels ------------------------------------------------------------------------------
def _levels_of(t: Tensor) -> list:
    levels = []
    while type(t) is BatchedTensor:
        levels.append(t._level)
        t = t._phys
    return levels[::-1]  # outermost first


def _innermost(t: Tensor) -> Tensor:
    while type(t) is BatchedTensor:
        t = t._phys
    return t


def _rewrap(plain: Tensor, levels: list) -> Tensor:
    for level in levels:
        plain = wrap(plain, level)
    return plain


def _lift(t: Tensor) -> Tensor:
    """``t`` batched at every active vmap level (expanded over the ones it is not batched at), outermost first."""
    have = set(_levels_of(t))
    for level, size in _batched.active_levels.items():
        if level not in have:
            t = wrap(_expand_under(t, level, size), level)
    return t


def _expand_under(t: Tensor, level: int, size: int) -> Tensor:
    """t with a new leading dim of ``size``, as the physical tensor of a new BatchedTensor at ``level``."""
    return t.unsqueeze(0).expand((size,) + tuple(t.shape))


def _make_leaf(t: Any) -> Any:
    """A tensor the transform differentiates with respect to: the input itself when an enclosing transform
    already tracks it, otherwise a fresh detached leaf."""
    if not isinstance(t, Tensor):
        raise TypeError(f"expected the differentiated inputs to be Tensors, got {type(t).__name__}")
    t = _lift(t)
    levels = _levels_of(t)
    plain = _innermost(t)
    if not plain.requires_grad:
        plain = plain.detach().requires_grad_()
    return _rewrap(plain, levels)


class _Nesting:
    """How many transforms are running: the outermost one detaches its results (as torch's, whose results do
    not require grad unless the inputs did); inner ones keep the graph for the transforms around them."""

    depth = 0

    def __enter__(self) -> None:
        _Nesting.depth += 1

    def __exit__(self, *exc: Any) -> None:
        _Nesting.depth -= 1


def _finish(results: list, originals: list) -> list:
    """Detach the results of an outermost transform whose inputs did not require grad."""
    if _Nesting.depth or any(isinstance(o, Tensor) and o.requires_grad for o in originals):
        return results
    return [r.detach() for r in results]


def _grad_of(outputs: list, inputs: list, cotangents: list) -> list:
    """d(sum <outputs, cotangents>)/d inputs, each result batched as its input; zeros where unused."""
    plain_out = [_innermost(o) for o in outputs]
    plain_in = [_innermost(i) for i in inputs]
    plain_ct = [_innermost(c) for c in cotangents]
    pairs = [(o, c) for o, c in zip(plain_out, plain_ct) if o.requires_grad]
    if not pairs:
        return [microtorch.zeros_like(i) for i in inputs]
    grads = microtorch.autograd.grad([o for o, _ in pairs], plain_in, [_match(c, o) for o, c in pairs],
                                     create_graph=True, allow_unused=True)
    return [_rewrap(microtorch.zeros_like(p) if g is None else g, _levels_of(i))
            for g, p, i in zip(grads, plain_in, inputs)]


def _match(cotangent: Tensor, output: Tensor) -> Tensor:
    """A cotangent shaped like the output's physical tensor (an unbatched one broadcasts over the batch)."""
    return cotangent if tuple(cotangent.shape) == tuple(output.shape) else cotangent.expand(output.shape)


def _check_argnums(argnums: Any, n: int) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(a, int) for a in nums):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in nums:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnums={a}, but only {n} positional inputs")
    return tuple(a % n for a in nums)


# ---- grad -----------------------------------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """``(gradient, value)`` of a function returning a scalar; ``has_aux``: ``func`` returns ``(value, aux)``
    and the result is ``(gradient, (value, aux))``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _check_argnums(argnums, len(args))
        arg_list = list(args)
        diff_specs, originals = [], []
        for a in nums:
            leaves, spec = tree_flatten(arg_list[a])
            originals.extend(leaves)
            leaves = [_make_leaf(x) for x in leaves]
            arg_list[a] = tree_unflatten(leaves, spec)
            diff_specs.append((leaves, spec))
        with microtorch.enable_grad(), _Nesting():
            output = func(*arg_list, **kwargs)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) "
                                   "if has_aux is True")
            output, aux = output
        if not isinstance(output, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}")
        if output.ndim != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                               f"with {output.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        flat_inputs = [x for leaves, _ in diff_specs for x in leaves]
        grads = _finish(_grad_of([output], flat_inputs, [microtorch.ones_like(_innermost(output))]), originals)
        if not _Nesting.depth and not any(o.requires_grad for o in originals if isinstance(o, Tensor)):
            output = output.detach()
        results, start = [], 0
        for leaves, spec in diff_specs:
            results.append(tree_unflatten(grads[start:start + len(leaves)], spec))
            start += len(leaves)
        gradient = results[0] if isinstance(argnums, int) else tuple(results)
        return (gradient, (output, aux)) if has_aux else (gradient, output)

    return wrapper


def grad(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar-valued ``func`` with respect to the inputs ``argnums`` (``torch.func.grad``)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gradient, value = gv(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


# ---- vjp and jvp ------------------------------------------------------------------------------------------------
def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives the cotangents' products with the Jacobian."""
    flat, spec = tree_flatten(primals)
    leaves = [_make_leaf(x) for x in flat]
    with microtorch.enable_grad(), _Nesting():
        output = func(*tree_unflatten(leaves, spec))
    aux = None
    if has_aux:
        output, aux = output
    flat_out, out_spec = tree_flatten(output)

    def vjp_fn(cotangents: Any) -> tuple:
        flat_ct, ct_spec = tree_flatten(cotangents)
        if len(flat_ct) != len(flat_out):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {ct_spec}, primal output: {out_spec}")
        return tree_unflatten(_finish(_grad_of(flat_out, leaves, flat_ct), flat), spec)

    results = (output, vjp_fn)
    return results + (aux,) if has_aux else results


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False) -> tuple:
    """``(func(*primals), J tangents)``, by the double-vjp construction: J t = d/du (u^T J) t."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python structure")
    with _Nesting():
        return _jvp(func, primals, tangents, has_aux)


def _jvp(func: Callable, primals: tuple, tangents: tuple, has_aux: bool) -> tuple:
    out = vjp(func, *primals, has_aux=has_aux)
    output, vjp_fn = out[0], out[1]
    flat_out, out_spec = tree_flatten(output)
    dummies = [microtorch.zeros_like(_innermost(o)).requires_grad_() for o in flat_out]
    dummy_levels = [_rewrap(d, _levels_of(o)) for d, o in zip(dummies, flat_out)]
    with microtorch.enable_grad():
        pulled = tree_flatten(vjp_fn(tree_unflatten(dummy_levels, out_spec)))[0]
    flat_tangents = tree_flatten(tangents)[0]
    tangent_out = _grad_of(pulled, dummy_levels, flat_tangents)
    if _Nesting.depth == 1 and not any(isinstance(p, Tensor) and p.requires_grad for p in tree_flatten(primals)[0]):
        tangent_out = [t.detach() for t in tangent_out]
    detached = tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, output)
    results = (detached, tree_unflatten(tangent_out, out_spec))
    return results + (out[2],) if has_aux else results


def linearize(func: Callable, *primals: Any) -> tuple:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at ``primals``
    (``torch.func.linearize``; torch traces the jvp once into a graph, this runs ``jvp`` at each call, with
    the same values). The tangents must match the primals' structure, shapes, dtypes and devices."""
    output = func(*primals)
    flat_primals, primals_spec = tree_flatten(primals)

    def jvp_fn(*tangents: Any) -> Any:
        flat_tangents, tangents_spec = tree_flatten(tangents)
        if tangents_spec != primals_spec:
            raise RuntimeError(f"Expected the tangents {tangents_spec} to have the same argspec as the primals "
                               f"{primals_spec}")
        for i, (t, p) in enumerate(zip(flat_tangents, flat_primals)):
            for what, mine, theirs in (("shape", t.shape, p.shape), ("device", t.device, p.device),
                                       ("dtype", t.dtype, p.dtype)):
                if mine != theirs:
                    raise RuntimeError(f"tangent:{i} with {what} {mine} in flattened pytree doesn't match the {what} "
                                       f"{theirs} of the corresponding primal.")
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


# ---- Jacobians and Hessians --------------------------------------------------------------------------------------
def jacrev(func: Callable, argnums: Any = 0, *, has_aux: bool = False, chunk_size: int | None = None) -> Callable:
    """The Jacobian of ``func`` by reverse mode: one vjp per output element (``torch.func.jacrev``);
    result shape ``output.shape + input.shape`` for each differentiated input."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _check_argnums(argnums, len(args))
        arg_list = list(args)
        flat_in, specs, originals = [], [], []
        for a in nums:
            leaves, spec = tree_flatten(arg_list[a])
            originals.extend(leaves)
            leaves = [_make_leaf(x) for x in leaves]
            arg_list[a] = tree_unflatten(leaves, spec)
            flat_in.append(leaves)
            specs.append(spec)
        with microtorch.enable_grad(), _Nesting():
            output = func(*arg_list, **kwargs)
        aux = None
        if has_aux:
            output, aux = output
        flat_out, out_spec = tree_flatten(output)
        inputs = [x for leaves in flat_in for x in leaves]
        per_output = [_finish(_jacobian_rows(o, inputs), originals) for o in flat_out]
        jac = tree_unflatten([_per_argnum(rows, flat_in, specs, argnums) for rows in per_output], out_spec)
        return (jac, aux) if has_aux else jac

    return wrapper


def _jacobian_rows(output: Tensor, inputs: list) -> list:
    """d output / d input for each input, shaped output.shape + input.shape (rows of one-hot cotangents)."""
    n = output.numel()
    rows = []
    for k in range(n):
        onehot = microtorch.zeros(n, dtype=output.dtype, device=output.device)
        onehot[k] = 1.0
        rows.append(_grad_of([output], inputs, [onehot.reshape(output.shape)]))
    jac = []
    for i, x in enumerate(inputs):
        stacked = microtorch.stack([r[i] for r in rows]) if rows else microtorch.zeros((0,) + tuple(x.shape),
                                                                                      dtype=x.dtype, device=x.device)
        jac.append(stacked.reshape(tuple(output.shape) + tuple(x.shape)))
    return jac


def _per_argnum(rows: list, flat_in: list, specs: list, argnums: Any) -> Any:
    parts, start = [], 0
    for leaves, spec in zip(flat_in, specs):
        parts.append(tree_unflatten(rows[start:start + len(leaves)], spec))
        start += len(leaves)
    return parts[0] if isinstance(argnums, int) else tuple(parts)


def jacfwd(func: Callable, argnums: Any = 0, has_aux: bool = False, *, randomness: str = "error") -> Callable:
    """The Jacobian of ``func`` (``torch.func.jacfwd``'s result); computed here by reverse mode (``jacrev``),
    since microtorch has no forward-mode autograd: the same values, a different cost profile."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable, argnums: Any = 0) -> Callable:
    """The Hessian of a scalar ``func``: the Jacobian of its gradient (``torch.func.hessian``)."""
    return jacfwd(jacrev(func, argnums), argnums)
