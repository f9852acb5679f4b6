"""Tensor methods that torch scripts call but that compute nothing: device and dtype flags, pinned and shared
memory, the storage views (``untyped_storage()``, ``storage()``: ``microtorch/storage.py``), and the legacy
``type()``, ``type_as()``, ``new()`` spellings. :class:`~microtorch.Tensor` inherits them.

Host tensors of a machine without CUDA are what microtorch's CPU tensors are: ``pin_memory()``
returns a copy (torch's answer there) and ``is_pinned()`` says False; ``share_memory_()`` is a
no-op, since microtorch's DataLoader workers send batches back by pickling.
"""
from __future__ import annotations

from typing import Any, NoReturn

from ._absent import ABSENT


class TensorCompat:
    """The mixin: see the module's docstring."""

    __slots__ = ()
    _device: Any  # Tensor's slots
    _data: Any

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    @property
    def is_xpu(self) -> bool:
        return False

    @property
    def is_mps(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_nested(self) -> bool:
        return False

    @property
    def layout(self) -> Any:
        """Always ``microtorch.strided`` (dense)."""
        from ._memory_format import strided

        return strided

    def to_sparse(self, sparse_dim: Any = ABSENT, *, layout: Any = None, blocksize: Any = None,
                  dense_dim: Any = None) -> Any:
        """Refused (microtorch has no sparse tensors) after torch's argument checks; ``layout=strided`` is self."""
        from ._memory_format import layout as layout_type, strided

        if sparse_dim is not ABSENT:
            if layout is not None or blocksize is not None or dense_dim is not None:
                raise TypeError("to_sparse() received an invalid combination of arguments: expected (*, layout, "
                                "blocksize, dense_dim) or (int sparse_dim)")
            sparse_dim = _sparse_int(sparse_dim, "to_sparse", "sparse_dim")
            ndim = self._data.ndim
            if not 0 <= sparse_dim <= ndim:
                raise RuntimeError(f"dense_to_sparse: sparse_dim argument must be in [0,{ndim}] range, but "
                                   f"{sparse_dim} is given")
        elif layout is not None and not isinstance(layout, layout_type):
            raise TypeError(f"to_sparse(): argument 'layout' must be torch.layout, not {type(layout).__name__}")
        elif layout is strided:
            return self
        elif dense_dim is not None:
            _sparse_int(dense_dim, "to_sparse", "dense_dim")
        _refuse_sparse("to_sparse")

    def to_sparse_coo(self) -> Any:
        """Refused: microtorch has no sparse tensors."""
        _refuse_sparse("to_sparse_coo")

    def to_sparse_csr(self, dense_dim: Any = None) -> Any:
        """Refused (microtorch has no sparse tensors) after torch's check of ``dense_dim``."""
        if dense_dim is not None:
            dense_dim = _sparse_int(dense_dim, "to_sparse_csr", "dense_dim")
            top = self._data.ndim - 2
            if top >= 0 and not 0 <= dense_dim <= top:
                raise RuntimeError(f"dense_to_sparse_csr: dense_dim argument must be in [0,{top}] range, but "
                                   f"{dense_dim} is given")
        _refuse_sparse("to_sparse_csr")

    def is_complex(self) -> bool:
        """Whether the dtype is a complex type (complex64 or complex128)."""
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        """Whether the dtype holds negative values (all but uint8 and bool)."""
        return self._data.dtype.kind not in "ub"

    def is_conj(self) -> bool:
        """False: there is no lazy conjugate bit (``conj()`` computes the conjugate)."""
        return False

    def is_neg(self) -> bool:
        """False: there is no lazy negation bit."""
        return False

    def is_same_size(self, other: Any) -> bool:
        """Whether ``other`` has this tensor's shape."""
        from ._tensor import Tensor

        if not isinstance(other, Tensor):
            raise TypeError(f"is_same_size(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return tuple(self._data.shape) == tuple(other.shape)

    def type_as(self, other: Any) -> Any:
        """This tensor as ``other``'s type: its dtype and device type (``self.type(other.type())``; itself if they
        are this tensor's already)."""
        from ._tensor import Tensor

        if not isinstance(other, Tensor):
            raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return self.type(other.type())

    def get_device(self) -> int:
        """The GPU index, or -1 on the CPU (torch's convention)."""
        return -1 if self._device.type == "cpu" else (self._device.index or 0)

    def is_pinned(self, device: Any = None) -> bool:
        """Always False: there is no page-locked host memory without CUDA (``device`` is checked, as torch)."""
        if device is not None:
            from ._device import device as device_type

            if not isinstance(device, (str, device_type)):
                raise TypeError(f"is_pinned(): argument 'device' (position 1) must be torch.device, not "
                                f"{type(device).__name__}")
            device_type(device)  # an unknown device name raises torch's RuntimeError
        return False

    def pin_memory(self, device: Any = None) -> Any:
        """A copy of a host tensor (on a machine without CUDA torch copies too); refused for a GPU tensor."""
        if self._device.type != "cpu":
            raise RuntimeError(f"cannot pin '{self._device.type}' memory: only dense CPU tensors can be pinned")
        return self.clone()  # type: ignore[attr-defined]  # (Tensor's method: this is its mixin)

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 for leaves and single-output ops)."""
        return self._output_nr  # type: ignore[attr-defined]  # (Tensor's slot)

    def const_data_ptr(self) -> int:
        """``data_ptr()`` (torch's read-only spelling)."""
        return self.data_ptr()  # type: ignore[attr-defined]  # (Tensor's method)

    def is_distributed(self) -> bool:
        """False: no tensor is split across processes."""
        return False

    def dim_order(self, *, ambiguity_check: Any = False) -> tuple:
        """The dims from outermost to innermost in memory, by torch's rule (``_memory_format.dim_order``)."""
        from ._memory_format import dim_order

        return dim_order(self, ambiguity_check)

    def is_set_to(self, tensor: Any) -> bool:
        """Whether ``tensor`` views the same memory at the same place with the same sizes and strides."""
        from ._tensor import Tensor

        if not isinstance(tensor, Tensor):
            raise TypeError(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not {type(tensor).__name__}")
        me: Any = self
        root, other_root = (me if me._base is None else me._base), (tensor if tensor._base is None else tensor._base)
        return (root._data is other_root._data and me.data_ptr() == tensor.data_ptr() and me.shape == tensor.shape
                and me.stride() == tensor.stride())

    def untyped_storage(self) -> Any:
        """The memory this tensor and its views share, as bytes (``microtorch.storage.UntypedStorage``)."""
        from .storage import untyped_storage_of

        return untyped_storage_of(self)  # type: ignore[arg-type]  # (self is a Tensor: this is its mixin)

    def storage(self) -> Any:
        """The memory as elements of this tensor's dtype (a ``TypedStorage``; deprecated, as torch's: warns once)."""
        from .storage import TypedStorage, untyped_storage_of, warn_typed_storage_removal

        warn_typed_storage_removal()
        return TypedStorage(untyped_storage_of(self), self.dtype)  # type: ignore[arg-type,attr-defined]  # (a Tensor)

    def share_memory_(self) -> Any:
        """Returns self: workers send tensors back by pickling, so nothing has to move to shared memory."""
        return self

    def is_shared(self) -> bool:
        return False

    def bfloat16(self, *, memory_format: Any = None) -> Any:
        """A bfloat16 copy (needs the ml_dtypes package)."""
        from ._dtype import bfloat16

        return self.to(bfloat16)  # type: ignore[attr-defined]  # (Tensor's method)

    def type(self, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        """``t.type()``: the legacy type name (``'microtorch.FloatTensor'``); ``t.type(dtype_or_name)``: a cast,
        to a dtype, a legacy class (``microtorch.LongTensor``) or its name (``'torch.LongTensor'``)."""
        from . import _legacy

        if dtype is None:
            return _legacy.type_name(self)
        return _legacy.cast_to_type(self, dtype)

    def new(self, *args: Any, **kwargs: Any) -> Any:
        """Legacy constructor with this tensor's dtype and device: ``t.new(2, 3)`` (uninitialised),
        ``t.new([1, 2])`` (data), ``t.new()`` (empty)."""
        from . import _legacy

        return _legacy.construct(self.dtype, args, kwargs.pop("device", self._device), kwargs)  # type: ignore[attr-defined]

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Any:
        """``microtorch.multinomial(self, ...)``: indices drawn from the rows of weights."""
        from ._creation import multinomial

        return multinomial(self, num_samples,  # type: ignore[arg-type]  # (the mixin is only ever a Tensor)
                           replacement, generator=generator)

    def bernoulli(self, p: Any = ABSENT, *, generator: Any = None) -> Any:
        """``microtorch.bernoulli(self, ...)``: 0/1 draws with probability self (or p)."""
        from ._creation import bernoulli

        return bernoulli(self, p, generator=generator)  # type: ignore[arg-type]  # (the mixin is only ever a Tensor)


def _sparse_int(value: Any, fn: str, arg: str) -> int:
    """An int argument of the sparse conversions, checked as torch's parser does."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be int, not {type(value).__name__}")
    if not -2**63 <= value < 2**63:
        raise ValueError("Overflow when unpacking long long")
    return value


def _refuse_sparse(fn: str) -> NoReturn:
    from ._unsupported import UnsupportedError

    raise UnsupportedError(f"Tensor.{fn}: microtorch does not support sparse tensors (only the strided layout)")
