"""``vmap``: map a per-example function over a batch dim, running it once on the whole batch."""
from __future__ import annotations

import contextlib
import functools
import itertools
import threading
from typing import Any, Callable

import microtorch
from microtorch import Tensor
from microtorch.autograd import function

from . import _batched
from ._batched import is_batched_at, wrap
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["vmap"]

_next_level = itertools.count(1)
_RANDOM_METHODS = ("uniform", "normal", "integers", "permutation", "standard_gamma", "poisson", "binomial")


def _name(func: Callable) -> str:
    return getattr(func, "__name__", repr(func))


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable:
    """``func`` mapped over dim ``in_dims`` of its inputs, its outputs stacked along ``out_dims`` (torch.vmap).

    ``randomness``: 'error' (random ops raise), 'same' (one draw shared by the batch) or 'different'
    (a draw per example, by running ``func`` per example); ``chunk_size``: examples per batched call.
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should only be None or > 0. Got chunk_size: {chunk_size}")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        flat_args, args_spec, flat_in_dims, batch_size = _process_inputs(func, in_dims, args)
        if randomness == "different":
            chunk = 1
        else:
            chunk = batch_size if chunk_size is None else min(chunk_size, batch_size)
        pieces = []
        for start in range(0, batch_size, chunk):
            stop = min(start + chunk, batch_size)
            chunk_args = [x if d is None else x.narrow(d, start, stop - start) for x, d in zip(flat_args, flat_in_dims)]
            pieces.append(_run_batched(func, chunk_args, flat_in_dims, args_spec, kwargs, stop - start, randomness,
                                       out_dims))
        if len(pieces) == 1:
            return pieces[0]
        return _concat_chunks(pieces, out_dims, func)

    return wrapped


def _process_inputs(func: Callable, in_dims: Any, args: tuple) -> tuple:
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                         f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                         "trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, spec = tree_flatten(args)
    flat_in_dims = broadcast_prefix(in_dims, spec)
    if flat_in_dims is None:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                         f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but inputs has "
                         f"structure {spec}.")
    for i, (arg, d) in enumerate(zip(flat_args, flat_in_dims)):
        flat_in_dims[i] = _check_in_dim(func, in_dims, arg, d)
    sizes = [arg.shape[d] for arg, d in zip(flat_args, flat_in_dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return flat_args, spec, flat_in_dims, sizes[0]


def _check_in_dim(func: Callable, in_dims: Any, arg: Any, d: Any) -> int | None:
    head = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): "
    if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
        raise ValueError(head + f"Got in_dim={d} for an input but in_dim must be either an integer dimension or None.")
    if d is not None and not isinstance(arg, Tensor):
        raise ValueError(head + f"Got in_dim={d} for an input but the input is of type {type(arg)}. We cannot vmap "
                         "over non-Tensor arguments, please use None as the respective in_dim")
    if d is not None and not -arg.ndim <= d < arg.ndim:
        raise ValueError(head + f"Got in_dim={d} for some input, but that input is a Tensor of dimensionality "
                         f"{arg.ndim} so expected in_dim to satisfy -{arg.ndim} <= in_dim < {arg.ndim}.")
    return None if d is None else d % arg.ndim


@contextlib.contextmanager
def _level(batch_size: int, randomness: str) -> Any:
    """A new vmap level: ops with its BatchedTensors dispatch to the batching rules while it lives."""
    level = next(_next_level)
    _batched.active_levels[level] = batch_size
    previous = function.vmap_dispatch
    function.vmap_dispatch = _batched.dispatch
    with _random_mode(randomness):
        try:
            yield level
        finally:
            del _batched.active_levels[level]
            function.vmap_dispatch = previous


@contextlib.contextmanager
def _random_mode(randomness: str) -> Any:
    """randomness='error': every backend's samplers raise while the level lives (torch's error mode)."""
    if randomness != "error":
        yield
        return
    from microtorch.backends import Backend, _REGISTRY

    owner = threading.get_ident()

    def refusing(original: Callable) -> Callable:
        def sampler(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != owner:  # other threads sample as usual
                return original(*args, **kwargs)
            raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                               "'same' or 'different' randomness flags on vmap or perform the randomness operation "
                               "out of vmap")
        return sampler

    patched = [b for b in list(_REGISTRY.values()) if isinstance(b, Backend)]
    saved = [{name: b.__dict__.get(name) for name in _RANDOM_METHODS} for b in patched]
    for backend in patched:
        for name in _RANDOM_METHODS:
            setattr(backend, name, refusing(getattr(backend, name)))
    try:
        yield
    finally:
        for backend, old in zip(patched, saved):
            for name, value in old.items():
                if value is None:
                    backend.__dict__.pop(name, None)
                else:
                    setattr(backend, name, value)


def _run_batched(func: Callable, flat_args: list, flat_in_dims: list, spec: Any, kwargs: dict, batch_size: int,
                 randomness: str, out_dims: Any) -> Any:
    if randomness == "different":  # a fresh draw per example: the function runs once per example
        example = [x if d is None else x[(slice(None),) * d + (0,)] for x, d in zip(flat_args, flat_in_dims)]
        return _stack_outputs(func, func(*tree_unflatten(example, spec), **kwargs), out_dims)
    with _level(batch_size, randomness) as level:
        batched = [x if d is None else wrap(x.movedim(d, 0), level) for x, d in zip(flat_args, flat_in_dims)]
        out = func(*tree_unflatten(batched, spec), **kwargs)
        return _unwrap_outputs(func, out, out_dims, level, batch_size)


def _stack_outputs(func: Callable, out: Any, out_dims: Any) -> Any:
    """One example's outputs with a batch dim of size one (the 'different' path concatenates them)."""
    flat_out, spec = tree_flatten(out)
    flat_out_dims = _out_dims_for(func, out_dims, spec)
    return tree_unflatten([o if d is None else o.unsqueeze(d) for o, d in zip(flat_out, flat_out_dims)], spec)


def _out_dims_for(func: Callable, out_dims: Any, spec: Any) -> list:
    flat = broadcast_prefix(out_dims, spec)
    if flat is None:
        raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
                         f"the structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]} but outputs "
                         f"has structure {spec}.")
    return flat


def _unwrap_outputs(func: Callable, out: Any, out_dims: Any, level: int, batch_size: int) -> Any:
    flat_out, spec = tree_flatten(out)
    flat_out_dims = _out_dims_for(func, out_dims, spec)
    result = []
    for o, d in zip(flat_out, flat_out_dims):
        if d is None:
            if is_batched_at(o, level):
                raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` can not return a BatchedTensor when "
                                 "out_dim is None")
            result.append(o)
            continue
        if not isinstance(o, Tensor):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                             f"{type(o)}. Did you mean to set out_dims= to None for output?")
        phys = o._phys if is_batched_at(o, level) else o.unsqueeze(0).expand((batch_size,) + tuple(o.shape))
        result.append(phys.movedim(0, d % phys.ndim) if d != 0 else phys)
    return tree_unflatten(result, spec)


def _concat_chunks(pieces: list, out_dims: Any, func: Callable) -> Any:
    flats = [tree_flatten(p) for p in pieces]
    spec = flats[0][1]
    flat_out_dims = _out_dims_for(func, out_dims, spec)
    joined = []
    for i, d in enumerate(flat_out_dims):
        parts = [leaves[i] for leaves, _ in flats]
        joined.append(parts[0] if d is None else microtorch.cat(parts, d % parts[0].ndim))
    return tree_unflatten(joined, spec)
