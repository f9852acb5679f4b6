"""Automatic differentiation: ``backward``, ``grad``, grad-mode switches.

The primitive ops live in :mod:`microtorch.autograd.ops`, their base class
``Op`` in :mod:`microtorch.autograd.function`, the backward pass in
:mod:`microtorch.autograd.engine`.
"""
from __future__ import annotations

from typing import Any, Sequence

from .._device import on_device
from . import engine
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx, Op, once_differentiable, refuse_stale_no_grad_view
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled, set_multithreading_enabled
from .variable import Variable


def _as_sequence(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _seed_gradients(outputs: list, grad_outputs: list, who: str) -> list:
    """The gradient each output starts with: given, or ones for scalars (torch's rules)."""
    from .._tensor import Tensor
    from .ops.views import made_under_no_grad

    if grad_outputs and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{who}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    seeds = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"{who}: expected Tensors as outputs, got {type(out).__name__} at position {i}")
        node = out.grad_fn  # (the property: refuses a stale view made under no_grad, as torch)
        if not out._requires_grad or node is None and made_under_no_grad(out):  # (torch: such a view is no root)
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        g = grad_outputs[i] if grad_outputs else None
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind == "c":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs")
            with on_device(out._device):
                g = Tensor._make(out._device.backend.xp.ones(out._data.shape, dtype=out._data.dtype), out._device)
        elif not isinstance(g, Tensor):
            from .._creation import tensor

            g = tensor(g, dtype=out.dtype, device=out.device)
        else:
            if g.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape of {out.shape}."
                )
            if g._device is not out._device:
                raise RuntimeError(f"grad_output[{i}] is on {g._device} but output[{i}] is on {out._device}")
            if g._data.dtype != out._data.dtype:
                g = g.to(out.dtype)
        seeds.append(g)
    return seeds


def _check_inputs(inputs: Sequence[Any]) -> None:
    """torch's errors for ``inputs`` that are not Tensors, or are views made under no_grad (or views of one) whose
    base has changed in place since (``function.stale_no_grad_view``)."""
    from .._tensor import Tensor

    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
        refuse_stale_no_grad_view(t)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Any] | None = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``)."""
    outputs = _as_sequence(tensors)
    seeds = _seed_gradients(outputs, _as_sequence(grad_tensors), "backward")
    if retain_graph is None:
        retain_graph = create_graph
    wanted = _as_sequence(inputs) or None
    if inputs is not None and not wanted:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    _check_inputs(wanted or ())
    engine.run_backward(outputs, seeds, retain_graph, create_graph, inputs=wanted)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated."""
    outs = _as_sequence(outputs)
    ins = _as_sequence(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    _check_inputs(ins)
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    seeds = _seed_gradients(outs, _as_sequence(grad_outputs), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    results = engine.run_backward(outs, seeds, retain_graph, create_graph, inputs=ins, accumulate_into_grad=False)
    assert results is not None  # (without accumulate_into_grad it returns the gradients)
    if allow_unused is None:
        allow_unused = materialize_grads
    for i, (t, g) in enumerate(zip(ins, results)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                from .._creation import zeros_like

                results[i] = zeros_like(t)
        elif not create_graph and g._grad_fn is not None:
            results[i] = g.detach()
    return tuple(results)


def __getattr__(name: str) -> Any:
    """``functional`` (torch.autograd.functional) loads on first use: it needs Tensor, which imports this package."""
    if name == "functional":
        import importlib

        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Op", "Function", "FunctionCtx", "once_differentiable", "backward", "grad", "no_grad", "enable_grad",
    "set_grad_enabled", "set_multithreading_enabled", "is_grad_enabled", "inference_mode", "gradcheck", "gradgradcheck", "GradcheckError",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "Variable",
]
