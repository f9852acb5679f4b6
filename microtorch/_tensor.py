"""Tensor: a backend array plus what autograd needs to know about it.

A Tensor holds

* ``_data``: the backend array (a ``numpy.ndarray`` on cpu, ``cupy.ndarray`` on cuda),
* ``_device``: the device, whose backend does the array work,
* ``_requires_grad``, ``grad`` and ``_grad_fn``: the autograd state; ``_grad_fn`` is
  the :class:`~microtorch.autograd.function.Op` that produced the tensor
  (``None`` for leaves), ``_output_nr`` says which of its outputs it is (the
  public ``grad_fn`` reads it, refusing a stale view made under no_grad),
* ``_version``: bumped by in-place ops so backward can refuse stale saved values;
  views share the counter of the tensor they view (``_base``).

Every method that computes something is one line that calls an op's ``apply``.
"""
from __future__ import annotations

import builtins
import copy
import math
import numbers
from typing import Any, Iterator, Sequence

from . import _dtype, _memory_format
from ._device import device as _device_cls, on_device
from ._dtype import dtype, dtype_of_array, get_default_dtype
from .autograd import function, grad_mode
from .backends import get_backend
from ._tensor_compat import TensorCompat
from ._absent import ABSENT, given

_new = object.__new__
_host_scalar = get_backend("cpu").xp.generic  # numpy's scalar types
_float, _int, _bool = builtins.float, builtins.int, builtins.bool


class Size(tuple):
    """A tensor's shape: a tuple that prints like ``torch.Size``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"microtorch.Size({list(self)})"

    def numel(self) -> int:
        return math.prod(self)


class Tensor(TensorCompat):
    """A multi-dimensional array with autograd support (``torch.Tensor``)."""

    __slots__ = (
        "_data", "_device", "_requires_grad", "_grad", "_grad_fn", "_output_nr",
        "_version", "_base", "_hooks", "_retains_grad", "_view_maker", "__weakref__",
    )
    _data: Any  # the backend array
    _requires_grad: builtins.bool
    _grad: Tensor | None
    _grad_fn: Any  # the Op node that made this tensor (None for leaves)
    _output_nr: builtins.int
    _version: builtins.int
    _base: Tensor | None
    _hooks: list | None
    _retains_grad: builtins.bool
    _view_maker: Any
    __array_priority__ = 1000  # numpy defers `ndarray * tensor` to Tensor.__rmul__
    __hash__ = object.__hash__  # __eq__ is elementwise

    # ---- construction ----------------------------------------------------------------
    def __init__(self, *args: Any, dtype: _dtype.dtype | None = None, device: Any = None) -> None:
        """``Tensor(data)`` (float unless given a dtype) or ``Tensor(*sizes)`` (uninitialised)."""
        if args and all(isinstance(a, numbers.Integral) and not isinstance(a, _bool) for a in args):
            src = empty(*args, dtype=dtype, device=device)
        elif len(args) == 1:
            src = tensor(args[0], dtype=dtype or get_default_dtype(), device=device)
        else:
            src = empty(0, dtype=dtype, device=device)
        self._init_from(src._data, src._device)

    def _init_from(self, data: Any, device: Any, requires_grad: builtins.bool = False) -> None:
        self._data = data
        self._device = device
        self._requires_grad = requires_grad
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._version = 0
        self._base = None
        self._hooks = None
        self._retains_grad = False

    @staticmethod
    def _make(data: Any, device: Any, requires_grad: builtins.bool = False, grad_fn: Any = None, output_nr: builtins.int = 0) -> Tensor:
        """Wrap a backend array (the fast path every op takes)."""
        if isinstance(data, _host_scalar):  # (cheaper than reading data.ndim first)
            data = device.backend.xp.asarray(data)  # numpy returns scalars, not 0-d arrays, from 0-d ops
        t = _new(Tensor)
        t._data = data
        t._device = device
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = grad_fn
        t._output_nr = output_nr
        t._version = 0
        t._base = None
        t._hooks = None
        t._retains_grad = False
        return t

    # ---- basic attributes ----------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's array, outside the graph and unseen by its version checks
        (``torch.Tensor.data``; ``detach()`` is the safe alias)."""
        return Tensor._make(self._data, self._device)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        self._data = value._data
        self._device = value._device

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: builtins.int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_normalize_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> _dtype.dtype:
        return dtype_of_array(self._data)

    @property
    def device(self) -> _device_cls:
        return self._device

    @property
    def is_cuda(self) -> builtins.bool:
        return self._device.type == "cuda"

    @property
    def ndim(self) -> builtins.int:
        return self._data.ndim

    def dim(self) -> builtins.int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> builtins.int:
        return _int(self._data.size)

    nelement = numel

    def element_size(self) -> builtins.int:
        return self._data.itemsize

    @property
    def itemsize(self) -> builtins.int:
        return self._data.itemsize

    @property
    def nbytes(self) -> builtins.int:
        return _int(self._data.nbytes)

    def is_floating_point(self) -> builtins.bool:
        return self._data.dtype.kind in "fV"  # (V: bfloat16, the only void-kind dtype microtorch admits)

    def is_contiguous(self, *, memory_format: Any = None) -> builtins.bool:
        if memory_format is not None and memory_format is not _memory_format.contiguous_format:
            return _memory_format.is_contiguous_as(self, memory_format)
        return _bool(self._data.flags.c_contiguous)

    def stride(self, dim: builtins.int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_normalize_dim(dim, self._data.ndim)]

    def data_ptr(self) -> builtins.int:
        return self._data.__array_interface__["data"][0] if hasattr(self._data, "__array_interface__") else self._data.data.ptr

    def storage_offset(self) -> builtins.int:
        """Where this tensor's first element sits in its storage, in elements (a view's offset into its base's
        memory; 0 for a tensor that owns its memory, and for empty views, which torch places where they start)."""
        root = self if self._base is None else self._base
        return (self.data_ptr() - root.data_ptr()) // self._data.itemsize

    # ---- autograd state --------------------------------------------------------------------
    @property
    def requires_grad(self) -> builtins.bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind not in "fcV":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype}")
        if not requires_grad and _views.made_under_no_grad(self):
            return self  # torch's: a no-grad view of a tensor that requires grad keeps requiring it (detach() cuts)
        self._requires_grad = _bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {list(value.shape)} vs {list(self.shape)}")
            if value._device is not self._device:
                raise RuntimeError(f"assigned grad has data located on {value._device}, expected {self._device}")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def grad_fn(self) -> Any:
        """The Op node that made this tensor (None for leaves). As torch, reading it raises for a view made under
        no_grad of a tensor that requires grad (or a view of one) once their base has changed in place."""
        if self._base is not None:  # (only views can be stale)
            function.refuse_stale_no_grad_view(self)
        return self._grad_fn

    @property
    def is_leaf(self) -> builtins.bool:
        return self.grad_fn is None

    @property
    def retains_grad(self) -> builtins.bool:
        return self._retains_grad

    @property
    def _version_counter(self) -> builtins.int:
        return (self._base if self._base is not None else self)._version

    def _bump_version(self) -> None:
        (self._base if self._base is not None else self)._version += 1

    def _accumulate_grad(self, grad: Tensor) -> None:
        self._grad = grad if self._grad is None else self._grad + grad

    def backward(self, gradient: Tensor | None = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``gradient`` seeds non-scalars)."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _HookHandle(self._hooks, hook)
        node.register_prehook(self._output_nr, hook)
        return _HookHandle(node._pre_hooks[self._output_nr], hook)

    def register_post_accumulate_grad_hook(self, hook) -> Any:
        """Call ``hook(self)`` once backward has summed this leaf's gradient into ``.grad`` (during the
        pass, as soon as that gradient is complete); ``handle.remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .autograd.engine import add_post_accumulate_hook

        return _HookHandle(add_post_accumulate_hook(self, hook), hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:  # (a leaf: nothing to check, as torch)
            return
        import weakref

        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                g = grad.detach() if not grad_mode.state.enabled else grad
                t._grad = g.clone() if t._grad is None else t._grad + g  # owns its memory, as torch's

        store.retains_grad = True  # type: ignore[attr-defined]  # a marker: the engine runs this hook last
        self.grad_fn.register_prehook(self._output_nr, store)  # (grad_fn: refuses a stale view made under no_grad)
        self._retains_grad = True

    def detach(self) -> Tensor:
        """The same array, cut from the graph (shares memory and the version counter)."""
        return _views.view_of(Tensor._make(self._data, self._device), self)

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- copying and pickling --------------------------------------------------------------------
    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf's copy in new memory: same class, requires_grad and (copied) grad, as torch's."""
        if self.grad_fn is not None:  # (the property: refuses a stale view made under no_grad)
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment. Deep-copy `tensor.detach()` to copy the values of a computed tensor."
            )
        data = _ops.Clone.apply(Tensor._make(self._data, self._device))._data  # (Clone runs on the right device)
        new = _new(type(self))
        new._init_from(data, self._device, self._requires_grad)
        memo[id(self)] = new  # before the grad, which may refer back to it
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        if hasattr(self, "__dict__"):  # a subclass's own attributes
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickles as its values (on the host), device and requires_grad; the graph, grad, hooks and view
        relations stay behind (a computed tensor loads as a leaf), as torch's. (The default would pickle
        ``grad_fn``, whose backend module cannot be pickled.)"""
        state = (self.__dict__,) if hasattr(self, "__dict__") and self.__dict__ else ()
        host = self._device.backend.to_numpy(self._data)
        return (_rebuild_tensor, (type(self), host, self._device, self._requires_grad) + state)

    # ---- conversion ------------------------------------------------------------------------------
    def numpy(self, *, force: builtins.bool = False) -> Any:
        if not force:
            self._check_numpy()
        return self._device.backend.to_numpy(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        """``np.asarray(t)``: the values, refused as ``numpy()`` refuses them (torch's ``__array__`` is ``numpy()``);
        NumPy 2's ``copy``: True copies (``np.array(t)`` never shares memory), False refuses to, None shares when it can."""
        self._check_numpy()
        arr = self._device.backend.to_numpy(self._data)
        if dtype is not None and arr.dtype != dtype:
            if copy is False:
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def _check_numpy(self) -> None:
        if self._device.type != "cpu":
            raise TypeError(
                f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
                "to host memory first."
            )
        if self._requires_grad and grad_mode.state.enabled:  # torch's rule: under no_grad the values may be taken
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")

    def __dlpack__(self, **kwargs: Any) -> Any:
        """Export the array, without a copy, to any DLPack consumer (``numpy.from_dlpack``,
        ``torch.from_dlpack``, ``cupy.from_dlpack``); ``kwargs`` are the protocol's (stream, max_version, ...)."""
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple:
        return self._data.__dlpack_device__()

    def item(self) -> builtins.int | builtins.float | builtins.bool:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self) -> Any:
        return self._device.backend.to_numpy(self._data).tolist()

    def __float__(self) -> builtins.float:
        return _float(self.item())

    def __int__(self) -> builtins.int:
        return _int(self.item())

    def __index__(self) -> builtins.int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return _int(self.item())

    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return _bool(self._data.item())

    def is_nonzero(self) -> builtins.bool:
        """Whether the single value is not zero (torch's ``is_nonzero``: an empty or longer tensor raises)."""
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        return self.__bool__()

    def __complex__(self) -> builtins.complex:
        return builtins.complex(self.item())

    def __reversed__(self) -> Tensor:
        """The tensor flipped along its first dim (a 0-d tensor: itself), as torch's ``reversed(t)``."""
        return self if not self._data.ndim else self.flip(0)

    def __len__(self) -> builtins.int:
        if not self._data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if not self._data.ndim:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element: Any) -> builtins.bool:
        if not isinstance(element, Tensor) and _to_scalar(element) is None:
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
            )
        return _bool((self == element).any().item())

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``; ``copy=`` forces a copy."""
        dev, dt, copy = _parse_to_args(self, args, kwargs)
        out = self
        if dev is not None and dev is not out._device:
            out = _ops.ToDevice.apply(out, device=dev)
        if dt is not None and dt is not dtype_of_array(out._data):
            out = _ops.Cast.apply(out, dtype=dt.name)
        if copy and out is self:
            out = self.clone()
        return out

    def float(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float32)

    def double(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float64)

    def half(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float16)

    def long(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int64)

    def int(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int32)

    def short(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int16)

    def bool(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.bool)

    def byte(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.uint8)

    def char(self, *, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int8)

    def cpu(self, *, memory_format: Any = None) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: builtins.bool = False, memory_format: Any = None) -> Tensor:
        if device is not None and not isinstance(device, (str, _int, _device_cls)) or isinstance(device, _bool):
            raise TypeError(f"cuda(): argument 'device' (position 1) must be torch.device, not {type(device).__name__}")
        return self.to(_device_cls("cuda") if device is None else _device_cls("cuda", device) if isinstance(device, _int) else device)

    # new_*: factories that default to this tensor's dtype and device, as torch's
    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return tensor(data, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_full(self, size: Sequence[builtins.int], fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: builtins.bool = False) -> Tensor:
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_full(_shape_arg(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_full(_shape_arg(size), 1, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
        return empty(*_shape_arg(size), dtype=dtype or self.dtype, device=device or self._device,
                     requires_grad=requires_grad)

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return _ops.Clone.apply(self)  # (every memory format is kept row-major: see _memory_format.py)

    def contiguous(self, *, memory_format: Any = None) -> Tensor:
        return self if self._data.flags.c_contiguous else _ops.Clone.apply(self)

    # ---- printing ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return format_tensor(self)

    __str__ = __repr__

    def graph(self, orientation: str = "TB", **options: Any) -> Any:
        """A picture of the graph that produced this tensor, drawn when shown (``microtorch.viz.draw``).

        Not in torch: there a tensor's display is its text, as here; the picture is asked for.
        """
        from .viz import draw

        return draw(self, None, orientation, **options)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:  # f"{t}" of a 0-d tensor is its number's, as torch's
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    # ---- arithmetic -------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _binary(_ops.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_ops.Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(_ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(_ops.Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(_ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(_ops.Div, self, other, true_divide=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_ops.Div, other, self, true_divide=True)

    def __floordiv__(self, other: Any) -> Tensor:
        return _binary(_ops.FloorDivide, self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _binary(_ops.FloorDivide, other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _binary(_ops.Remainder, self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _binary(_ops.Remainder, other, self)

    def __pow__(self, other: Any) -> Tensor:
        if type(other) is _float and abs(other) == 0.5 and self._data.dtype.kind == "f":
            return _ops.Pow.apply(self, other)  # torch's sqrt/rsqrt kernels (nan at -inf), also unrecorded
        return _binary(_ops.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _binary(_ops.Pow, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(_as_tensor_like(other, self), self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.Abs.apply(self)

    def __invert__(self) -> Tensor:
        return _ops.BitwiseNot.apply(self)

    def __and__(self, other: Any) -> Tensor:
        return _binary(_ops.BitwiseAnd, self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return _binary(_ops.BitwiseOr, self, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return _binary(_ops.BitwiseXor, self, other)

    __rxor__ = __xor__

    # comparisons: elementwise, bool results, never differentiable
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(_ops.Equal, self, other, True)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(_ops.NotEqual, self, other, True)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(_ops.Less, self, other, True)

    def __le__(self, other: Any) -> Tensor:
        return _compare(_ops.LessEqual, self, other, True)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(_ops.Greater, self, other, True)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(_ops.GreaterEqual, self, other, True)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self + _scaled(self, other, alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            _refuse_bool_subtraction(self, other)  # before `other * alpha` turns a bool into an int
        return self - _scaled(self, other, alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.divide_rounded(self, other, rounding_mode)

    subtract, multiply, divide, true_divide = sub, mul, div, __truediv__

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def remainder(self, other: Any) -> Tensor:
        return self % other

    def floor_divide(self, other: Any) -> Tensor:
        return self // other

    def matmul(self, other: Tensor) -> Tensor:
        return _linalg.matmul(self, other)

    def mm(self, mat2: Tensor) -> Tensor:
        _expect(mat2, Tensor, "mm", "mat2")
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: both arguments must be 2-D, got {self.ndim}-D and {mat2.ndim}-D")
        return _linalg.matmul(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        _expect(mat2, Tensor, "bmm", "mat2")
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError(f"bmm: both arguments must be 3-D, got {self.ndim}-D and {mat2.ndim}-D")
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: {self.shape[0]} and {mat2.shape[0]}")
        return _linalg.matmul(self, mat2)

    def dot(self, tensor: Tensor) -> Tensor:
        _expect(tensor, Tensor, "dot", "tensor")
        if self.ndim != 1 or tensor.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {tensor.ndim}D tensors")
        return _linalg.matmul(self, tensor)

    def eq(self, other: Any) -> Tensor:
        return _compare(_ops.Equal, self, other)  # (not `==`: eq(None) raises, as torch's)

    def ne(self, other: Any) -> Tensor:
        return _compare(_ops.NotEqual, self, other)

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne  # (torch's aliases)

    def equal(self, other: Tensor) -> builtins.bool:
        _expect(other, Tensor, "equal", "other")
        return self.shape == other.shape and _bool((self == other).all().item())

    def allclose(self, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> builtins.bool:
        return _bool(self.isclose(other, rtol, atol, equal_nan).all().item())

    def isclose(self, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> Tensor:
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    # ---- elementwise math -------------------------------------------------------------------------
    def neg(self) -> Tensor:
        return _ops.Neg.apply(self)

    negative = neg

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    absolute = abs

    def exp(self) -> Tensor:
        return _ops.Exp.apply(_float_input(self))

    def log(self) -> Tensor:
        return _ops.Log.apply(_float_input(self))

    def log2(self) -> Tensor:
        return _ops.log2(self)

    def log10(self) -> Tensor:
        return _ops.log10(self)

    def log1p(self) -> Tensor:
        return _ops.Log1p.apply(_float_input(self))

    def expm1(self) -> Tensor:
        return _ops.Expm1.apply(_float_input(self))

    def sqrt(self) -> Tensor:
        return _ops.Sqrt.apply(_float_input(self))

    def rsqrt(self) -> Tensor:
        return _ops.Rsqrt.apply(_float_input(self))

    def square(self) -> Tensor:
        return _ops.Pow.apply(self.to(_dtype.int64) if self._data.dtype.kind == "b" else self, 2)  # bool: int64, as torch

    def reciprocal(self) -> Tensor:
        return _ops.Reciprocal.apply(_float_input(self))

    def sin(self) -> Tensor:
        return _ops.Sin.apply(_float_input(self))

    def cos(self) -> Tensor:
        return _ops.Cos.apply(_float_input(self))

    def tan(self) -> Tensor:
        return _ops.Tan.apply(_float_input(self))

    def tanh(self) -> Tensor:
        return _activation.Tanh.apply(_float_input(self))

    def asin(self) -> Tensor:
        return _ops.Asin.apply(_float_input(self))

    def acos(self) -> Tensor:
        return _ops.Acos.apply(_float_input(self))

    def atan(self) -> Tensor:
        return _ops.Atan.apply(_float_input(self))

    def atan2(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "atan2", "other")
        return _binary(_ops.Atan2, _float_input(self), _float_input(other))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def sinh(self) -> Tensor:
        return _ops.Sinh.apply(_float_input(self))

    def cosh(self) -> Tensor:
        return _ops.Cosh.apply(_float_input(self))

    def asinh(self) -> Tensor:
        return _ops.Asinh.apply(_float_input(self))

    def acosh(self) -> Tensor:
        return _ops.Acosh.apply(_float_input(self))

    def atanh(self) -> Tensor:
        return _ops.Atanh.apply(_float_input(self))

    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def erf(self) -> Tensor:
        return _ops.Erf.apply(_float_input(self))

    def exp2(self) -> Tensor:
        return _ops.exp2(self)

    def hypot(self, other: Tensor) -> Tensor:
        return _ops.hypot(self, other)

    def logaddexp(self, other: Tensor) -> Tensor:
        return _ops.logaddexp(self, other)

    def xlogy(self, other: Any) -> Tensor:
        x = _float_input(self)
        if not isinstance(other, Tensor):  # a number takes x's dtype (weak, as in torch); its log must too
            other = x.new_tensor(_to_scalar(other) if type(other) is _int else other)
        return _binary(_ops.Xlogy, x, other)

    def logit(self, eps: builtins.float | None = None) -> Tensor:
        return _ops.logit(self, eps)

    def lgamma(self) -> Tensor:
        """log|Gamma(x)|, elementwise."""
        return _special.Lgamma.apply(_float_input(self))

    def digamma(self) -> Tensor:
        """psi(x) = d log Gamma(x) / dx, elementwise."""
        return _special.Polygamma.apply(_float_input(self), n=0)

    def polygamma(self, n: builtins.int) -> Tensor:
        """The n-th derivative of digamma, elementwise (``torch.polygamma(n, x)`` is ``x.polygamma(n)``)."""
        if int(n) < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return _special.Polygamma.apply(_float_input(self), n=int(n))

    def erfinv(self) -> Tensor:
        """The inverse of erf, elementwise (nan outside [-1, 1])."""
        return _special.Erfinv.apply(_float_input(self))

    # ---- issue 21's elementwise list (torch.special's core: autograd/ops/special.py) ------------------------
    def erfc(self) -> Tensor:
        """1 - erf(x), accurate where erf(x) is near 1 (needs SciPy on the CPU)."""
        return _special.Erfc.apply(_float_input(self))

    def i0(self) -> Tensor:
        """The modified Bessel function of the first kind of order 0, elementwise."""
        return _special.I0.apply(_float_input(self))

    def sinc(self) -> Tensor:
        """sin(pi x) / (pi x), 1 at 0."""
        return _special.sinc(self)

    def mvlgamma(self, p: builtins.int) -> Tensor:
        """The multivariate log-gamma function of dimension p, elementwise."""
        return _special.multigammaln(self, p)

    def igamma(self, other: Tensor) -> Tensor:
        """The regularized lower incomplete gamma function P(self, other)."""
        _expect(other, Tensor, "igamma", "other")
        return _binary(_special.RegularizedGammaP, _float_input(self), _float_input(other))

    def igammac(self, other: Tensor) -> Tensor:
        """The regularized upper incomplete gamma function Q(self, other) = 1 - P(self, other)."""
        return 1.0 - self.igamma(other)

    def xlog1py(self, other: Any) -> Tensor:
        """x log1p(y), 0 where x == 0."""
        x = _float_input(self)
        if not isinstance(other, Tensor):
            other = x.new_tensor(_to_scalar(other) if type(other) is _int else other)
        return _binary(_special.Xlog1py, x, other)

    def copysign(self, other: Any) -> Tensor:
        """|x| with the sign of other."""
        return _binary(_ops.Copysign, _float_input(self), _float_input(other) if isinstance(other, Tensor) else other)

    def signbit(self) -> Tensor:
        """True where the sign bit is set (negative numbers and -0.0)."""
        return _ops.SignBit.apply(self)

    def fmax(self, other: Tensor) -> Tensor:
        """The elementwise maximum, ignoring nan (nan only where both are nan)."""
        _expect(other, Tensor, "fmax", "other")
        return _binary(_ops.Fmax, self, other)

    def fmin(self, other: Tensor) -> Tensor:
        """The elementwise minimum, ignoring nan (nan only where both are nan)."""
        _expect(other, Tensor, "fmin", "other")
        return _binary(_ops.Fmin, self, other)

    def heaviside(self, values: Tensor) -> Tensor:
        """0 below 0, ``values`` at 0, 1 above."""
        _expect(values, Tensor, "heaviside", "values")
        if values.dtype != self.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
        return _ops.Heaviside.apply(self, values)

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent in float64."""
        return _ops.float_power(self, exponent)

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log2(2^x + 2^y)."""
        return _ops.logaddexp2(self, other)

    def isposinf(self) -> Tensor:
        """True where x is +inf."""
        function.refuse_complex(self, "isposinf does not support complex inputs.")
        return self == math.inf

    def isneginf(self) -> Tensor:
        """True where x is -inf."""
        function.refuse_complex(self, "isneginf does not support complex inputs.")
        return self == -math.inf

    def isreal(self) -> Tensor:
        """Whether each element is real: its imaginary part is 0 (everywhere True for a real tensor)."""
        if self._data.dtype.kind == "c":
            return _complex.isreal(self)
        return full(self.shape, True, dtype=_dtype.bool, device=self.device)

    def frexp(self) -> tuple:
        """(mantissa, exponent): x = mantissa 2^exponent, |mantissa| in [0.5, 1), the exponent int32."""
        return _ops.frexp(self)

    def ldexp(self, other: Tensor) -> Tensor:
        """self 2^other."""
        _expect(other, Tensor, "ldexp", "other")
        return _ops.ldexp(self, other)

    def nextafter(self, other: Tensor) -> Tensor:
        """The next floating-point value after self toward other."""
        _expect(other, Tensor, "nextafter", "other")
        return _binary(_ops.Nextafter, self, other)

    def gcd(self, other: Tensor) -> Tensor:
        """The greatest common divisor of integer tensors (non-negative)."""
        _expect(other, Tensor, "gcd", "other")
        return _binary(_ops.Gcd, self, other)

    def lcm(self, other: Tensor) -> Tensor:
        """The least common multiple of integer tensors (non-negative)."""
        _expect(other, Tensor, "lcm", "other")
        return _binary(_ops.Lcm, self, other)

    def bitwise_and(self, other: Any) -> Tensor:
        """Bitwise and of integer or bool tensors."""
        return self & other

    def bitwise_or(self, other: Any) -> Tensor:
        """Bitwise or of integer or bool tensors."""
        return self | other

    def bitwise_xor(self, other: Any) -> Tensor:
        """Bitwise xor of integer or bool tensors."""
        return self ^ other

    def bitwise_not(self) -> Tensor:
        """Bitwise not of an integer or bool tensor."""
        return ~self

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """self << other, integer tensors."""
        return _binary(_ops.BitwiseLeftShift, self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """self >> other (arithmetic for signed integers)."""
        return _binary(_ops.BitwiseRightShift, self, other)

    def __lshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift(other)

    def __rshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift(other)

    def angle(self) -> Tensor:
        """The angle: atan2(imag, real) for complex; for a real number 0 at x >= 0, pi below (nan stays nan)."""
        if self._data.dtype.kind == "c":
            return _complex.angle(self)
        return _ops.Angle.apply(_float_input(self))

    @property
    def real(self) -> Tensor:
        """The real part, a view (a real tensor is its own real part)."""
        return _complex.real(self)

    @real.setter
    def real(self, value: Any) -> None:
        _complex.real(self).copy_(value)

    @property
    def imag(self) -> Tensor:
        """The imaginary part of a complex tensor, a view."""
        return _complex.imag(self)

    @imag.setter
    def imag(self, value: Any) -> None:
        _complex.imag(self).copy_(value)

    def conj(self) -> Tensor:
        """The complex conjugate (a copy: microtorch has no lazy conjugate bit); a real tensor itself."""
        return _complex.conj(self)

    def conj_physical(self) -> Tensor:
        """The complex conjugate, computed; a real tensor itself."""
        return _complex.conj(self)

    def cfloat(self, *, memory_format: Any = None) -> Tensor:
        """``self.to(complex64)``; grad: the real part of g for a real input."""
        return self.to(_dtype.complex64)

    def cdouble(self, *, memory_format: Any = None) -> Tensor:
        """``self.to(complex128)``; grad: the real part of g for a real input."""
        return self.to(_dtype.complex128)

    def chalf(self, *, memory_format: Any = None) -> Tensor:
        """``self.to(complex32)``: refused (NumPy has no half-precision complex type)."""
        return self.to(_dtype.complex32)

    def resolve_conj(self) -> Tensor:
        """The tensor with a pending conjugation applied: a real tensor itself."""
        return self

    def resolve_neg(self) -> Tensor:
        """The tensor with a pending negation applied: a real tensor itself."""
        return self

    def fmod(self, other: Any) -> Tensor:
        return _binary(_ops.Fmod, self, other)

    def deg2rad(self) -> Tensor:
        return _ops.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return _ops.rad2deg(self)

    def positive(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add(tensor1 * tensor2, alpha=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add(tensor1 / tensor2, alpha=value)

    def sigmoid(self) -> Tensor:
        return _activation.Sigmoid.apply(_float_input(self))

    def relu(self) -> Tensor:
        return _activation.Relu.apply(self)

    def sign(self) -> Tensor:
        return _ops.Sign.apply(self)

    def sgn(self) -> Tensor:
        """z / |z| (0 at 0) for complex z, the sign of a real x; grad: through z / |z| (0 for real x)."""
        return _complex.sgn(self)

    def floor(self) -> Tensor:
        return _ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        return _ops.Ceil.apply(self)

    def round(self, *, decimals: builtins.int = 0) -> Tensor:
        _expect(decimals, _int, "round", "decimals")
        return _ops.Round.apply(self, decimals=decimals)

    def trunc(self) -> Tensor:
        return _ops.Trunc.apply(self)

    fix = trunc

    def frac(self) -> Tensor:
        return _ops.frac(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
        return _ops.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return _ops.clamp(self, min, None)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return _ops.clamp(self, None, max)

    def maximum(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "maximum", "other", 2)
        return _binary(_ops.Maximum, self, other)

    def minimum(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "minimum", "other", 2)
        return _binary(_ops.Minimum, self, other)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        return _ops.where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return _ops.lerp(self, end, weight)

    def isnan(self) -> Tensor:
        return _ops.IsNan.apply(self)

    def isinf(self) -> Tensor:
        return _ops.IsInf.apply(self)

    def isfinite(self) -> Tensor:
        return _ops.IsFinite.apply(self)

    def logical_not(self) -> Tensor:
        return _ops.LogicalNot.apply(self)

    def logical_and(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "logical_and", "other", 2)
        return _compare(_ops.LogicalAnd, self, other)

    def logical_or(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "logical_or", "other", 2)
        return _compare(_ops.LogicalOr, self, other)

    def logical_xor(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "logical_xor", "other", 2)
        return _compare(_ops.LogicalXor, self, other)

    # ---- reductions ---------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: _dtype.dtype | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "bui" and dtype is None:
            x = x.to(_dtype.int64)  # torch sums integers and bools as int64
        return _reduce.Sum.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def sum_to_size(self, *sizes: Any, size: Any = None) -> Tensor:
        return _reduce.sum_to_size(self, _shape_arg(sizes if size is None else (size,)))

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: _dtype.dtype | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind not in "fcV":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {x.dtype.name.capitalize()}"
            )
        return _reduce.Mean.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *, correction: Any = None) -> Tensor:
        return _reduce.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *, correction: Any = None) -> Tensor:
        return _reduce.var(self, dim, unbiased, keepdim, correction, op=_reduce.Std)

    def prod(self, dim: Any = ABSENT, keepdim: builtins.bool = False, *, dtype: _dtype.dtype | None = None) -> Tensor:
        dim = given(dim, "prod", "dim", "int")
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "bui" and dtype is None:
            x = x.to(_dtype.int64)
        return _reduce.Prod.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def max(self, dim: Any = ABSENT, keepdim: builtins.bool = False, *, other: Any = None) -> Any:
        return _reduce.max_min(self, given(dim, "max", "dim", "int") if other is None else other, keepdim, "max")

    def min(self, dim: Any = ABSENT, keepdim: builtins.bool = False, *, other: Any = None) -> Any:
        return _reduce.max_min(self, given(dim, "min", "dim", "int") if other is None else other, keepdim, "min")

    def amax(self, dim: Any = (), keepdim: builtins.bool = False) -> Tensor:
        return _reduce.Amax.apply(self, dim=_reduce.normalize_dims(dim if dim != () else None, self.ndim), keepdim=keepdim, largest=True)

    def amin(self, dim: Any = (), keepdim: builtins.bool = False) -> Tensor:
        return _reduce.Amax.apply(self, dim=_reduce.normalize_dims(dim if dim != () else None, self.ndim), keepdim=keepdim, largest=False)

    def argmax(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.argmax(self, dim, keepdim, largest=True)

    def argmin(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.argmax(self, dim, keepdim, largest=False)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        given(dim, "logsumexp", "dim", "tuple of ints")
        return _reduce.LogSumExp.apply(_float_input(self), dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: _dtype.dtype | None = None) -> Tensor:
        return _reduce.norm(self if dtype is None else self.to(dtype), p, dim, keepdim)

    def cumsum(self, dim: builtins.int, *, dtype: _dtype.dtype | None = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self.to(_dtype.int64) if self._data.dtype.kind in "bui" else self
        dim = _normalize_dim(dim, self.ndim)
        if x.ndim == 0:
            return _reduce.CumSum.apply(x.reshape(1), dim=0).reshape(())
        return _reduce.CumSum.apply(x, dim=dim)

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.AnyAll.apply(self, dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim, all=False)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.AnyAll.apply(self, dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim, all=True)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return (self != 0).sum(dim)

    # ---- activations (also reachable as microtorch.* and nn.functional.*) ---------------------------
    def softmax(self, dim: builtins.int, dtype: _dtype.dtype | None = None) -> Tensor:
        return _nn_ops.softmax(self if dtype is None else self.to(dtype), dim, _nn_ops.Softmax)

    def log_softmax(self, dim: builtins.int, dtype: _dtype.dtype | None = None) -> Tensor:
        return _nn_ops.softmax(self if dtype is None else self.to(dtype), dim, _nn_ops.LogSoftmax)

    def hardshrink(self, lambd: builtins.float = 0.5) -> Tensor:
        from .nn.functional import hardshrink

        return hardshrink(self, lambd)

    def prelu(self, weight: Tensor) -> Tensor:
        from .nn.functional import prelu

        return prelu(self, weight)

    # ---- shape ----------------------------------------------------------------------------------------
    def reshape(self, *sizes: Any, shape: Any = None) -> Tensor:
        return _shape.reshape(self, _shape_arg(sizes if shape is None else (shape,)))

    def view(self, *shape: Any, size: Any = None, dtype: Any = None) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            dtype = shape[0]
        if dtype is not None:
            return _shape.view_dtype(self, dtype)
        return _shape.view(self, _shape_arg(shape if size is None else (size,)))

    def view_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "view_as", "other")
        return _shape.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "reshape_as", "other")
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = ABSENT) -> Tensor:
        return _shape.squeeze(self, given(dim, "squeeze", "dim", "int"))

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        return _shape.unsqueeze(self, dim)

    def permute(self, *sizes: Any, dims: Any = None) -> Tensor:
        return _shape.permute(self, _shape_arg(sizes if dims is None else (dims,)))

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        return _shape.transpose(self, dim0, dim1)

    swapdims = transpose

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        return _shape.transpose(self, axis0, axis1)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _shape.movedim(self, source, destination)

    moveaxis = movedim

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self if self.ndim < 2 else _shape.transpose(self, 0, 1)

    @property
    def T(self) -> Tensor:
        return self if self.ndim < 2 else _shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.ndim}-D tensor.")
        return _shape.transpose(self, -2, -1)

    def expand(self, *sizes: Any, size: Any = None, implicit: builtins.bool = False) -> Tensor:
        return _shape.expand(self, _shape_arg(sizes if size is None else (size,)))

    def expand_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "expand_as", "other")
        return _shape.expand(self, other.shape)

    def broadcast_to(self, size: Sequence[builtins.int]) -> Tensor:
        return _shape.expand(self, _shape_arg((size,)))

    def repeat(self, *sizes: Any, repeats: Any = None) -> Tensor:
        return _shape.repeat(self, _shape_arg(sizes if repeats is None else (repeats,)))

    def flip(self, *sizes: Any, dims: Any = None) -> Tensor:
        if not sizes and dims is None:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        return _shape.flip(self, _shape_arg(sizes if dims is None else (dims,)))

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple:
        return _shape.split(self, split_size, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple:
        return _shape.unbind(self, dim)

    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> Tensor:
        return _shape.narrow(self, dim, start, length)

    # (issue 21's shape ops: strided views in autograd/ops/strided.py, the rest compositions in shape.py)
    def ravel(self) -> Tensor:
        """The elements as a 1-D tensor (a view when contiguous)."""
        return _shape.reshape(self, (-1,))

    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
        """The ``offset``-th diagonal of the (dim1, dim2) planes as the last dim (a view)."""
        return _strided.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1) -> Tensor:
        """The last-dim vectors placed on diagonals of new (dim1, dim2) planes."""
        return _shape.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset: builtins.int = 0) -> Tensor:
        """The flattened tensor on the ``offset``-th diagonal of a square matrix."""
        return _matrix.diag(_shape.reshape(self, (-1,)), offset)

    def select(self, dim: builtins.int, index: builtins.int) -> Tensor:
        """The slice at ``index`` of ``dim``, without that dim (a view)."""
        return _strided.select(self, dim, index)

    def unfold(self, dimension: builtins.int, size: builtins.int, step: builtins.int) -> Tensor:
        """The windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim (a view)."""
        return _strided.unfold(self, dimension, size, step)

    def stft(self, n_fft: builtins.int, hop_length: builtins.int | None = None, win_length: builtins.int | None = None,
             window: Tensor | None = None, center: builtins.bool = True, pad_mode: str = "reflect",
             normalized: builtins.bool = False, onesided: builtins.bool | None = None,
             return_complex: builtins.bool | None = None, align_to_window: builtins.bool | None = None) -> Tensor:
        """The short-time Fourier transform (``microtorch.stft``)."""
        from ._spectral import stft

        return stft(self, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided,
                    return_complex, align_to_window)

    def istft(self, n_fft: builtins.int, hop_length: builtins.int | None = None, win_length: builtins.int | None = None,
              window: Tensor | None = None, center: builtins.bool = True, normalized: builtins.bool = False,
              onesided: builtins.bool | None = None, length: builtins.int | None = None,
              return_complex: builtins.bool = False) -> Tensor:
        """The inverse short-time Fourier transform (``microtorch.istft``)."""
        from ._spectral import istft

        return istft(self, n_fft, hop_length, win_length, window, center, normalized, onesided, length, return_complex)

    def as_strided(self, size: Sequence[builtins.int], stride: Sequence[builtins.int], storage_offset: builtins.int | None = None) -> Tensor:
        """A view of the elements (row-major order) with the given sizes, element strides and offset."""
        return _strided.as_strided(self, size, stride, storage_offset)

    def diagonal_scatter(self, src: Tensor, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
        """A copy with the diagonal ``diagonal(offset, dim1, dim2)`` replaced by ``src``."""
        return _strided.scatter_view(self, src, lambda t: _strided.diagonal(t, offset, dim1, dim2), "diagonal_scatter")

    def select_scatter(self, src: Tensor, dim: builtins.int, index: builtins.int) -> Tensor:
        """A copy with ``select(dim, index)`` replaced by ``src``."""
        return _strided.scatter_view(self, src, lambda t: _strided.select(t, dim, index), "select_scatter")

    def slice_scatter(self, src: Tensor, dim: builtins.int = 0, start: builtins.int | None = None, end: builtins.int | None = None,
                      step: builtins.int = 1) -> Tensor:
        """A copy with the slice ``start:end:step`` of ``dim`` replaced by ``src``."""
        return _strided.scatter_view(self, src, lambda t: _strided.slice_view(t, dim, start, end, step), "slice_scatter")

    def as_strided_scatter(self, src: Tensor, size: Sequence[builtins.int], stride: Sequence[builtins.int],
                           storage_offset: builtins.int | None = None) -> Tensor:
        """A copy with the elements ``as_strided(size, stride, storage_offset)`` takes replaced by ``src``."""
        return _strided.scatter_view(self, src, lambda t: _strided.as_strided(t, size, stride, storage_offset),
                                     "as_strided_scatter")

    def tensor_split(self, indices_or_sections: Any = None, dim: builtins.int = 0, *, sections: Any = None,
                     indices: Any = None, tensor_indices_or_sections: Any = None) -> tuple:
        """Views: ``n`` nearly equal pieces along ``dim``, or the pieces between the given indices."""
        how = _shape.sections_argument("tensor_split", indices_or_sections, sections, indices, tensor_indices_or_sections)
        return _shape.tensor_split(self, how, dim)

    def hsplit(self, indices_or_sections: Any = None, *, sections: Any = None, indices: Any = None) -> tuple:
        """tensor_split along dim 1 (dim 0 of a 1-D tensor)."""
        how = _shape.sections_argument("hsplit", indices_or_sections, sections, indices)
        return _shape.directional_split(self, how, 1 if self.ndim > 1 else 0, 1, "hsplit")

    def vsplit(self, indices_or_sections: Any = None, *, sections: Any = None, indices: Any = None) -> tuple:
        """tensor_split along dim 0 of a tensor of at least 2 dims."""
        how = _shape.sections_argument("vsplit", indices_or_sections, sections, indices)
        return _shape.directional_split(self, how, 0, 2, "vsplit")

    def dsplit(self, indices_or_sections: Any = None, *, sections: Any = None, indices: Any = None) -> tuple:
        """tensor_split along dim 2 of a tensor of at least 3 dims."""
        how = _shape.sections_argument("dsplit", indices_or_sections, sections, indices)
        return _shape.directional_split(self, how, 2, 3, "dsplit")

    def split_with_sizes(self, split_sizes: Sequence[builtins.int], dim: builtins.int = 0) -> tuple:
        """Pieces of the listed sizes along ``dim`` (views)."""
        return _shape.split(self, list(split_sizes), dim)

    def unsafe_split_with_sizes(self, split_sizes: Sequence[builtins.int], dim: builtins.int = 0) -> tuple:
        """``split_with_sizes`` (torch's variant skips a view check microtorch does not make)."""
        return self.split_with_sizes(split_sizes, dim)

    def narrow_copy(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> Tensor:
        """A contiguous copy of ``narrow(dim, start, length)``."""
        return self.narrow(dim, start, length).clone(memory_format=_memory_format.contiguous_format)

    def unsafe_split(self, split_size: Any, dim: builtins.int = 0) -> tuple:
        """``split`` (torch's variant skips a view check microtorch does not make)."""
        return _shape.split(self, split_size, dim)

    def unsafe_chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        """``chunk`` (torch's variant skips a view check microtorch does not make)."""
        return _shape.chunk(self, chunks, dim)

    def rot90(self, k: builtins.int = 1, dims: Sequence[builtins.int] = (0, 1)) -> Tensor:
        """Rotated by 90 degrees ``k`` times in the plane ``dims``."""
        return _shape.rot90(self, k, dims)

    def fliplr(self) -> Tensor:
        """Reversed along dim 1."""
        if self.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return _shape.flip(self, (1,))

    def flipud(self) -> Tensor:
        """Reversed along dim 0."""
        if self.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return _shape.flip(self, (0,))

    def msort(self) -> Tensor:
        """Sorted along dim 0."""
        return _sort.sort(self, 0, False, False)[0]

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of the last two dims (real tensors: ``mT``)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got {self.ndim}-D tensor.")
        return _shape.transpose(self, -2, -1).conj()

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (real tensors: ``T``)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.")
        return self.T.conj()

    def adjoint(self) -> Tensor:
        """``mH`` as a method."""
        return self.mH

    def resize_(self, *sizes: Any, size: Any = None, memory_format: Any = None) -> Tensor:
        """Change the shape in place (first elements kept, new ones zero); not differentiable."""
        return _inplace.resize_(self, _shape_arg(sizes if size is None else (size,)))

    def resize_as_(self, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
        """``resize_`` to ``the_template``'s shape."""
        _expect(the_template, Tensor, "resize_as_", "the_template")
        return _inplace.resize_(self, tuple(the_template.shape))

    # ---- indexing --------------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return _index.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _index.setitem(self, key, value)

    def gather(self, dim: builtins.int, index: Tensor, *, sparse_grad: builtins.bool = False) -> Tensor:
        if sparse_grad:
            raise NotImplementedError("microtorch does not support sparse tensors (gather(sparse_grad=True))")
        return _index.gather(self, dim, index)

    def index_select(self, dim: builtins.int, index: Tensor) -> Tensor:
        return _index.index_select(self, dim, index)

    # ---- sorting, scatter, matrix structure, tiling --------------------------------------------------
    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False, *, stable: builtins.bool = False) -> Any:
        return _sort.sort(self, dim, descending, stable)

    def argsort(self, dim: builtins.int = -1, descending: builtins.bool = False, stable: builtins.bool = False) -> Tensor:
        return _sort.argsort(self, dim, descending, stable)

    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True, sorted: builtins.bool = True) -> Any:  # noqa: A002
        return _sort.topk(self, k, dim, largest, sorted)

    def scatter(self, dim: builtins.int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        return _index.scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim: builtins.int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.scatter(t, dim, index, src, value, reduce))

    def scatter_add(self, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
        return _index.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.scatter_add(t, dim, index, src))

    def masked_select(self, mask: Tensor) -> Tensor:
        return _index.masked_select(self, mask)

    def take_along_dim(self, indices: Tensor, dim: builtins.int | None = None) -> Tensor:
        return _index.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        return _index.nonzero(self, as_tuple)

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        _expect(diagonal, _int, "tril", "diagonal")
        return _matrix.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        _expect(diagonal, _int, "triu", "diagonal")
        return _matrix.triu(self, diagonal)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        return _matrix.diag(self, diagonal)

    def trace(self) -> Tensor:
        return _matrix.trace(self)

    def outer(self, vec2: Tensor) -> Tensor:
        return _linalg.outer(self, vec2)

    ger = outer  # (torch's deprecated name)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _linalg.addmm(self, mat1, mat2, beta, alpha)

    def cumprod(self, dim: builtins.int, *, dtype: _dtype.dtype | None = None) -> Tensor:
        return _reduce.cumprod(self, dim, dtype)

    # ---- statistics and the matmul family (issue 21) -------------------------------------------------
    def median(self, dim: Any = ..., keepdim: builtins.bool = False) -> Any:
        """The lower median (of every element, or (values, indices) along dim). grad: to the median's element(s)"""
        return _stats.median(self, dim, keepdim)

    def nanmedian(self, dim: Any = ..., keepdim: builtins.bool = False) -> Any:
        """median ignoring nans. grad: to the median's element(s)"""
        return _stats.median(self, dim, keepdim, ignore_nan=True)

    def kthvalue(self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        """(values, indices) of the k-th smallest along dim. grad: to that index"""
        return _stats.kthvalue(self, k, dim, keepdim)

    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        """(values, indices) of the most frequent value along dim. grad: to that index"""
        return _stats.mode(self, dim, keepdim)

    def quantile(self, q: Any, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, interpolation: str = "linear") -> Tensor:
        """The q-th quantiles over dim. grad: (1 - w, w) to the two sorted neighbours"""
        return _stats.quantile(self, q, dim, keepdim, interpolation)

    def nanquantile(self, q: Any, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, interpolation: str = "linear") -> Tensor:
        """quantile ignoring nans. grad: (1 - w, w) to the two sorted neighbours"""
        return _stats.quantile(self, q, dim, keepdim, interpolation, ignore_nan=True)

    def aminmax(self, *, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """(amin, amax) over dim. grad: amin's and amax's"""
        return _stats.aminmax(self, dim, keepdim)

    def cummax(self, dim: builtins.int) -> Any:
        """(values, indices) of the running max along dim. grad: to the selected indices"""
        return _stats.cummax(self, dim)

    def cummin(self, dim: builtins.int) -> Any:
        """(values, indices) of the running min along dim. grad: to the selected indices"""
        return _stats.cummax(self, dim, largest=False)

    def logcumsumexp(self, dim: builtins.int) -> Tensor:
        """log(cumsum(exp(x))) along dim. grad: g_j exp(x_i - out_j) summed over j >= i"""
        return _stats.logcumsumexp(self, dim)

    def nansum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: _dtype.dtype | None = None) -> Tensor:
        """The sum treating nan as 0. grad: g, 0 at nans"""
        return _stats.nansum(self, dim, keepdim, dtype)

    def nanmean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: _dtype.dtype | None = None) -> Tensor:
        """The mean of the non-nan elements. grad: g / count, 0 at nans"""
        return _stats.nanmean(self, dim, keepdim, dtype)

    def cov(self, *, correction: builtins.int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the rows (variables) over the columns (observations). grad: through the mean and matmul"""
        return _stats.cov(self, correction, fweights, aweights)

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the rows. grad: through cov and the standard deviations"""
        return _stats.corrcoef(self)

    def diff(self, n: builtins.int = 1, dim: builtins.int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
        """The n-th forward difference along dim. grad: the adjoint differences"""
        return _differences.diff(self, n, dim, prepend, append)

    def renorm(self, p: Any, dim: builtins.int, maxnorm: Any) -> Tensor:
        """Slices along dim with p-norm above maxnorm scaled down to it. grad: through the norm and the scale"""
        return _distance.renorm(self, p, dim, maxnorm)

    def dist(self, other: Tensor, p: Any = 2) -> Tensor:
        """The p-norm of self - other. grad: the p-norm's"""
        return _distance.dist(self, other, p)

    def mv(self, vec: Tensor) -> Tensor:
        """matrix @ vector. grad: (g vec^T, self^T g)"""
        return _matrix.mv(self, vec)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec). grad: (beta g, alpha g vec^T, alpha mat^T g)"""
        return _matrix.addmv(self, mat, vec, beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (batch1 @ batch2). grad: the batched matmul's, scaled"""
        return _matrix.baddbmm(self, batch1, batch2, beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * sum_b batch1[b] @ batch2[b]. grad: the matmul's, scaled"""
        return _matrix.addbmm(self, batch1, batch2, beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * outer(vec1, vec2). grad: (beta g, alpha g vec2, alpha g^T vec1)"""
        return _matrix.addr(self, vec1, vec2, beta, alpha)

    def vdot(self, other: Tensor) -> Tensor:
        """The dot product of two 1-D tensors. grad: (g other, g self)"""
        return _matrix.vdot(self, other)

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product. grad: the broadcast product's"""
        return _matrix.kron(self, other)

    def inner(self, other: Tensor) -> Tensor:
        """The sum over the last dims of self * other. grad: the tensordot's"""
        return _matrix.inner(self, other)

    def cross(self, other: Tensor, dim: builtins.int | None = None) -> Tensor:
        """The cross product along dim (of size 3). grad: (other x g, g x self)"""
        return _matrix.cross(self, other, dim, "cross")

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _shape.roll(self, shifts, dims)

    def tile(self, *sizes: Any, dims: Any = None) -> Tensor:
        if not sizes and dims is None:
            raise TypeError('tile() missing 1 required positional arguments: "dims"')
        return _shape.tile(self, _shape_arg(sizes if dims is None else (dims,)))

    def repeat_interleave(self, repeats: Any, dim: builtins.int | None = None, *, output_size: builtins.int | None = None) -> Tensor:
        return _shape.repeat_interleave(self, repeats, dim, output_size)

    def nan_to_num(self, nan: builtins.float = 0.0, posinf: builtins.float | None = None, neginf: builtins.float | None = None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    # ---- linear algebra (microtorch/linalg/_legacy.py; imported on first use, as microtorch.linalg) ---------
    def det(self) -> Tensor:
        from .linalg import _legacy
        return _legacy.det(self)

    def logdet(self) -> Tensor:
        from .linalg import _legacy
        return _legacy.logdet(self)

    def slogdet(self) -> Any:
        from .linalg import _legacy
        return _legacy.slogdet(self)

    def inverse(self) -> Tensor:
        from .linalg import _legacy
        return _legacy.inverse(self)

    def cholesky(self, upper: builtins.bool = False) -> Tensor:
        from .linalg import _legacy
        return _legacy.cholesky(self, upper)

    def cholesky_solve(self, input2: Tensor, upper: builtins.bool = False) -> Tensor:
        from .linalg import _legacy
        return _legacy.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: builtins.bool = False) -> Tensor:
        from .linalg import _legacy
        return _legacy.cholesky_inverse(self, upper)

    def triangular_solve(self, A: Tensor, upper: builtins.bool = True, transpose: builtins.bool = False, unitriangular: builtins.bool = False) -> Any:
        from .linalg import _legacy
        return _legacy.triangular_solve(self, A, upper, transpose, unitriangular)

    def matrix_exp(self) -> Tensor:
        from .linalg import _legacy
        return _legacy.matrix_exp(self)

    def matrix_power(self, n: builtins.int) -> Tensor:
        from .linalg import _legacy
        return _legacy.matrix_power(self, n)

    def svd(self, some: builtins.bool = True, compute_uv: builtins.bool = True) -> Any:
        from .linalg import _legacy
        return _legacy.svd(self, some, compute_uv)

    def qr(self, some: builtins.bool = True) -> Any:
        from .linalg import _legacy
        return _legacy.qr(self, some)

    def pinverse(self, rcond: builtins.float = 1e-15) -> Tensor:
        from .linalg import _legacy
        return _legacy.pinverse(self, rcond)

    def lu(self, pivot: builtins.bool = True, get_infos: builtins.bool = False) -> Any:
        from .linalg import _legacy
        return _legacy.lu(self, pivot, get_infos)

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
        from .linalg import _legacy
        return _legacy.lu_solve(self, LU_data, LU_pivots)

    def geqrf(self) -> Any:
        """(a, tau): LAPACK's packed QR, as ``microtorch.geqrf``."""
        from .linalg import _householder
        return _householder.geqrf(self)

    def orgqr(self, input2: Tensor) -> Tensor:
        """Q from geqrf's (self, tau=input2), as ``linalg.householder_product``."""
        from .linalg import _householder
        return _householder.householder_product(self, input2)

    def ormqr(self, input2: Tensor, input3: Tensor, left: builtins.bool = True, transpose: builtins.bool = False) -> Tensor:
        """Q @ input3 (or input3 @ Q, Q^T) with Q from geqrf's (self, input2), as ``microtorch.ormqr``."""
        from .linalg import _householder
        return _householder.ormqr(self, input2, input3, left, transpose)

    # ---- in-place ops --------------------------------------------------------------------------------
    def __iadd__(self, other: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Add, other)

    def __isub__(self, other: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Div, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _inplace.binary_(self, _ops.Add, _scaled(self, other, alpha))

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            _refuse_bool_subtraction(self, other)
        return _inplace.binary_(self, _ops.Sub, _scaled(self, other, alpha))

    def mul_(self, other: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is not None:
            return _inplace.apply_(self, lambda t: t.div(other, rounding_mode=rounding_mode))
        return _inplace.binary_(self, _ops.Div, other)

    def pow_(self, exponent: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _inplace.apply_(self, lambda t: t.clamp(min, max))

    def neg_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: -t)

    def exp_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.exp())

    def sqrt_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.sqrt())

    def relu_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.relu())

    def sigmoid_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.sigmoid())

    def tanh_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.tanh())

    def abs_(self) -> Tensor:
        return _inplace.apply_(self, lambda t: t.abs())

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return _inplace.apply_(self, lambda t: t.masked_fill(mask, value))

    def fill_diagonal_(self, fill_value: Any, wrap: builtins.bool = False) -> Tensor:
        """The main diagonal (cells i, i, ..., i) set to ``fill_value`` in place; with ``wrap``, a tall matrix's
        diagonal starts again every ``cols + 1`` rows, as NumPy's ``fill_diagonal``."""
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        if not isinstance(fill_value, (builtins.int, builtins.float, builtins.complex)):
            raise TypeError(f"fill_diagonal_(): argument 'fill_value' (position 1) must be Number, not "
                            f"{type(fill_value).__name__}")
        shape = tuple(self.shape)
        if len(shape) < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(shape) > 2 and len(set(shape)) > 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        # the diagonal's flat positions: every (sum of the strides)-th cell, for a tall matrix without wrap only
        # within its top square
        step = builtins.sum(math.prod(shape[k + 1:]) for k in range(len(shape)))
        end = shape[1] * shape[1] if len(shape) == 2 and not wrap and shape[0] > shape[1] else math.prod(shape)
        flat = arange(math.prod(shape), device=self._device)
        return self.masked_fill_(((flat % step == 0) & (flat < end)).reshape(shape), fill_value)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add_(tensor1 * tensor2, alpha=value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add_(tensor1 / tensor2, alpha=value)

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Add, (end - self) * weight)

    def copy_(self, other: Any, non_blocking: builtins.bool = False) -> Tensor:
        return _inplace.copy_(self, other)

    def zero_(self) -> Tensor:
        return _inplace.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return _inplace.fill_(self, value)

    def uniform_(self, from_: builtins.float = 0.0, to: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "uniform", from_, to, generator)

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "normal", mean, std, generator)

    def bernoulli_(self, p: builtins.float = 0.5, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "bernoulli", p, None, generator)

    def cauchy_(self, median: builtins.float = 0.0, sigma: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "cauchy", median, sigma, generator)

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "exponential", lambd, None, generator)

    def geometric_(self, p: builtins.float, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "geometric", p, None, generator)

    def log_normal_(self, mean: builtins.float = 1.0, std: builtins.float = 2.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "log_normal", mean, std, generator)

    def random_(self, from_: builtins.int | None = None, to: builtins.int | None = None, *, generator: Any = None) -> Tensor:
        """Integers drawn uniformly from [from, to) (one bound, ``random_(to)``: [0, to); none: [0, 2**mantissa]
        for floating dtypes, the dtype's non-negative range for integers)."""
        if to is None:
            from_, to = 0, (_random_top(self.dtype) if from_ is None else from_)
        return _inplace.random_(self, "random", 0 if from_ is None else from_, to, generator)

    def new_empty_strided(self, size: Any, stride: Any, *, dtype: Any = None, device: Any = None,
                          requires_grad: builtins.bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` with this tensor's dtype and device (unless given); ``stride`` is
        checked, the result is contiguous (microtorch's arrays are row-major)."""
        from ._creation import empty_strided

        return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self._device,
                             requires_grad=requires_grad)

    # ---- indexing writes, lookups and counts (issue 21) ----------------------------------------------
    def index_add(self, dim: builtins.int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return _index.index_add(self, dim, index, source, alpha)

    def index_add_(self, dim: builtins.int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.index_add(t, dim, index, source, alpha))

    def index_copy(self, dim: builtins.int, index: Tensor, source: Tensor) -> Tensor:
        return _index.index_copy(self, dim, index, source)

    def index_copy_(self, dim: builtins.int, index: Tensor, source: Tensor) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.index_copy(t, dim, index, source))

    def index_fill(self, dim: builtins.int, index: Tensor, value: Any) -> Tensor:
        return _index.index_fill(self, dim, index, value)

    def index_fill_(self, dim: builtins.int, index: Tensor, value: Any) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.index_fill(t, dim, index, value))

    def index_put(self, indices: Any, values: Tensor, accumulate: builtins.bool = False) -> Tensor:
        return _index.index_put(self, indices, values, accumulate)

    def index_put_(self, indices: Any, values: Tensor, accumulate: builtins.bool = False) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.index_put(t, indices, values, accumulate))

    def index_reduce(self, dim: builtins.int, index: Tensor, source: Tensor, reduce: str, *, include_self: builtins.bool = True) -> Tensor:
        return _index.index_reduce(self, dim, index, source, reduce, include_self)

    def index_reduce_(self, dim: builtins.int, index: Tensor, source: Tensor, reduce: str, *, include_self: builtins.bool = True) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.index_reduce(t, dim, index, source, reduce, include_self))

    def scatter_reduce(self, dim: builtins.int, index: Tensor, src: Tensor, reduce: str, *, include_self: builtins.bool = True) -> Tensor:
        return _index.scatter_reduce(self, dim, index, src, reduce, include_self)

    def scatter_reduce_(self, dim: builtins.int, index: Tensor, src: Tensor, reduce: str, *, include_self: builtins.bool = True) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.scatter_reduce(t, dim, index, src, reduce, include_self))

    def take(self, index: Tensor) -> Tensor:
        return _index.take(self, index)

    def put(self, index: Tensor, source: Tensor, accumulate: builtins.bool = False) -> Tensor:
        return _index.put(self, index, source, accumulate)

    def put_(self, index: Tensor, source: Tensor, accumulate: builtins.bool = False) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.put(t, index, source, accumulate))

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return _index.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.masked_scatter(t, mask, source))

    def argwhere(self) -> Tensor:
        return _index.argwhere(self)

    def nonzero_static(self, *, size: builtins.int, fill_value: builtins.int = -1) -> Tensor:
        return _index.nonzero_static(self, size, fill_value)

    def unique(self, sorted: builtins.bool = True, return_inverse: builtins.bool = False, return_counts: builtins.bool = False,  # noqa: A002
               dim: builtins.int | None = None) -> Any:
        return _sort.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse: builtins.bool = False, return_counts: builtins.bool = False, dim: builtins.int | None = None) -> Any:
        return _sort.unique_consecutive(self, return_inverse, return_counts, dim)

    def bincount(self, weights: Tensor | None = None, minlength: builtins.int = 0) -> Tensor:
        return _histogram.bincount(self, weights, minlength)

    def histc(self, bins: builtins.int = 100, min: Any = 0, max: Any = 0) -> Tensor:  # noqa: A002
        return _histogram.histc(self, bins, min, max)

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None, density: builtins.bool = False) -> Any:  # noqa: A002
        return _histogram.histogram(self, bins, range, weight, density)


def _random_top(d: dtype) -> int:
    """One past the largest integer ``random_()`` draws: 2**mantissa + 1 for floating dtypes (every integer up to
    it is exact), the dtype's maximum + 1 for integers, 2 for bool."""
    mantissa = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}.get(d.name)
    if mantissa is not None:
        return 2 ** mantissa + 1
    return 2 if d.name == "bool" else int(get_backend("cpu").xp.iinfo(d.name).max) + 1


def _rebuild_tensor(cls: type, host: Any, device: Any, requires_grad: bool, state: dict | None = None) -> Tensor:
    """Unpickle what ``Tensor.__reduce_ex__`` saved."""
    with on_device(device):
        data = device.backend.asarray(host, index=device.index)
    t: Tensor = _new(cls)
    t._init_from(data, device, requires_grad)
    if state:
        t.__dict__.update(state)
    return t


class _HookHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _scaled(self: Tensor, other: Any, alpha: Any) -> Any:
    """``alpha * other`` for ``add``/``sub``, computed in the sum's dtype as torch does: a float32 ``other`` added
    to a float64 tensor is scaled in float64 (scaling it in float32 first would round the product)."""
    if alpha == 1:
        return other
    if isinstance(other, Tensor) and other.dtype is not self.dtype:
        common = _dtype.result_type(self, other)
        if common is not other.dtype:
            other = other.to(common)
    return other * alpha


function.Tensor = Tensor
# the factories, the promotion helpers and the ops need Tensor, so they are imported after it exists
# (the factories first: they import _promotion's _shape_arg while _promotion imports them as a module)
from ._creation import arange, empty, full, tensor  # noqa: E402
from ._format import format_tensor  # noqa: E402
from ._promotion import (  # noqa: E402
    _as_tensor_like, _binary, _compare, _expect, _float_input, _normalize_dim, _parse_to_args,
    _refuse_bool_subtraction, _shape_arg, _to_scalar,
)
from .autograd.ops import activation as _activation  # noqa: E402
from .autograd.ops import elementwise as _elementwise  # noqa: E402
_ops: Any = _elementwise  # (its table's Op classes are made at import, out of mypy's sight)
from .autograd.ops import index as _index  # noqa: E402
from .autograd.ops import inplace as _inplace  # noqa: E402
from .autograd.ops import linalg as _linalg  # noqa: E402
from .autograd.ops import matrix as _matrix  # noqa: E402
from .autograd.ops import nn as _nn_ops  # noqa: E402
from .autograd.ops import reduce as _reduce  # noqa: E402
from .autograd.ops import shape as _shape  # noqa: E402
from .autograd.ops import sort as _sort  # noqa: E402
from .autograd.ops import views as _views  # noqa: E402
from .autograd.ops import special as _special  # noqa: E402
from .autograd.ops import strided as _strided  # noqa: E402
from .autograd.ops import histogram as _histogram  # noqa: E402
from .autograd.ops import differences as _differences  # noqa: E402
from .autograd.ops import distance as _distance  # noqa: E402
from .autograd.ops import statistics as _stats  # noqa: E402
from .autograd.ops import complex as _complex  # noqa: E402
