"""``Module``: the base class of layers and models, as ``torch.nn.Module``.

Assigning a ``Parameter``, a ``Module`` or (after ``register_buffer``) a Tensor
as an attribute registers it; everything else (moving, casting, saving,
printing) walks those registrations. A subclass that forgets
``super().__init__()`` still works: the registries are created on first use.
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, ParamSpec, Protocol, TypeVar

from ... import _dtype
from ..._promotion import _parse_to_args
from ..._tensor import Tensor
from ...autograd import function
from ...autograd.grad_mode import no_grad
from ...utils.hooks import BackwardHook, RemovableHandle
from ..parameter import Buffer, Parameter, is_lazy

_HOOKS = ("_forward_pre_hooks", "_forward_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs",
          "_forward_hooks_always_called", "_backward_pre_hooks", "_backward_hooks", "_state_dict_pre_hooks",
          "_state_dict_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")
_REGISTRIES = ("_parameters", "_buffers", "_non_persistent_buffers", "_modules") + _HOOKS


class _IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


class _ListAndIterator(list):
    """``parameters()``: a list (``model.parameters()[0]``, as the seed's code does) that ``next()``
    also steps through (``next(model.parameters())``, as torch code does)."""

    __slots__ = ("_position",)

    def __next__(self) -> Any:
        position = getattr(self, "_position", 0)
        if position >= len(self):
            raise StopIteration
        self._position = position + 1
        return self[position]


_P = ParamSpec("_P")
_R = TypeVar("_R", covariant=True)


class _HasForward(Protocol[_P, _R]):
    """What ``Module.__call__`` reads its signature from: the module's ``forward``."""

    def forward(self, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...


class Module:
    """Base class for all neural network modules; subclasses define ``forward``."""

    training: bool = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments {args or ''}{kwargs or ''}")
        _init_registries(self)
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation the module performs; subclasses define it, and calling the module runs it (with the hooks)."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (and the hooks, when any are registered)."""
        state = self.__dict__
        if state.get("_forward_pre_hooks") or state.get("_forward_hooks") or state.get("_backward_hooks") \
                or state.get("_backward_pre_hooks"):
            return self._call_with_hooks(args, kwargs)
        module_stack = function.drawing.module_stack  # (read once: a thread-local attribute)
        module_stack.append(self)  # recorded ops remember the module they ran in
        try:
            return self.forward(*args, **kwargs)
        finally:
            module_stack.pop()

    if TYPE_CHECKING:
        # for type checkers, calling a module has its forward's signature: ``nn.Linear(2, 3)(x)`` is a Tensor
        # (a Module whose forward is not annotated gives Any, as torch's)
        def __call__(self: _HasForward[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
    else:
        __call__ = _call_impl

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """``__call__`` when hooks are registered: forward pre hooks, backward-hook wrapping of the inputs,
        ``forward``, forward hooks (``always_call`` ones even when forward raises), then of the outputs."""
        args, kwargs = self._run_forward_pre_hooks(args, kwargs)
        backward_hook = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward_hook = BackwardHook(self, list(self._backward_hooks.values()), list(self._backward_pre_hooks.values()))
            args = backward_hook.setup_input_hook(args)
        called: set = set()
        try:
            function.drawing.module_stack.append(self)
            try:
                result = self.forward(*args, **kwargs)
            finally:
                function.drawing.module_stack.pop()
            result = self._run_forward_hooks(args, kwargs, result, called)
        except Exception:
            self._run_always_called_hooks(args, kwargs, called)
            raise
        if backward_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of Tensors "
                              f"but received {type(result)}", stacklevel=3)
            result = backward_hook.setup_output_hook(result)
        return result

    def _run_forward_pre_hooks(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def _run_forward_hooks(self, args: tuple, kwargs: dict, result: Any, called: set) -> Any:
        for hook_id, hook in list(self._forward_hooks.items()):
            called.add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs:
                hook_result = hook(self, args, kwargs, result)
            else:
                hook_result = hook(self, args, result)
            if hook_result is not None:
                result = hook_result
        return result

    def _run_always_called_hooks(self, args: tuple, kwargs: dict, called: set) -> None:
        """After ``forward`` raised: the ``always_call`` forward hooks not yet run, their own errors silenced."""
        result = None
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called or hook_id in called:
                continue
            try:
                if hook_id in self._forward_hooks_with_kwargs:
                    hook_result = hook(self, args, kwargs, result)
                else:
                    hook_result = hook(self, args, result)
                if hook_result is not None:
                    result = hook_result
            except Exception as e:
                warnings.warn("forward hook with ``always_call=True`` raised an exception that was silenced as another "
                              f"error was raised in forward: {str(e)}", stacklevel=3)

    # ---- registration ---------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if "_parameters" not in state:
            _init_registries(self)
        params, buffers, modules = state["_parameters"], state["_buffers"], state["_modules"]
        if isinstance(value, Parameter):
            _forget(self, name, state, buffers, modules)
            self.register_parameter(name, value)
        elif isinstance(value, Buffer):
            _forget(self, name, state, params, modules)
            plain = value.detach().requires_grad_(value.requires_grad)
            self.register_buffer(name, plain, persistent=value.persistent)
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' (microtorch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            _forget(self, name, state, params, buffers)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as child module '{name}' (microtorch.nn.Module or None expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_name(value)}' as buffer '{name}' (microtorch.Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # only reached when ordinary lookup fails: registered things (parameters first: every layer's forward
        # reads them, so the three registries are tried without a loop), or registries never created
        state = self.__dict__
        found = state.get("_parameters")
        if found is not None and name in found:
            return found[name]
        found = state.get("_buffers")
        if found is not None and name in found:
            return found[name]
        found = state.get("_modules")
        if found is not None and name in found:
            return found[name]
        if name in _REGISTRIES:
            _init_registries(self)
            return self.__dict__[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                del found[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list:
        names = list(super().__dir__())
        for registry in ("_parameters", "_buffers", "_modules"):
            names += list(self.__dict__.get(registry, {}))
        return sorted(n for n in set(names) if not n[0].isdigit())

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a Parameter, or None for an absent one) under ``name``."""
        _check_name(self, name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' (microtorch.nn.Parameter or None required)"
            )
        if param is not None and param._grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created explicitly. "
                f"To express '{name}' as a function of another Tensor, compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a Tensor that is state but not a parameter (e.g. running means); persistent buffers
        are part of ``state_dict``."""
        _check_name(self, name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' (microtorch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child under ``name`` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        _check_name(self, name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is this module)."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (e.g. ``"layer.0.weight"``)."""
        return self._get_member(target, Parameter, "nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        if name not in module._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(module, name)

    def _get_member(self, target: str, kind: type, kind_name: str) -> Any:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        value = getattr(module, name)
        if not isinstance(value, kind):
            raise AttributeError("`" + name + "` is not an " + kind_name)
        return value

    # ---- walking the tree -----------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True) -> Iterator[tuple]:
        """Every submodule, this one first, with its dotted name (each once unless ``remove_duplicate=False``)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Every submodule, this one first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple]:
        """The direct submodules with their attribute names."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True) -> Iterator[tuple]:
        seen = set()
        owners = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for owner_prefix, owner in owners:
            for name, value in owner.__dict__.get(registry, {}).items():
                if value is None or remove_duplicate and id(value) in seen:
                    continue
                seen.add(id(value))
                yield owner_prefix + ("." if owner_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Iterator[tuple]:
        """The parameters of this module (and its submodules with ``recurse``) with their dotted names."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> list:
        """The parameters, each once, as a list that ``next()`` also steps through."""
        return _ListAndIterator(p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Iterator[tuple]:
        """The buffers of this module (and its submodules with ``recurse``) with their dotted names."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers of this module (and its submodules with ``recurse``)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and gradients --------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=False``: evaluation) on this module and its submodules; returns it."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``train(False)``); returns the module."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter; returns the module."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the parameters' gradients (to None by default, else to zeros)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = p.grad.detach()
                p.grad.zero_()

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first), then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- devices and dtypes ---------------------------------------------------------------------------
    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Module:
        """Replace every parameter's and buffer's array by ``fn``'s result, in place (Parameters stay the
        same objects, so optimizers holding them see the change)."""
        for module in self.children() if recurse else ():
            module._apply(fn)
        with no_grad():
            for p in self._parameters.values():
                if p is None:
                    continue
                new = fn(p)
                p._data, p._device = new._data, new._device
                if p._grad is not None:
                    p._grad = fn(p._grad)
            for name, b in self._buffers.items():
                if b is None:
                    continue
                new = fn(b)
                if is_lazy(b):  # an uninitialized buffer stays one, in the new dtype and device (materialize's)
                    b._data, b._device = new._data, new._device
                else:
                    self._buffers[name] = new
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``: floating parameters and
        buffers take the dtype, all take the device."""
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        device, dtype, _ = _parse_to_args(None, args, kwargs)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")

        def convert(t: Tensor) -> Tensor:
            return t.to(device=device, dtype=dtype if dtype is not None and t.is_floating_point() else None)

        return self._apply(convert)

    def to_empty(self, *, device: Any, recurse: bool = True) -> Module:
        """Move the parameters and buffers to ``device`` without copying their values (they are left
        uninitialised, as ``torch.empty_like``'s)."""
        from ..._creation import empty_like

        return self._apply(lambda t: empty_like(t, device=device), recurse)

    def cpu(self) -> Module:
        """Move parameters and buffers to the CPU; returns the module."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        """Move parameters and buffers to a CUDA device (the current one, or ``device``); returns the module."""
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32; returns the module."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64; returns the module."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> Module:
        """Cast floating parameters and buffers to float16; returns the module."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter and buffer to ``dst_type``; returns the module."""
        return self._apply(lambda t: t.to(_dtype.as_dtype(dst_type)))

    # ---- state_dict -----------------------------------------------------------------------------------
    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "", keep_vars: bool = False) -> dict:
        """Parameters and persistent buffers by dotted name (torch's keys), detached unless ``keep_vars``."""
        if args:  # torch's deprecated positional form state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in list(self._state_dict_hooks.values()):
            hook_result = hook(self, destination, prefix, {"version": getattr(self, "_version", 1)})
            if getattr(hook, "_from_public_api", False):
                if hook_result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif hook_result is not None:
                destination = hook_result
        return destination

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict``; with ``strict`` its keys must match exactly.
        Returns ``(missing_keys, unexpected_keys)``; raises on any mismatch that cannot be loaded.

        Everything is checked before anything is copied, so a load that raises leaves the model
        unchanged (torch copies what it can before raising)."""
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        state_dict = OrderedDict(state_dict)  # modules may add defaults (BatchNorm's num_batches_tracked)
        missing: list = []
        unexpected: list = []
        errors: list = []
        copies: list = []
        for prefix, module in self.named_modules(remove_duplicate=False):
            prefix = prefix + "." if prefix else ""
            for hook in list(module._load_state_dict_pre_hooks.values()):
                hook(state_dict, prefix, {}, strict, missing, unexpected, errors)
            module._load_from_state_dict(state_dict, prefix, missing, errors, assign, copies=copies)
        expected = set(self.state_dict(keep_vars=True))
        unexpected.extend(k for k in state_dict.keys() if k not in expected and k not in unexpected)
        incompatible = _IncompatibleKeys(missing, unexpected)
        # children's post hooks before their parent's, as torch; they run before the copies (which wait until
        # everything is checked), so they may fix the key lists that strict loading then checks
        for module in reversed(list(self.modules())):
            for hook in list(module._load_state_dict_post_hooks.values()):
                if hook(module, incompatible) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to return new "
                        "values, if incompatible_keys need to be modified, it should be done inplace."
                    )
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors))
        with no_grad():
            for copy in copies:
                copy()
        return incompatible

    def _load_from_state_dict(self, state_dict: dict, prefix: str, missing: list, errors: list, assign: bool,
                              copies: list | None = None) -> None:
        """Check this module's own parameters and persistent buffers (not its children's) against
        ``state_dict``; the copies go to ``copies`` (run by ``load_state_dict`` once all is checked),
        or happen at once when it is None."""
        own = [(n, p) for n, p in self._parameters.items() if p is not None]
        own += [(n, b) for n, b in self._buffers.items() if b is not None and n not in self._non_persistent_buffers]
        for name, current in own:
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            copy = self._checked_copy(name, key, current, state_dict[key], errors, assign)
            if copy is not None and copies is not None:
                copies.append(copy)
            elif copy is not None:
                with no_grad():
                    copy()

    def _checked_copy(self, name: str, key: str, current: Tensor, value: Any, errors: list, assign: bool) -> Any:
        """A function that puts ``value`` in place of ``current``, or None after noting why it cannot."""
        if not isinstance(value, Tensor):  # torch refuses numpy arrays too: is_tensor_like
            errors.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like object '
                          f"from checkpoint but received {type(value)}")
            return None
        if current.ndim == 0 and tuple(value.shape) == (1,):  # torch's allowance for checkpoints from 0.3
            value = value.reshape(())
        if tuple(value.shape) != tuple(current.shape):
            errors.append(f"size mismatch for {key}: copying a param with shape {list(value.shape)} from checkpoint, "
                          f"the shape in current model is {list(current.shape)}.")
            return None
        if assign:
            if name in self._parameters:
                replacement = value if isinstance(value, Parameter) else Parameter(value, current.requires_grad)
                return lambda: self._parameters.__setitem__(name, replacement)
            return lambda: self._buffers.__setitem__(name, value)
        try:  # converted now, so that the copy itself cannot fail halfway through the model
            with no_grad():
                converted = value.detach().to(device=current.device, dtype=current.dtype)
        except Exception as e:
            errors.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                          f"{list(current.shape)} and whose dimensions in the checkpoint are {list(value.shape)}, "
                          f"an exception occurred : {e}.")
            return None
        return lambda: current.copy_(converted)

    # ---- hooks ----------------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a returned value replaces the arguments. With
        ``with_kwargs``: ``hook(module, args, kwargs)``, returning None or ``(new_args, new_kwargs)``."""
        handle = _add_hook(self._forward_pre_hooks, hook, prepend, [self._forward_pre_hooks_with_kwargs])
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with ``with_kwargs``)
        after ``forward``; a returned value replaces the output. ``always_call``: also when forward raises."""
        handle = _add_hook(self._forward_hooks, hook, prepend,
                           [self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the outputs are known; a returned
        tuple replaces ``grad_output``."""
        return _add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the positional inputs are
        known; a returned tuple replaces ``grad_input``."""
        return _add_hook(self._backward_hooks, hook, prepend)

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before this module adds its entries to ``state_dict``."""
        return _add_hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after this module (and its children)
        added their entries; it changes ``state_dict`` in place and must return None."""
        hook._from_public_api = True  # type: ignore[attr-defined]  # (a marker, as torch's)
        return _add_hook(self._state_dict_hooks, hook, False)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """The older post hook: a returned dict replaces ``state_dict``."""
        return _add_hook(self._state_dict_hooks, hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` before this module loads its entries (it may change ``state_dict`` in place)."""
        return _add_hook(self._load_state_dict_pre_hooks, functools.partial(hook, self), False)

    def _register_load_state_dict_pre_hook(self, hook: Callable, with_module: bool = False) -> RemovableHandle:
        """The older pre hook: ``hook(state_dict, prefix, ...)``, or with the module first if ``with_module``."""
        return _add_hook(self._load_state_dict_pre_hooks, functools.partial(hook, self) if with_module else hook, False)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after loading; it may change the key lists in place and
        must return None."""
        return _add_hook(self._load_state_dict_post_hooks, hook, False)

    # ---- compilation ----------------------------------------------------------------------------------
    def compile(self, *args: Any, **kwargs: Any) -> None:
        """``torch.compile`` the module in place: microtorch has no compiler, so the module stays as it is
        (the arguments are accepted and ignored)."""

    # ---- printing -------------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """What goes inside the parentheses of this module's repr (subclasses override)."""
        return ""

    def __repr__(self) -> str:
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            body = extra_lines[0] if len(extra_lines) == 1 and not child_lines else "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


# ---- helpers --------------------------------------------------------------------------------------------
def _init_registries(module: Module) -> None:
    state = module.__dict__
    for name in ("_parameters", "_buffers", "_modules") + _HOOKS:
        state.setdefault(name, {})
    state.setdefault("_non_persistent_buffers", set())


def _forget(module: Module, name: str, state: dict, *registries: dict) -> None:
    """A name registered anew as one kind of thing stops being any other kind."""
    state.pop(name, None)
    for registry in registries:
        registry.pop(name, None)
    module._non_persistent_buffers.discard(name)


def _check_name(module: Module, name: Any, kind: str, registry: dict) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if name not in registry and (name in module.__dict__ or hasattr(type(module), name)):
        raise KeyError(f"attribute '{name}' already exists")


def _type_name(value: Any) -> str:
    if isinstance(value, Tensor):
        return value.type()
    module = type(value).__module__
    return type(value).__qualname__ if module == "builtins" else module + "." + type(value).__qualname__  # torch.typename


def _add_hook(hooks: dict, hook: Callable, prepend: bool, extra_dicts: list | None = None) -> RemovableHandle:
    handle = RemovableHandle(hooks, extra_dict=extra_dicts)
    hooks[handle.id] = hook
    if prepend:
        for key in [k for k in hooks if k != handle.id]:
            hooks[key] = hooks.pop(key)
    return handle


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])
