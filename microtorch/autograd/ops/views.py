"""Views: tensors that share memory with another (basic indexing, reshape, permute, split).

A view shares its base's version counter (``_base``), so a write through either one is
seen by backward's checks. While gradients are recorded, a view also remembers how to
make it from its base; an in-place op on the view then rewrites the base's graph too
(torch's CopySlices): later uses of the base see the new values *and* their gradient.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import grad_mode
from ..function import NoGradView, Op, no_grad_view_subject
from ..._tensor import Tensor

#: marks aliases such as detach(): they share memory and version counter, but not the graph
ALIAS = object()
_grad_state = grad_mode.state  # (bound once: the views' unrecorded path reads it on every call)


def unrecorded_host(x: Tensor) -> bool:
    """Whether a view op on ``x`` alone records nothing and needs no device switch: a plain tensor (not vmap's
    BatchedTensor) on a host device, with grad mode off or no gradient wanted. Such views wrap the array's view
    directly (no ``Op.apply``: ~3 us of a 5 us view in a no-grad decode loop)."""
    return type(x) is Tensor and x._device.index is None and not (x._requires_grad and _grad_state.enabled)


def maker_of(x: Tensor) -> Any:
    """How ``x`` is made from its root base: a function, ALIAS, or None (not known)."""
    return getattr(x, "_view_maker", None)  # a slot only views set


def view_of(out: Tensor, x: Tensor, make: Callable[[Tensor], Tensor] | None = None) -> Tensor:
    """Mark ``out`` as a view of ``x`` made by ``make(x)``, or as an alias when ``make`` is None."""
    root = x._base if x._base is not None else x
    out._base = root
    if make is None:
        out._view_maker = ALIAS
    elif grad_mode.state.enabled:  # only a recorded in-place op needs to replay the view
        parent = maker_of(x) if x._base is not None else make
        if parent is make or parent is ALIAS or type(parent) is NoGradView:
            out._view_maker = parent  # (x is the root, an alias or a no-grad view: the view is one too)
        elif parent is not None:
            out._view_maker = lambda t: make(parent(t))
    elif x._requires_grad:
        out._requires_grad, out._view_maker = True, NoGradView(root._version)
    return out


def shares_memory(a: Any, b: Any) -> bool:
    """Whether backend arrays ``a`` and ``b`` view the same memory (NumPy and CuPy keep the owner in
    ``.base``), so a reshape that had to copy is not taken for a view."""
    return _owner(a) is _owner(b)


def _owner(a: Any) -> Any:
    # NumPy collapses a view's base to the owner only within one array type: a subclass's base (CuPy's, the
    # test suite's fake CuPy) can be a chain
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


def made_under_no_grad(x: Tensor) -> bool:
    """Whether ``x`` is a view made under no_grad of a tensor that requires grad (see ``function.NoGradView``)."""
    return x._base is not None and type(maker_of(x)) is NoGradView


def check_view_write(x: Tensor) -> None:
    """Refuse a recorded write through a view that cannot replay itself on its base."""
    if made_under_no_grad(x):
        raise RuntimeError(
            f"{no_grad_view_subject(x)} created in no_grad mode and is being modified inplace with grad mode enabled. "
            "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
            "moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace "
            "to be tracked) or both outside (if you want the inplace to be tracked)."
        )
    if x._base is not None and maker_of(x) is None:
        raise RuntimeError(
            "in-place operation on a view whose base is in the graph, but the view was made while gradients were "
            "not recorded (under no_grad) or by a chain of views that cannot be replayed; make the view with "
            "gradients enabled, write through the base (base[index] = value), or clone() the view first"
        )


def rewrites_base(x: Tensor) -> bool:
    """Whether a recorded in-place op on ``x`` must also rewrite its base's graph."""
    maker = maker_of(x)
    return x._base is not None and maker is not None and maker is not ALIAS and type(maker) is not NoGradView


class ViewWrite(Op):
    """base' = base with the region view(base) replaced by values: the gradient of base is the
    incoming one with the region zeroed, the gradient of values is the region of the incoming one."""

    def forward(ctx, base, values, make):
        ctx.make = make
        return base  # the values are already in the base's memory (the view shares it)

    def backward(ctx, grad):
        need_base, need_values = ctx.needs_input_grad
        outside = None
        if need_base:
            outside = Tensor._make(ctx.xp.ones(grad._data.shape, dtype=grad._data.dtype), ctx.device)
            with grad_mode.no_grad():
                ctx.make(outside)._data[...] = 0  # the view of the mask shares its memory
        return (grad * outside if need_base else None), (ctx.make(grad) if need_values else None)
