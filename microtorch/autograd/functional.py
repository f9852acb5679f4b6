"""``torch.autograd.functional``: Jacobians, Hessians and their products with vectors, for a function of tensors.

Every one is built from ``autograd.grad``: ``vjp`` and ``jacobian`` by backward passes (one per output element
for the Jacobian), ``jvp`` and ``hvp`` by the double-backward trick (the gradient of a backward pass with respect
to its zero ``grad_outputs`` is the forward-mode product), ``hessian`` as the Jacobian of the Jacobian. Inputs are
a Tensor or a tuple of Tensors and results come back in the same shape; gradients that do not depend on an input
are zeros (``strict=True`` raises instead), and results are detached unless ``create_graph=True``.
``vectorize=True`` and ``strategy="forward-mode"`` give the same values, computed the same way.
"""
from __future__ import annotations

from typing import Any, Callable

from .._tensor import Tensor
from . import grad_mode
from . import grad as _autograd

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(value: Any, what: str, fn: str) -> tuple:
    """(whether ``value`` was a tuple, it as a tuple of Tensors); torch's TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but {where} "
                            f"has type {type(v)}.")
    return is_tuple, values


def _untuple(values: Any, was_tuple: Any) -> Any:
    """Undo ``_as_tuple`` (``was_tuple``: one flag, or (outer, inner) for nested results)."""
    if isinstance(was_tuple, tuple):
        if not was_tuple[1]:
            values = tuple(v[0] for v in values)
        return values if was_tuple[0] else values[0]
    return values if was_tuple else values[0]


def _prepared(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for the inputs: connected views with ``create_graph`` (for inputs that require grad),
    else detached leaves (requiring grad if ``need_graph``), so the function's own captures stay apart."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(need_graph)
                 for x in inputs)


def _finished(values: tuple, create_graph: bool) -> tuple:
    """Detach the results (nested tuples too) unless the caller wants their graph."""
    if values and isinstance(values[0], Tensor):
        return values if create_graph else tuple(v.detach() for v in values)
    return tuple(_finished(v, create_graph) for v in values)


def _check_v(v: tuple, like: tuple, like_is_tuple: bool) -> None:
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}." if like_is_tuple
                           else "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            raise RuntimeError(f"{f'Entry {i} in ' if like_is_tuple else ''}v has invalid size: should be {b.shape} "
                               f"but got {a.shape}.")


_STRICT_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
               "in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this would "
                "be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice differentiable "
               "and that the hessian depends on the inputs.",
}


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, v in enumerate(values):
        if v is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        if not v.requires_grad:
            raise RuntimeError(_STRICT_MESSAGES[kind].format(i=i))


def _grad(outputs: tuple, inputs: tuple, grad_outputs: Any = None, create_graph: bool = False) -> tuple:
    """``autograd.grad`` over the outputs that require grad (None for every input when none does)."""
    seeds = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, seeds) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _autograd([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=True,
                     create_graph=create_graph, allow_unused=True)


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in strict "
                  "mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
                   "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Zeros where a gradient is None (strict: torch's error naming the stage instead)."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = ref.new_zeros(ref.shape)
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True." if "double" not in stage else
                               f"The hessian of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _vector(v: Any, like: tuple, like_is_tuple: bool, fn: str, create_graph: bool, none_message: str) -> Any:
    """The checked ``v`` as a tuple (None allowed only where ``like`` is one single-element tensor)."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    v = _prepared(_as_tuple(v, "v", fn)[1], create_graph, need_graph=False)
    _check_v(v, like, like_is_tuple)
    return v


def _results(outputs: tuple, outputs_tuple: bool, products: tuple, products_tuple: bool, create_graph: bool) -> tuple:
    """(the function's outputs, the products), detached unless ``create_graph``, each in its caller's shape."""
    return (_untuple(_finished(outputs, create_graph), outputs_tuple),
            _untuple(_finished(products, create_graph), products_tuple))


def _second_stage(create_graph: bool) -> Any:
    """The mode of the products' own backward pass: recording with ``create_graph``, else the caller's."""
    return grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled())


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(``func(inputs)``, the vector-Jacobian product ``v^T J``) (``torch.autograd.functional.vjp``)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepared(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _vector(v, outputs, outputs_tuple, "vjp", create_graph, "The vector v can only be None if the "
                    "user-provided function returns a single Tensor with a single element.")
    with _second_stage(create_graph):
        products = _zeros_for_none(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(``func(inputs)``, the Jacobian-vector product ``J v``) by the double-backward trick."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepared(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "jvp", create_graph, "The vector v can only be None if the input to "
                    "the user-provided function is a single Tensor with a single element.")
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
    products = _double_backward(outputs, inputs, v, outputs, create_graph, strict, "back_trick")
    return _results(outputs, outputs_tuple, products, outputs_tuple, create_graph)


def _double_backward(ys: tuple, xs: tuple, v: Any, refs: tuple, create_graph: bool, strict: bool, stage: str) -> tuple:
    """The forward-mode product (d ys / d xs) v by the double-backward trick: backward from zero ``grad_outputs``
    u gives u^T J, linear in u, and its gradient with respect to u, seeded with v, is J v. Zeros where none."""
    with grad_mode.enable_grad():
        zeros = tuple(y.new_zeros(y.shape).requires_grad_(True) for y in ys)  # (their value never reaches J v)
        back = _grad(ys, xs, zeros, create_graph=True)
        if stage == "back_trick":
            _check_requires_grad(back, "grad_inputs", strict)
        else:
            _check_requires_grad(ys, "hessian", strict)
    with _second_stage(create_graph):
        return _zeros_for_none(_grad(back, zeros, v, create_graph), refs, strict, create_graph, stage)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for each output and input, a tensor of shape output + input."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
                             'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
                             'prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-'
                                      'mode"` are not supported together (yet). Please either set `create_graph=False` '
                                      'or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                               'not supported together (yet). Please either set `strict=False` or '
                               '`strategy="reverse-mode"`.')
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepared(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        rows = tuple(_jacobian_rows(out, i, inputs, create_graph, strict) for i, out in enumerate(outputs))
    return _untuple(_finished(rows, create_graph), (outputs_tuple, inputs_tuple))


def _jacobian_rows(out: Tensor, i: int, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """Output ``i``'s Jacobian with respect to each input: one backward pass per output element, stacked."""
    from .. import stack

    rows: list = [[] for _ in inputs]
    flat = out.reshape(-1)
    for j in range(out.numel()):
        for k, (g, x) in enumerate(zip(_grad((flat[j],), inputs, None, create_graph), inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent of input {k}. This "
                                       "is not allowed in strict mode.")
                g = x.new_zeros(x.shape)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is "
                                   "not allowed in strict mode when create_graph=True.")
            rows[k].append(g)
    return tuple((stack(r) if r else x.new_zeros((0,) + tuple(x.shape))).reshape(tuple(out.shape) + tuple(x.shape))
                 for r, x in zip(rows, inputs))


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar-valued ``func`` at ``inputs`` (for tuple inputs, a tuple of tuples of blocks)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar(*xs: Tensor) -> Tensor:
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def gradient(*xs: Tensor) -> tuple:
        if outer_jacobian_strategy == "forward-mode":
            xs = tuple(x.requires_grad_(True) for x in xs)
        jac = jacobian(scalar, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _untuple(result, (inputs_tuple, inputs_tuple))


def _scalar_and_gradient(func: Callable, inputs: Any, v: Any, fn: str, create_graph: bool, strict: bool) -> tuple:
    """hvp's and vhp's first stage: the prepared inputs, v, the output and its gradient (recorded)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    inputs = _prepared(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, inputs_tuple, fn, create_graph, "The vector v can only be None if the input to the "
                "user-provided function is a single Tensor with a single element.")
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    _check_requires_grad(outputs, "outputs", strict)
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    jac = _grad(outputs, inputs, None, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return inputs_tuple, inputs, v, outputs_tuple, outputs, jac


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(``func(inputs)``, the vector-Hessian product ``v^T H``) of a scalar-valued function."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _scalar_and_gradient(func, inputs, v, "vhp",
                                                                                   create_graph, strict)
    with _second_stage(create_graph):
        products = _zeros_for_none(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(``func(inputs)``, the Hessian-vector product ``H v``) of a scalar-valued function (double backward)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _scalar_and_gradient(func, inputs, v, "hvp",
                                                                                   create_graph, strict)
    products = _double_backward(jac, inputs, v, inputs, create_graph, strict, "double_back_trick")
    return _results(outputs, outputs_tuple, products, inputs_tuple, create_graph)
