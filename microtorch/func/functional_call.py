"""``functional_call`` (a Module run with given parameters and buffers) and ``stack_module_state``."""
from __future__ import annotations

import contextlib
from typing import Any, Sequence

import microtorch
from microtorch import Tensor

__all__ = ["functional_call", "stack_module_state"]


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None, kwargs: dict | None = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by the given tensors for the call
    (``torch.func.functional_call``). ``tie_weights``: a tensor given for one of several tied names is used
    for all of them; ``strict``: the names must be exactly the module's."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        keys = [k for d in parameter_and_buffer_dicts for k in d]
        repeated = sorted({k for k in keys if keys.count(k) > 1}, key=keys.index)
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    if tie_weights:
        values = _untie(module, values)
    if strict:
        _check_keys(module, values)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrized(module, values):
        return module(*args, **(kwargs or {}))


def _named_tensors(module: Any) -> dict:
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module: Any, values: dict) -> dict:
    """Every name tied to a given one (the same tensor in the module) gets the given value too."""
    names_of: dict = {}
    for name, t in _named_tensors(module).items():
        names_of.setdefault(id(t), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    out = dict(values)
    for given in [n for n in values if n in tied]:
        group = tied[given]
        given_in_group = [n for n in group if n in values]
        if len({id(values[n]) for n in given_in_group}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(group)}, which are tied. "
                             "Consider using tie_weights=False")
        for name in group:
            out[name] = values[given]
    return out


def _check_keys(module: Any, values: dict) -> None:
    expected = set(_named_tensors(module))
    unexpected = [k for k in values if k not in expected]
    missing = [k for k in _named_tensors(module) if k not in values]
    messages = []
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(messages))


@contextlib.contextmanager
def _reparametrized(module: Any, values: dict) -> Any:
    """Swap the given tensors into the modules' parameter/buffer slots (no Parameter check), and back."""
    restore = []
    try:
        for name, value in values.items():
            owner, _, attr = name.rpartition(".")
            sub = module.get_submodule(owner) if owner else module
            for registry in (sub._parameters, sub._buffers):
                if attr in registry:
                    restore.append((registry, attr, registry[attr]))
                    registry[attr] = value
                    break
            else:  # not a parameter or buffer of the module: a plain attribute for the call, as torch's
                restore.append((sub.__dict__, attr, sub.__dict__.get(attr, _MISSING)))
                sub.__dict__[attr] = value
        yield
    finally:
        for registry, attr, old in reversed(restore):
            if old is _MISSING:
                registry.pop(attr, None)
            else:
                registry[attr] = old


_MISSING = object()


def stack_module_state(models: Sequence[Any]) -> tuple:
    """``(params, buffers)``: each name mapped to the stack of that tensor over ``models`` (for ensembling with
    ``vmap`` and ``functional_call``); stacked parameters are new leaves that require grad."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(name: str, tensors: list) -> Tensor:
        out = microtorch.stack([t.detach() for t in tensors])
        return out.requires_grad_() if all(t.requires_grad for t in tensors) else out

    params = {name: stacked(name, [dict(m.named_parameters())[name] for m in models])
              for name, _ in models[0].named_parameters()}
    buffers = {name: microtorch.stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers
