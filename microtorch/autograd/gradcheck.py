"""``gradcheck`` / ``gradgradcheck``: compare autograd's gradients with central differences (float64)."""
from __future__ import annotations

from typing import Any, Callable, Sequence


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable(inputs: tuple) -> list:
    from .._tensor import Tensor

    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _numerical_jacobian(fn: Callable, inputs: tuple, wrt: int, eps: float) -> list:
    """d outputs / d inputs[wrt], one column per input element, by central differences."""
    x = inputs[wrt]
    flat = x.detach().reshape(-1)  # a view: writing it perturbs x (fn may itself differentiate, so no no_grad)
    columns = []
    for k in range(flat.numel()):
        original = flat[k].item()
        flat[k] = original + eps
        plus = [o.detach().clone() for o in _as_tuple(fn(*inputs))]
        flat[k] = original - eps
        minus = [o.detach().clone() for o in _as_tuple(fn(*inputs))]
        flat[k] = original
        columns.append([((p - m) / (2 * eps)).reshape(-1) for p, m in zip(plus, minus)])
    return columns  # columns[k][j]: d output_j / d x_k


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored: Any) -> bool:
    """True when ``func``'s autograd gradients match finite differences for every differentiable input.

    Inputs that require grad should be float64, as with torch."""
    from . import grad as autograd_grad
    from .._creation import zeros_like
    from .._tensor import Tensor

    inputs = _as_tuple(inputs)
    for i in _differentiable(inputs):
        if inputs[i].dtype.name != "float64":
            import warnings

            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64; the check may fail on rounding")
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    for wrt in _differentiable(inputs):
        x = inputs[wrt]
        numerical = _numerical_jacobian(func, inputs, wrt, eps)
        for j, out in enumerate(outputs):
            for e in range(out.numel()):
                seed = zeros_like(out).reshape(-1)
                seed[e] = 1.0
                outs_now = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
                (row,) = autograd_grad(outs_now[j], [x], grad_outputs=seed.reshape(out.shape), allow_unused=True)
                analytic = row.reshape(-1) if row is not None else zeros_like(x).reshape(-1)
                for k in range(x.numel()):
                    a, n = analytic[k].item(), numerical[k][j][e].item()
                    if abs(a - n) > atol + rtol * abs(n):
                        msg = (f"Jacobian mismatch for output {j} with respect to input {wrt}: element "
                               f"[{e}, {k}] numerical {n:.8g} vs analytical {a:.8g}")
                        if raise_exception:
                            raise GradcheckError(msg)
                        return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Sequence[Any] | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, **_ignored: Any) -> bool:
    """Check second derivatives: gradcheck of ``(inputs, v) -> d<func(inputs), v>/d inputs``."""
    from . import grad as autograd_grad
    from .._creation import randn_like
    from .._tensor import Tensor

    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    if grad_outputs is None:
        grad_outputs = [randn_like(o, dtype=o.dtype).requires_grad_() for o in outputs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n = len(inputs)
    wrt = _differentiable(inputs)

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        outs = [o for o in _as_tuple(func(*xs)) if isinstance(o, Tensor) and o.requires_grad]
        grads = autograd_grad(outs, [xs[i] for i in wrt], grad_outputs=list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""
