"""Optimizer: the base of SGD, Adam, ...; holds parameter groups and per-parameter state.

An optimizer keeps ``param_groups`` (a list of dicts: ``'params'`` plus the
hyper-parameters of that group) and ``state`` (a dict from parameter to that
parameter's buffers: momentum, running averages, step counts). ``step()`` reads
each parameter's ``.grad`` and updates the parameter in place, under
``no_grad``, with in-place tensor ops. ``state_dict()`` replaces parameters by
their position so the state can be saved and loaded into a fresh optimizer,
exactly as torch does.
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from itertools import chain
from typing import Any, Callable, Iterable, TypeVar

from .. import _dtype
from .._creation import tensor
from .._tensor import Tensor
from ..autograd import enable_grad
from ..utils.hooks import RemovableHandle

_global_optimizer_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_optimizer_post_hooks: OrderedDict[int, Callable] = OrderedDict()
_HOOK_REGISTRIES = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                    "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                    "_optimizer_load_state_dict_post_hooks")

#: what a step's closure returns (the loss), and so what ``step(closure)`` returns
_Loss = TypeVar("_Loss")


class _RequiredParameter:
    """The default of a hyper-parameter that every group must give (``torch.optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class for all optimizers (``torch.optim.Optimizer``).

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
            (parameter groups: ``{'params': [...], 'lr': ...}``).
        defaults: the hyper-parameters a group uses when it does not set them.
    """

    # the hook registries (_HOOK_REGISTRIES), made in __init__
    _optimizer_step_pre_hooks: OrderedDict
    _optimizer_step_post_hooks: OrderedDict
    _optimizer_state_dict_pre_hooks: OrderedDict
    _optimizer_state_dict_post_hooks: OrderedDict
    _optimizer_load_state_dict_pre_hooks: OrderedDict
    _optimizer_load_state_dict_post_hooks: OrderedDict

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every subclass's own ``step`` runs the step hooks around it (torch patches ``step`` likewise)."""
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__ and not getattr(cls.step, "hooked", False):
            cls.step = _with_step_hooks(cls.step)  # type: ignore[method-assign]  # (wrapping, as torch's patch)

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        for registry in _HOOK_REGISTRIES:
            setattr(self, registry, OrderedDict())
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                f"{_typename(params)}"
            )
        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle what torch pickles: the defaults, the state and the groups (hooks stay behind)."""
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for registry in _HOOK_REGISTRIES:
            self.__dict__.setdefault(registry, OrderedDict())

    def __repr__(self) -> str:
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to ``None`` by default, else to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad._grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyper-parameters) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in "
                "sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):  # ('name', tensor) from named_parameters()
                names.append(param[0])
                param = param[1]
            tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(param)}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        if len({id(p) for p in tensors}) != len(tensors):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- hooks -------------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return ``(new_args, new_kwargs)``."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` before :meth:`state_dict` builds its result."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on :meth:`state_dict`'s result; a returned dict replaces it."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` after :meth:`load_state_dict` has loaded."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def _hooks(self, registry: str) -> Iterable[Callable]:
        # optimizers unpickled from an older layout have no hook registries
        return list(self.__dict__.get(registry, {}).values())

    # ---- saving and loading ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``, torch's layout.

        Parameters are replaced by their position across all groups; the state tensors
        are the live buffers (save them, or copy them, before stepping again).
        """
        for hook in self._hooks("_optimizer_state_dict_pre_hooks"):
            hook(self)
        index_of: dict[int, int] = {}
        start = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            index_of.update({id(p): i for i, p in enumerate(group["params"], start) if id(p) not in index_of})
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        state = {(index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": param_groups}
        for hook in self._hooks("_optimizer_state_dict_post_hooks"):
            result = hook(self, result) or result
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load what :meth:`state_dict` returned (possibly by another optimizer over other tensors).

        State tensors are copied onto each parameter's device, floating ones cast to its
        dtype (except ``'step'``), so the loaded optimizer never shares buffers with ``state_dict``.
        """
        for hook in self._hooks("_optimizer_load_state_dict_pre_hooks"):
            state_dict = hook(self, state_dict) or state_dict
        groups = self.param_groups
        saved_groups = [dict(g, params=list(g["params"])) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param: Tensor, value: Any, key: Any = None) -> Any:
            if isinstance(value, Tensor):
                value = value.detach()
                if key == "step":  # step counters keep their dtype and stay where they were
                    return value.clone()
                dtype = param.dtype if param.is_floating_point() and value.is_floating_point() else value.dtype
                return value.to(device=param.device, dtype=dtype, copy=True)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict[Any, Any] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups
        for hook in self._hooks("_optimizer_load_state_dict_post_hooks"):
            hook(self)

    # ---- helpers for subclasses ----------------------------------------------------------------------
    @staticmethod
    def _grads(group: dict[str, Any]) -> Iterable[tuple[Tensor, Tensor]]:
        """``(param, gradient)`` for the group's parameters that have a gradient (negated when maximizing)."""
        maximize = group.get("maximize", False)
        for p in group["params"]:
            if p.grad is not None:
                yield p, (-p.grad if maximize else p.grad)

    @staticmethod
    def _loss_of(closure: Callable[[], Any] | None) -> Any:
        """Run the closure with grad mode on (``step`` itself runs under ``no_grad``)."""
        if closure is None:
            return None
        with enable_grad():
            return closure()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before the ``step`` of every optimizer (before its own hooks)."""
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after the ``step`` of every optimizer (after its own hooks)."""
    return _add_hook(_global_optimizer_post_hooks, hook)


def _add_hook(hooks: OrderedDict, hook: Callable, prepend: bool = False) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _with_step_hooks(step: Callable) -> Callable:
    """``step`` wrapped to run the global and the optimizer's pre hooks, then itself, then the post hooks."""

    @functools.wraps(step)
    def hooked_step(*args: Any, **kwargs: Any) -> Any:
        self = args[0]  # the hooks see ``args`` with the optimizer first, as torch's
        if self.__dict__.get("_stepping"):  # a subclass's step calling super().step(): hooks run once
            return step(*args, **kwargs)
        self._stepping = True
        try:
            return _run_hooked(step, self, args, kwargs)
        finally:
            self._stepping = False

    hooked_step.hooked = True  # type: ignore[attr-defined]  # (a marker: wrapped once)
    return hooked_step


def _run_hooked(step: Callable, self: Optimizer, args: tuple, kwargs: dict) -> Any:
    """The global and the optimizer's pre hooks (which may replace the arguments), ``step``, the post hooks."""
    for pre_hook in chain(list(_global_optimizer_pre_hooks.values()), self._hooks("_optimizer_step_pre_hooks")):
        result = pre_hook(self, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}."
                )
            args, kwargs = result
    out = step(*args, **kwargs)
    for post_hook in chain(self._hooks("_optimizer_step_post_hooks"), list(_global_optimizer_post_hooks.values())):
        post_hook(self, args, kwargs)
    return out


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return f"microtorch.{'Tensor' if type(obj) is Tensor else type(obj).__name__}"
    return f"{type(obj).__module__}.{type(obj).__qualname__}" if type(obj).__module__ != "builtins" else type(obj).__qualname__


def _step_counter() -> Tensor:
    """A new step count: a float32 scalar on the cpu, like torch's (non-capturable) ``state['step']``."""
    return tensor(0.0, dtype=_dtype.float32)


def _scalar(value: Any) -> Any:
    """A hyper-parameter as a Python number (a one-element tensor gives its value)."""
    return value.item() if isinstance(value, Tensor) else value


def _check_lr(lr: Any) -> None:
    """torch's checks of a learning rate: a one-element tensor or a non-negative number."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_betas(betas: tuple) -> None:
    """Each beta in [0, 1), torch's message naming the first one that is not."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _check_non_negative(*checks: tuple[str, Any]) -> None:
    """Raise torch's ``ValueError('Invalid <what>: <value>')`` for the first negative hyper-parameter."""
    for what, value in checks:
        if not 0.0 <= value:
            raise ValueError(f"Invalid {what}: {value}")


def _check_not_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError("microtorch optimizers do not support differentiable=True")
