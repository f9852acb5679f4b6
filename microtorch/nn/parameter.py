"""``Parameter``: a Tensor that a Module registers as learnable when assigned as its attribute."""
from __future__ import annotations

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
