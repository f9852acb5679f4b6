"""Tensor: a backend array plus what autograd needs to know about it.

A Tensor holds

* ``_data``: the backend array (a ``numpy.ndarray`` on cpu, ``cupy.ndarray`` on cuda),
* ``_device``: the device, whose backend does the array work,
* ``_requires_grad``, ``grad`` and ``grad_fn``: the autograd state; ``grad_fn`` is
  the :class:`~microtorch.autograd.function.Op` that produced the tensor
  (``None`` for leaves), ``_output_nr`` says which of its outputs it is,
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
        "_data", "_device", "_requires_grad", "_grad", "grad_fn", "_output_nr",
        "_version", "_base", "_hooks", "_retains_grad", "_view_maker", "__weakref__",
    )
    __array_priority__ = 1000  # numpy defers `ndarray * tensor` to Tensor.__rmul__
    __hash__ = object.__hash__  # __eq__ is elementwise

    # ---- construction ----------------------------------------------------------------
    def __init__(self, *args: Any, dtype: dtype | None = None, device: Any = None) -> None:
        """``Tensor(data)`` (float unless given a dtype) or ``Tensor(*sizes)`` (uninitialised)."""
        if args and all(isinstance(a, numbers.Integral) and not isinstance(a, _bool) for a in args):
            src = empty(*args, dtype=dtype, device=device)
        elif len(args) == 1:
            src = tensor(args[0], dtype=dtype or get_default_dtype(), device=device)
        else:
            src = empty(0, dtype=dtype, device=device)
        self._init_from(src._data, src._device)

    def _init_from(self, data: Any, device: Any, requires_grad: bool = False) -> None:
        self._data = data
        self._device = device
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._version = 0
        self._base = None
        self._hooks = None
        self._retains_grad = False

    @staticmethod
    def _make(data: Any, device: Any, requires_grad: bool = False, grad_fn: Any = None, output_nr: int = 0) -> Tensor:
        """Wrap a backend array (the fast path every op takes)."""
        if not data.ndim and isinstance(data, _host_scalar):
            data = device.backend.xp.asarray(data)  # numpy returns scalars, not 0-d arrays, from 0-d ops
        t = _new(Tensor)
        t._data = data
        t._device = device
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
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

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_normalize_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> dtype:
        return dtype_of_array(self._data)

    @property
    def device(self) -> _device_cls:
        return self._device

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return _int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return _int(self._data.nbytes)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind in "fV"  # (V: bfloat16, the only void-kind dtype microtorch admits)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        if memory_format is not None and memory_format is not _memory_format.contiguous_format:
            return _memory_format.is_contiguous_as(self, memory_format)
        return _bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_normalize_dim(dim, self._data.ndim)]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0] if hasattr(self._data, "__array_interface__") else self._data.data.ptr

    # ---- autograd state --------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind not in "fcV":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype}")
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
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version_counter(self) -> int:
        return (self._base if self._base is not None else self)._version

    def _bump_version(self) -> None:
        (self._base if self._base is not None else self)._version += 1

    def _accumulate_grad(self, grad: Tensor) -> None:
        self._grad = grad if self._grad is None else self._grad + grad

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``gradient`` seeds non-scalars)."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _HookHandle(self._hooks, hook)
        self.grad_fn.register_prehook(self._output_nr, hook)
        return _HookHandle(self.grad_fn._pre_hooks[self._output_nr], hook)

    def register_post_accumulate_grad_hook(self, hook) -> Any:
        """Call ``hook(self)`` once backward has summed this leaf's gradient into ``.grad`` (during the
        pass, as soon as that gradient is complete); ``handle.remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .autograd.engine import add_post_accumulate_hook

        return _HookHandle(add_post_accumulate_hook(self, hook), hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref

        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                g = grad.detach() if not grad_mode.state.enabled else grad
                t._grad = g.clone() if t._grad is None else t._grad + g  # owns its memory, as torch's

        store.retains_grad = True
        self.grad_fn.register_prehook(self._output_nr, store)
        self._retains_grad = True

    def detach(self) -> Tensor:
        """The same array, cut from the graph (shares memory and the version counter)."""
        return _views.view_of(Tensor._make(self._data, self._device), self)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ---- copying and pickling --------------------------------------------------------------------
    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf's copy in new memory: same class, requires_grad and (copied) grad, as torch's."""
        if self.grad_fn is not None:
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
    def numpy(self, *, force: bool = False) -> Any:
        if not force:
            self._check_numpy()
        return self._device.backend.to_numpy(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        """``np.asarray(t)``: the values, refused as ``numpy()`` refuses them (torch's ``__array__`` is ``numpy()``)."""
        self._check_numpy()
        arr = self._device.backend.to_numpy(self._data)
        return arr if dtype is None else arr.astype(dtype)

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

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self) -> Any:
        return self._device.backend.to_numpy(self._data).tolist()

    def __float__(self) -> float:
        return _float(self.item())

    def __int__(self) -> int:
        return _int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return _int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return _bool(self._data.item())

    def __len__(self) -> int:
        if not self._data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if not self._data.ndim:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element: Any) -> bool:
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

    def float(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float32)

    def double(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float64)

    def half(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.float16)

    def long(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int64)

    def int(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int32)

    def short(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.int16)

    def bool(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.bool)

    def byte(self, memory_format: Any = None) -> Tensor:
        return self.to(_dtype.uint8)

    def cpu(self, memory_format: Any = None) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
        return self.to(_device_cls("cuda") if device is None else _device_cls("cuda", device) if isinstance(device, _int) else device)

    # new_*: factories that default to this tensor's dtype and device, as torch's
    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return tensor(data, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_shape_arg(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_shape_arg(size), 1, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return empty(*_shape_arg(size), dtype=dtype or self.dtype, device=device or self._device,
                     requires_grad=requires_grad)

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return _ops.Clone.apply(self)  # (every memory format is kept row-major: see _memory_format.py)

    def contiguous(self, memory_format: Any = None) -> Tensor:
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
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            _refuse_bool_subtraction(self, other)  # before `other * alpha` turns a bool into an int
        return self - (other * alpha if alpha != 1 else other)

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

    def equal(self, other: Tensor) -> bool:
        _expect(other, Tensor, "equal", "other")
        return self.shape == other.shape and _bool((self == other).all().item())

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return _bool(self.isclose(other, rtol, atol, equal_nan).all().item())

    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        return _ops.IsClose.apply(self, _as_tensor_like(other, self), rtol=rtol, atol=atol, equal_nan=equal_nan)

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
        return _ops.Tanh.apply(_float_input(self))

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
            other = x.new_tensor(other)
        return _binary(_ops.Xlogy, x, other)

    def logit(self, eps: float | None = None) -> Tensor:
        return _ops.logit(self, eps)

    def lgamma(self) -> Tensor:
        """log|Gamma(x)|, elementwise."""
        return _special.Lgamma.apply(_float_input(self))

    def digamma(self) -> Tensor:
        """psi(x) = d log Gamma(x) / dx, elementwise."""
        return _special.Polygamma.apply(_float_input(self), n=0)

    def polygamma(self, n: int) -> Tensor:
        """The n-th derivative of digamma, elementwise (``torch.polygamma(n, x)`` is ``x.polygamma(n)``)."""
        if int(n) < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return _special.Polygamma.apply(_float_input(self), n=int(n))

    def erfinv(self) -> Tensor:
        """The inverse of erf, elementwise (nan outside [-1, 1])."""
        return _special.Erfinv.apply(_float_input(self))

    def fmod(self, other: Any) -> Tensor:
        return _binary(_ops.Fmod, self, other)

    def deg2rad(self) -> Tensor:
        return _ops.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return _ops.rad2deg(self)

    def positive(self) -> Tensor:
        return self

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add(tensor1 * tensor2, alpha=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add(tensor1 / tensor2, alpha=value)

    def sigmoid(self) -> Tensor:
        return _ops.Sigmoid.apply(_float_input(self))

    def relu(self) -> Tensor:
        return _ops.Relu.apply(self)

    def sign(self) -> Tensor:
        return _ops.Sign.apply(self)

    sgn = sign

    def floor(self) -> Tensor:
        return _ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        return _ops.Ceil.apply(self)

    def round(self, decimals: int = 0) -> Tensor:
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
        return _binary(_ops.Maximum, self, other)

    def minimum(self, other: Tensor) -> Tensor:
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
        return _compare(_ops.LogicalAnd, self, other)

    def logical_or(self, other: Tensor) -> Tensor:
        return _compare(_ops.LogicalOr, self, other)

    def logical_xor(self, other: Tensor) -> Tensor:
        return _compare(_ops.LogicalXor, self, other)

    # ---- reductions ---------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "bui" and dtype is None:
            x = x.to(_dtype.int64)  # torch sums integers and bools as int64
        return _reduce.Sum.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def sum_to_size(self, *sizes: Any, size: Any = None) -> Tensor:
        return _reduce.sum_to_size(self, _shape_arg(sizes if size is None else (size,)))

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind not in "fcV":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {x.dtype.name.capitalize()}"
            )
        return _reduce.Mean.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None) -> Tensor:
        return _reduce.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None) -> Tensor:
        return _reduce.var(self, dim, unbiased, keepdim, correction, op=_reduce.Std)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "bui" and dtype is None:
            x = x.to(_dtype.int64)
        return _reduce.Prod.apply(x, dim=_reduce.normalize_dims(dim, x.ndim), keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        return _reduce.max_min(self, dim if other is None else other, keepdim, "max")

    def min(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        return _reduce.max_min(self, dim if other is None else other, keepdim, "min")

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _reduce.Amax.apply(self, dim=_reduce.normalize_dims(dim if dim != () else None, self.ndim), keepdim=keepdim, largest=True)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _reduce.Amax.apply(self, dim=_reduce.normalize_dims(dim if dim != () else None, self.ndim), keepdim=keepdim, largest=False)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _reduce.argmax(self, dim, keepdim, largest=True)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _reduce.argmax(self, dim, keepdim, largest=False)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _reduce.LogSumExp.apply(_float_input(self), dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: dtype | None = None) -> Tensor:
        return _reduce.norm(self if dtype is None else self.to(dtype), p, dim, keepdim)

    def cumsum(self, dim: int, *, dtype: dtype | None = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self.to(_dtype.int64) if self._data.dtype.kind in "bui" else self
        dim = _normalize_dim(dim, self.ndim)
        if x.ndim == 0:
            return _reduce.CumSum.apply(x.reshape(1), dim=0).reshape(())
        return _reduce.CumSum.apply(x, dim=dim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _reduce.AnyAll.apply(self, dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim, all=False)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _reduce.AnyAll.apply(self, dim=_reduce.normalize_dims(dim, self.ndim), keepdim=keepdim, all=True)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return (self != 0).sum(dim)

    # ---- activations (also reachable as microtorch.* and nn.functional.*) ---------------------------
    def softmax(self, dim: int, dtype: dtype | None = None) -> Tensor:
        return _nn_ops.softmax(self if dtype is None else self.to(dtype), dim, _nn_ops.Softmax)

    def log_softmax(self, dim: int, dtype: dtype | None = None) -> Tensor:
        return _nn_ops.softmax(self if dtype is None else self.to(dtype), dim, _nn_ops.LogSoftmax)

    # ---- shape ----------------------------------------------------------------------------------------
    def reshape(self, *sizes: Any, shape: Any = None) -> Tensor:
        return _shape.reshape(self, _shape_arg(sizes if shape is None else (shape,)))

    def view(self, *shape: Any, size: Any = None) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (dtype, str, type)):
            raise NotImplementedError("Tensor.view(dtype) reinterpretation is not supported; use .to(dtype)")
        return _shape.view(self, _shape_arg(shape if size is None else (size,)))

    def view_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "view_as", "other")
        return _shape.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "reshape_as", "other")
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _shape.unsqueeze(self, dim)

    def permute(self, *sizes: Any, dims: Any = None) -> Tensor:
        return _shape.permute(self, _shape_arg(sizes if dims is None else (dims,)))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _shape.transpose(self, dim0, dim1)

    swapdims = transpose

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return _shape.transpose(self, axis0, axis1)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _shape.movedim(self, source, destination)

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

    def expand(self, *sizes: Any, size: Any = None, implicit: bool = False) -> Tensor:
        return _shape.expand(self, _shape_arg(sizes if size is None else (size,)))

    def expand_as(self, other: Tensor) -> Tensor:
        _expect(other, Tensor, "expand_as", "other")
        return _shape.expand(self, other.shape)

    def broadcast_to(self, size: Sequence[int]) -> Tensor:
        return _shape.expand(self, _shape_arg((size,)))

    def repeat(self, *sizes: Any, repeats: Any = None) -> Tensor:
        return _shape.repeat(self, _shape_arg(sizes if repeats is None else (repeats,)))

    def flip(self, *sizes: Any, dims: Any = None) -> Tensor:
        return _shape.flip(self, _shape_arg(sizes if dims is None else (dims,)))

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        return _shape.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        return _shape.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _shape.narrow(self, dim, start, length)

    # ---- indexing --------------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return _index.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _index.setitem(self, key, value)

    def gather(self, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
        if sparse_grad:
            raise NotImplementedError("microtorch does not support sparse tensors (gather(sparse_grad=True))")
        return _index.gather(self, dim, index)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _index.index_select(self, dim, index)

    # ---- sorting, scatter, matrix structure, tiling --------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return _sort.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return _sort.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return _sort.topk(self, k, dim, largest, sorted)

    def scatter(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        return _index.scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.scatter(t, dim, index, src, value, reduce))

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _index.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _inplace.apply_(self, lambda t: _index.scatter_add(t, dim, index, src))

    def masked_select(self, mask: Tensor) -> Tensor:
        return _index.masked_select(self, mask)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return _index.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _index.nonzero(self, as_tuple)

    def tril(self, diagonal: int = 0) -> Tensor:
        _expect(diagonal, _int, "tril", "diagonal")
        return _matrix.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        _expect(diagonal, _int, "triu", "diagonal")
        return _matrix.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _matrix.diag(self, diagonal)

    def trace(self) -> Tensor:
        return _matrix.trace(self)

    def outer(self, vec2: Tensor) -> Tensor:
        return _linalg.outer(self, vec2)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _linalg.addmm(self, mat1, mat2, beta, alpha)

    def cumprod(self, dim: int, *, dtype: dtype | None = None) -> Tensor:
        return _reduce.cumprod(self, dim, dtype)

    # ---- statistics and the matmul family (issue 21) -------------------------------------------------
    def median(self, dim: Any = ..., keepdim: bool = False) -> Any:
        """The lower median (of every element, or (values, indices) along dim). grad: to the median's element(s)"""
        return _stats.median(self, dim, keepdim)

    def nanmedian(self, dim: Any = ..., keepdim: bool = False) -> Any:
        """median ignoring nans. grad: to the median's element(s)"""
        return _stats.median(self, dim, keepdim, ignore_nan=True)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """(values, indices) of the k-th smallest along dim. grad: to that index"""
        return _stats.kthvalue(self, k, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """(values, indices) of the most frequent value along dim. grad: to that index"""
        return _stats.mode(self, dim, keepdim)

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
        """The q-th quantiles over dim. grad: (1 - w, w) to the two sorted neighbours"""
        return _stats.quantile(self, q, dim, keepdim, interpolation)

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
        """quantile ignoring nans. grad: (1 - w, w) to the two sorted neighbours"""
        return _stats.quantile(self, q, dim, keepdim, interpolation, ignore_nan=True)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        """(amin, amax) over dim. grad: amin's and amax's"""
        return _stats.aminmax(self, dim, keepdim)

    def cummax(self, dim: int) -> Any:
        """(values, indices) of the running max along dim. grad: to the selected indices"""
        return _stats.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        """(values, indices) of the running min along dim. grad: to the selected indices"""
        return _stats.cummax(self, dim, largest=False)

    def logcumsumexp(self, dim: int) -> Tensor:
        """log(cumsum(exp(x))) along dim. grad: g_j exp(x_i - out_j) summed over j >= i"""
        return _stats.logcumsumexp(self, dim)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """The sum treating nan as 0. grad: g, 0 at nans"""
        return _stats.nansum(self, dim, keepdim, dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
        """The mean of the non-nan elements. grad: g / count, 0 at nans"""
        return _stats.nanmean(self, dim, keepdim, dtype)

    def cov(self, *, correction: int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the rows (variables) over the columns (observations). grad: through the mean and matmul"""
        return _stats.cov(self, correction, fweights, aweights)

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the rows. grad: through cov and the standard deviations"""
        return _stats.corrcoef(self)

    def diff(self, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
        """The n-th forward difference along dim. grad: the adjoint differences"""
        return _differences.diff(self, n, dim, prepend, append)

    def renorm(self, p: Any, dim: int, maxnorm: Any) -> Tensor:
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

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        """The cross product along dim (of size 3). grad: (other x g, g x self)"""
        return _matrix.cross(self, other, dim, "cross")

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _shape.roll(self, shifts, dims)

    def tile(self, *sizes: Any, dims: Any = None) -> Tensor:
        return _shape.tile(self, _shape_arg(sizes if dims is None else (dims,)))

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
        return _shape.repeat_interleave(self, repeats, dim, output_size)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

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
        return _inplace.binary_(self, _ops.Add, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            _refuse_bool_subtraction(self, other)
        return _inplace.binary_(self, _ops.Sub, other if alpha == 1 else other * alpha)

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

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add_(tensor1 * tensor2, alpha=value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self.add_(tensor1 / tensor2, alpha=value)

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return _inplace.binary_(self, _ops.Add, (end - self) * weight)

    def copy_(self, other: Any, non_blocking: bool = False) -> Tensor:
        return _inplace.copy_(self, other)

    def zero_(self) -> Tensor:
        return _inplace.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return _inplace.fill_(self, value)

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "uniform", from_, to, generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "normal", mean, std, generator)

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
        return _inplace.random_(self, "bernoulli", p, None, generator)


def _rebuild_tensor(cls: type, host: Any, device: Any, requires_grad: bool, state: dict | None = None) -> Tensor:
    """Unpickle what ``Tensor.__reduce_ex__`` saved."""
    with on_device(device):
        data = device.backend.asarray(host, index=device.index)
    t = _new(cls)
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



function.Tensor = Tensor
# the factories, the promotion helpers and the ops need Tensor, so they are imported after it exists
# (the factories first: they import _promotion's _shape_arg while _promotion imports them as a module)
from ._creation import empty, full, tensor  # noqa: E402
from ._format import format_tensor  # noqa: E402
from ._promotion import (  # noqa: E402
    _as_tensor_like, _binary, _compare, _expect, _float_input, _normalize_dim, _parse_to_args,
    _refuse_bool_subtraction, _shape_arg, _to_scalar,
)
from .autograd.ops import elementwise as _ops  # noqa: E402
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
from .autograd.ops import differences as _differences  # noqa: E402
from .autograd.ops import distance as _distance  # noqa: E402
from .autograd.ops import statistics as _stats  # noqa: E402
