"""``Parameter`` and ``Buffer``: Tensors that a Module registers (as learnable, or as state) when assigned as its
attributes; the uninitialized parameters and buffers of lazy modules."""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and shares ``data``'s memory (``torch.nn.Parameter``)."""

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor as data, got {type(data).__name__}")
        self._init_from(data._data, data._device)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A Parameter with a copy of the values; torch's leaves ``grad`` behind (a Tensor's deepcopy keeps it).
        (Pickling is the Tensor's.)"""
        return Parameter(self.detach().clone(), self._requires_grad)


class Buffer(Tensor):
    """A Tensor that a Module registers as a buffer when assigned as its attribute (``torch.nn.Buffer``): part of its
    state (``state_dict`` unless ``persistent=False``), not a parameter. The module keeps a plain Tensor of it."""

    __slots__ = ("persistent",)

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer expects a Tensor as data, got {type(data).__name__}")
        self._init_from(data._data, data._device)
        if data.requires_grad:
            self.requires_grad_(True)
        self.persistent = persistent


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet (a lazy module's, before its first forward)."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape: tuple, device: Any = None, dtype: Any = None) -> None:
        """Become an ordinary (uninitialised) tensor of ``shape``, on this one's device and dtype by default."""
        from .._creation import empty

        tensor: Any = self  # (the mixin is only ever part of a Tensor class)
        tensor.data = empty(shape, device=tensor.device if device is None else device,
                            dtype=tensor.dtype if dtype is None else dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Any:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call `forward` "
            "to initialize the parameters before accessing their attributes."
        )

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter without a shape yet; ``materialize`` turns it into a Parameter (``torch.nn.UninitializedParameter``)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        from .._creation import empty

        super().__init__(empty(0, device=device, dtype=dtype), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer without a shape yet; ``materialize`` turns it into a Tensor (``torch.nn.UninitializedBuffer``)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        from .._creation import empty

        data = empty(0, device=device, dtype=dtype)
        self._init_from(data._data, data._device)
        if requires_grad:
            self.requires_grad_(True)


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)
