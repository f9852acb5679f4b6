"""``torch.utils.checkpoint``: trade compute for memory by recomputing a function's activations in backward.

``checkpoint(function, *args)`` keeps only ``args`` (and the random-number state) for backward; the activations
inside ``function`` are freed after forward and computed again, with the same random draws, when backward
reaches them. Both of torch's variants:

- ``use_reentrant=True`` (torch's old default): forward runs without recording; backward recomputes and calls
  ``backward`` on the recomputed outputs, so gradients of the parameters used inside go straight to their
  ``.grad`` (hence, as in torch, it is not for ``autograd.grad``, and if no argument requires grad the output
  does not either).
- ``use_reentrant=False`` (torch's advice): forward records the function once to learn which leaves (parameters)
  it uses, keeps none of that graph, and becomes one node whose inputs are the arguments and those leaves; its
  backward recomputes and takes the gradients with ``autograd.grad``, so ``autograd.grad`` and
  ``backward(inputs=...)`` see the parameters' gradients as usual. At most one segment's activations live at a
  time, as with torch's saved-tensor hooks.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, Iterable

from .. import random as _random
from .._tensor import Tensor
from ..autograd import Function, enable_grad, grad as _grad, is_grad_enabled
from ..autograd import backward as _backward

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]


def noop_context_fn() -> tuple:
    """The default ``context_fn``: no context around forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


_NO_EXPLICIT_REENTRANT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch 2.9, "
    "calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but if "
    "you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more "
    "details on the differences between the two variants."
)


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], tuple] = noop_context_fn, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, its activations recomputed in backward instead of kept (see the module)."""
    if use_reentrant is None:
        warnings.warn(_NO_EXPLICIT_REENTRANT, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    rng = _rng_states(args) if preserve else None
    if use_reentrant:
        return _reentrant(function, args, rng)
    forward_context, recompute_context = context_fn()
    with forward_context:
        return _recorded_once(function, args, kwargs, rng, recompute_context)


def _rng_states(args: tuple) -> tuple:
    """The cpu generator's state and, for the GPUs the tensor arguments are on, theirs."""
    from .. import cuda

    devices = sorted({a.device.index or 0 for a in args if isinstance(a, Tensor) and a.device.type == "cuda"})
    return _random.get_rng_state(), [(d, cuda.get_rng_state(d)) for d in devices]


@contextlib.contextmanager
def _replayed(rng: tuple | None) -> Any:
    """The recomputation's draws are the forward's: the saved states restored inside, the current ones after."""
    if rng is None:
        yield
        return
    from .. import cuda

    cpu_state, device_states = rng
    with _random.fork_rng(devices=[d for d, _ in device_states]):
        _random.set_rng_state(cpu_state)
        for d, state in device_states:
            cuda.set_rng_state(state, d)
        yield


def _detached_like(args: tuple) -> tuple:
    """The tensor arguments as new leaves (requiring grad where the originals do); the rest as they are."""
    return tuple(a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a for a in args)


def _outputs(result: Any) -> tuple:
    if isinstance(result, Tensor):
        return (result,)
    if isinstance(result, tuple):
        return result
    raise TypeError(f"checkpoint: the function must return a Tensor or a tuple, not {type(result).__name__}")


def _with_saved(args: tuple, positions: list, tensors: tuple) -> tuple:
    """``args`` with the tensors saved for backward back at their ``positions`` (the other arguments as given)."""
    again = list(args)
    for i, t in zip(positions, tensors):
        again[i] = t
    return tuple(again)


def _seeded(outs: tuple, grads: tuple) -> list:
    """(output, its gradient) for the recomputed outputs that require grad and received one."""
    return [(o, g) for o, g in zip(outs, grads) if isinstance(o, Tensor) and o.requires_grad and g is not None]


class _CheckpointFunction(Function):
    """One node for the checkpointed call: inputs are the tensors given, backward recomputes (``ctx.recompute``)."""

    @staticmethod
    def forward(ctx: Any, recompute: Callable, outputs: Any, *tensors: Any) -> Any:
        ctx.recompute = recompute
        ctx.save_for_backward(*tensors)
        return outputs() if callable(outputs) else outputs

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return (None, None) + tuple(ctx.recompute(ctx.saved_tensors, grads))


def _reentrant(function: Callable, args: tuple, rng: tuple | None) -> Any:
    """torch's reentrant variant: forward unrecorded; backward recomputes and runs ``backward`` into the leaves."""
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    if not any(args[i].requires_grad for i in positions):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning, stacklevel=3)

    def recompute(saved: tuple, grads: tuple) -> list:
        inputs = _detached_like(_with_saved(args, positions, saved))
        with _replayed(rng), enable_grad():
            outs = _outputs(function(*inputs))
        pairs = _seeded(outs, grads)
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return [inputs[i].grad for i in positions]

    def run() -> Any:
        return function(*args)

    return _CheckpointFunction.apply(recompute, run, *[args[i] for i in positions])


def _recorded_once(function: Callable, args: tuple, kwargs: dict, rng: tuple | None, recompute_context: Any) -> Any:
    """The non-reentrant variant: the leaves the function uses become the node's inputs beside the arguments."""
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    inputs = _detached_like(args)
    with enable_grad():
        result = function(*inputs, **kwargs)
    outs = _outputs(result)
    own = {id(inputs[i]) for i in positions}
    leaves = [leaf for leaf in _leaves_of(o for o in outs if isinstance(o, Tensor)) if id(leaf) not in own]
    detached = tuple(o.detach() if isinstance(o, Tensor) else o for o in outs)
    del inputs, outs  # (the recorded graph goes: only the arguments and the leaves stay for backward)

    def recompute(saved: tuple, grads: tuple) -> list:
        create_graph = is_grad_enabled()  # (backward(create_graph=True)): the saved arguments stay connected
        arg_tensors, leaf_tensors = saved[:len(positions)], saved[len(positions):]
        again = _with_saved(args, positions, arg_tensors)
        if not create_graph:
            again = _detached_like(again)
        with _replayed(rng), recompute_context, enable_grad():
            outs = _outputs(function(*again, **kwargs))
        pairs = _seeded(outs, grads)
        wanted = [again[i] for i in positions] + list(leaf_tensors)
        needed = [t.requires_grad for t in wanted]
        if not pairs or not any(needed):
            return [None] * len(wanted)
        found = iter(_grad([o for o, _ in pairs], [t for t, n in zip(wanted, needed) if n], [g for _, g in pairs],
                           allow_unused=True, create_graph=create_graph))
        return [next(found) if n else None for n in needed]

    output = _CheckpointFunction.apply(recompute, detached, *[args[i] for i in positions], *leaves)
    return output[0] if isinstance(result, Tensor) else output


def _leaves_of(outputs: Iterable[Tensor]) -> list:
    """The leaf tensors that require grad and that the graphs of ``outputs`` reach, each once."""
    seen, leaves, stack = set(), [], []
    for o in outputs:
        if o._grad_fn is not None:
            stack.append(o._grad_fn)
        elif o.requires_grad:
            leaves.append(o)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for edge in node.next_edges:
            if edge is None:
                continue
            target = edge[0]
            if isinstance(target, Tensor):
                if id(target) not in seen:
                    seen.add(id(target))
                    leaves.append(target)
            else:
                stack.append(target)
    return leaves


def checkpoint_sequential(functions: Any, segments: int, input: Any, use_reentrant: bool | None = None,
                          **kwargs: Any) -> Any:
    """Run a sequence of modules or functions in ``segments`` pieces, each but the last checkpointed."""
    if use_reentrant is None:
        warnings.warn(_NO_EXPLICIT_REENTRANT, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run(start: int, end: int) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
