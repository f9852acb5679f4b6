"""torch's ``*_copy`` functions: each view op's result in new memory (``permute_copy``, ``unbind_copy``, ...).

One generic wrapper makes ``X_copy`` from the Tensor method ``X``: the same parameters (and torch's ``out=``),
the view's values cloned, so the result is still in the graph but shares no memory with the input.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from ._signatures import function_from_method
from ._tensor import Tensor

#: the views torch has a ``*_copy`` function of (``alias_copy`` is ``alias``'s: the tensor itself)
VIEWS = ("alias as_strided detach diagonal expand narrow permute select split split_with_sizes squeeze t transpose "
         "unbind unfold unsqueeze view").split()


def _alias(self: Tensor) -> Tensor:
    """The tensor itself (torch's ``alias``: a view of all of it)."""
    return self


def copied(view: Callable, name: str) -> Callable:
    """The method ``view`` with its result (a tensor, or a tuple of them) cloned into new memory."""

    @functools.wraps(view)
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        result = view(self, *args, **kwargs)
        return tuple(r.clone() for r in result) if isinstance(result, tuple) else result.clone()

    method.__doc__ = f"``Tensor.{name}`` in new memory (no view of the input); grad: as ``{name}``'s."
    return method


FUNCTIONS = {f"{name}_copy": function_from_method(copied(_alias if name == "alias" else getattr(Tensor, name), name),
                                                  f"{name}_copy") for name in VIEWS}
